// Rate of one container and the time a whole job would take. Pure. A job's time is its
// consumers' steady rate (a node starts its containers once per task, not per item), so the
// rate is timed between the first and the last result; only when that cannot be timed does
// it count from the container's start (a lower bound, said so).
import { l10n } from '../l10n';
import type { TrialEstimate, TrialRateBasis } from './types';

/** Shortest span between first and last result that times a steady rate (polls are 50 ms apart). */
export const MIN_STEADY_MS = 500;

/** One observation of the results list: when, and how long it was. */
export interface ResultsSeen {
  at: number;
  results: number;
}

/** Results per second between the first and the last growth of the results list (the first
 *  observation counts as the base, so its own results are not counted); undefined when the
 *  span is shorter than `minMs` or the list grew once only. */
export function steadyRate(growth: readonly ResultsSeen[], minMs = MIN_STEADY_MS): { perSecond: number; results: number; ms: number } | undefined {
  if (growth.length < 2) return undefined;
  const first = growth[0];
  const last = growth[growth.length - 1];
  const ms = last.at - first.at;
  const results = last.results - first.results;
  if (ms < minMs || results <= 0) return undefined;
  return { perSecond: (results * 1000) / ms, results, ms };
}

/** The rate a trial reports: the steady one when measured, else from the container's start. */
export function trialRate(steady: ReturnType<typeof steadyRate> & { repeatedTo?: number } | undefined, results: number, startedAt: number, lastResultAt: number | undefined): { perSecond: number; basis: TrialRateBasis } | undefined {
  if (steady) return { perSecond: steady.perSecond, basis: { kind: 'steady', results: steady.results, ms: steady.ms, ...(steady.repeatedTo ? { repeatedTo: steady.repeatedTo } : {}) } };
  const fromStart = itemsPerSecond(results, startedAt, lastResultAt);
  if (fromStart === undefined || lastResultAt === undefined) return undefined;
  return { perSecond: fromStart, basis: { kind: 'fromStart', results, ms: Math.max(lastResultAt - startedAt, 1) } };
}

/** Results per second of one container from its start to the last result; undefined without results. */
export function itemsPerSecond(results: number, startedAt: number, lastResultAt: number | undefined): number | undefined {
  if (!results || lastResultAt === undefined) return undefined;
  const seconds = Math.max(lastResultAt - startedAt, 1) / 1000;
  return results / seconds;
}

/** M items on `parallelism` containers, each at `rate`; undefined when a part is unknown. */
export function estimateJob(items: number, rate: number | undefined, parallelism: number | undefined): TrialEstimate | undefined {
  if (!rate || !(items > 0)) return undefined;
  const p = Math.max(1, Math.floor(parallelism ?? 1));
  return { items, parallelism: p, seconds: items / (rate * p) };
}

/** 3725 -> "1 h 2 min", 95 -> "1 min 35 s", 4.2 -> "4.2 s", in the display language's units
 *  ("1 小时 2 分" in Chinese). */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return l10n.t('{0} s', String(Math.round(seconds * 10) / 10));
  if (seconds < 60) return l10n.t('{0} s', Math.round(seconds));
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return l10n.t('{0} d {1} h', d, h);
  if (h) return l10n.t('{0} h {1} min', h, m);
  return l10n.t('{0} min {1} s', m, s % 60);
}
