// The rate and ETA on sample series shaped like the run the issue reports (20,000 items
// pushed, containers idle for half a minute, then ~1,300 items/s; polls every 5 s), plus a
// stall and a finish. No clock: `now` is passed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etaOf, formatEta, rateOf, type RateSample } from '../../src/core/rate';
import { progress } from '../../src/core/progress';
import { statusBarText } from '../../src/ui-model/format';

const T0 = 1_800_000_000_000;
const poll = (sec: number, input: number, output: number, pushed = 20_000): RateSample => ({ at: T0 + sec * 1000, input, output, pushed });

// 30 s of nothing (containers starting), then 6,500 results per 5 s poll until done at 50 s,
// then two more polls of the finished job.
const IDLE = [0, 5, 10, 15, 20, 25, 30].map((t) => poll(t, 20_000, 0));
const BURST = [poll(35, 13_000, 6_500), poll(40, 6_500, 13_000), poll(45, 0, 19_500)];
const FINISH = [poll(50, 0, 20_000), poll(55, 0, 20_000), poll(60, 0, 20_000)];

function upTo(series: RateSample[], sec: number): RateSample[] {
  return series.filter((x) => x.at <= T0 + sec * 1000);
}

test('idle start: no rate and no ETA while nothing came back', () => {
  for (let t = 0; t <= 30; t += 5) {
    const seen = upTo(IDLE, t);
    assert.equal(rateOf(seen, T0 + t * 1000), undefined, `at ${t}s`);
    const r = progress(20_000, seen, { now: T0 + t * 1000 });
    assert.equal(r.rate, 0);
    assert.equal(r.etaSeconds, undefined);
    assert.ok(!/\/s|ETA/.test(statusBarText('sq', r)), statusBarText('sq', r));
  }
});

test('burst: the polls that saw the containers start say nothing; then the rate is what the containers do, not an average with the idle start', () => {
  const series = [...IDLE, ...BURST, poll(50, 0, 20_000)];
  assert.equal(rateOf(upTo(series, 35), T0 + 35_000), undefined);
  // the second poll with results: one whole interval of work, enough for the first rate
  assert.equal(rateOf(upTo(series, 40), T0 + 40_000)?.perSecond, 1_300);
  const at45 = rateOf(upTo(series, 45), T0 + 45_000);
  assert.equal(at45?.perSecond, 1_300);
  assert.equal(at45?.final, false);
  assert.equal(etaOf(20_000 - 19_500, at45), 500 / 1_300);
  const r = progress(20_000, upTo(series, 45), { now: T0 + 45_000 });
  assert.equal(r.rate, 1_300);
  assert.match(statusBarText('sq', r), /1\.3k\/s · ETA 0s$/);
});

test('a stall: a poll with no new result while input waits makes the rate and ETA unknown, not slowly falling', () => {
  const base = [...IDLE, poll(35, 15_000, 4_000), poll(40, 10_000, 9_000), poll(45, 5_000, 14_000)];
  assert.equal(rateOf(base, T0 + 45_000)?.perSecond, 1_000);
  const quiet = [...base, poll(50, 5_000, 14_000)];
  assert.equal(rateOf(quiet, T0 + 50_000), undefined);
  assert.equal(progress(20_000, quiet, { now: T0 + 50_000 }).etaSeconds, undefined);
  // and again once results flow: the first interval after the stall began idle
  const resumed = [...quiet, poll(55, 3_000, 16_000), poll(60, 2_000, 17_000), poll(65, 1_000, 18_000)];
  assert.equal(rateOf(resumed.slice(0, -2), T0 + 55_000), undefined);
  assert.equal(rateOf(resumed.slice(0, -1), T0 + 60_000)?.perSecond, 200);
  assert.equal(rateOf(resumed, T0 + 65_000)?.perSecond, 200);
});

test('old samples say nothing about now', () => {
  const series = upTo([...IDLE, ...BURST], 45);
  assert.ok(rateOf(series, T0 + 50_000));
  assert.equal(rateOf(series, T0 + 45_000 + 31_000), undefined);
});

test('finish: the final rate is frozen, whatever comes after and whenever it is read', () => {
  const series = [...IDLE, ...BURST, ...FINISH];
  const at55 = rateOf(upTo(series, 55), T0 + 55_000);
  const at60 = rateOf(series, T0 + 60_000);
  const muchLater = rateOf(series, T0 + 3_600_000);
  assert.equal(at55?.final, true);
  assert.deepEqual(at60, at55);
  assert.deepEqual(muchLater, at55);
  // the whole intervals between the first and the last result (35 s -> 45 s): neither the
  // interval the containers started in nor the one the job ended in
  assert.equal(at55?.perSecond, 1_300);
  assert.equal(etaOf(0, at55), 0);
  const r = progress(20_000, series, { now: T0 + 60_000 });
  assert.equal(r.finished, true);
  assert.equal(r.rateFinal, true);
  assert.equal(r.etaSeconds, 0);
});

test('all pushed items back counts as done at once', () => {
  const series = [...IDLE, ...BURST, poll(50, 0, 20_000)];
  assert.equal(rateOf(series, T0 + 50_000)?.final, true);
});

test('results read away mid-run start the measurement over', () => {
  const series = [poll(0, 100, 10), poll(5, 80, 30), poll(10, 60, 0), poll(15, 40, 20), poll(20, 20, 40)];
  assert.equal(rateOf(series.slice(0, 3), T0 + 10_000), undefined);
  assert.equal(rateOf(series.slice(0, 4), T0 + 15_000)?.perSecond, 4);
  assert.equal(rateOf(series, T0 + 20_000)?.perSecond, 4);
});

// A short job as the issue reports it: 50,000 items done in 3 s. Whatever the poll interval
// (and wherever the polls fall), the final state is exact: done = results, and the rate of the
// finished job is its items over the time from its first to its last result.
test('a 50,000-item job of 3 s: exact final rate and done whatever the poll interval; the first rate by the second poll with results', () => {
  const ITEMS = 50_000;
  const JOB_MS = 3_000;
  const truth = ITEMS / (JOB_MS / 1000);
  for (const pollMs of [100, 250, 500, 700, 1_000]) {
    for (const offset of [0, 0.13, 0.5, 0.77]) {
      const start = T0 + 2_000 + offset * pollMs; // the first result
      const out = (t: number) => Math.max(0, Math.min(ITEMS, Math.floor(((t - start) * ITEMS) / JOB_MS)));
      const samples: RateSample[] = [];
      let firstRateAt: number | undefined;
      for (let t = T0; t <= start + JOB_MS + 3 * pollMs; t += pollMs) {
        samples.push({ at: t, input: ITEMS - out(t), output: out(t), pushed: ITEMS });
        if (firstRateAt === undefined && rateOf(samples, t)) firstRateAt = samples.filter((x) => x.output > 0).length;
      }
      const label = `poll ${pollMs} ms, offset ${offset}`;
      const last = samples[samples.length - 1];
      const r = progress(ITEMS, samples, { now: last.at });
      assert.equal(r.done, ITEMS, label);
      assert.equal(r.finished, true, label);
      assert.equal(r.rateFinal, true, label);
      assert.ok(Math.abs(r.rate - truth) / truth < 0.01, `${label}: final ${Math.round(r.rate)}/s, the job did ${Math.round(truth)}/s`);
      assert.equal(statusBarText('sq', r), `$(check) sq 50,000/50,000 100% · ${r.rate >= 1000 ? '16.7k' : ''}/s`, label);
      if (JOB_MS / pollMs >= 2) assert.ok(firstRateAt !== undefined && firstRateAt <= 2, `${label}: first rate at results poll ${firstRateAt}`);
    }
  }
});

test('ETA units are translated', () => {
  assert.equal(formatEta(0), '0s');
  assert.equal(formatEta(51), '51s');
  assert.equal(formatEta(125), '2m 5s');
  assert.equal(formatEta(120), '2m');
  assert.equal(formatEta(7322), '2h 2m');
});

test('zh-cn: the ETA reads in Chinese units, not "剩余 0s"', async () => {
  const { inChinese } = await import('../support/zh');
  inChinese(() => {
    assert.equal(formatEta(51), '51 秒');
    assert.equal(formatEta(125), '2 分 5 秒');
    assert.equal(formatEta(7322), '2 小时 2 分');
    const r = progress(20_000, upTo([...IDLE, ...BURST], 45), { now: T0 + 45_000 });
    assert.match(statusBarText('sq', r), /1\.3k\/s · 剩余 0 秒$/);
  });
});
