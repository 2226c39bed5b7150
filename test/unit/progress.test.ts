import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progress } from '../../src/core/progress';

const s = (at: number, input: number, output: number) => ({ at: at * 1000, input, output });

test('no samples: nothing known, not finished', () => {
  const r = progress(undefined, []);
  assert.deepEqual(r, { total: 0, done: 0, inFlight: 0, remaining: 0, percent: 0, rate: 0, finished: false });
});

test('known total shows items in flight and a steady rate and ETA', () => {
  // (the first interval, which the containers started in, is left out of the rate)
  const r = progress(100, [s(0, 100, 0), s(1, 100, 0), s(2, 80, 10), s(3, 60, 20), s(4, 40, 30)]);
  assert.equal(r.total, 100);
  assert.equal(r.done, 30);
  assert.equal(r.inFlight, 30);
  assert.equal(r.remaining, 70);
  assert.equal(r.percent, 30);
  assert.equal(r.rate, 10);
  assert.equal(r.etaSeconds, 7);
  assert.equal(r.finished, false);
});

test('unknown total falls back to input + output (the upstream estimate), no in-flight', () => {
  const r = progress(undefined, [s(0, 60, 20)]);
  assert.equal(r.total, 80);
  assert.equal(r.inFlight, 0);
  assert.equal(r.percent, 25);
  assert.equal(r.rate, 0);
  assert.equal(r.etaSeconds, undefined);
});

test('input empty but items still in flight is not finished', () => {
  const r = progress(10, [s(0, 0, 7)]);
  assert.equal(r.inFlight, 3);
  assert.equal(r.finished, false);
});

test('finished when input empty and nothing in flight; ETA 0', () => {
  const r = progress(10, [s(0, 2, 8), s(1, 0, 10)]);
  assert.equal(r.finished, true);
  assert.equal(r.etaSeconds, 0);
  assert.equal(r.percent, 100);
});

test('empty queues with nothing pushed are not "finished"', () => {
  assert.equal(progress(undefined, [s(0, 0, 0)]).finished, false);
  assert.equal(progress(0, [s(0, 0, 0)]).finished, false);
});

test('shrinking output (results read away) starts the rate over after the drop', () => {
  const r = progress(undefined, [s(0, 50, 10), s(1, 40, 20), s(2, 40, 0), s(3, 30, 10)]);
  // one whole interval since the drop says it (the one across the drop does not)
  assert.equal(r.rate, 10);
  const later = progress(undefined, [s(0, 50, 10), s(1, 40, 20), s(2, 40, 0), s(3, 30, 10), s(4, 20, 20)]);
  assert.equal(later.rate, 10);
});

test('samples out of order and duplicate timestamps are handled', () => {
  const r = progress(40, [s(2, 10, 20), s(0, 30, 5), s(2, 10, 20), s(1, 20, 10)]);
  assert.equal(r.done, 20);
  assert.equal(r.rate, 7.5);
  assert.equal(r.etaSeconds, 20 / 7.5);
});

test('output beyond the pushed total (items pushed elsewhere) caps percent at 100', () => {
  const r = progress(10, [s(0, 0, 15)]);
  assert.equal(r.percent, 100);
  assert.equal(r.inFlight, 0);
  assert.equal(r.remaining, 0);
  assert.equal(r.finished, true);
});

test('the finish question comes once per drain; after Clear Queue emptied the output it can come again', async () => {
  const { ProgressTracker } = await import('../../src/ui-model/progress-tracker');
  const t = new ProgressTracker();
  const drained = [s(0, 0, 10), s(1, 0, 10)];
  assert.equal(t.drainedJustNow('k', drained), true);
  assert.equal(t.drainedJustNow('k', [...drained, s(2, 0, 10)]), false);
  // the output cleared, new items pushed and done
  const again = [...drained, s(2, 0, 10), s(3, 5, 0), s(4, 0, 5), s(5, 0, 5)];
  assert.equal(t.drainedJustNow('k', again.slice(0, 4)), false);
  assert.equal(t.drainedJustNow('k', again), true);
});
