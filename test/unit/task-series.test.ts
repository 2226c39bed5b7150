// The series the dashboard's charts are fed from: rates from samples, gaps where polling
// paused, a queue cleared or refilled mid-run, the saved form a reload brings back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSeries, gapFor, loadSeries, saveSeries, TaskSeries, type TaskSample } from '../../src/ui-model/task-series';

const T0 = 1_800_000_000_000;
const at = (s: number) => T0 + s * 1000;
/** One sample every 5 s: [seconds, input, output]. */
const samples = (rows: Array<[number, number, number]>): TaskSample[] => rows.map(([s, input, output]) => ({ at: at(s), input, output }));
const opts = (nowS: number, rangeS = 3600) => ({ now: at(nowS), rangeMs: rangeS * 1000, gapMs: gapFor(5000) });

test('rates are the output growth per interval, in items per second', () => {
  const c = chartSeries(samples([[0, 1000, 0], [5, 900, 100], [10, 700, 300], [15, 700, 300]]), opts(15));
  assert.deepEqual(c.x, [0, 5, 10, 15].map((s) => at(s) / 1000));
  assert.deepEqual(c.rate, [null, 20, 40, 0]);
  assert.deepEqual(c.input, [1000, 900, 700, 700]);
  assert.deepEqual(c.output, [0, 100, 300, 300]);
});

test('polling paused (window unfocused): every line breaks, no rate across the pause', () => {
  const c = chartSeries(samples([[0, 1000, 0], [5, 900, 100], [125, 100, 900], [130, 50, 950]]), opts(130));
  // a null point between 5 s and 125 s, then the first sample after the pause has no rate
  assert.equal(c.x.length, 5);
  assert.equal(c.x[2], (at(5) + at(125)) / 2000);
  assert.deepEqual([c.rate[2], c.input[2], c.output[2]], [null, null, null]);
  assert.equal(c.rate[3], null, 'the 800 items done while nobody looked are not a rate');
  assert.equal(c.rate[4], 10);
  // a slow poll (10 s at a 5 s interval) is not a pause
  const slow = chartSeries(samples([[0, 100, 0], [10, 50, 50]]), opts(10));
  assert.deepEqual(slow.rate, [null, 5]);
});

test('the output queue cleared mid-run: no negative rate, counting resumes from the new level', () => {
  const c = chartSeries(samples([[0, 500, 500], [5, 450, 550], [10, 400, 0], [15, 350, 50]]), opts(15));
  assert.deepEqual(c.rate, [null, 10, null, 10]);
  assert.deepEqual(c.output, [500, 550, 0, 50]);
});

test('the input refilled mid-run: the input line jumps, the rate does not', () => {
  const c = chartSeries(samples([[0, 10, 990], [5, 0, 1000], [10, 5000, 1000], [15, 4900, 1100]]), opts(15));
  assert.deepEqual(c.input, [10, 0, 5000, 4900]);
  assert.deepEqual(c.rate, [null, 2, 0, 20]);
});

test('the input queue cleared: the input drops to 0, the rate is still the output growth', () => {
  const c = chartSeries(samples([[0, 900, 100], [5, 0, 150]]), opts(5));
  assert.deepEqual(c.rate, [null, 10]);
  assert.deepEqual(c.input, [900, 0]);
});

test('the range keeps the last minutes, and the first visible point keeps its rate', () => {
  const rows: Array<[number, number, number]> = [];
  for (let s = 0; s <= 600; s += 5) rows.push([s, 10_000 - s * 10, s * 10]);
  const c = chartSeries(samples(rows), opts(600, 300));
  assert.equal(c.x[0], at(300) / 1000);
  assert.equal(c.x.length, 61);
  assert.equal(c.rate[0], 10);
});

test('a sample measuring one queue only leaves the other line empty and no rate', () => {
  const c = chartSeries([{ at: at(0), output: 0 }, { at: at(5), input: 10 }, { at: at(10), input: 5, output: 10 }], opts(10));
  assert.deepEqual(c.output, [0, null, 10]);
  assert.deepEqual(c.rate, [null, null, null]);
});

test('the store ignores repeats and old samples, and keeps one hour at most', () => {
  const s = new TaskSeries();
  assert.ok(s.add({ at: at(0), input: 1, output: 0 }));
  assert.ok(!s.add({ at: at(0), input: 1, output: 0 }), 'the same snapshot twice');
  assert.ok(!s.add({ at: at(-5), input: 1, output: 0 }), 'older than the last');
  assert.ok(!s.add({ at: at(5) }), 'measured nothing');
  for (let i = 1; i <= 1000; i++) s.add({ at: at(i * 5), input: 0, output: i });
  assert.equal(s.samples[0].at, at(5000 - 3600));
  assert.equal(s.samples.length, 721);
  const capped = new TaskSeries(3_600_000, 100);
  for (let i = 0; i < 500; i++) capped.add({ at: at(i), input: 0, output: i });
  assert.equal(capped.samples.length, 100);
});

test('saved and loaded (a reload), merged with samples seen since; bad entries dropped', () => {
  const orig = samples([[0, 10, 0], [5, 5, 5], [10, 0, 10]]);
  const saved = JSON.parse(JSON.stringify(saveSeries(orig)));
  assert.deepEqual(loadSeries(saved), orig);
  assert.deepEqual(loadSeries({ at: [at(0), 'x', at(5)], input: [1, 2, -1], output: [null, 3, null] }), [{ at: at(0), input: 1 }]);
  assert.deepEqual(loadSeries(undefined), []);
  assert.deepEqual(loadSeries({ at: 'no' }), []);
  const s = new TaskSeries();
  s.add({ at: at(15), input: 0, output: 10 });
  s.merge(loadSeries(saved));
  assert.deepEqual(s.samples.map((x) => x.at), [0, 5, 10, 15].map(at));
});
