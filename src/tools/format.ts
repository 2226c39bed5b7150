// What the chat tools return, as plain text for a model: sizes capped and said, queue values
// quoted as JSON strings (so a value is data, never instructions or markup, and line breaks or
// control characters stay visible), numbers formatted like the status bar. No `vscode` here;
// secrets are masked afterwards, over the whole text (tool-kit.ts).
import { l10n } from '../core/l10n';
import type { DiagnosisCheck, PageItem } from '../core/service-api';
import type { HubNode, ProgressReport, TaskView } from '../core/types';
import { progressFailedLines } from '../ui-model/failed-format';
import { describeChecks, type ClusterSnapshot } from '../ui-model/cluster-snapshot';
import { formatCompact, formatCount, formatDuration, nodeDescription, taskStateLabel } from '../ui-model/format';

export const RESULT_LIMITS = {
  defaultCount: 10,
  maxCount: 100,
  defaultValueChars: 200,
  minValueChars: 16,
  maxValueChars: 2000,
  /** the whole listing; items past it are counted, not shown */
  maxTotalChars: 20_000,
  /** node lines in a status; the rest are counted */
  maxNodes: 50,
  /** task lines per state in a status; the rest are counted */
  maxTasks: 50,
} as const;

/** One value as a JSON string literal, cut to `maxChars` characters with the cut said. */
export function valueText(value: string, fullBytes: number, maxChars: number, cutAlready: boolean): string {
  const chars = [...value];
  const cut = chars.length > maxChars;
  const shown = JSON.stringify(cut ? chars.slice(0, maxChars).join('') : value);
  return cut || cutAlready ? `${shown} ${l10n.t('(cut: {0} bytes in all)', formatCount(fullBytes))}` : shown;
}

export interface ResultsListing {
  cluster: string;
  queue: string;
  total: number;
  items: readonly PageItem[];
  maxValueChars: number;
  mode: { kind: 'page'; from: 'newest' | 'oldest'; offset: number } | { kind: 'search'; needle: string; scanned: number; complete: boolean };
}

export function resultsText(r: ResultsListing): string {
  const lines: string[] = [];
  if (r.mode.kind === 'page') {
    lines.push(l10n.t('Queue {0} on cluster {1} holds {2} items.', r.queue, r.cluster, formatCount(r.total)));
    if (!r.items.length) {
      lines.push(r.total ? l10n.t('No items from offset {0}.', r.mode.offset) : l10n.t('It is empty (no results yet, or no list of that name).'));
      return lines.join('\n');
    }
    lines.push(
      r.mode.from === 'newest'
        ? l10n.t('Newest first, {0} items from offset {1}.', r.items.length, r.mode.offset)
        : l10n.t('Oldest first, {0} items from offset {1}.', r.items.length, r.mode.offset),
    );
  } else {
    lines.push(
      r.mode.complete
        ? l10n.t('Searched all {0} items of queue {1} on cluster {2} for "{3}": {4} matches shown.', formatCount(r.mode.scanned), r.queue, r.cluster, r.mode.needle, r.items.length)
        : l10n.t('Searched {0} of {1} items of queue {2} on cluster {3} for "{4}" and stopped at {5} matches.', formatCount(r.mode.scanned), formatCount(r.total), r.queue, r.cluster, r.mode.needle, r.items.length),
    );
    if (!r.items.length) return lines.join('\n');
  }
  lines.push(l10n.t('Each line is [index] value: the index in the list (0 is the newest), the value as a JSON string cut after {0} characters.', r.maxValueChars));
  let size = lines.join('\n').length;
  let shown = 0;
  for (const item of r.items) {
    const line = `[${item.index}] ${valueText(item.value, item.length, r.maxValueChars, item.truncated)}`;
    if (size + line.length + 1 > RESULT_LIMITS.maxTotalChars) break;
    lines.push(line);
    size += line.length + 1;
    shown++;
  }
  if (shown < r.items.length) {
    lines.push(l10n.t('{0} more items not shown: a result is capped at {1} characters. Ask for fewer items or shorter values.', r.items.length - shown, formatCount(RESULT_LIMITS.maxTotalChars)));
  }
  return lines.join('\n');
}

export interface StatusInput {
  cluster: string;
  computehubUrl: string;
  /** the profile's Redis URL; masked on the way out */
  redisUrl: string;
  active: boolean;
  local: boolean;
  snapshot: ClusterSnapshot;
  now: number;
  /** other configured clusters, not polled */
  others: string[];
}

function taskLine(t: TaskView): string {
  const parts = [t.name];
  if (t.record?.image) parts.push(l10n.t('image {0}', t.record.image));
  if (t.record?.inputQueue && t.record.outputQueue) parts.push(`${t.record.inputQueue} → ${t.record.outputQueue}`);
  if (t.stillHandedToNodes) parts.push(l10n.t('the hub still hands it to nodes until a new task is registered'));
  return parts.join(', ');
}

export function nodeLine(n: HubNode, now: number, stopRequested = false): string {
  return `- ${n.hostname} (${l10n.t('id {0}', n.id)}): ${nodeDescription(n, now, stopRequested)}`;
}

export function statusText(s: StatusInput): string {
  const snap = s.snapshot;
  const head = [l10n.t('Cluster {0}', s.cluster)];
  if (s.active) head.push(l10n.t('active'));
  if (s.local) head.push(l10n.t('local'));
  const lines = [`${head.join(' · ')}: ${l10n.t('hub {0}, Redis {1}', s.computehubUrl, s.redisUrl)}`];
  lines.push(...describeChecks(snap));
  if (snap.nodes) {
    lines.push(l10n.t('Nodes ({0}):', formatCount(snap.nodes.length)));
    // A model's context is no place for a thousand node lines: the first ones, then a count.
    for (const n of snap.nodes.slice(0, RESULT_LIMITS.maxNodes)) lines.push(nodeLine(n, s.now));
    const more = snap.nodes.length - RESULT_LIMITS.maxNodes;
    if (more > 0) {
      const online = snap.nodes.filter((n) => n.status === 'Online').length;
      lines.push(l10n.t('- … and {0} more (a status lists {1}); {2} of all {3} nodes are online.', formatCount(more), RESULT_LIMITS.maxNodes, formatCount(online), formatCount(snap.nodes.length)));
    }
    if (!snap.nodes.length) lines.push(l10n.t('- none: no GridNode has registered with this hub.'));
  }
  if (snap.tasks) {
    for (const state of ['running', 'pending', 'completed'] as const) {
      const tasks = snap.tasks.filter((t) => t.state === state);
      lines.push(`${l10n.t('Tasks {0} ({1}):', taskStateLabel(state), formatCount(tasks.length))}${tasks.length ? '' : ' -'}`);
      for (const t of tasks.slice(0, RESULT_LIMITS.maxTasks)) lines.push(`- ${taskLine(t)}`);
      if (tasks.length > RESULT_LIMITS.maxTasks) lines.push(l10n.t('- … and {0} more (a status lists {1} per state).', formatCount(tasks.length - RESULT_LIMITS.maxTasks), RESULT_LIMITS.maxTasks));
    }
  }
  const q = snap.queues;
  if (q) {
    const len = (info?: { name: string; length?: number }) => (info ? `${info.name} ${info.length === undefined ? '?' : formatCount(info.length)}` : '?');
    lines.push(l10n.t('Queues of {0}: input {1}, output {2}.', q.task, len(q.input), len(q.output)));
  }
  if (snap.forgotten?.length) {
    lines.push(l10n.t('The hub no longer knows these tasks registered from this editor (it restarted?): {0}.', snap.forgotten.map((r) => r.name).join(', ')));
  }
  if (s.others.length) lines.push(l10n.t('Other clusters (name one to see it): {0}.', s.others.join(', ')));
  return lines.join('\n');
}

export interface ProgressInput {
  cluster: string;
  task: string;
  report: ProgressReport;
  input: number;
  output: number;
  inputQueue: string;
  outputQueue: string;
  totalFromPushed: boolean;
  /** the monitor's stalled fact, in words (src/ui-model/stalled.ts) */
  stalled?: string;
}

/** The status bar's numbers, in words. */
export function progressText(p: ProgressInput): string {
  const r = p.report;
  const lines = [
    l10n.t('Task {0} on cluster {1}: {2} of {3} done ({4}%).', p.task, p.cluster, formatCount(r.done), formatCount(r.total), Math.floor(r.percent)),
    l10n.t('In flight: {0}. Remaining: {1}.', formatCount(r.inFlight), formatCount(r.remaining)),
    r.rate > 0 ? l10n.t('Rate: {0} items/s.', formatCompact(r.rate)) : l10n.t('Rate: not measurable yet (the output did not grow between samples).'),
    r.etaSeconds !== undefined ? l10n.t('ETA: {0}.', formatDuration(r.etaSeconds)) : l10n.t('ETA: unknown.'),
    l10n.t('Input queue {0}: {1}. Output queue {2}: {3}.', p.inputQueue, formatCount(p.input), p.outputQueue, formatCount(p.output)),
    p.totalFromPushed
      ? l10n.t('Total: items pushed through the extension')
      : l10n.t('Total: input + output lengths (shrinks while items are in flight)'),
  ];
  lines.push(...progressFailedLines(r));
  if (p.stalled) lines.push(p.stalled);
  return lines.join('\n');
}

export function diagnosisText(cluster: string, checks: readonly DiagnosisCheck[], advice: (c: DiagnosisCheck) => string | undefined, title: (id: DiagnosisCheck['id']) => string): string {
  const failed = checks.filter((c) => !c.ok).length;
  const lines = [failed ? l10n.t('Diagnosis of cluster {0}: {1} of {2} checks failed.', cluster, failed, checks.length) : l10n.t('Diagnosis of cluster {0}: all {1} checks passed.', cluster, checks.length)];
  for (const c of checks) {
    lines.push(`${c.ok ? '✓' : '✗'} ${title(c.id)}: ${c.detail}`);
    const a = advice(c);
    if (a) lines.push(`  ${a}`);
  }
  return lines.join('\n');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** A build log in a few lines: every step, then the last lines of output. */
export function buildLogSummary(lines: readonly string[], tail = 8): string[] {
  const clean = lines.map((l) => l.replace(ANSI, '').trimEnd()).filter((l) => l.trim());
  const steps = clean.filter((l) => /^Step \d+\/\d+ :/.test(l));
  const last = clean.slice(-tail).filter((l) => !steps.includes(l));
  return [...steps, ...(last.length ? ['…', ...last] : [])].map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
}
