// Rate of one container and the time a whole job would take. Pure. A 10-item sample is
// dominated by the container's start-up, so the rate counts from the start: the estimate
// errs long rather than short, and says on what it rests.
import type { TrialEstimate } from './types';

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

/** 3725 -> "1 h 2 min", 95 -> "1 min 35 s", 4.2 -> "4.2 s" */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  return `${m} min ${s % 60} s`;
}
