// A SnapshotFeed over the Clusters view's poll: the dashboard reads the snapshots the tree
// already fetched (the active or expanded cluster's nodes and running task's queues) and
// asks for nothing more. A per-cluster monitor that polls for its watchers replaces it.
import type { ClustersView } from '../clusters/clusters-view';
import { pollIntervalMs } from '../../ui/settings';
import type { SnapshotFeed, Watch, WatchRequest } from './feed';
import type { DashboardSnapshot } from './model';

export function treeSnapshotFeed(clusters: Pick<ClustersView, 'onDidUpdate' | 'model'>): SnapshotFeed {
  return {
    watch(cluster: string, _want: WatchRequest, onChange: (snap: DashboardSnapshot) => void): Watch {
      let lastAt: number | undefined;
      return clusters.onDidUpdate(() => {
        const snap = clusters.model.snapshotOf(cluster);
        if (!snap || snap.at === lastAt) return;
        lastAt = snap.at;
        onChange(snap);
      });
    },
    current: (cluster) => clusters.model.snapshotOf(cluster),
    pollIntervalMs,
  };
}
