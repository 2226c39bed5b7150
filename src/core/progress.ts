// Progress of a task from its queue lengths. Pure: the status bar, the results view and the
// benches all feed it samples and get the same numbers.
import type { ProgressReport, ProgressSample } from './types';

/**
 * `total` is what the extension pushed, when it knows; otherwise the upstream estimate
 * input + output is used, which shrinks while items are in flight (the contract says so).
 */
export function progress(total: number | undefined, samples: readonly ProgressSample[]): ProgressReport {
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
  const rate = outputRate(sorted);
  const finished = whole > 0 && input === 0 && inFlight === 0;
  const report: ProgressReport = { total: whole, done, inFlight, remaining, percent, rate, finished };
  if (finished) report.etaSeconds = 0;
  else if (rate > 0) report.etaSeconds = remaining / rate;
  return report;
}

/** Items per second of output growth; intervals where output shrank (someone read results
 *  away, a queue was deleted) say nothing about the consumers and are left out. */
function outputRate(sorted: readonly ProgressSample[]): number {
  let items = 0;
  let ms = 0;
  for (let i = 1; i < sorted.length; i++) {
    const dt = sorted[i].at - sorted[i - 1].at;
    const grew = sorted[i].output - sorted[i - 1].output;
    if (dt <= 0 || grew < 0) continue;
    items += grew;
    ms += dt;
  }
  return ms > 0 ? (items * 1000) / ms : 0;
}
