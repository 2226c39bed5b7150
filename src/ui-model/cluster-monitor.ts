// One monitor per cluster: the single source of what the editor knows about it. The tree,
// the status bar, each results panel (and later views) watch it for what they show; it runs
// ONE poller for them all, so however many views are open, each interval costs at most one
// task list, one node list (while someone shows nodes), the node route only when the
// current task changes, and one Redis round trip for every watched queue together. Nothing
// polls while nobody watches or the window is unfocused. No `vscode` here: the editor side
// passes focus in and wakes the monitors when it changes.
import type { Logger } from '../core/ports';
import type { GridCoreService } from '../core/service-api';
import type { TaskView } from '../core/types';
import { fetchClusterSnapshot, shareUnchanged, type ClusterSnapshot, type HandedCache } from './cluster-snapshot';
import { Emitter, type Disposable, type Event } from './emitter';
import { Poller, type PollerOptions } from './poller';
import { HISTORY_CAPACITY, SampleRing, type TaskSample } from './sample-history';
import { observeStall, type StallState } from './stalled';
import { recordedQueues, taskKey } from './task-queues';
import type { WatchRequest } from './watch-requests';

export type { WatchRequest } from './watch-requests';
export { watchRequests } from './watch-requests';

/** Samples the unaccounted rule looks back over (its settle time is shorter). */
const UNACCOUNTED_WINDOW = 60;
/** While only a count of the nodes is shown (a collapsed Nodes group), the node list is
 *  fetched every this many polls; between those polls the snapshot carries the last one. */
export const NODE_COUNT_EVERY = 6;

export interface ClusterWatch extends Disposable {
  /** What the watcher shows changed (a cluster expanded, a task's queues shown). When it asks
   *  for more than before, the monitor polls at once. */
  update(request: WatchRequest): void;
  /** A dormant watch (a hidden view) keeps nothing polling on the interval; an explicit
   *  refresh still fetches what it asks for, so it is current when shown again. */
  setLive(live: boolean): void;
}

export interface MonitorOptions {
  intervalMs(): number;
  /** The window has focus: nothing polls on the interval without it. */
  focused(): boolean;
  now?: () => number;
  timers?: PollerOptions['timers'];
  /** Samples kept per task (default: an hour at 5 s). */
  historyCapacity?: number;
  logger?: Pick<Logger, 'trace'>;
  /** ms a processing list may stay unchanged before it counts as stranded */
  strandedAfterMs?(): number | undefined;
  /** ms no container may run while items wait before the running task counts as stalled */
  stallGraceMs?(): number | undefined;
}

interface WatchEntry {
  request: WatchRequest;
  live: boolean;
}

/** History key of a task: its record (names repeat), else its name. */
export function historyKey(t: Pick<TaskView, 'name' | 'record'>): string {
  return taskKey(t) ?? `\u0000${t.name}`;
}

export class ClusterMonitor implements Disposable {
  private readonly watches = new Set<WatchEntry>();
  private readonly changed = new Emitter<ClusterSnapshot>();
  /** After every poll, with its snapshot (also when a check failed: the snapshot says which).
   *  Parts that did not change are the previous snapshot's own objects (compare by identity). */
  readonly onDidChange: Event<ClusterSnapshot> = this.changed.event;
  private readonly poller: Poller;
  private readonly handed: HandedCache = {};
  private readonly histories = new Map<string, SampleRing<TaskSample>>();
  private latest: ClusterSnapshot | undefined;
  private stall: StallState | undefined;
  /** Polls since the node list was last fetched (Infinity: never, or no longer current). */
  private pollsSinceNodes = Infinity;
  private includeDormant = false;
  private disposed = false;

  constructor(
    private readonly service: GridCoreService,
    readonly cluster: string,
    private readonly opts: MonitorOptions,
  ) {
    this.poller = new Poller({
      run: () => this.poll(),
      intervalMs: opts.intervalMs,
      isActive: () => this.isActive(),
      timers: opts.timers,
    });
  }

  /** The last poll's answer; undefined before the first. */
  get snapshot(): ClusterSnapshot | undefined {
    return this.latest;
  }

  /** Someone live watches and the window has focus. */
  isActive(): boolean {
    if (this.disposed || !this.opts.focused()) return false;
    for (const w of this.watches) if (w.live) return true;
    return false;
  }

  watch(request: WatchRequest, live = true): ClusterWatch {
    const entry: WatchEntry = { request: { ...request }, live };
    this.watches.add(entry);
    if (live) this.kick();
    return {
      update: (next) => {
        const more = asksMore(entry.request, next);
        entry.request = { ...next };
        if (more && entry.live) this.kick();
      },
      setLive: (next) => {
        if (entry.live === next) return;
        entry.live = next;
        if (next) this.kick();
      },
      dispose: () => void this.watches.delete(entry),
    };
  }

  /** Poll now, for every watcher (dormant ones too); resolves when the answer is out. A poll
   *  already running may predate what the caller changed, so this one follows it. Never rejects. */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.includeDormant = true;
    return this.poller.pollAgain();
  }

  /** Focus changed: poll now when active, else let the chain stop. */
  wake(): void {
    this.poller.wake();
  }

  /** Samples of a task's input and output lengths, oldest first (the last `n` when given).
   *  Kept for every task whose two queues a poll measured. */
  history(task: Pick<TaskView, 'name' | 'record'>, n?: number): TaskSample[] {
    return this.histories.get(historyKey(task))?.toArray(n) ?? [];
  }

  /** A watcher was added or asks for more: poll soon, after the one running if any. */
  private kick(): void {
    if (this.isActive()) void this.poller.pollAgain();
  }

  private request(includeDormant: boolean): WatchRequest {
    const queues = new Set<string>();
    const failedOf = new Set<string>();
    let nodes: boolean | 'count' = false;
    let current = false;
    for (const w of this.watches) {
      if (!w.live && !includeDormant) continue;
      if (w.request.nodes === true) nodes = true;
      else if (w.request.nodes === 'count' && !nodes) nodes = 'count';
      current ||= !!w.request.current;
      for (const q of w.request.queues ?? []) queues.add(q);
      for (const q of w.request.failedOf ?? []) failedOf.add(q);
    }
    return { nodes, current, queues: [...queues], ...(failedOf.size ? { failedOf: [...failedOf] } : {}) };
  }

  private async poll(): Promise<void> {
    const request = this.request(this.includeDormant);
    const explicit = this.includeDormant;
    this.includeDormant = false;
    // A count is fetched every NODE_COUNT_EVERY polls (and on an explicit refresh); the list
    // in between is the last one, at most that many polls old, so the number shown is true.
    const nodes = request.nodes === true || (request.nodes === 'count' && (explicit || this.pollsSinceNodes + 1 >= NODE_COUNT_EVERY));
    const snap = shareUnchanged(this.latest, await fetchClusterSnapshot(this.service, this.cluster, { ...request, nodes, now: this.opts.now, handed: this.handed, strandedAfterMs: this.opts.strandedAfterMs }));
    if (this.disposed) return;
    if (snap.nodes) this.pollsSinceNodes = 0;
    else if (nodes) this.pollsSinceNodes = Infinity; // asked and failed: nothing to carry
    else if (request.nodes === 'count' && snap.token?.ok && this.latest?.nodes && ++this.pollsSinceNodes < NODE_COUNT_EVERY) snap.nodes = this.latest.nodes;
    else this.pollsSinceNodes = Infinity;
    this.record(snap);
    this.noteUnaccounted(snap);
    await this.noteStalled(snap, this.latest);
    if (this.disposed) return;
    this.latest = snap;
    this.changed.fire(snap);
    const failed = [snap.hub, snap.token, snap.redis].filter((c): c is { ok: false; message: string } => !!c && !c.ok);
    if (failed.length) {
      this.opts.logger?.trace(`poll ${this.cluster}: ${failed.map((c) => c.message).join('; ')}`);
      // The poller backs off this cluster only; the others keep their pace.
      throw new Error(`poll of ${this.cluster} failed`);
    }
  }

  /** One sample per task whose input and output the poll measured; tasks the hub no longer
   *  lists lose their history, so memory follows the task list, not the time polled. */
  private record(snap: ClusterSnapshot): void {
    if (!snap.tasks) return;
    const listed = new Set<string>();
    for (const t of snap.tasks) {
      const current = snap.queues?.task === t.name && (t.state === 'running' || !!t.stillHandedToNodes);
      // Only a task with a record or the current one can have its queues measured.
      if (!t.record && !current) continue;
      const key = historyKey(t);
      listed.add(key);
      const q = current ? { input: snap.queues?.input?.name, output: snap.queues?.output?.name } : recordedQueues(t);
      const input = q?.input !== undefined ? snap.lengths?.[q.input] : undefined;
      const output = q?.output !== undefined ? snap.lengths?.[q.output] : undefined;
      if (input === undefined || output === undefined) continue;
      let ring = this.histories.get(key);
      if (!ring) this.histories.set(key, (ring = new SampleRing<TaskSample>(this.opts.historyCapacity ?? HISTORY_CAPACITY)));
      if (ring.last()?.at === snap.at) continue; // the same entry listed twice
      const sample: TaskSample = { at: snap.at, input, output };
      if (t.record?.pushed !== undefined) sample.pushed = t.record.pushed;
      if (snap.inFlight?.task === t.name && snap.inFlight.input === q?.input) sample.processing = snap.inFlight.items;
      const failed = q?.input !== undefined ? snap.failed?.[q.input] : undefined;
      if (failed !== undefined && failed >= 0) sample.failed = failed;
      ring.push(sample);
    }
    for (const key of [...this.histories.keys()]) if (!listed.has(key)) this.histories.delete(key);
  }

  /** Pushed items of the running task that are nowhere, from its samples (the service's
   *  progress rules: input empty, nothing in processing lists, output short and still). */
  private noteUnaccounted(snap: ClusterSnapshot): void {
    const running = snap.tasks?.find((t) => t.state === 'running');
    const pushed = running?.record?.pushed;
    if (!running || pushed === undefined) return;
    const items = this.service.progress(pushed, this.history(running, UNACCOUNTED_WINDOW)).unaccounted;
    if (items) snap.unaccounted = { task: running.name, items };
  }

  /** Whether the running task waits with nothing running (./stalled.ts). Containers are asked
   *  for only while items wait and nothing moved since the last poll: the nodes this poll has
   *  (remote clusters: their active_containers), else one node list; Docker for the local one. */
  private async noteStalled(snap: ClusterSnapshot, prev: ClusterSnapshot | undefined): Promise<void> {
    const running = snap.tasks?.find((t) => t.state === 'running');
    const input = running && snap.queues?.task === running.name && !snap.queues.handed ? snap.queues.input?.length : undefined;
    if (!running || input === undefined) {
      this.stall = undefined;
      return;
    }
    const stranded = snap.inFlight?.task === running.name ? snap.inFlight.strandedItems : 0;
    const waiting = input + stranded;
    const before = prev?.queues?.task === running.name ? prev.queues : undefined;
    const output = snap.queues?.output?.length;
    const moving = !!before && ((output !== undefined && before.output?.length !== undefined && output > before.output.length) || (before.input?.length !== undefined && input < before.input.length));
    let containers: { running: number; nodes: number } | undefined;
    if (waiting > 0 && !moving) {
      try {
        containers = await this.service.runningContainers(this.cluster, running.name, { nodes: snap.nodes });
      } catch (e) {
        this.opts.logger?.trace(`poll ${this.cluster}: containers of ${running.name} not counted: ${(e as Error).message}`);
      }
    }
    const verdict = observeStall(this.stall, { task: running.name, now: snap.at, waiting, moving, containers }, this.opts.stallGraceMs?.());
    this.stall = verdict.state;
    if (verdict.stalled) snap.stalled = verdict.stalled;
  }

  dispose(): void {
    this.disposed = true;
    this.poller.dispose();
    this.watches.clear();
    this.changed.dispose();
  }
}

function asksMore(before: WatchRequest, after: WatchRequest): boolean {
  if (after.nodes && !before.nodes) return true;
  if (after.nodes === true && before.nodes !== true) return true;
  if (after.current && !before.current) return true;
  const had = new Set(before.queues ?? []);
  const hadFailed = new Set(before.failedOf ?? []);
  return (after.queues ?? []).some((q) => !had.has(q)) || (after.failedOf ?? []).some((q) => !hadFailed.has(q));
}

/** One monitor per cluster, made on first use and dropped when its profile goes. */
export class ClusterMonitors implements Disposable {
  private readonly monitors = new Map<string, ClusterMonitor>();
  private readonly profileWatch: Disposable;

  constructor(
    private readonly service: GridCoreService,
    private readonly opts: MonitorOptions,
  ) {
    this.profileWatch = service.profiles.onDidChange(() => void this.prune());
  }

  get(cluster: string): ClusterMonitor {
    let m = this.monitors.get(cluster);
    if (!m) this.monitors.set(cluster, (m = new ClusterMonitor(this.service, cluster, this.opts)));
    return m;
  }

  /** Monitors made so far. */
  all(): ClusterMonitor[] {
    return [...this.monitors.values()];
  }

  /** Poll `cluster` now (what a command changed), or every monitor; never rejects. */
  async refresh(cluster?: string): Promise<void> {
    if (cluster !== undefined) return this.get(cluster).refresh();
    await Promise.all(this.all().map((m) => m.refresh()));
  }

  /** Focus or the interval changed. */
  wake(): void {
    for (const m of this.monitors.values()) m.wake();
  }

  private async prune(): Promise<void> {
    const names = new Set((await this.service.profiles.list()).map((p) => p.name));
    for (const [name, m] of this.monitors) {
      if (names.has(name)) continue;
      m.dispose();
      this.monitors.delete(name);
    }
  }

  dispose(): void {
    this.profileWatch.dispose();
    for (const m of this.monitors.values()) m.dispose();
    this.monitors.clear();
  }
}
