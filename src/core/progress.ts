// Progress of a task from its queue lengths. Pure: the status bar, the results view and the
// benches all feed it samples and get the same numbers.
import { etaOf, rateOf } from './rate';
import type { ProgressReport, ProgressSample } from './types';

/**
 * `total` is what the extension pushed, when it knows; otherwise the upstream estimate
 * input + output is used, which shrinks while items are in flight (the contract says so).
 */
export function progress(total: number | undefined, samples: readonly ProgressSample[], opts: { now?: number; settleMs?: number } = {}): ProgressReport {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const latest = sorted[sorted.length - 1];
  const input = latest ? Math.max(0, latest.input) : 0;
  const done = latest ? Math.max(0, latest.output) : 0;
  // Items in the failed list ended too, without a result: done + failed = total once complete.
  const failed = latest?.failed !== undefined ? Math.max(0, latest.failed) : 0;
  const ended = done + failed;
  const totalKnown = total !== undefined && Number.isFinite(total) && total >= 0;
  const whole = totalKnown ? total : input + ended;
  // Only a known total shows items popped from input but not yet pushed to output.
  const inFlight = totalKnown ? Math.max(0, whole - input - ended) : 0;
  const remaining = Math.max(0, whole - ended);
  const percent = whole > 0 ? Math.min(100, (ended / whole) * 100) : 0;
  const pushed = totalKnown ? { pushed: total } : {};
  // The rate is the recent one (see rate.ts); `now` defaults to the last poll, so a caller
  // that does not pass the clock gets no staleness check.
  const measured = rateOf(sorted.map((x) => ({ ...x, ...pushed })), opts.now ?? latest?.at ?? 0);
  // Input and processing lists empty: the job is complete, however many failed.
  const finished = whole > 0 && input === 0 && inFlight === 0 && (latest?.processing ?? 0) <= 0;
  const report: ProgressReport = { total: whole, done, inFlight, remaining, percent, rate: measured?.perSecond ?? 0, finished };
  if (measured?.final) report.rateFinal = true;
  if (latest?.processing !== undefined) report.processing = Math.max(0, latest.processing);
  if (latest?.failed !== undefined) report.failed = failed;
  if (totalKnown && !finished) {
    const missing = unaccounted(sorted, whole, opts.settleMs ?? DEFAULT_SETTLE_MS);
    if (missing > 0) report.unaccounted = missing;
  }
  const eta = finished ? 0 : whole > 0 ? etaOf(remaining, measured) : undefined;
  if (eta !== undefined) report.etaSeconds = eta;
  return report;
}

/** An upstream-style consumer that dies loses its popped items without a trace; a reliable
 *  one's stay in its processing list. Short of the total with nothing queued anywhere is not
 *  yet a loss (the last batches may still be computing): only once that held, with the output
 *  still, for `settleMs`. */
export const DEFAULT_SETTLE_MS = 15_000;

function unaccounted(sorted: readonly ProgressSample[], total: number, settleMs: number): number {
  const latest = sorted[sorted.length - 1];
  if (!latest) return 0;
  const ended = (s: ProgressSample) => s.output + Math.max(0, s.failed ?? 0);
  const quiet = (s: ProgressSample) => s.input <= 0 && (s.processing ?? 0) <= 0 && ended(s) === ended(latest);
  if (!quiet(latest) || ended(latest) >= total) return 0;
  let since = latest.at;
  for (let i = sorted.length - 2; i >= 0 && quiet(sorted[i]); i--) since = sorted[i].at;
  return latest.at - since >= settleMs ? total - ended(latest) : 0;
}
