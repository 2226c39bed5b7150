// When to ask whether to finish a task: its input has drained and its results stopped
// growing. Reads the task's samples from its cluster's monitor (the same the rate and ETA
// are computed from) and answers yes once per task. It also freezes a finished job's figures.
import type { ProgressReport, ProgressSample } from '../core/types';

/** Samples the status bar's rate and ETA are computed over (a minute at the default 5 s). */
export const RATE_WINDOW = 12;

export class ProgressTracker {
  private readonly notified = new Set<string>();
  private final: { key: string; report: ProgressReport } | undefined;

  /** Freezes the figures of a finished job: later polls of the same finished state (whose
   *  window no longer holds the last result) return the report that first had its final rate. */
  settle(key: string, report: ProgressReport): ProgressReport {
    if (!report.finished) {
      if (this.final?.key === key) this.final = undefined;
      return report;
    }
    const f = this.final;
    if (f && f.key === key && f.report.done === report.done && f.report.total === report.total) return f.report;
    if (report.rateFinal) this.final = { key, report };
    return report;
  }

  /** True once per task key: the input is empty and the output stopped growing over the last two samples. */
  drainedJustNow(key: string, samples: readonly ProgressSample[]): boolean {
    if (this.notified.has(key) || samples.length < 2) return false;
    const [prev, last] = samples.slice(-2);
    const drained = last.input === 0 && prev.input === 0 && last.output > 0 && last.output === prev.output;
    if (drained) this.notified.add(key);
    return drained;
  }

  /** Keys of tasks no longer listed: their answer is not needed again. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of [...this.notified]) if (!keys.has(k)) this.notified.delete(k);
    if (this.final && !keys.has(this.final.key)) this.final = undefined;
  }
}
