// When to ask whether to finish a task: its input has drained and its results stopped
// growing. Reads the task's samples from its cluster's monitor (the same the rate and ETA
// are computed from) and answers yes once per task.
import type { ProgressReport, ProgressSample } from '../core/types';

/** Samples the status bar hands the rate maths (src/core/rate.ts picks its recent window from
 *  them): enough to keep the last result of a finished task in view, so its final figures stay. */
export const RATE_WINDOW = 720;

/** The running task's figures as the status bar shows them (the chat's progress tool returns
 *  the same numbers while the status bar follows that task). */
export interface RunningTaskState {
  cluster: string;
  task: string;
  inputQueue: string;
  outputQueue: string;
  input: number;
  output: number;
  report: ProgressReport;
  /** the monitor's stalled fact for this task (./stalled.ts), in words */
  stalled?: string;
}

export class ProgressTracker {
  private readonly notified = new Set<string>();

  /** True once per task key: the input is empty and the output stopped growing over the last two samples. */
  drainedJustNow(key: string, samples: readonly ProgressSample[]): boolean {
    if (samples.length < 2) return false;
    const [prev, last] = samples.slice(-2);
    // Results gone (Clear Queue on the output, or read away): the task starts over, and may
    // be asked about again once it drains again.
    if (last.output < prev.output) this.notified.delete(key);
    if (this.notified.has(key)) return false;
    const drained = last.input === 0 && prev.input === 0 && last.output > 0 && last.output === prev.output;
    if (drained) this.notified.add(key);
    return drained;
  }

  /** Keys of tasks no longer listed: their answer is not needed again. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of [...this.notified]) if (!keys.has(k)) this.notified.delete(k);
  }
}
