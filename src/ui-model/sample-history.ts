// A short history of a task's queue lengths, kept by its cluster's monitor: the status bar's
// rate and ETA, the drain question and a dashboard's charts read the same samples. A ring
// buffer, so an hour of polling costs the same memory as a minute of it once full.
import type { ProgressSample } from '../core/types';

export interface TaskSample extends ProgressSample {
  /** What the extension had pushed to the task's input by then, when it knows. */
  pushed?: number;
}

/** Samples kept per task: an hour at the default 5 s interval. */
export const HISTORY_CAPACITY = 720;

export class SampleRing<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first; the last `n` when given. */
  toArray(n?: number): T[] {
    const all = this.start ? [...this.items.slice(this.start), ...this.items.slice(0, this.start)] : [...this.items];
    return n === undefined ? all : all.slice(Math.max(0, all.length - n));
  }

  last(): T | undefined {
    if (!this.items.length) return undefined;
    return this.items[(this.start + this.items.length - 1) % this.items.length];
  }
}
