// What the dashboard shows from one snapshot: figures only from that snapshot, a reason
// instead of stale numbers, masked Redis URLs, optional counts only when present, actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubNode, TaskView } from '../../src/core/types';
import { dashboardModel, nodeRows, queuesOf, sampleOf, type DashboardSnapshot } from '../../src/views/dashboard/model';
import { planDashboardRestore } from '../../src/views/dashboard/restore';
import { saveSeries, type TaskSample } from '../../src/ui-model/task-series';

const T0 = 1_800_000_000_000;
const record = { cluster: 'c', name: 'sq', image: 'sq:1', inputQueue: 'sq:in', outputQueue: 'sq:out', inputRedis: 'redis://:s3cret@h:6379', outputRedis: 'redis://:s3cret@h:6379/1', pushed: 1000 };
const running: TaskView = { name: 'sq', state: 'running', index: 0, record };
const node = (id: string, hostname: string, status: HubNode['runtime_status']): HubNode => ({ id, hostname, architecture: 'x86_64', cpu_count: 8, last_seen: new Date(T0 - 12_000).toISOString(), status: 'Online', runtime_status: status, active_containers: 2 });
const ok = { ok: true } as const;

function snap(over: Partial<DashboardSnapshot> = {}): DashboardSnapshot {
  return { at: T0, hub: ok, token: ok, redis: ok, tasks: [running], nodes: [node('b', 'beta', 'Idle'), node('a', 'alpha', 'Running')], lengths: { 'sq:in': 600, 'sq:out': 300 }, ...over };
}
const history = (rows: Array<[number, number, number]>): TaskSample[] => rows.map(([s, input, output]) => ({ at: T0 + s * 1000, input, output }));

test('progress from the snapshot: done, input, in flight from the pushed total, rate and ETA', () => {
  const m = dashboardModel({ snap: snap(), task: 'sq', history: history([[-10, 800, 100], [-5, 700, 200], [0, 600, 300]]), canRequeue: false });
  assert.equal(m.running, true);
  assert.equal(m.state, 'running');
  assert.deepEqual(
    { ...m.progress, rate: undefined, eta: undefined },
    { done: 300, input: 600, inFlight: 100, total: 1000, totalFromPushed: true, percent: 30, finished: false, rate: undefined, eta: undefined },
  );
  assert.equal(m.progress!.rate, '20 items/s');
  assert.equal(m.progress!.eta, '35s');
  assert.equal(m.problem, undefined);
  assert.deepEqual(m.actions, ['results', 'finish', 'details']);
});

test('the record is shown with its Redis passwords masked', () => {
  const m = dashboardModel({ snap: snap(), task: 'sq', history: [], canRequeue: false });
  assert.equal(m.record!.inputRedis, 'redis://:****@h:6379');
  assert.equal(m.record!.outputRedis, 'redis://:****@h:6379/1');
  assert.doesNotMatch(JSON.stringify(m), /s3cret/);
});

test('one sample only: no rate and no ETA rather than a guess', () => {
  const m = dashboardModel({ snap: snap(), task: 'sq', history: history([[0, 600, 300]]), canRequeue: false });
  assert.equal(m.progress!.rate, undefined);
  assert.equal(m.progress!.eta, undefined);
});

test('Redis unreachable: no figures, the reason instead (never the last ones)', () => {
  const m = dashboardModel({ snap: snap({ redis: { ok: false, message: 'connect ECONNREFUSED' }, lengths: undefined }), task: 'sq', history: history([[-5, 700, 200]]), canRequeue: false });
  assert.equal(m.progress, undefined);
  assert.equal(m.problem, 'No figures: connect ECONNREFUSED');
  assert.equal(sampleOf(snap({ redis: { ok: false, message: 'x' } }), 'sq'), undefined);
});

test('stranded and unaccounted only when the snapshot counts them; stranded offers requeue when the command exists', () => {
  const acc = snap({ inFlight: { task: 'sq', items: 40, strandedItems: 10 } });
  const m = dashboardModel({ snap: acc, task: 'sq', history: [], canRequeue: true });
  assert.equal(m.progress!.inFlight, 40);
  assert.equal(m.progress!.stranded, 10);
  assert.equal(m.progress!.unaccounted, undefined);
  assert.ok(m.actions.includes('requeue'));
  assert.ok(!dashboardModel({ snap: acc, task: 'sq', history: [], canRequeue: false }).actions.includes('requeue'));
  const reliable = dashboardModel({ snap: snap({ inFlight: { task: 'sq', items: 30, strandedItems: 5 } }), task: 'sq', history: [], canRequeue: true });
  assert.deepEqual([reliable.progress!.inFlight, reliable.progress!.stranded], [30, 5]);
  assert.ok(reliable.actions.includes('requeue'));
  const lost = dashboardModel({ snap: snap({ lengths: { 'sq:in': 0, 'sq:out': 990 }, unaccounted: { task: 'sq', items: 10 } }), task: 'sq', history: [], canRequeue: true });
  assert.equal(lost.progress!.unaccounted, 10);
  assert.equal(lost.progress!.inFlight, undefined, 'not counted twice as in flight');
  assert.ok(!lost.actions.includes('requeue'));
});

test('finished: no rate or ETA; a completed task offers no finish', () => {
  const done = snap({ tasks: [{ ...running, state: 'completed', stillHandedToNodes: true }], lengths: { 'sq:in': 0, 'sq:out': 1000 } });
  const m = dashboardModel({ snap: done, task: 'sq', history: history([[-5, 100, 900], [0, 0, 1000]]), canRequeue: false });
  assert.equal(m.progress!.finished, true);
  assert.equal(m.progress!.rate, undefined);
  assert.equal(m.running, false);
  assert.deepEqual(m.actions, ['results', 'details']);
});

test('a task without a record: queues from what the snapshot learned for the handed task, else the reason', () => {
  const bare: TaskView = { name: 'x', state: 'running', index: 0 };
  const learned = snap({ tasks: [bare], queues: { task: 'x', input: { name: 'x:in' }, output: { name: 'x:out' } }, lengths: { 'x:in': 5, 'x:out': 7 } });
  assert.deepEqual(queuesOf(learned, 'x'), { input: 'x:in', output: 'x:out' });
  const m = dashboardModel({ snap: learned, task: 'x', history: [], canRequeue: false });
  assert.equal(m.progress!.total, 12);
  assert.equal(m.progress!.totalFromPushed, false);
  assert.equal(m.record, undefined);
  const unknown = dashboardModel({ snap: snap({ tasks: [bare], lengths: {} }), task: 'x', history: [], canRequeue: false });
  assert.match(unknown.problem!, /not known/);
  assert.deepEqual(unknown.actions, ['finish', 'details']);
});

test('node rows sorted by hostname, with status as the tree says it and the heartbeat as a time for the tooltip', () => {
  const rows = nodeRows(snap().nodes!);
  assert.deepEqual(rows.map((r) => [r.hostname, r.runtimeKind, r.runtime, r.cpus, r.containers, r.lastSeenAt]), [
    ['alpha', 'running', 'Running', 8, 2, T0 - 12_000],
    ['beta', 'idle', 'Idle', 8, 2, T0 - 12_000],
  ]);
});

test('node rows in natural order: host-2 before host-10', () => {
  const n = (hostname: string, id: string) => ({ ...snap().nodes![0], hostname, id });
  const rows = nodeRows([n('host-10', 'a'), n('host-2', 'b'), n('host-1', 'c'), n('host-2', 'a')]);
  assert.deepEqual(rows.map((r) => `${r.hostname}/${r.id}`), ['host-1/c', 'host-2/a', 'host-2/b', 'host-10/a']);
});

test('restore: the task and its saved history, or a message when the state or the cluster is gone', () => {
  const series = saveSeries(history([[0, 1, 2]]));
  const plan = planDashboardRestore({ cluster: 'c', task: 'sq', rangeMinutes: 60, series }, ['c']);
  assert.equal(plan.kind, 'open');
  if (plan.kind === 'open') {
    assert.deepEqual(plan.target, { cluster: 'c', task: 'sq' });
    assert.equal(plan.samples.length, 1);
  }
  assert.equal(planDashboardRestore({ cluster: 'gone', task: 'sq', series }, ['c']).kind, 'message');
  assert.equal(planDashboardRestore(undefined, ['c']).kind, 'message');
});

test('the hub down (an extension host restart found it gone): "cluster unreachable", no state, nodes or ETA of before', () => {
  // what the monitor's snapshot holds when the hub does not answer: no tasks, no nodes
  const down = snap({ hub: { ok: false, message: 'The ComputeHub at http://127.0.0.1:1 is not started (connection refused).' }, tasks: undefined, nodes: undefined });
  const m = dashboardModel({ snap: down, task: 'sq', history: history([[-10, 800, 100], [-5, 700, 200]]), canRequeue: true });
  assert.equal(m.state, 'cluster unreachable');
  assert.equal(m.running, false);
  assert.equal(m.progress, undefined);
  assert.equal(m.nodes, undefined);
  assert.match(m.problem!, /^The cluster is unreachable: The ComputeHub .* not started .* reconnects by itself when the hub answers again\.$/);
  assert.ok(!m.actions.includes('finish'));
  // and back: the next snapshot with the hub answering is the running task again
  const back = dashboardModel({ snap: snap(), task: 'sq', history: history([[-10, 800, 100], [-5, 700, 200], [0, 600, 300]]), canRequeue: false });
  assert.equal(back.running, true);
  assert.equal(back.problem, undefined);
});

test('a stalled running task: the monitor\'s fact as the notice, and Restart Task on Nodes among the actions', () => {
  const m = dashboardModel({ snap: snap({ stalled: { task: 'sq', since: T0 - 20_000, items: 600, reason: 'noContainers' } }), task: 'sq', history: history([[0, 600, 300]]), canRequeue: false });
  assert.match(m.problem ?? '', /Task sq is stalled: 600 items wait and no container of it runs on any node/);
  assert.ok(m.actions.includes('restart'));
  const other = dashboardModel({ snap: snap({ stalled: { task: 'other', since: T0, items: 1, reason: 'noContainers' } }), task: 'sq', history: [], canRequeue: false });
  assert.ok(!other.actions.includes('restart'), 'another task\'s stall is not this one\'s');
});
