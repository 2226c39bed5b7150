// The heartbeat-count rule for dead consumers on remote clusters (src/core/dead-consumers.ts):
// a batch is called dead only when one of the node's heartbeats, sent after the batch was last
// seen changing, counts no more running containers than the node's consumers seen acting
// (taking or committing a batch) after it; never on a guess.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitWatch, deadByContainerCount, HeartbeatWatch, type SeenHeartbeat } from '../../src/core/dead-consumers';
import { StrandedFinder } from '../../src/core/stranded';
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
const list = (nodeId: string, instance: string, length = 100, token = `t-${nodeId}-${instance}`): InFlightList => ({ list: `in:processing:${nodeId}:${instance}`, token, length, nodeId, instance });
/** One heartbeat sent after 2000, first seen by the poll that asked for nodes at 2500. */
const beat = (active: number, after = 2000, seen = after + 500): SeenHeartbeat => ({ after, seen, active });

test('HeartbeatWatch: a heartbeat is placed after the last poll that saw the previous last_seen, never on the first answer; each is kept with its count', () => {
  const w = new HeartbeatWatch();
  w.observe([node('a', 2, 's1')], 1000);
  assert.equal(w.sentAfter('a'), undefined, 'the first answer may carry an old heartbeat');
  assert.deepEqual(w.heartbeats('a'), []);
  w.observe([node('a', 2, 's1')], 2000);
  assert.equal(w.sentAfter('a'), undefined);
  w.observe([node('a', 1, 's2')], 3000);
  assert.equal(w.sentAfter('a'), 2000);
  w.observe([node('a', 1, 's2')], 4000);
  assert.equal(w.sentAfter('a'), 2000, 'the same heartbeat seen again keeps its bound');
  w.observe([node('a', 0, 's3')], 5000);
  assert.deepEqual(w.heartbeats('a'), [{ after: 2000, seen: 3000, active: 1 }, { after: 4000, seen: 5000, active: 0 }]);
  w.observe([node('a', 0, 's4')], 5000 + 16 * 60_000);
  assert.deepEqual(w.heartbeats('a').map((b) => b.seen), [5000 + 16 * 60_000], 'heartbeats older than 15 minutes are dropped');
  w.observe([], 6000 + 16 * 60_000);
  assert.equal(w.sentAfter('a'), undefined, 'a node gone is forgotten');
});

test('a killed container beside a working one: its unchanged batch is dead', () => {
  const dead = list('a', '0');
  const live = list('a', '1');
  const since = new Map([[dead.list, 1000], [live.list, 3500]]);
  const got = deadByContainerCount([dead, live], { nodes: [node('a', 1, 's2')], heartbeats: () => [beat(1)], since: (l) => since.get(l.list)! });
  assert.deepEqual(got.map((l) => l.list), [dead.list]);
});

test('a paused (live) consumer beside a killed one: both unchanged, one container running, so neither is called dead', () => {
  const a = list('a', '0');
  const b = list('a', '1');
  const got = deadByContainerCount([a, b], { nodes: [node('a', 1, 's2')], heartbeats: () => [beat(2, 500), beat(1), beat(1, 3000)], since: () => 1000 });
  assert.deepEqual(got, []);
});

test('a killed consumer whose last batch was first seen by the poll before the heartbeat\'s is not taken for a live one: its paused neighbour is not called dead', () => {
  const paused = list('a', '1');
  const killed = list('a', '0');
  // killed: its batch taken (seen at 2000), then killed before the heartbeat that counts 1
  const since = new Map([[paused.list, 1000], [killed.list, 2000]]);
  const got = deadByContainerCount([paused, killed], { nodes: [node('a', 1, 's2')], heartbeats: () => [beat(1)], since: (l) => since.get(l.list)! });
  assert.deepEqual(got, []);
});

test('an act seen by the poll that brought a heartbeat counts for it only while it is the latest: a consumer that took its last batch and died then does not strand its paused neighbour for good', () => {
  const paused = list('a', '1');
  const killed = list('a', '0');
  // killed: its batch first seen at 2500, by the poll that brought a heartbeat counting 1
  const since = new Map([[paused.list, 1000], [killed.list, 2500]]);
  const facts = { nodes: [node('a', 1, 's2')], since: (l: InFlightList) => since.get(l.list)! };
  assert.deepEqual(deadByContainerCount([paused, killed], { ...facts, heartbeats: () => [beat(1)] }).map((l) => l.list), [paused.list], 'one poll\'s doubt: said at once');
  assert.deepEqual(deadByContainerCount([paused, killed], { ...facts, heartbeats: () => [beat(1), beat(1, 3000)] }), [], 'the next heartbeat takes it back');
});

test('every container of a node dead: all its unchanged batches, none of another node', () => {
  const a0 = list('a', '0');
  const a1 = list('a', '1');
  const b0 = list('b', '0');
  const got = deadByContainerCount([a0, a1, b0], { nodes: [node('a', 0, 's2'), node('b', 1, 's9')], heartbeats: (id) => [beat(id === 'a' ? 0 : 1)], since: () => 1000 });
  assert.deepEqual(got.map((l) => l.list), [a0.list, a1.list]);
});

test('no verdict without a heartbeat seen arriving, for a batch newer than the heartbeat, or with enough containers', () => {
  const a0 = list('a', '0');
  const facts = { nodes: [node('a', 0, 's2')], since: () => 1000 };
  assert.deepEqual(deadByContainerCount([a0], { ...facts, heartbeats: () => [] }), [], 'heartbeat time unknown');
  assert.deepEqual(deadByContainerCount([a0], { ...facts, heartbeats: () => [beat(0, 1000)] }), [], 'the batch was seen first in the poll that saw the heartbeat: it may be newer');
  assert.deepEqual(deadByContainerCount([a0], { nodes: [node('a', 1, 's2')], heartbeats: () => [beat(1)], since: () => 1000 }), [], 'one container runs: it may hold this batch');
  assert.deepEqual(deadByContainerCount([{ ...a0, length: 0 }], { ...facts, heartbeats: () => [beat(0)] }), [], 'an empty list holds nothing');
  assert.deepEqual(deadByContainerCount([a0], { nodes: [], heartbeats: () => [beat(0)], since: () => 1000 }), [], 'a node gone is the nodeGone rule\'s');
});

test('the end of a job: the live consumer committed its last batch and waits with no list; the heartbeat sent before that commit tells that the other batch is dead', () => {
  const dead = list('a', '0');
  const facts = { nodes: [node('a', 1, 's5')], since: () => 1000 };
  // a1 committed (its list left the registry) in the poll that asked for nodes at 3500
  const committed = () => [{ instance: '1', at: 3600 }];
  assert.deepEqual(deadByContainerCount([dead], { ...facts, heartbeats: () => [beat(1)] }), [], 'without the commit: the one container may be a0');
  const beats = [beat(2, 500), beat(1, 3000), beat(1, 4000), beat(1, 5000)];
  assert.deepEqual(deadByContainerCount([dead], { ...facts, heartbeats: () => beats, committed }).map((l) => l.list), [dead.list], 'a heartbeat older than the latest decides');
  assert.deepEqual(deadByContainerCount([dead], { ...facts, heartbeats: () => [beat(1, 4000), beat(1, 5000)], committed }), [], 'only heartbeats sent after the commit: a1 may have died since');
  assert.deepEqual(deadByContainerCount([dead], { ...facts, heartbeats: () => beats, committed: () => [{ instance: '0', at: 3600 }] }), [], 'a commit counts for another consumer only');
});

test('CommitWatch: a list that leaves the registry is its consumer\'s commit, unless it was requeued; one back in it is forgotten', () => {
  const w = new CommitWatch();
  const a0 = list('a', '0');
  const a1 = list('a', '1');
  const b0 = list('b', '0');
  w.observe([a0, a1, b0], 1000, () => false);
  w.observe([a1], 2000, (l) => l.list === b0.list);
  assert.deepEqual(w.of('a'), [{ instance: '0', at: 2000 }]);
  assert.deepEqual(w.of('b'), [], 'requeued: says nothing of its consumer');
  w.observe([{ ...a1, length: 0 }], 3000, () => false);
  assert.deepEqual(w.of('a').map((c) => c.instance).sort(), ['0', '1'], 'an emptied list counts as gone');
  w.observe([{ ...a0, token: 'next' }], 4000, () => false);
  assert.deepEqual(w.of('a'), [{ instance: '1', at: 3000 }], 'a0 holds a batch again: its list speaks for it');
  w.observe([], 4000 + 16 * 60_000, () => false);
  assert.deepEqual(w.of('a').map((c) => c.at), [4000 + 16 * 60_000], 'old commits are dropped');
});

test('StrandedFinder: at the end of a job a neighbour\'s commit strands the dead batch; a requeue through the service is no commit', async () => {
  const never = () => Promise.reject(new Error('not asked'));
  const run = async (leave: 'commit' | 'requeue') => {
    const f = new StrandedFinder();
    const look = (lists: InFlightList[], active: number, seenAs: string, now: number) =>
      f.find({ cluster: 'c', task: 't', input: 'in', lists, local: false, known: { nodes: [node('a', active, seenAs)], nodesAt: now - 100, currentTask: 't' }, now, staleMs: 600_000 }, never, never);
    const a0 = list('a', '0');
    const a1 = list('a', '1');
    await look([a0, a1], 2, 's1', 1000);
    await look([a0, a1], 2, 's1', 2000);
    // a0 killed, a1 paused: one container counted, neither batch changes
    assert.deepEqual(await look([a0, a1], 1, 's2', 3000), []);
    assert.deepEqual(await look([a0, a1], 1, 's3', 4000), []);
    if (leave === 'requeue') f.noteRequeued('c', 'in', [a1]);
    // a1's list leaves the registry; the next heartbeat is sent after that
    return look([a0], 1, 's4', 5000);
  };
  assert.deepEqual((await run('commit')).map((l) => [l.list, l.reason]), [['in:processing:a:0', 'containerCount']]);
  assert.deepEqual(await run('requeue'), [], 'a1 requeued: nothing says which of the two was alive');
});
