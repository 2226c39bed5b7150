// What Stop Local Cluster asks, what the main job says at its end and what a start adds: the
// count is shown as counted, nothing is asked when the queues are empty, and an unknown count
// is said to be unknown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keptAfterStop, keptOnStart, stopConfirmation } from '../../src/local/cluster/kept-data-text';

const DIR = '/home/u/.config/agents/skills/agent-idm-gridcore/state/gridcore-local/redis';

test('items in several queues: the prompt gives both counts and says they are kept', () => {
  const ask = stopConfirmation({ queues: 3, items: 50_000 }, DIR);
  assert.ok(ask);
  assert.equal(ask.message, 'Stop the local cluster? Its 3 queues hold 50,000 items.');
  assert.match(ask.detail, /stay in .*gridcore-local\/redis and are back when the local cluster starts again/);
  assert.match(ask.detail, /Only Clear Queue deletes them/);
});

test('one queue reads as one queue', () => {
  assert.equal(stopConfirmation({ queues: 1, items: 1234 }, DIR)?.message, 'Stop the local cluster? One of its queues holds 1,234 items.');
});

test('empty queues: nothing to ask', () => {
  assert.equal(stopConfirmation({ queues: 0, items: 0 }, DIR), undefined);
});

test('the count could not be read: the prompt asks anyway and shows no number', () => {
  const ask = stopConfirmation(new Error('Redis does not answer at redis://***@127.0.0.1:6379.'), DIR);
  assert.ok(ask);
  assert.match(ask.message, /is not known: Redis does not answer/);
  assert.doesNotMatch(ask.message, /\d+ items/);
});

test('the main job says what stays, and no count when it has none', () => {
  assert.equal(
    keptAfterStop({ queues: 2, items: 20_000 }, DIR),
    `The local cluster keeps 20,000 items in 2 queues in ${DIR}; they are back when it starts again, and only Clear Queue deletes them.`,
  );
  assert.equal(
    keptAfterStop({ queues: 1, items: 2000 }, DIR),
    `The local cluster keeps 2,000 items in one queue in ${DIR}; they are back when it starts again, and only Clear Queue deletes them.`,
  );
  assert.equal(keptAfterStop({ queues: 0, items: 0 }, DIR), "The local cluster's queues are empty; nothing is kept.");
  assert.equal(keptAfterStop(undefined, DIR), `The local cluster keeps its queues in ${DIR}; they are back when it starts again.`);
});

test('a start names what came back, and says nothing when nothing did or the count is unknown', () => {
  assert.equal(keptOnStart({ queues: 2, items: 50_000 }), 'Its queues hold 50,000 items kept from earlier runs.');
  assert.equal(keptOnStart({ queues: 0, items: 0 }), undefined);
  assert.equal(keptOnStart(undefined), undefined);
});
