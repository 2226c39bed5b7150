// What one poll learns about a cluster, fetched only through the service (the UI never
// opens a socket). The cluster's monitor runs it; failures become checks with their message,
// never exceptions, so one dead cluster cannot break the tree.
import { HubError, isGridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { GridCoreService } from '../core/service-api';
import { itemsIn } from '../core/inflight';
import { forgottenRecords } from '../core/task-records';
import type { HubNode, InFlightList, QueueLengths, StrandedList, TaskRecord, TaskView } from '../core/types';
import type { StalledTask } from './stalled';
import { HANDED_PLATFORM, handedQueues, recordedQueues, type QueueNames } from './task-queues';

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
  /** Length of every queue polled (the current task's and those the watchers asked for). */
  lengths?: QueueLengths;
  /** Records of tasks registered from this editor that the hub no longer lists (a hub restart). */
  forgotten?: TaskRecord[];
  /** The current task's reliable consumers (README, "Reliable consumers"), measured in the
   *  same Redis round trip as the lengths; absent when that input was not measured. */
  inFlight?: InFlightSnapshot;
  /** The running task's pushed items found nowhere (input, processing lists, output) for a
   *  while: set by the monitor from its samples. */
  unaccounted?: { task: string; items: number };
  /** Length of the failed list (`<input>:failed`, README "Reliable consumers") per input
   *  measured in the same round trip: the current task's and those watchers asked for;
   *  -1 when that key is not a list. */
  failed?: Record<string, number>;
  /** The running task has items waiting and no container of it ran for the grace (./stalled.ts):
   *  set by the monitor, the one place that decides it. */
  stalled?: StalledTask;
  /** Recently finished tasks (with a record) whose consumers left batches in their processing
   *  lists: measured in the same Redis round trip, shown until they are empty. */
  leftBehind?: InFlightSnapshot[];
}

/** Finished tasks whose processing lists each poll looks at (the newest ones with a record). */
export const LEFT_BEHIND_TASKS = 5;

export interface InFlightSnapshot {
  task: string;
  input: string;
  lists: InFlightList[];
  /** items in the processing lists (keys that are not lists count 0) */
  items: number;
  stranded: StrandedList[];
  /** items in the stranded lists */
  strandedItems: number;
}

export function failure(e: unknown): Check {
  if (isGridCoreError(e)) return { ok: false, message: e.message, code: e.code };
  return { ok: false, message: e instanceof Error ? e.message : String(e) };
}

/** What a poll fetches besides the task list and Redis' health (the union of what a
 *  cluster's watchers asked for). */
export interface FetchRequest {
  /** The hub's node list. */
  nodes?: boolean;
  /** The current task's queue names, asking the hub's node route when no record has them,
   *  and their lengths. Without it, the names are only those its record knows. */
  current?: boolean;
  /** More queues to measure in the same Redis round trip. */
  queues?: readonly string[];
  /** Inputs whose failed lists' lengths to measure too (the current task's always is). */
  failedOf?: readonly string[];
}

/** The queue names the hub's node route gave for the current task, kept across polls: the
 *  route is asked again only when the current task changes. */
export interface HandedCache {
  task?: string;
  names?: QueueNames;
}

export interface FetchOptions extends FetchRequest {
  now?: () => number;
  handed?: HandedCache;
  /** a processing list unchanged this long counts as stranded (the service's default if unset) */
  strandedAfterMs?: () => number | undefined;
}

/**
 * One poll: one task list, the node list when asked, the node route only when the current
 * task changed, and one Redis round trip for every queue together (a PING when there is no
 * queue to measure). `/health` is asked only when the task list failed, to say why.
 */
export async function fetchClusterSnapshot(service: GridCoreService, cluster: string, opts: FetchOptions = {}): Promise<ClusterSnapshot> {
  const snap: ClusterSnapshot = { at: (opts.now ?? Date.now)() };
  // Real time (the service's stranded rules run on it) just before the node list is asked for.
  const nodesAt = Date.now();
  const extra = [...(opts.queues ?? [])];
  const failedOf = [...(opts.failedOf ?? [])];
  const redisPart = async (names: string[], inputs: string[] = [], failedInputs: string[] = failedOf) => {
    const finished = finishedInputs(snap, inputs);
    try {
      const { lengths, inFlight, failed } = await (await service.queues(cluster)).probe([...new Set(names)], [...inputs, ...finished.map((f) => f.input)], [...new Set(failedInputs)]);
      snap.redis = { ok: true };
      if (names.length) snap.lengths = lengths;
      if (failed && Object.keys(failed).length) snap.failed = failed;
      if (inFlight) await inFlightPart(service, cluster, snap, inFlight, opts, nodesAt);
      if (inFlight && finished.length) await leftBehindPart(service, cluster, snap, inFlight, finished, nodesAt);
    } catch (e) {
      snap.redis = failure(e);
    }
  };
  // Without `current`, the queues to measure are known before the hub answers: both at once.
  const early = opts.current ? undefined : redisPart(extra);
  await hubPart(service, cluster, snap, opts);
  if (early) await early;
  else {
    const input = snap.queues?.input?.name;
    // A task the hub still hands to nodes has no in-flight check, but its failed list still counts.
    await redisPart([...currentNames(snap), ...extra], input !== undefined && !snap.queues!.handed ? [input] : [], input !== undefined ? [input, ...failedOf] : failedOf);
  }
  for (const q of [snap.queues?.input, snap.queues?.output]) if (q && snap.lengths && q.name in snap.lengths) q.length = snap.lengths[q.name];
  return snap;
}

/** The running task's processing lists, and which are stranded (the service's rules, fed the
 *  nodes and current task this poll already has: no second hub call). */
async function inFlightPart(service: GridCoreService, cluster: string, snap: ClusterSnapshot, inFlight: Record<string, InFlightList[]>, opts: FetchOptions, nodesAt: number): Promise<void> {
  const task = snap.queues?.task;
  const input = snap.queues?.input?.name;
  const lists = input !== undefined ? inFlight[input] : undefined;
  if (!task || input === undefined || !lists) return;
  const known = { nodes: snap.nodes, nodesAt, ...(snap.tasks ? { currentTask: snap.tasks.find((t) => t.state === 'running')?.name ?? null } : {}) };
  const stranded = await service.stranded(cluster, { name: task, inputQueue: input }, lists, { staleMs: opts.strandedAfterMs?.(), known });
  snap.inFlight = { task, input, lists, items: itemsIn(lists), stranded, strandedItems: itemsIn(stranded) };
}

/** The newest finished tasks with a recorded input other than the one being polled anyway; not
 *  the task the hub still hands to nodes (its consumers still run). */
function finishedInputs(snap: ClusterSnapshot, polled: readonly string[]): Array<{ task: string; input: string }> {
  const out: Array<{ task: string; input: string }> = [];
  const seen = new Set([...polled, ...(snap.queues?.input ? [snap.queues.input.name] : [])]);
  for (const t of snap.tasks ?? []) {
    if (out.length >= LEFT_BEHIND_TASKS) break;
    const input = t.record?.inputQueue;
    if (t.state !== 'completed' || t.stillHandedToNodes || !input || seen.has(input)) continue;
    seen.add(input);
    out.push({ task: t.name, input });
  }
  return out;
}

/** What finished tasks' consumers left in their processing lists: all of it stranded, since no
 *  consumer of a task that is not current will commit it (the service's taskNotCurrent rule). */
async function leftBehindPart(service: GridCoreService, cluster: string, snap: ClusterSnapshot, inFlight: Record<string, InFlightList[]>, finished: ReadonlyArray<{ task: string; input: string }>, nodesAt: number): Promise<void> {
  const currentTask = snap.tasks?.find((t) => t.state === 'running')?.name ?? null;
  const out: InFlightSnapshot[] = [];
  for (const f of finished) {
    const lists = (inFlight[f.input] ?? []).filter((l) => l.length !== 0);
    if (!lists.length) continue;
    const stranded = await service.stranded(cluster, { name: f.task, inputQueue: f.input }, lists, { known: { nodes: snap.nodes, nodesAt, currentTask } });
    out.push({ task: f.task, input: f.input, lists, items: itemsIn(lists), stranded, strandedItems: itemsIn(stranded) });
  }
  if (out.length) snap.leftBehind = out;
}

function currentNames(snap: ClusterSnapshot): string[] {
  return [snap.queues?.input?.name, snap.queues?.output?.name].filter((n): n is string => !!n);
}

async function hubPart(service: GridCoreService, cluster: string, snap: ClusterSnapshot, opts: FetchOptions): Promise<void> {
  const nodes = opts.nodes ? service.hub(cluster).then((h) => h.listNodes()) : undefined;
  nodes?.catch(() => undefined);
  try {
    snap.tasks = await service.listTasks(cluster);
    snap.hub = { ok: true };
    snap.token = { ok: true };
  } catch (e) {
    if (e instanceof HubError && e.code === 'unauthorized') {
      snap.hub = { ok: true };
      snap.token = failure(e);
    } else if (e instanceof HubError) {
      // The only time /health is asked: it tells a hub that is down from one that answers badly.
      const health = await service
        .hub(cluster)
        .then((h) => h.health())
        .then(() => undefined, (err: unknown) => err);
      snap.hub = failure(health ?? e);
    } else snap.hub = failure(e);
    return;
  }
  // A failed node list leaves `nodes` out: the tree keeps the last one while the hub answers.
  if (nodes) snap.nodes = await nodes.catch(() => undefined);
  const records = service.tasks.list(cluster);
  snap.forgotten = records.length ? forgottenRecords({ current: null, pending: [], completed: snap.tasks.map((t) => t.name) }, records) : [];
  const current = snap.tasks.find((t) => t.state === 'running') ?? snap.tasks.find((t) => t.stillHandedToNodes);
  if (!current) return;
  const q = opts.current ? await currentQueueNames(service, cluster, current, opts.handed) : recordedQueues(current) ?? {};
  snap.queues = {
    task: current.name,
    input: q.input ? { name: q.input } : undefined,
    output: q.output ? { name: q.output } : undefined,
  };
  if (current.state !== 'running') snap.queues.handed = true;
}

/** The record's names, else the node route's, asked once per current task (not per poll). */
async function currentQueueNames(service: GridCoreService, cluster: string, task: TaskView, cache: HandedCache | undefined): Promise<QueueNames> {
  const recorded = recordedQueues(task);
  if (recorded) return recorded;
  if (cache?.task === task.name && cache.names) return cache.names;
  let config;
  try {
    config = await (await service.hub(cluster)).currentTaskConfig(HANDED_PLATFORM);
  } catch {
    return {}; // not cached: asked again next poll
  }
  const names = handedQueues(config?.task_name === task.name ? config : undefined);
  if (cache) {
    cache.task = task.name;
    cache.names = names;
  }
  return names;
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

/**
 * `next` with the parts that equal `prev`'s replaced by `prev`'s own objects, so watchers tell
 * "nothing changed" by identity instead of comparing 10,000 tasks each (a tree then rebuilds
 * nothing). Linear in the answer's size, with no allocation when it did not change.
 */
export function shareUnchanged(prev: ClusterSnapshot | undefined, next: ClusterSnapshot): ClusterSnapshot {
  if (!prev) return next;
  if (prev.tasks && next.tasks && sameList(prev.tasks, next.tasks, sameTask)) next.tasks = prev.tasks;
  if (prev.nodes && next.nodes && sameList(prev.nodes, next.nodes, sameFields)) next.nodes = prev.nodes;
  if (prev.forgotten && next.forgotten && sameList(prev.forgotten, next.forgotten, sameFields)) next.forgotten = prev.forgotten;
  if (prev.lengths && next.lengths && sameFields(prev.lengths, next.lengths)) next.lengths = prev.lengths;
  if (prev.queues && next.queues && JSON.stringify(prev.queues) === JSON.stringify(next.queues)) next.queues = prev.queues;
  if (prev.inFlight && next.inFlight && JSON.stringify(prev.inFlight) === JSON.stringify(next.inFlight)) next.inFlight = prev.inFlight;
  if (prev.failed && next.failed && sameFields(prev.failed, next.failed)) next.failed = prev.failed;
  if (prev.leftBehind && next.leftBehind && JSON.stringify(prev.leftBehind) === JSON.stringify(next.leftBehind)) next.leftBehind = prev.leftBehind;
  return next;
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

function sameTask(a: TaskView, b: TaskView): boolean {
  return (
    a.name === b.name && a.state === b.state && a.index === b.index && a.stillHandedToNodes === b.stillHandedToNodes &&
    (a.record === b.record || (!!a.record && !!b.record && sameFields(a.record, b.record)))
  );
}

/** Same own keys with the same primitive values (one level; nested objects compared as JSON). */
function sameFields(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}
