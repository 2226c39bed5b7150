// Where a dashboard gets its snapshots: the cluster's shared poll, never a request of its
// own. A small interface so the panel does not care who polls (the cluster's monitor in
// the extension, a script in tests).
import type { TaskSample } from '../../ui-model/task-series';
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
  /** What the poller already sampled of the task before the panel opened (oldest first). */
  history?(cluster: string, task: string): readonly TaskSample[];
  /** The poll interval (ms), to tell a pause from a slow poll. */
  pollIntervalMs(): number;
}
