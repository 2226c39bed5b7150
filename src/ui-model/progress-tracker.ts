// Samples of one running task's queue lengths, for the status bar's rate/ETA (the maths is
// the service's `progress`) and for noticing that a task has drained.
import type { ProgressReport, ProgressSample } from '../core/types';

const WINDOW = 12;

export class ProgressTracker {
  private key: string | undefined;
  private samples: ProgressSample[] = [];
  private notified = false;
  private final: ProgressReport | undefined;

  /** Adds a sample; starts over when the task changed. Returns the samples to feed `progress`. */
  add(cluster: string, task: string, sample: ProgressSample): ProgressSample[] {
    const key = `${cluster}\u0000${task}`;
    if (key !== this.key) {
      this.key = key;
      this.samples = [];
      this.notified = false;
      this.final = undefined;
    }
    this.samples.push(sample);
    if (this.samples.length > WINDOW) this.samples.splice(0, this.samples.length - WINDOW);
    return [...this.samples];
  }

  reset(): void {
    this.key = undefined;
    this.samples = [];
    this.notified = false;
    this.final = undefined;
  }

  /** Freezes the figures of a finished job: later polls of the same finished state (whose
   *  window no longer holds the last result) return the report that first had its final rate. */
  settle(report: ProgressReport): ProgressReport {
    if (!report.finished) {
      this.final = undefined;
      return report;
    }
    if (this.final && this.final.done === report.done && this.final.total === report.total) return this.final;
    if (report.rateFinal) this.final = report;
    return report;
  }

  /** True once per task: the input is empty and the output stopped growing over the last two polls. */
  drainedJustNow(): boolean {
    if (this.notified || this.samples.length < 2) return false;
    const [prev, last] = this.samples.slice(-2);
    const drained = last.input === 0 && prev.input === 0 && last.output > 0 && last.output === prev.output;
    if (drained) this.notified = true;
    return drained;
  }
}
