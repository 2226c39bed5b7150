// Progress of a task from its queue lengths. Pure: the status bar, the results view and the
// benches all feed it samples and get the same numbers.
import { etaOf, rateOf } from './rate';
import type { ProgressReport, ProgressSample } from './types';

/**
 * `total` is what the extension pushed, when it knows; otherwise the upstream estimate
 * input + output is used, which shrinks while items are in flight (the contract says so).
 */
export function progress(total: number | undefined, samples: readonly ProgressSample[], now?: number): ProgressReport {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const latest = sorted[sorted.length - 1];
  const input = latest ? Math.max(0, latest.input) : 0;
  const done = latest ? Math.max(0, latest.output) : 0;
  const totalKnown = total !== undefined && Number.isFinite(total) && total >= 0;
  const whole = totalKnown ? total : input + done;
  // Only a known total shows items popped from input but not yet pushed to output.
  const inFlight = totalKnown ? Math.max(0, whole - input - done) : 0;
  const remaining = Math.max(0, whole - done);
  const percent = whole > 0 ? Math.min(100, (done / whole) * 100) : 0;
  const pushed = totalKnown ? { pushed: total } : {};
  // The rate is the recent one (see rate.ts); `now` defaults to the last poll, so a caller
  // that does not pass the clock gets no staleness check.
  const measured = rateOf(sorted.map((x) => ({ ...x, ...pushed })), now ?? latest?.at ?? 0);
  const finished = whole > 0 && input === 0 && inFlight === 0;
  const report: ProgressReport = { total: whole, done, inFlight, remaining, percent, rate: measured?.perSecond ?? 0, finished };
  if (measured?.final) report.rateFinal = true;
  const eta = finished ? 0 : whole > 0 ? etaOf(remaining, measured) : undefined;
  if (eta !== undefined) report.etaSeconds = eta;
  return report;
}
