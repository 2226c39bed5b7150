// Pure text formatting for the tree and the status bar: no `vscode`, so unit tests run in
// plain Node. Strings go through the core's l10n shim, which the extension points at
// vscode.l10n.t.
import { displayLocale, l10n } from '../core/l10n';
import { formatEta } from '../core/rate';
import type { HubNode, ProgressReport, TaskState } from '../core/types';

export { formatCount } from '../core/numbers';
import { formatCount } from '../core/numbers';

/** 1234.5 -> "1.2k", 12 -> "12", 0.5 -> "0.5" */
export function formatCompact(n: number): string {
  if (n >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (n >= 1_000) return `${trim(n / 1_000)}k`;
  if (n >= 10) return String(Math.round(n));
  return trim(n);
}

function trim(n: number): string {
  return n.toFixed(1).replace(/\.0$/, '');
}

/** 3 -> "3s", 125 -> "2m 5s", 7322 -> "2h 2m", in the display language's units */
export const formatDuration = formatEta;

/** "12s ago" / "3 min ago" / "2 h ago" / "4 d ago"; future stamps (clock skew) read "just now". */
export function formatRelativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const s = Math.round((now - at) / 1000);
  if (s < 5) return l10n.t('just now');
  if (s < 60) return l10n.t('{0}s ago', s);
  const m = Math.floor(s / 60);
  if (m < 60) return l10n.t('{0} min ago', m);
  const h = Math.floor(m / 60);
  if (h < 24) return l10n.t('{0} h ago', h);
  return l10n.t('{0} d ago', Math.floor(h / 24));
}

/** A wall-clock time in the display language: "29 Nov 2026, 19:31:26" (local time zone). */
export function formatLocalTime(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  try {
    return new Date(at).toLocaleString(displayLocale(), { dateStyle: 'medium', timeStyle: 'medium' });
  } catch {
    return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  }
}

/** "3 min ago (29 Nov 2026, 19:31:26)": what users read instead of a raw ISO stamp. */
export function formatWhen(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return l10n.t('{relative} ({local})', { relative: formatRelativeTime(iso, now), local: formatLocalTime(iso) });
}

export function taskStateLabel(state: TaskState): string {
  return state === 'running' ? l10n.t('running') : state === 'pending' ? l10n.t('pending') : l10n.t('completed');
}

export function runtimeStatusLabel(status: HubNode['runtime_status']): string {
  switch (status) {
    case 'Running':
      return l10n.t('Running');
    case 'Idle':
      return l10n.t('Idle');
    case 'Error':
      return l10n.t('Error');
    default:
      return l10n.t('No heartbeat yet');
  }
}

/** "1 container" / "2 containers" (the Chinese reads the same for both). */
export function containersText(n: number): string {
  return n === 1 ? l10n.t('1 container') : l10n.t('{0} containers', formatCount(n));
}

/** "1 item" / "20,000 items" */
export function itemsText(n: number): string {
  return n === 1 ? l10n.t('1 item') : l10n.t('{0} items', formatCount(n));
}

/** `withAge`: the heartbeat's age too (the pickers); the tree's rows leave it to the tooltip,
 *  so a heartbeat alone changes no row. */
export function nodeDescription(node: HubNode, now: number, stopRequested: boolean, withAge = true): string {
  const parts = [
    node.architecture,
    node.cpu_count === 1 ? l10n.t('1 CPU') : l10n.t('{0} CPUs', formatCount(node.cpu_count)),
    runtimeStatusLabel(node.runtime_status),
    containersText(node.active_containers),
  ];
  if (withAge) parts.push(formatRelativeTime(node.last_seen, now));
  if (stopRequested) parts.unshift(l10n.t('stop requested'));
  return parts.join(' · ');
}

/** `$(sync~spin) sqrt-calc 6,512/10,000 65% · 1.2k/s · ETA 3s · 3 failed`; a finished task
 *  shows a check and its final rate, with no ETA, and "completed, N failed" when items failed
 *  (the percentage counts failed items as ended). */
export function statusBarText(task: string, r: ProgressReport): string {
  // Nothing queued, nothing done: no "0/0 0%" and no spinner, as if something were running.
  if (r.total === 0 && r.inFlight === 0 && !r.processing && !r.failed) return `$(circle-large-outline) ${task} · ${l10n.t('no items')}`;
  const icon = r.finished ? (r.failed ? '$(warning)' : '$(check)') : '$(sync~spin)';
  const head = `${icon} ${task} ${formatCount(r.done)}/${formatCount(r.total)} ${Math.floor(r.percent)}%`;
  const parts = [head];
  if (r.rate > 0) parts.push(`${formatCompact(r.rate)}/s`);
  if (!r.finished && r.etaSeconds !== undefined) parts.push(l10n.t('ETA {0}', formatDuration(r.etaSeconds)));
  if (r.finished && r.failed) parts.push(l10n.t('completed, {0} failed', formatCount(r.failed)));
  else if (r.failed) parts.push(l10n.t('{0} failed', formatCount(r.failed)));
  return parts.join(' · ');
}

export function statusBarTooltip(
  task: string,
  cluster: string,
  r: ProgressReport,
  lengths: { input: number; output: number; inputQueue: string; outputQueue: string },
  totalFromPushed: boolean,
): string {
  return [
    l10n.t('Task {0} on cluster {1}', task, cluster),
    r.finished ? (r.failed ? l10n.t('Completed, {0} failed', formatCount(r.failed)) : l10n.t('Completed')) : undefined,
    l10n.t('Done: {0} of {1}', formatCount(r.done), formatCount(r.total)),
    r.failed !== undefined ? l10n.t('Failed: {0}', formatCount(r.failed)) : undefined,
    l10n.t('In flight: {0}', formatCount(r.inFlight)),
    l10n.t('Input queue {0}: {1}', lengths.inputQueue, formatCount(lengths.input)),
    l10n.t('Output queue {0}: {1}', lengths.outputQueue, formatCount(lengths.output)),
    totalFromPushed
      ? l10n.t('Total: items pushed through the extension')
      : l10n.t('Total: input + output lengths (shrinks while items are in flight)'),
    l10n.t('Click for the task\'s actions'),
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
}
