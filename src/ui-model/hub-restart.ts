// Upstream's hub keeps its tasks in memory only: after a restart it no longer lists the tasks
// this editor registered. The watch decides, from the tree's polls, when to ask the user once
// per cluster and outage whether to register them again; the texts say what happened.
import { l10n } from '../core/l10n';
import { maskUrl } from '../core/redact';
import type { ReregisterResult } from '../core/service-api';
import type { TaskRecord } from '../core/types';
import type { ClusterSnapshot } from './cluster-snapshot';
import { formatCount, formatWhen } from './format';

interface WatchState {
  /** hub entries seen on the last good poll: a hub never drops entries unless it restarted */
  entries?: number;
  offered: boolean;
}

export class ForgottenTasksWatch {
  private readonly clusters = new Map<string, WatchState>();

  /**
   * Feeds one poll of `cluster`. True when the user should be asked now: the hub lists none
   * of some recorded tasks and they have not been offered since the last outage. An outage is
   * a poll with the hub unreachable, or a task list that shrank (a restart between polls).
   */
  observe(cluster: string, snap: ClusterSnapshot): boolean {
    let st = this.clusters.get(cluster);
    if (!st) this.clusters.set(cluster, (st = { offered: false }));
    if (snap.hub && !snap.hub.ok) {
      st.offered = false;
      st.entries = undefined;
      return false;
    }
    if (!snap.tasks) return false;
    if (st.entries !== undefined && snap.tasks.length < st.entries) st.offered = false;
    st.entries = snap.tasks.length;
    if (!snap.forgotten?.length) {
      // Nothing forgotten (registered again, or records removed): a later loss is news again.
      st.offered = false;
      return false;
    }
    if (st.offered) return false;
    st.offered = true;
    return true;
  }

  /** A cluster removed or edited: start over. */
  forget(cluster: string): void {
    this.clusters.delete(cluster);
  }
}

export function forgottenTasksQuestion(cluster: string, count: number): string {
  return count === 1
    ? l10n.t('The ComputeHub of {cluster} no longer knows 1 task the extension registered (it was probably restarted). Register it again?', { cluster })
    : l10n.t('The ComputeHub of {cluster} no longer knows {n} tasks the extension registered (it was probably restarted). Register them again?', { cluster, n: formatCount(count) });
}

/** The records as a read-only document, so the user sees what "Register Again" would send. */
export function forgottenTasksMarkdown(cluster: string, records: readonly TaskRecord[], now = Date.now()): string {
  const cell = (v: string | undefined) => (v ? v.replace(/\|/g, '\\|') : '–');
  const lines = [
    `# ${l10n.t('Tasks the hub of {0} no longer knows', cluster)}`,
    '',
    l10n.t('The hub keeps its tasks in memory only, so a restart forgets them. These were registered from this editor; "Register Again" registers them in this order, with the cluster\'s Redis URL where they used it.'),
    '',
    `| ${l10n.t('Task')} | ${l10n.t('Image')} | ${l10n.t('Input queue')} | ${l10n.t('Output queue')} | ${l10n.t('Input Redis')} | ${l10n.t('Pushed')} | ${l10n.t('Registered at')} |`,
    '|---|---|---|---|---|---|---|',
    ...records.map((r) => {
      const image = r.image ?? (r.images ? Object.entries(r.images).map(([p, i]) => `${p}: ${i}`).join(', ') : undefined);
      return `| ${cell(r.name)} | ${cell(image)} | ${cell(r.inputQueue)} | ${cell(r.outputQueue)} | ${cell(r.inputRedis ? maskUrl(r.inputRedis) : undefined)} | ${r.pushed === undefined ? '–' : formatCount(r.pushed)} | ${cell(r.registeredAt ? formatWhen(r.registeredAt, now) : undefined)} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

/** What "Register Again" did: a summary, and per skipped task its reason (what to do). */
export function reregisterReport(cluster: string, result: Pick<ReregisterResult, 'registered' | 'skipped'>): { summary: string; skipped: string[] } {
  const names = result.registered.join(', ');
  const n = result.skipped.length;
  let summary: string;
  if (!n) summary = result.registered.length ? l10n.t('Registered again on {cluster}: {names}.', { cluster, names }) : l10n.t('No task was registered again on {0}.', cluster);
  else if (result.registered.length) {
    summary = n === 1
      ? l10n.t('Registered again on {cluster}: {names}. 1 task was skipped, for the reason below.', { cluster, names })
      : l10n.t('Registered again on {cluster}: {names}. {n} tasks were skipped, for the reasons below.', { cluster, names, n: formatCount(n) });
  } else {
    summary = n === 1
      ? l10n.t('No task was registered again on {cluster}: 1 task was skipped, for the reason below.', { cluster })
      : l10n.t('No task was registered again on {cluster}: {n} tasks were skipped, for the reasons below.', { cluster, n: formatCount(n) });
  }
  return { summary, skipped: result.skipped.map((s) => s.reason) };
}

/**
 * The records "Forget These Tasks" removes: those the hub still lists none of (asked just now),
 * narrowed to `names` when the action came from a re-registration that skipped some.
 */
export function recordsToForget(forgotten: readonly TaskRecord[], names?: readonly string[]): TaskRecord[] {
  return names ? forgotten.filter((r) => names.includes(r.name)) : [...forgotten];
}

/** `names` of a command argument `{ cluster, names }` (the tasks a re-registration skipped); else all. */
export function namesToForget(arg: unknown): string[] | undefined {
  const names = arg && typeof arg === 'object' ? (arg as { names?: unknown }).names : undefined;
  return Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : undefined;
}

/** The modal confirmation: what goes (only the extension's records) and what stays. */
export function forgetTasksQuestion(cluster: string, records: readonly TaskRecord[]): { message: string; detail: string } {
  return {
    message: records.length === 1
      ? l10n.t('Forget 1 task the hub of {cluster} no longer knows?', { cluster })
      : l10n.t('Forget {n} tasks the hub of {cluster} no longer knows?', { n: formatCount(records.length), cluster }),
    detail: l10n.t(
      'The extension drops its records of: {names}. Nothing changes on the hub or in Redis: queues and results stay. To run them again later, register them from their folders.',
      { names: records.map((r) => r.name).join(', ') },
    ),
  };
}

export function forgetReport(cluster: string, names: readonly string[]): string {
  return l10n.t('Forgot the records of {names} (cluster {cluster}).', { names: names.join(', '), cluster });
}
