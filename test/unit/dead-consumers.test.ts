// The heartbeat-count rule for dead consumers on remote clusters (src/core/dead-consumers.ts):
// a batch is called dead only when the node's heartbeat, sent after the batch was last seen
// changing, counts no more running containers than batches that changed since; never on a guess.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadByContainerCount, HeartbeatWatch } from '../../src/core/dead-consumers';
import type { HubNode, InFlightList } from '../../src/core/types';

const node = (id: string, active: number, lastSeen: string): HubNode => ({
  id,
  hostname: id,
  architecture: 'x86_64',
  cpu_count: 2,
  last_seen: lastSeen,
  status: 'Online',
  runtime_status: active ? 'Running' : 'Error',
  active_containers: active,
});
const list = (nodeId: string, instance: string, length = 100): InFlightList => ({ list: `in:processing:${nodeId}:${instance}`, token: `t-${nodeId}-${instance}`, length, nodeId, instance });

test('HeartbeatWatch: a heartbeat is placed after the last poll that saw the previous last_seen, never on the first answer', () => {
  const w = new HeartbeatWatch();
  w.observe([node('a', 2, 's1')], 1000);
  assert.equal(w.sentAfter('a'), undefined, 'the first answer may carry an old heartbeat');
  w.observe([node('a', 2, 's1')], 2000);
  assert.equal(w.sentAfter('a'), undefined);
  w.observe([node('a', 1, 's2')], 3000);
  assert.equal(w.sentAfter('a'), 2000);
  w.observe([node('a', 1, 's2')], 4000);
  assert.equal(w.sentAfter('a'), 2000, 'the same heartbeat seen again keeps its bound');
  w.observe([], 5000);
  assert.equal(w.sentAfter('a'), undefined, 'a node gone is forgotten');
});

test('a killed container beside a working one: its unchanged batch is dead', () => {
  const dead = list('a', '0');
  const live = list('a', '1');
  const since = new Map([[dead.list, 1000], [live.list, 3500]]);
  const got = deadByContainerCount([dead, live], { nodes: [node('a', 1, 's2')], heartbeatAfter: () => 2000, since: (l) => since.get(l.list)! });
  assert.deepEqual(got.map((l) => l.list), [dead.list]);
});

test('a paused (live) consumer beside a killed one: both unchanged, one container running, so neither is called dead', () => {
  const a = list('a', '0');
  const b = list('a', '1');
  const got = deadByContainerCount([a, b], { nodes: [node('a', 1, 's2')], heartbeatAfter: () => 2000, since: () => 1000 });
  assert.deepEqual(got, []);
});

test('every container of a node dead: all its unchanged batches, none of another node', () => {
  const a0 = list('a', '0');
  const a1 = list('a', '1');
  const b0 = list('b', '0');
  const got = deadByContainerCount([a0, a1, b0], { nodes: [node('a', 0, 's2'), node('b', 1, 's9')], heartbeatAfter: () => 2000, since: () => 1000 });
  assert.deepEqual(got.map((l) => l.list), [a0.list, a1.list]);
});

test('no verdict without a heartbeat seen arriving, for a batch newer than the heartbeat, or with enough containers', () => {
  const a0 = list('a', '0');
  const facts = { nodes: [node('a', 0, 's2')], since: () => 1000 };
  assert.deepEqual(deadByContainerCount([a0], { ...facts, heartbeatAfter: () => undefined }), [], 'heartbeat time unknown');
  assert.deepEqual(deadByContainerCount([a0], { ...facts, heartbeatAfter: () => 1000 }), [], 'the batch was seen first in the poll that saw the heartbeat: it may be newer');
  assert.deepEqual(deadByContainerCount([a0], { nodes: [node('a', 1, 's2')], heartbeatAfter: () => 2000, since: () => 1000 }), [], 'one container runs: it may hold this batch');
  assert.deepEqual(deadByContainerCount([{ ...a0, length: 0 }], { ...facts, heartbeatAfter: () => 2000 }), [], 'an empty list holds nothing');
  assert.deepEqual(deadByContainerCount([a0], { nodes: [], heartbeatAfter: () => 2000, since: () => 1000 }), [], 'a node gone is the nodeGone rule\'s');
});
