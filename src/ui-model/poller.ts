// Polls with a chained setTimeout (never setInterval, so polls cannot pile up), only while
// `isActive()` says someone is looking, and backs off after errors. The Docker extension's
// lesson: a fixed 1 s poll with the view hidden cost half the daemon's CPU.

export interface PollerOptions {
  run(): Promise<void>;
  intervalMs(): number;
  isActive(): boolean;
  /** Ceiling for the back-off after repeated failures. */
  maxBackoffMs?: number;
  timers?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
}

const realTimers = {
  set: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
};

export class Poller {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private again: Promise<void> | undefined;
  private failures = 0;
  private disposed = false;
  private readonly timers;

  constructor(private readonly opts: PollerOptions) {
    this.timers = opts.timers ?? realTimers;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Activity changed (view shown, window focused): poll now if active, else stop the chain. */
  wake(): void {
    if (this.disposed) return;
    this.cancelTimer();
    if (this.opts.isActive()) void this.pollNow();
  }

  /** One poll now (the refresh button), whether or not anyone is looking; resolves when done. */
  pollNow(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.running) return this.running;
    this.cancelTimer();
    this.running = (async () => {
      try {
        await this.opts.run();
        this.failures = 0;
      } catch {
        this.failures++;
      } finally {
        this.running = undefined;
        this.schedule();
      }
    })();
    return this.running;
  }

  /** A poll that starts once the running one has ended (it may have started before what the
   *  caller changed); callers waiting meanwhile share it. Without a running poll, one now. */
  pollAgain(): Promise<void> {
    if (!this.running) return this.pollNow();
    this.again ??= this.running.then(() => {
      this.again = undefined;
      return this.pollNow();
    });
    return this.again;
  }

  nextDelayMs(): number {
    const base = Math.max(250, this.opts.intervalMs());
    if (!this.failures) return base;
    return Math.min(base * 2 ** this.failures, this.opts.maxBackoffMs ?? 60_000);
  }

  private schedule(): void {
    if (this.disposed || this.timer !== undefined || !this.opts.isActive()) return;
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      if (this.opts.isActive()) void this.pollNow();
    }, this.nextDelayMs());
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }
}
