// Where a dashboard gets its snapshots: the cluster's shared poll, never a request of its
// own. A small interface so the panel does not care who polls (the Clusters view's loop
// today, a per-cluster monitor that measures what its watchers ask for).
import type { DashboardSnapshot } from './model';

export interface Watch {
  dispose(): void;
}

export interface WatchRequest {
  /** The node list is wanted (the per-node table). */
  nodes: boolean;
  /** Queues whose lengths are wanted in the same round trip as the others. */
  queues: readonly string[];
}

export interface SnapshotFeed {
  /** Snapshots of `cluster` as polls bring them, until disposed. */
  watch(cluster: string, want: WatchRequest, onChange: (snap: DashboardSnapshot) => void): Watch;
  /** The latest snapshot of the cluster, if any, to fill a panel at once. */
  current(cluster: string): DashboardSnapshot | undefined;
  /** The poll interval (ms), to tell a pause from a slow poll. */
  pollIntervalMs(): number;
}
