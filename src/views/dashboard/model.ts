// What a task dashboard shows, made from one cluster snapshot and the task's samples. No
// `vscode` here (strings go through the core's l10n shim), so the rules are unit-tested:
// figures come only from the snapshot they are shown with, and when it could not measure
// them the model says why instead of keeping the last ones.
import { l10n } from '../../core/l10n';
import { maskUrl } from '../../core/redact';
import type { HubNode, TaskView } from '../../core/types';
import type { ClusterSnapshot } from '../../ui-model/cluster-snapshot';
import { etaOf, formatEta, rateOf, type RateSample } from '../../core/rate';
import { formatCompact, runtimeStatusLabel, taskStateLabel } from '../../ui-model/format';
import { completedText } from '../../ui-model/failed-format';
import { compareNodes } from '../../ui-model/node-order';
import type { TaskSample } from '../../ui-model/task-series';
import type { DashboardAction, DashboardModel, NodeRow, ProgressView, RecordView, RuntimeKind } from './protocol';
import { stalledText } from '../../ui-model/stalled';

/** Per-task counts some snapshots carry (reliable consumers): shown only when present. */
export interface TaskAccounting {
  inFlight?: number;
  /** items in the input's failed list: ended without a result */
  failed?: number;
  stranded?: number;
  unaccounted?: number;
}

/** The snapshot fields the dashboard reads: a cluster monitor's snapshot satisfies it. The
 *  optional counts are there when the monitor measured them: `inFlight` for the current
 *  task's reliable consumers (processing lists, stranded ones), `unaccounted` for items an
 *  upstream-style consumer lost. */
export type DashboardSnapshot = Pick<ClusterSnapshot, 'at' | 'hub' | 'token' | 'redis' | 'nodes' | 'tasks' | 'queues' | 'lengths' | 'failed'> & {
  inFlight?: Pick<NonNullable<ClusterSnapshot['inFlight']>, 'task' | 'items' | 'strandedItems'>;
  unaccounted?: ClusterSnapshot['unaccounted'];
  stalled?: ClusterSnapshot['stalled'];
};

/** The task's measured counts, as the snapshot carries them. */
export function accountingOf(snap: DashboardSnapshot, task: string): TaskAccounting | undefined {
  const f = snap.inFlight?.task === task ? snap.inFlight : undefined;
  const lost = snap.unaccounted?.task === task ? snap.unaccounted.items : undefined;
  const input = queuesOf(snap, task).input;
  const measured = input !== undefined ? snap.failed?.[input] : undefined;
  const failed = measured !== undefined && measured >= 0 ? measured : undefined;
  if (!f && lost === undefined && failed === undefined) return undefined;
  return {
    ...(f ? { inFlight: f.items, stranded: f.strandedItems } : {}),
    ...(lost !== undefined ? { unaccounted: lost } : {}),
    ...(failed !== undefined ? { failed } : {}),
  };
}

export interface QueuePair {
  input?: string;
  output?: string;
}

/** The task's entry in the snapshot: the running one of that name first (names may repeat). */
export function findTask(snap: Pick<DashboardSnapshot, 'tasks'>, task: string): TaskView | undefined {
  const same = (snap.tasks ?? []).filter((t) => t.name === task);
  return same.find((t) => t.state === 'running') ?? same.find((t) => t.stillHandedToNodes) ?? same[0];
}

/** Queue names without asking anyone: the record's, else the ones the snapshot learned for the task it hands nodes. */
export function queuesOf(snap: Pick<DashboardSnapshot, 'tasks' | 'queues'>, task: string): QueuePair {
  const r = findTask(snap, task)?.record;
  if (r?.inputQueue || r?.outputQueue) return { input: r.inputQueue, output: r.outputQueue };
  if (snap.queues?.task === task) return { input: snap.queues.input?.name, output: snap.queues.output?.name };
  return {};
}

/** The sample this snapshot measured for the task, or undefined when it measured neither queue. */
export function sampleOf(snap: DashboardSnapshot, task: string): TaskSample | undefined {
  if (snap.redis && !snap.redis.ok) return undefined;
  const q = queuesOf(snap, task);
  const input = q.input !== undefined ? snap.lengths?.[q.input] : undefined;
  const output = q.output !== undefined ? snap.lengths?.[q.output] : undefined;
  if (input === undefined && output === undefined) return undefined;
  const failed = q.input !== undefined ? snap.failed?.[q.input] : undefined;
  return { at: snap.at, ...(input !== undefined ? { input } : {}), ...(output !== undefined ? { output } : {}), ...(failed !== undefined && failed >= 0 ? { failed } : {}) };
}

function runtimeKind(n: HubNode): RuntimeKind {
  switch (n.runtime_status) {
    case 'Running':
      return 'running';
    case 'Idle':
      return 'idle';
    case 'Error':
      return 'error';
    default:
      return 'none';
  }
}

function lastSeenAt(iso: string): { lastSeenAt?: number } {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? {} : { lastSeenAt: at };
}

/** In the tree's order; nothing in a row changes with a heartbeat alone (its time is in the
 *  row's tooltip), so the webview redraws only rows whose node changed. */
export function nodeRows(nodes: readonly HubNode[]): NodeRow[] {
  return [...nodes]
    .sort(compareNodes)
    .map((n) => ({
      id: n.id,
      hostname: n.hostname,
      architecture: n.architecture,
      cpus: n.cpu_count,
      runtime: runtimeStatusLabel(n.runtime_status),
      runtimeKind: runtimeKind(n),
      containers: n.active_containers,
      ...lastSeenAt(n.last_seen),
      online: n.status === 'Online',
    }));
}

function recordView(t: TaskView | undefined): RecordView | undefined {
  const r = t?.record;
  if (!r) return undefined;
  return {
    image: r.image,
    inputQueue: r.inputQueue,
    outputQueue: r.outputQueue,
    inputRedis: r.inputRedis ? maskUrl(r.inputRedis) : undefined,
    outputRedis: r.outputRedis ? maskUrl(r.outputRedis) : undefined,
    pushed: r.pushed,
  };
}

export function progressView(sample: TaskSample, history: readonly TaskSample[], pushed: number | undefined, accounting: TaskAccounting | undefined): ProgressView {
  const input = sample.input ?? 0;
  const done = sample.output ?? 0;
  // Failed items ended too, without a result: done + failed = total when the job is complete.
  const failed = accounting?.failed ?? sample.failed;
  const ended = done + (failed ?? 0);
  const totalFromPushed = pushed !== undefined && Number.isFinite(pushed) && pushed >= 0;
  const total = totalFromPushed ? Math.max(pushed!, input + ended) : input + ended;
  // Measured counts (processing lists) win; else, with a known total, what is in no queue.
  const inFlight = accounting?.inFlight ?? (totalFromPushed && accounting?.unaccounted === undefined ? Math.max(0, total - input - ended) : undefined);
  const stranded = accounting?.stranded;
  const unaccounted = accounting?.unaccounted;
  // The shared recent-window rate: nothing when the samples cannot tell, frozen once done.
  const measured: RateSample[] = history
    .filter((h) => h.at <= sample.at && h.input !== undefined && h.output !== undefined)
    .map((h) => ({ at: h.at, input: h.input!, output: h.output!, ...(totalFromPushed ? { pushed: total } : {}) }));
  const rate = rateOf(measured, sample.at);
  const finished = total > 0 && (totalFromPushed ? ended >= total : !!rate?.final || (!!failed && input === 0 && !accounting?.inFlight));
  const p: ProgressView = { done, input, total, totalFromPushed, percent: total > 0 ? Math.min(100, (ended / total) * 100) : 0, finished };
  if (failed) p.failed = failed;
  if (inFlight) p.inFlight = inFlight;
  if (stranded) p.stranded = stranded;
  if (unaccounted) p.unaccounted = unaccounted;
  if (rate) p.rate = l10n.t('{0} items/s', formatCompact(rate.perSecond));
  if (finished) return p;
  // Items nobody will process (stranded until requeued, unaccounted) do not count towards the ETA.
  const remaining = Math.max(0, total - ended - (stranded ?? 0) - (unaccounted ?? 0));
  const eta = remaining > 0 ? etaOf(remaining, rate) : undefined;
  if (eta !== undefined) p.eta = formatEta(eta);
  return p;
}

export interface ModelInput {
  snap: DashboardSnapshot;
  task: string;
  /** The task's samples including this snapshot's. */
  history: readonly TaskSample[];
  /** Whether a command for requeueing stranded items exists in this editor. */
  canRequeue: boolean;
}

export function dashboardModel({ snap, task, history, canRequeue }: ModelInput): DashboardModel {
  const t = findTask(snap, task);
  const failed = [snap.hub, snap.token, snap.redis].find((c) => c && !c.ok) as { message: string } | undefined;
  // The hub does not answer (down, restarting, the extension host just restarted and found it
  // gone): say so, and nothing of what it said last (state, nodes, ETA) as if it were current.
  const hubDown = !!snap.hub && !snap.hub.ok;
  const model: DashboardModel = {
    at: snap.at,
    state: hubDown ? l10n.t('cluster unreachable') : t ? taskStateLabel(t.state) : snap.tasks ? l10n.t('not listed by the hub') : '',
    running: !hubDown && t?.state === 'running',
    record: recordView(t),
    actions: [],
  };
  if (hubDown) {
    model.problem = l10n.t('The cluster is unreachable: {0} The dashboard reconnects by itself when the hub answers again.', (snap.hub as { message: string }).message);
    const q = queuesOf(snap, task);
    model.actions = q.output ? ['results', 'details'] : ['details'];
    return model;
  }
  if (snap.nodes) model.nodes = nodeRows(snap.nodes);
  const q = queuesOf(snap, task);
  const sample = sampleOf(snap, task);
  const accounting = accountingOf(snap, task);
  if (sample && sample.at === snap.at) {
    model.progress = progressView(sample, history, t?.record?.pushed, accounting);
    // Input and processing lists empty: complete, however many failed (the hub says running until finished).
    if (model.running && model.progress.finished) model.state = completedText(model.progress.failed);
  } else if (failed) {
    model.problem = l10n.t('No figures: {0}', failed.message);
  } else if (!q.input && !q.output) {
    model.problem = l10n.t('The queues of task {0} are not known: the hub lists names only, and it was not registered from this editor.', task);
  } else {
    model.problem = l10n.t('Waiting for the queue lengths of task {0}…', task);
  }
  // The monitor's stalled fact says more than the figures: nothing will move until a restart.
  const stalled = model.running && snap.stalled?.task === task ? snap.stalled : undefined;
  if (stalled) model.problem = stalledText(stalled);
  const actions: DashboardAction[] = [];
  if (q.output) actions.push('results');
  if (stalled) actions.push('restart');
  if (model.running) actions.push('finish');
  if (canRequeue && (accounting?.stranded ?? 0) > 0) actions.push('requeue');
  actions.push('details');
  model.actions = actions;
  return model;
}
