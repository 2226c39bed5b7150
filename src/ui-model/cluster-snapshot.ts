// What one poll learns about a cluster, fetched only through the service (the UI never
// opens a socket). Failures become checks with their message, never exceptions, so one dead
// cluster cannot break the tree.
import { HubError, isGridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { GridCoreService } from '../core/service-api';
import { forgottenRecords } from '../core/taskRecords';
import type { HubNode, QueueLengths, TaskRecord, TaskView } from '../core/types';
import { recordedQueues, taskQueueNames } from './task-queues';

export type Check = { ok: true } | { ok: false; message: string; code?: string };

export interface QueueInfo {
  name: string;
  length?: number;
}

export interface ClusterSnapshot {
  /** ms since epoch */
  at: number;
  hub?: Check;
  token?: Check;
  redis?: Check;
  nodes?: HubNode[];
  tasks?: TaskView[];
  /** Queues of the running task (else of the completed one the hub still hands to nodes),
   *  when their names are known. */
  queues?: { task: string; handed?: boolean; input?: QueueInfo; output?: QueueInfo };
  /** Length of every queue polled (the running task's and those asked for with `extraQueues`). */
  lengths?: QueueLengths;
  /** Records of tasks registered from this editor that the hub no longer lists (a hub restart). */
  forgotten?: TaskRecord[];
}

export function failure(e: unknown): Check {
  if (isGridCoreError(e)) return { ok: false, message: e.message, code: e.code };
  return { ok: false, message: e instanceof Error ? e.message : String(e) };
}

export interface FetchOptions {
  /** Nodes and queue lengths too, not only health and tasks (an expanded or active cluster). */
  details: boolean;
  now?: () => number;
  /** More queues to measure in the same round trip (tasks whose queues the user asked to see). */
  extraQueues?: (tasks: TaskView[]) => string[];
}

export async function fetchClusterSnapshot(service: GridCoreService, cluster: string, opts: FetchOptions): Promise<ClusterSnapshot> {
  const snap: ClusterSnapshot = { at: (opts.now ?? Date.now)() };
  const hubPart = (async () => {
    try {
      const hub = await service.hub(cluster);
      await hub.health();
      snap.hub = { ok: true };
      try {
        snap.tasks = await service.listTasks(cluster);
        snap.token = { ok: true };
      } catch (e) {
        if (e instanceof HubError && e.code === 'unauthorized') snap.token = failure(e);
        else snap.hub = failure(e);
        return;
      }
      snap.forgotten = forgottenRecords({ current: null, pending: [], completed: snap.tasks.map((t) => t.name) }, service.tasks.list(cluster));
      if (opts.details) snap.nodes = await hub.listNodes();
      const current = snap.tasks.find((t) => t.state === 'running') ?? snap.tasks.find((t) => t.stillHandedToNodes);
      if (current) {
        // Without details, only what the record knows: the hub is asked on detailed polls.
        const q = opts.details ? await taskQueueNames(service, cluster, current) : recordedQueues(current) ?? {};
        snap.queues = {
          task: current.name,
          input: q.input ? { name: q.input } : undefined,
          output: q.output ? { name: q.output } : undefined,
        };
        if (current.state !== 'running') snap.queues.handed = true;
      }
    } catch (e) {
      if (!snap.hub) snap.hub = failure(e);
    }
  })();
  const redisPart = (async () => {
    try {
      const queues = await service.queues(cluster);
      await queues.ping();
      snap.redis = { ok: true };
      return queues;
    } catch (e) {
      snap.redis = failure(e);
      return undefined;
    }
  })();
  const [, queues] = await Promise.all([hubPart, redisPart]);
  const names = new Set<string>();
  if (opts.details && snap.queues) for (const q of [snap.queues.input, snap.queues.output]) if (q) names.add(q.name);
  if (snap.tasks && opts.extraQueues) for (const n of opts.extraQueues(snap.tasks)) names.add(n);
  if (queues && names.size) {
    try {
      // Every queue of the poll in one pipelined round trip.
      snap.lengths = await queues.lengths([...names]);
      for (const q of [snap.queues?.input, snap.queues?.output]) if (q) q.length = snap.lengths[q.name];
    } catch (e) {
      snap.redis = failure(e);
    }
  }
  return snap;
}

/** One line per check, for tooltips. */
export function describeChecks(s: ClusterSnapshot | undefined): string[] {
  const line = (c: Check | undefined, ok: string, bad: string) =>
    c === undefined ? `… ${ok}` : c.ok ? `✓ ${ok}` : `✗ ${bad}: ${c.message}`;
  return [
    line(s?.hub, l10n.t('Hub reachable'), l10n.t('Hub not reachable')),
    line(s?.token, l10n.t('Token accepted'), l10n.t('Token rejected')),
    line(s?.redis, l10n.t('Redis reachable'), l10n.t('Redis not reachable')),
  ];
}
