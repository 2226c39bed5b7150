// The façade's side of stranded batches: gathers the facts (hub nodes, the current task, and
// for the local cluster the task's containers from Docker) and remembers, per input, since
// when each processing list looked the same and which left the registry by a commit, and per
// cluster the nodes' heartbeats. The rules themselves are in ./inflight.ts and
// ./dead-consumers.ts.
import type Docker from 'dockerode';
import { containerName, INSTANCE_LABEL, nameSafe, NODE_LABEL, TASK_LABEL } from './docker/container-names';
import { CommitWatch, deadByContainerCount, HeartbeatWatch } from './dead-consumers';
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
  /** client time just before `nodes` was asked for (default: now); a heartbeat missing from
   *  that answer was sent after it */
  nodesAt?: number;
  /** the hub's current task (null: none); leave out when unknown */
  currentTask?: string | null;
}

/** What the finder remembers per task input of a cluster. */
function inputKey(cluster: string, input: string): string {
  return `${cluster}\u0000${input}`;
}

/** One batch of one list: a list that leaves with this token was requeued, not committed. */
function batchKey(l: Pick<InFlightList, 'list' | 'token'>): string {
  return `${l.list}\u0000${l.token}`;
}

export class StrandedFinder {
  private readonly trackers = new Map<string, StrandedTracker>();
  private readonly heartbeats = new Map<string, HeartbeatWatch>();
  private readonly commits = new Map<string, CommitWatch>();
  /** per input: `list\0token` of the batches called stranded by the last look, or requeued
   *  through this service since; a list of them that leaves was requeued, not committed */
  private readonly requeued = new Map<string, Set<string>>();

  /** The service requeued these lists (their leaving says nothing of their consumers). */
  noteRequeued(cluster: string, input: string, lists: ReadonlyArray<Pick<InFlightList, 'list' | 'token'>>): void {
    const key = inputKey(cluster, input);
    let set = this.requeued.get(key);
    if (!set) this.requeued.set(key, (set = new Set()));
    for (const l of lists) set.add(batchKey(l));
  }

  async find(
    o: { cluster: string; task: string; input: string; lists: readonly InFlightList[]; staleMs?: number; local: boolean; known?: KnownFacts; now?: number },
    hub: () => Promise<HubClient>,
    docker: () => Promise<Docker>,
  ): Promise<StrandedList[]> {
    const key = inputKey(o.cluster, o.input);
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new StrandedTracker()));
    const now = o.now ?? Date.now();
    tracker.observe(o.lists, now);
    let commits = this.commits.get(key);
    if (!commits) this.commits.set(key, (commits = new CommitWatch()));
    const requeued = this.requeued.get(key) ?? new Set<string>();
    commits.observe(o.lists, now, (l) => requeued.has(batchKey(l)));
    let beats = this.heartbeats.get(o.cluster);
    if (!beats) this.heartbeats.set(o.cluster, (beats = new HeartbeatWatch()));
    if (o.known?.nodes) beats.observe(o.known.nodes, o.known.nodesAt ?? now);
    const busy = o.lists.filter((l) => l.length !== 0);
    const stranded = await this.findBusy(o, busy, now, tracker, beats, commits, hub, docker);
    // What this look calls stranded may be requeued before the next: its leaving is no commit.
    // A requeue noted meanwhile stays until its list is seen gone.
    const still = new Set(o.lists.map((l) => batchKey(l)));
    this.requeued.set(key, new Set([...stranded.map((l) => batchKey(l)), ...[...requeued].filter((k) => still.has(k))]));
    return stranded;
  }

  private async findBusy(
    o: { cluster: string; task: string; staleMs?: number; local: boolean; known?: KnownFacts },
    busy: readonly InFlightList[],
    now: number,
    tracker: StrandedTracker,
    beats: HeartbeatWatch,
    commits: CommitWatch,
    hub: () => Promise<HubClient>,
    docker: () => Promise<Docker>,
  ): Promise<StrandedList[]> {
    if (!busy.length) return [];
    // Each fact is optional: a hub or Docker that does not answer only skips its rule.
    const [nodes, current, alive] = await Promise.all([
      o.known?.nodes ??
        hub()
          .then(async (h) => {
            const asked = Date.now();
            const ns = await h.listNodes();
            beats.observe(ns, asked);
            return ns;
          })
          .catch(() => undefined),
      o.known && 'currentTask' in o.known ? o.known.currentTask : hub().then((h) => h.listTasks()).then((t) => t.current, () => undefined),
      o.local ? docker().then((d) => containerCheck(d, o.task)).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const facts: StrandedFacts = {
      nodes,
      taskCurrent: current === undefined ? undefined : current === o.task,
      containerAlive: alive,
      unchangedMs: (l) => tracker.unchangedMs(l, now),
      staleMs: o.staleMs ?? DEFAULT_STALE_MS,
    };
    const stranded = strandedLists(busy, facts);
    // What the hub's heartbeats say about the rest, for remote clusters, which have no Docker
    // to ask. Where Docker answered (the local cluster) it has said all: our own node restarts
    // containers, and a restarted consumer acting after a heartbeat was not running when it
    // was sent, which the counts take for granted.
    if (!nodes || alive) return stranded;
    const found = new Set(stranded.map((l) => l.list));
    const rest = busy.filter((l) => !found.has(l.list));
    const dead = deadByContainerCount(rest, {
      nodes,
      heartbeats: (id) => beats.heartbeats(id),
      since: (l) => now - tracker.unchangedMs(l, now),
      committed: (id) => commits.of(id),
    });
    const deadNames = new Set(dead.map((l) => l.list));
    // The stranded lists in the order they were given, as strandedLists keeps it.
    return busy.flatMap((l) => stranded.find((s) => s.list === l.list) ?? (deadNames.has(l.list) ? [{ ...l, reason: 'containerCount' as const }] : []));
  }
}
