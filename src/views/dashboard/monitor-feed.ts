// A SnapshotFeed over the clusters' monitors: a dashboard is one more watcher of its
// cluster's one poller. It asks for the nodes, the current task and its task's queues,
// which the monitor measures in the same poll and Redis round trip as everyone else's.
// No `vscode` here: the bench and tests use it as the extension does.
import type { ClusterMonitors } from '../../ui-model/cluster-monitor';
import type { SnapshotFeed, Watch, WatchRequest } from './feed';
import { findTask, type DashboardSnapshot } from './model';

/** `pollIntervalMs`: the setting, read when asked (it may change). */
export function monitorSnapshotFeed(monitors: Pick<ClusterMonitors, 'get'>, pollIntervalMs: () => number): SnapshotFeed {
  return {
    watch(cluster: string, want: WatchRequest, onChange: (snap: DashboardSnapshot) => void): Watch {
      const monitor = monitors.get(cluster);
      const listening = monitor.onDidChange(onChange);
      const watch = monitor.watch({ nodes: want.nodes, current: true, queues: want.queues });
      return {
        dispose() {
          watch.dispose();
          listening.dispose();
        },
      };
    },
    current: (cluster) => monitors.get(cluster).snapshot,
    history(cluster, task) {
      const monitor = monitors.get(cluster);
      const t = monitor.snapshot ? findTask(monitor.snapshot, task) : undefined;
      return t ? monitor.history(t) : [];
    },
    pollIntervalMs,
  };
}
