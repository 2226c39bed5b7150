// The façade's side of stranded batches: gathers the facts (hub nodes, the current task, and
// for the local cluster the task's containers from Docker) and remembers, per input, since
// when each processing list looked the same. The rules themselves are in ./inflight.ts.
import type Docker from 'dockerode';
import { containerName, INSTANCE_LABEL, nameSafe, NODE_LABEL, TASK_LABEL } from './docker/container-names';
import { deadByContainerCount, HeartbeatWatch } from './dead-consumers';
import { StrandedTracker, strandedLists, type StrandedFacts } from './inflight';
import type { HubClient } from './service-api';
import type { HubNode, InFlightList, StrandedList } from './types';

export const DEFAULT_STALE_MS = 120_000;

/** Whether a live container of (node, instance) runs `task`: by our labels, else by the
 *  `idm-<task>-<node>-<instance>` name upstream's gridnode gives its containers. */
export async function containerCheck(docker: Docker, task: string): Promise<(nodeId: string, instance: string) => boolean> {
  const all = await docker.listContainers({ all: true });
  const live = all.filter((c) => ['running', 'paused', 'restarting', 'created'].includes(c.State));
  const labelled = new Set(live.filter((c) => c.Labels?.[TASK_LABEL] === task).map((c) => `${c.Labels[NODE_LABEL]}\u0000${c.Labels[INSTANCE_LABEL]}`));
  const names = new Set(live.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))));
  return (nodeId, instance) => labelled.has(`${nodeId}\u0000${instance}`) || names.has(containerName(task, nodeId, instance));
}

/** Containers of `task` running now (paused ones count: they hold their batch), by our labels
 *  or by the `idm-<task>-<node>-<instance>` name upstream's gridnode gives them. */
export async function countTaskContainers(docker: Docker, task: string): Promise<number> {
  const live = await docker.listContainers({ filters: { status: ['running', 'paused', 'restarting'] } });
  const prefix = `/idm-${nameSafe(task)}-`;
  return live.filter((c) => c.Labels?.[TASK_LABEL] === task || (c.Labels?.[TASK_LABEL] === undefined && c.Names.some((n) => n.startsWith(prefix) && /-\d+$/.test(n)))).length;
}

/** What the caller's poll already learnt from the hub, so no second call asks it again. */
export interface KnownFacts {
  nodes?: readonly HubNode[];
  /** the hub's current task (null: none); leave out when unknown */
  currentTask?: string | null;
}

export class StrandedFinder {
  private readonly trackers = new Map<string, StrandedTracker>();
  private readonly heartbeats = new Map<string, HeartbeatWatch>();

  async find(
    o: { cluster: string; task: string; input: string; lists: readonly InFlightList[]; staleMs?: number; local: boolean; known?: KnownFacts; now?: number },
    hub: () => Promise<HubClient>,
    docker: () => Promise<Docker>,
  ): Promise<StrandedList[]> {
    const key = `${o.cluster}\u0000${o.input}`;
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new StrandedTracker()));
    const now = o.now ?? Date.now();
    tracker.observe(o.lists, now);
    let beats = this.heartbeats.get(o.cluster);
    if (!beats) this.heartbeats.set(o.cluster, (beats = new HeartbeatWatch()));
    if (o.known?.nodes) beats.observe(o.known.nodes, now);
    const busy = o.lists.filter((l) => l.length !== 0);
    if (!busy.length) return [];
    // Each fact is optional: a hub or Docker that does not answer only skips its rule.
    const [nodes, current, alive] = await Promise.all([
      o.known?.nodes ?? hub().then((h) => h.listNodes()).then((ns) => (beats.observe(ns, now), ns), () => undefined),
      o.known && 'currentTask' in o.known ? o.known.currentTask : hub().then((h) => h.listTasks()).then((t) => t.current, () => undefined),
      o.local ? docker().then((d) => containerCheck(d, o.task)).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const facts: StrandedFacts = {
      nodes,
      taskCurrent: current === undefined ? undefined : current === o.task,
      containerAlive: alive,
      unchangedMs: (l) => tracker!.unchangedMs(l, now),
      staleMs: o.staleMs ?? DEFAULT_STALE_MS,
    };
    const stranded = strandedLists(busy, facts);
    if (!nodes) return stranded;
    // What the hub's heartbeats say about the rest (remote clusters have no Docker to ask).
    const found = new Set(stranded.map((l) => l.list));
    const rest = busy.filter((l) => !found.has(l.list));
    const dead = deadByContainerCount(rest, { nodes, heartbeatAfter: (id) => beats.sentAfter(id), since: (l) => now - tracker.unchangedMs(l, now) });
    const deadNames = new Set(dead.map((l) => l.list));
    // The stranded lists in the order they were given, as strandedLists keeps it.
    return busy.flatMap((l) => stranded.find((s) => s.list === l.list) ?? (deadNames.has(l.list) ? [{ ...l, reason: 'containerCount' as const }] : []));
  }
}
