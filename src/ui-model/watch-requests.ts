// What each view asks its cluster's monitor for. Apart from the monitor so the results
// panel's bundle takes these few lines, not the monitor; the bench replays the same requests,
// so it and the views cannot drift apart.
import type { FetchRequest } from './cluster-snapshot';

/** What one watcher shows: the monitor fetches the union of every watcher's request.
 *  `nodes: 'count'`: only how many there are (a collapsed Nodes group), which the monitor
 *  fetches every NODE_COUNT_EVERY polls instead of every poll. */
export type WatchRequest = Omit<FetchRequest, 'nodes'> & { nodes?: boolean | 'count' };

export const watchRequests = {
  /** The tree: the current task's queues for the active or an expanded cluster, with its
   *  nodes while its Nodes group is expanded (else their count, now and then); the task list
   *  and health for the others, and the queues of tasks the user opened. */
  tree: (details: boolean, shownQueues: readonly string[], nodesExpanded = true): WatchRequest => ({
    nodes: details ? (nodesExpanded ? true : 'count') : false,
    current: details,
    queues: shownQueues,
  }),
  /** The status bar: the active cluster's current task and its queues. */
  statusBar: (): WatchRequest => ({ current: true }),
  /** A results panel: its list, and the input queue beside it when known. */
  resultsPanel: (queue: string, inputQueue?: string): WatchRequest => ({ queues: inputQueue ? [queue, inputQueue] : [queue] }),
  /** A failed-list panel: the failed list's length (and its input's). */
  failedPanel: (input: string): WatchRequest => ({ queues: [input], failedOf: [input] }),
};

