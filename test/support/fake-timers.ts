// Manual timers for the poller and the monitor: tests drive time, never wait for it.
// `fire()` runs the oldest pending timer, then lets the promises it started settle.

export const settle = (): Promise<unknown> => new Promise((r) => setImmediate(r));

export function fakeTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    pending,
    set(fn: () => void, ms: number) {
      pending.set(next, { fn, ms });
      return next++;
    },
    clear(h: unknown) {
      pending.delete(h as number);
    },
    async fire() {
      const [[id, t]] = [...pending.entries()];
      pending.delete(id);
      t.fn();
      await settle();
    },
  };
}
