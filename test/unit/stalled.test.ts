// The stalled-task rule (src/ui-model/stalled.ts), Restart Task on Nodes' question and the
// name it registers under: pure logic, no hub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartName } from '../../src/core/service';
import { restartQuestion } from '../../src/ui-model/restart-flow';
import { observeStall, stalledText, type StallState } from '../../src/ui-model/stalled';

const GRACE = 15_000;

test('stalled only after the grace with items waiting and no container running; anything moving resets it', () => {
  const none = { running: 0, nodes: 2 };
  let state: StallState | undefined;
  let v = observeStall(state, { task: 't', now: 1000, waiting: 500, moving: false, containers: none }, GRACE);
  assert.equal(v.stalled, undefined, 'not before the grace');
  state = v.state;
  v = observeStall(state, { task: 't', now: 10_000, waiting: 500, moving: false, containers: none }, GRACE);
  assert.equal(v.stalled, undefined);
  state = v.state;
  v = observeStall(state, { task: 't', now: 16_000, waiting: 500, moving: false, containers: none }, GRACE);
  assert.deepEqual(v.stalled, { task: 't', since: 1000, items: 500, reason: 'noContainers' });
  state = v.state;
  assert.deepEqual(observeStall(state, { task: 't', now: 17_000, waiting: 500, moving: true }, GRACE), {}, 'results grew: reset');
  assert.deepEqual(observeStall(state, { task: 't', now: 17_000, waiting: 0, moving: false, containers: none }, GRACE), {}, 'nothing waits');
  assert.deepEqual(observeStall(state, { task: 't', now: 17_000, waiting: 5, moving: false, containers: { running: 1, nodes: 2 } }, GRACE), {}, 'a container runs');
});

test('an unanswered container count keeps the clock but shows nothing new; another task starts afresh; no node at all is said so', () => {
  const state: StallState = { task: 't', since: 1000 };
  assert.deepEqual(observeStall(state, { task: 't', now: 20_000, waiting: 5, moving: false }, GRACE), { state });
  const other = observeStall(state, { task: 'u', now: 20_000, waiting: 5, moving: false, containers: { running: 0, nodes: 0 } }, GRACE);
  assert.deepEqual(other, { state: { task: 'u', since: 20_000 } });
  const later = observeStall(other.state, { task: 'u', now: 40_000, waiting: 5, moving: false, containers: { running: 0, nodes: 0 } }, GRACE);
  assert.equal(later.stalled?.reason, 'noNodes');
  assert.match(stalledText(later.stalled!), /no node is connected/);
  assert.match(stalledText({ task: 'x', since: 0, items: 10_000, reason: 'noContainers' }), /10,000 items wait.*only when the task changes.*Restart Task on Nodes/);
});

test('restart names: ~r2, then the next free number, an earlier suffix replaced', () => {
  assert.equal(restartName('sq', ['sq']), 'sq~r2');
  assert.equal(restartName('sq~r2', ['sq', 'sq~r2']), 'sq~r3');
  assert.equal(restartName('sq', ['sq', 'sq~r2', 'sq~r3']), 'sq~r4');
});

test('the question says what happens to pending tasks, and agreeing to run them first is its own button', () => {
  const alone = restartQuestion({ cluster: 'c', task: 'sq', newName: 'sq~r2', pendingFirst: [] }, 1234);
  assert.equal(alone.pendingFirst, false);
  assert.match(alone.detail, /1,234 items wait/);
  assert.match(alone.detail, /order of tasks is unchanged/);
  const behind = restartQuestion({ cluster: 'c', task: 'sq', newName: 'sq~r2', pendingFirst: ['a', 'b'] });
  assert.equal(behind.pendingFirst, true);
  assert.match(behind.message, /starts 2 pending tasks first/);
  assert.match(behind.detail, /starts the first pending task \(a\), and sq~r2 waits behind every pending task: a, b/);
  assert.notEqual(behind.confirm, alone.confirm);
});
