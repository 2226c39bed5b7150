// The rate on series recorded from the real local cluster (test/fixtures/rate/record.ts:
// shell-square on one node, 20,000 numbers, lengths once a second), read as the status bar
// would at every poll: at 1 s, and at its default 5 s (every fifth sample).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { etaOf, rateOf, type RateSample } from '../../src/core/rate';

const load = (name: string): RateSample[] => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'rate', `${name}.json`), 'utf8')).samples;
const every = (s: RateSample[], n: number) => s.filter((_, i) => i % n === 0 || i === s.length - 1);

/** What the containers did while they worked: growth over the intervals with results. */
function activeThroughput(s: RateSample[]): number {
  let items = 0;
  let ms = 0;
  for (let i = 1; i < s.length; i++) {
    const grew = s[i].output - s[i - 1].output;
    if (grew > 0) {
      items += grew;
      ms += s[i].at - s[i - 1].at;
    }
  }
  return (items * 1000) / ms;
}

/** The old figure: everything since the task's first poll. */
const sinceStart = (s: RateSample[]) => ((s[s.length - 1].output - s[0].output) * 1000) / (s[s.length - 1].at - s[0].at);

for (const [name, step] of [['push-20000', 1], ['push-20000', 5], ['idle-stall-20000', 1], ['idle-stall-20000', 5]] as const) {
  test(`${name} read every ${step} s: nothing before results, then what the containers do; never after the job as a falling figure`, () => {
    const all = load(name);
    const polls = every(all, step);
    const truth = activeThroughput(all);
    const doneAt = polls.findIndex((x) => x.output >= 20_000);
    let shown = 0;
    for (let i = 0; i < polls.length; i++) {
      const seen = polls.slice(0, i + 1);
      const r = rateOf(seen, polls[i].at);
      if (polls[i].output === 0) assert.equal(r, undefined, `a rate before any result, at ${polls[i].at} ms`);
      if (!r || r.final) continue;
      shown++;
      // the old since-start average was a fifth of the truth in the reported run; the window is near it
      assert.ok(r.perSecond >= 0.5 * truth && r.perSecond <= 2 * truth, `${Math.round(r.perSecond)}/s at ${polls[i].at} ms, containers did ${Math.round(truth)}/s`);
      assert.ok(r.perSecond >= sinceStart(seen) * 0.99, 'below the since-start average');
    }
    assert.ok(shown >= 1 || step === 5, 'no rate shown while results flowed');
    // after the last result: final, the same at every later read and much later
    const final = rateOf(polls.slice(0, doneAt + 1 + (polls.length > doneAt + 1 ? 1 : 0)), polls[polls.length - 1].at);
    assert.equal(final?.final, true);
    assert.deepEqual(rateOf(polls, polls[polls.length - 1].at + 3_600_000), final);
    assert.equal(etaOf(0, final), 0);
  });
}

test('idle-stall-20000: while the containers are paused, no rate and no ETA (from the second quiet poll)', () => {
  const all = load('idle-stall-20000');
  const firstQuiet = all.findIndex((x, i) => i > 0 && x.output > 0 && x.output === all[i - 1].output && x.input > 0);
  const resumed = all.findIndex((x, i) => i > firstQuiet && x.output > all[i - 1].output);
  assert.ok(firstQuiet > 0 && resumed > firstQuiet + 2, 'the recording has a stall');
  for (let i = firstQuiet + 1; i < resumed; i++) {
    const seen = all.slice(0, i + 1);
    assert.equal(rateOf(seen, all[i].at), undefined, `a rate during the stall at ${all[i].at} ms`);
    assert.equal(etaOf(seen[i].input, rateOf(seen, all[i].at)), undefined);
  }
  // the reported bug: the since-start average kept a falsely low but confident figure
  assert.ok(sinceStart(all.slice(0, resumed)) < activeThroughput(all) / 3);
});
