// What one poll learns about a cluster, fetched only through the service (the UI never
// opens a socket). Failures become checks with their message, never exceptions, so one dead
// cluster cannot break the tree.
import { HubError, isGridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { GridCoreService } from '../core/service-api';
import type { HubNode, TaskView } from '../core/types';

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
  /** Queues of the running task, when their names are known. */
  queues?: { task: string; input?: QueueInfo; output?: QueueInfo };
}

export function failure(e: unknown): Check {
  if (isGridCoreError(e)) return { ok: false, message: e.message, code: e.code };
  return { ok: false, message: e instanceof Error ? e.message : String(e) };
}

export interface FetchOptions {
  /** Nodes and queue lengths too, not only health and tasks (an expanded or active cluster). */
  details: boolean;
  now?: () => number;
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
      if (opts.details) snap.nodes = await hub.listNodes();
      const running = snap.tasks.find((t) => t.state === 'running');
      if (running) {
        let input = running.record?.inputQueue;
        let output = running.record?.outputQueue;
        if (!input && !output && opts.details) {
          // The hub's list carries names only; the node-facing route carries the queues.
          const config = await hub.currentTaskConfig().catch(() => null);
          if (config?.task_name === running.name) {
            input = config.input_queue ?? undefined;
            output = config.output_queue ?? undefined;
          }
        }
        snap.queues = {
          task: running.name,
          input: input ? { name: input } : undefined,
          output: output ? { name: output } : undefined,
        };
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
  if (queues && opts.details && snap.queues) {
    const names = [snap.queues.input?.name, snap.queues.output?.name].filter((n): n is string => !!n);
    if (names.length) {
      try {
        const lengths = await queues.lengths(names);
        if (snap.queues.input) snap.queues.input.length = lengths[snap.queues.input.name];
        if (snap.queues.output) snap.queues.output.length = lengths[snap.queues.output.name];
      } catch (e) {
        snap.redis = failure(e);
      }
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
