import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Poller } from '../../src/ui-model/poller';
import { fakeTimers } from '../support/fake-timers';

test('chains one timer at a time and only while active', async () => {
  const timers = fakeTimers();
  let active = true;
  let runs = 0;
  const p = new Poller({ run: async () => void runs++, intervalMs: () => 1000, isActive: () => active, timers });
  p.wake();
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 1);
  assert.equal(timers.pending.size, 1);
  await timers.fire();
  assert.equal(runs, 2);
  assert.equal(timers.pending.size, 1);
  active = false;
  await timers.fire();
  assert.equal(runs, 2, 'no poll while inactive');
  assert.equal(timers.pending.size, 0, 'chain stops while inactive');
  active = true;
  p.wake();
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 3);
  p.dispose();
  assert.equal(timers.pending.size, 0);
});

test('backs off after errors and recovers', async () => {
  const timers = fakeTimers();
  let fail = true;
  const p = new Poller({
    run: async () => {
      if (fail) throw new Error('down');
    },
    intervalMs: () => 1000,
    isActive: () => true,
    maxBackoffMs: 5000,
    timers,
  });
  await p.pollNow();
  assert.equal([...timers.pending.values()][0].ms, 2000);
  await timers.fire();
  assert.equal([...timers.pending.values()][0].ms, 4000);
  await timers.fire();
  assert.equal([...timers.pending.values()][0].ms, 5000, 'capped');
  fail = false;
  await timers.fire();
  assert.equal([...timers.pending.values()][0].ms, 1000);
  p.dispose();
});

test('pollNow while a poll runs shares it', async () => {
  let release!: () => void;
  let runs = 0;
  const p = new Poller({
    run: () => {
      runs++;
      return new Promise<void>((r) => (release = r));
    },
    intervalMs: () => 1000,
    isActive: () => false,
  });
  const a = p.pollNow();
  const b = p.pollNow();
  release();
  await Promise.all([a, b]);
  assert.equal(runs, 1);
  p.dispose();
});

test('pollAgain during a poll runs one more poll after it, shared by every caller meanwhile', async () => {
  const releases: Array<() => void> = [];
  let runs = 0;
  const p = new Poller({
    run: () => {
      runs++;
      return new Promise<void>((r) => releases.push(r));
    },
    intervalMs: () => 1000,
    isActive: () => false,
  });
  const first = p.pollNow();
  const a = p.pollAgain();
  const b = p.pollAgain();
  assert.equal(runs, 1, 'waits for the running poll');
  releases[0]();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2, 'then one more, not one per caller');
  releases[1]();
  await Promise.all([a, b]);
  assert.equal(runs, 2);
  p.dispose();
});
