import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterProfile, HubNode, TaskView } from '../../src/core/types';
import type { ClusterSnapshot } from '../../src/ui-model/cluster-snapshot';
import { ClusterTreeModel, COMPLETED_PAGE, PENDING_PAGE, type TreeElement } from '../../src/ui-model/cluster-tree-model';
import { NODE_PAGE } from '../../src/ui-model/cluster-tree-nodes';
import { shareUnchanged } from '../../src/ui-model/cluster-snapshot';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const profile = (name: string): ClusterProfile => ({ name, computehubUrl: `http://${name}:8080`, redisUrl: `redis://${name}:6379`, source: 'extension' });
const node = (id: string, patch: Partial<HubNode> = {}): HubNode => ({
  id, hostname: `host-${id}`, architecture: 'x86_64', cpu_count: 2, last_seen: '2024-05-01T11:59:50Z', status: 'Online', runtime_status: 'Running', active_containers: 2, ...patch,
});
const ok = { ok: true } as const;
const snap = (p: Partial<ClusterSnapshot>): ClusterSnapshot => ({ at: NOW, hub: ok, token: ok, redis: ok, ...p });
const ids = (changes: TreeElement[] | 'all') => (changes === 'all' ? 'all' : changes.map((e) => e.id).sort());

function setup() {
  const m = new ClusterTreeModel(() => NOW);
  assert.equal(m.setProfiles([profile('a'), profile('b')], 'a'), 'all');
  return m;
}

test('roots per profile, active marked, stable element identity', () => {
  const m = setup();
  const [a, b] = m.roots();
  assert.equal(a.label, 'a');
  assert.match(a.description ?? '', /^active · /);
  assert.match(a.contextValue ?? '', /\bactive\b/);
  assert.match(b.contextValue ?? '', /\binactive\b/);
  m.applySnapshot('a', snap({ nodes: [node('1')], tasks: [] }));
  assert.equal(m.roots()[0], a, 'same object across updates');
});

test('health icon and tooltip explain failures', () => {
  const m = setup();
  m.applySnapshot('a', snap({ token: { ok: false, message: 'Token rejected by hub', code: 'unauthorized' } }));
  const a = m.roots()[0];
  assert.equal(a.icon?.id, 'key');
  assert.match(a.tooltip ?? '', /✗ Token rejected: Token rejected by hub/);
  assert.match(a.tooltip ?? '', /Advice: the token/);
  m.applySnapshot('a', snap({ hub: { ok: false, message: 'refused', code: 'unreachable' }, token: undefined }));
  assert.equal(a.icon?.id, 'vm-outline');
  assert.equal(a.icon?.color, 'errorForeground');
  const nodesGroup = m.get('cluster:a/nodes')!;
  assert.equal(nodesGroup.children?.[0].label, 'Hub not reachable');
});

test('only changed elements are reported; ids carry no live values', () => {
  const m = setup();
  m.applySnapshot('a', snap({ nodes: [node('1'), node('2')], tasks: [] }));
  const n1 = m.get('cluster:a/nodes/1')!;
  const changes = m.applySnapshot('a', snap({ nodes: [node('1', { active_containers: 1 }), node('2')], tasks: [] }));
  assert.deepEqual(ids(changes), ['cluster:a/nodes/1']);
  assert.equal(m.get('cluster:a/nodes/1'), n1);
  assert.equal(n1.description, 'x86_64 · 2 CPUs · Running · 1 container');
  assert.deepEqual(ids(m.applySnapshot('a', snap({ nodes: [node('1', { active_containers: 1 }), node('2')], tasks: [] }))), []);
});

test('a node that disappears is removed and its parent refreshed; stop requested shown until then', () => {
  const m = setup();
  m.applySnapshot('a', snap({ nodes: [node('1'), node('2')], tasks: [] }));
  const changes = m.markStopRequested('a', '2');
  assert.deepEqual(ids(changes), ['cluster:a/nodes/2']);
  const n2 = m.get('cluster:a/nodes/2')!;
  assert.match(n2.description ?? '', /^stop requested/);
  assert.equal(n2.contextValue, 'node stopRequested');
  const gone = m.applySnapshot('a', snap({ nodes: [node('1')], tasks: [] }));
  assert.ok(ids(gone).includes('cluster:a/nodes'));
  assert.equal(m.get('cluster:a/nodes/2'), undefined);
  m.applySnapshot('a', snap({ nodes: [node('1'), node('2')], tasks: [] }));
  assert.doesNotMatch(m.get('cluster:a/nodes/2')!.description ?? '', /stop requested/, 'a node that came back is not marked');
});

test('node status icons use theme colours', () => {
  const m = setup();
  m.applySnapshot('a', snap({ nodes: [node('1', { runtime_status: 'Error' }), node('2', { runtime_status: 'Idle' })], tasks: [] }));
  assert.deepEqual(m.get('cluster:a/nodes/1')!.icon, { id: 'error', color: 'errorForeground' });
  assert.equal(m.get('cluster:a/nodes/2')!.icon?.id, 'vm-outline');
  assert.match(m.get('cluster:a/nodes/1')!.tooltip ?? '', /Node id: 1/);
});

test('tasks: running first and highlighted, completed newest first, handed note, load more', () => {
  const m = setup();
  const completed: TaskView[] = Array.from({ length: COMPLETED_PAGE + 5 }, (_, i) => ({ name: `c${i}`, state: 'completed', index: i }));
  const tasks: TaskView[] = [
    ...completed,
    { name: 'p0', state: 'pending', index: 0 },
    { name: 'run', state: 'running', index: 0, record: { cluster: 'a', name: 'run', image: 'img:1', inputQueue: 'run:input', outputQueue: 'run:output', pushed: 10 } },
  ];
  m.applySnapshot('a', snap({ tasks, queues: { task: 'run', input: { name: 'run:input', length: 3 }, output: { name: 'run:output', length: 7 } } }));
  const kids = m.get('cluster:a/tasks')!.children!;
  assert.equal(kids[0].label, 'run');
  assert.equal(kids[0].icon?.color, 'charts.green');
  assert.match(kids[0].description ?? '', /running · img:1 · run:input → run:output/);
  assert.equal(kids[1].label, 'p0');
  assert.equal(kids[2].label, `c${COMPLETED_PAGE + 4}`, 'newest completed first');
  assert.equal(kids.at(-1)!.kind, 'loadMore');
  assert.equal(kids.filter((k) => k.kind === 'task' && k.task?.state === 'completed').length, COMPLETED_PAGE);
  assert.match(m.get('cluster:a/tasks')!.description ?? '', /1 running · 1 pending · 25 completed/);
  const more = m.loadMoreCompleted('a');
  assert.ok(ids(more).includes('cluster:a/tasks'));
  assert.equal(m.get('cluster:a/tasks')!.children!.filter((k) => k.kind === 'loadMore').length, 0);
  const queues = m.get('cluster:a/queues')!.children!;
  assert.deepEqual(queues.map((q) => [q.label, q.description]), [['run:input', 'input · 3 items'], ['run:output', 'output · 7 items']]);

  m.applySnapshot('a', snap({ tasks: [{ name: 'last', state: 'completed', index: 0, stillHandedToNodes: true }] }));
  const after = m.get('cluster:a/tasks')!.children!;
  assert.equal(after[0].kind, 'note');
  assert.match(after[0].label, /Nodes still run completed task last/);
  assert.equal(m.get('cluster:a/queues')!.children![0].label, 'No running task');
});

test('profile list changes report "all"; removed clusters vanish', () => {
  const m = setup();
  assert.equal(m.setProfiles([profile('a')], 'a'), 'all');
  assert.equal(m.roots().length, 1);
  assert.equal(m.get('cluster:b'), undefined);
  assert.deepEqual(ids(m.setProfiles([profile('a')], undefined)), ['cluster:a']);
});

test('flatten lists what the view shows', () => {
  const m = setup();
  m.applySnapshot('a', snap({ nodes: [node('1')], tasks: [] }));
  const flat = m.flatten();
  assert.ok(flat.some((f) => f.id === 'cluster:a/nodes/1' && f.label === 'host-1' && f.depth === 2));
});

test('forgotten tasks: a note in Tasks that registers them again', () => {
  const m = setup();
  m.applySnapshot('a', snap({ tasks: [], forgotten: [{ cluster: 'a', name: 'sq', image: 'sq:1' }, { cluster: 'a', name: 'm', image: 'm:1' }] }));
  const note = m.get('cluster:a/tasks/forgottenNote')!;
  assert.equal(note.kind, 'note');
  assert.equal(note.contextValue, 'note forgotten');
  assert.match(note.label, /no longer knows 2 tasks/);
  assert.match(note.tooltip ?? '', /sq, m/);
  assert.deepEqual(note.command, { id: 'gridcore.reregisterTasks', title: 'Register Forgotten Tasks Again', args: [{ cluster: 'a' }] });
  assert.match(note.tooltip ?? '', /can be forgotten from the context menu/);
  // Its context menu offers both: register again, and forget those that cannot be.
  const menus = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when?: string; group?: string }>> } }).contributes.menus['view/item/context'];
  const onNote = menus.filter((e) => e.when?.includes(`viewItem == '${note.contextValue}'`));
  assert.deepEqual(onNote.filter((e) => !e.group?.startsWith('inline')).map((e) => e.command), ['gridcore.reregisterTasks', 'gridcore.forgetTasks']);
  m.applySnapshot('a', snap({ tasks: [], forgotten: [] }));
  assert.equal(m.get('cluster:a/tasks/forgottenNote'), undefined);
});

test('tasks but no nodes: the Nodes folder explains that nodes do not re-register after a hub restart', () => {
  const m = setup();
  m.applySnapshot('a', snap({ nodes: [], tasks: [{ name: 'run', state: 'running', index: 0 }] }));
  const item = m.get('cluster:a/nodes')!.children![0];
  assert.equal(item.label, 'No node is listed, yet the hub has tasks');
  assert.match(item.tooltip ?? '', /do not register again after a hub restart/);
  m.applySnapshot('a', snap({ nodes: [], tasks: [] }));
  assert.equal(m.get('cluster:a/nodes')!.children![0].label, 'No node is registered');
});

test('Show Queues: a task with a record gets its queues under it, lengths from the poll; hide removes them', () => {
  const m = setup();
  const done: TaskView = { name: 'old', state: 'completed', index: 0, record: { cluster: 'a', name: 'old', registeredAt: 't1', inputQueue: 'old:in', outputQueue: 'old:out' } };
  const unknown: TaskView = { name: 'alien', state: 'pending', index: 0 };
  m.applySnapshot('a', snap({ tasks: [unknown, done] }));
  const el = m.get('cluster:a/tasks/old~0')!;
  assert.match(el.contextValue ?? '', /^task completed\b.*\bqueuesKnown\b/);
  assert.doesNotMatch(m.get('cluster:a/tasks/alien~0')!.contextValue ?? '', /queues/);
  assert.deepEqual(m.extraQueues('a', [unknown, done]), []);
  assert.deepEqual(m.showTaskQueues('a', unknown, true), [], 'no record, nothing to show');

  const changes = m.showTaskQueues('a', done, true);
  assert.ok(ids(changes).includes('cluster:a/tasks/old~0'));
  assert.deepEqual(m.extraQueues('a', [unknown, done]), ['old:in', 'old:out']);
  assert.equal(el.collapsible, 'expanded');
  assert.match(el.contextValue ?? '', /\bqueuesShown\b/);
  assert.deepEqual(el.children!.map((c) => [c.id, c.label, c.description, c.contextValue]), [
    ['cluster:a/tasks/old~0/input', 'old:in', 'input', 'queue input'],
    ['cluster:a/tasks/old~0/output', 'old:out', 'output', 'queue output'],
  ]);
  m.applySnapshot('a', snap({ tasks: [unknown, done], lengths: { 'old:in': 0, 'old:out': 1234 } }));
  assert.equal(m.get('cluster:a/tasks/old~0/output')!.description, 'output · 1,234 items');

  // The same record keeps its queues shown when its entry moves (another state/index).
  const moved: TaskView = { ...done, index: 1 };
  assert.deepEqual(m.extraQueues('a', [moved]), ['old:in', 'old:out']);
  m.showTaskQueues('a', done, false);
  assert.equal(el.collapsible, 'none');
  assert.equal(el.children, undefined);
  assert.deepEqual(m.extraQueues('a', [done]), []);
});

test('the completed task the hub still hands to nodes: note in Tasks, its queues marked in Queues', () => {
  const m = setup();
  m.applySnapshot('a', snap({
    tasks: [{ name: 'last', state: 'completed', index: 0, stillHandedToNodes: true }],
    queues: { task: 'last', handed: true, input: { name: 'l:in', length: 4 }, output: { name: 'l:out', length: 6 } },
  }));
  assert.match(m.get('cluster:a/tasks/handedNote')!.label, /Nodes still run completed task last/);
  const queues = m.get('cluster:a/queues')!;
  assert.equal(queues.description, 'last (completed, still run by nodes)');
  assert.match(queues.children![0].tooltip ?? '', /still hands it to nodes/);
  assert.doesNotMatch(queues.children!.map((c) => c.label).join(), /No running task/);
});

test('a node known to have stopped shows "Stopped" at once with Start Node, whether or not the hub still lists it', () => {
  const m = setup();
  const task: TaskView = { name: 't', state: 'running', index: 0 };
  m.applySnapshot('a', snap({ nodes: [node('1')], tasks: [task] }));
  m.markStopRequested('a', '1');
  m.markStopped('a', node('1'));
  let n = m.get('cluster:a/nodes/1')!;
  assert.equal(n.contextValue, 'node stopped');
  assert.match(n.description ?? '', /Stopped/);
  assert.doesNotMatch(n.description ?? '', /Running|container/);
  assert.equal(m.get('cluster:a/nodes')!.description, '0', 'no live node counted');
  // the hub still lists it (with its last heartbeat's "Running · 2 containers"): still stopped
  m.applySnapshot('a', snap({ nodes: [node('1')], tasks: [task] }));
  assert.equal(m.get('cluster:a/nodes/1')!.contextValue, 'node stopped');
  // the hub dropped it: still shown stopped, no "No node is listed" dead end
  m.applySnapshot('a', snap({ nodes: [], tasks: [task] }));
  n = m.get('cluster:a/nodes/1')!;
  assert.equal(n.contextValue, 'node stopped');
  assert.equal(m.get('cluster:a/nodes')!.children?.length, 1);
  // started again: the hub's listing describes it
  m.markStarted('a', '1');
  m.applySnapshot('a', snap({ nodes: [node('1')], tasks: [task] }));
  assert.equal(m.get('cluster:a/nodes/1')!.contextValue, 'node');
});

test('"no node" names the causes that fit: stopped on request, a hub restart, or nodes that stopped', () => {
  const m = setup();
  const task: TaskView = { name: 't', state: 'running', index: 0 };
  m.applySnapshot('a', snap({ nodes: [node('1')], tasks: [task] }));
  m.markStopRequested('a', '1');
  m.applySnapshot('a', snap({ nodes: [], tasks: [task] }));
  let msg = m.get('cluster:a/nodes')!.children![0];
  assert.equal(msg.label, 'No node is listed: host-1 stopped on request');
  assert.doesNotMatch(msg.tooltip ?? '', /hub was restarted/);

  const other = setup();
  other.applySnapshot('b', snap({ nodes: [], tasks: [task] }));
  msg = other.get('cluster:b/nodes')!.children![0];
  assert.match(msg.tooltip ?? '', /^Its nodes stopped or lost their connection/, 'unknown cause: both possibilities, the common one first');
  other.applySnapshot('b', snap({ nodes: [], tasks: [task], forgotten: [{ cluster: 'b', name: 'old' }] }));
  // the tasks registered again later: the restart seen still explains the missing nodes
  other.applySnapshot('b', snap({ nodes: [], tasks: [task], forgotten: [] }));
  assert.match(other.get('cluster:b/nodes')!.children![0].tooltip ?? '', /^If the hub was restarted/);
});

test('the Stop Node dialog reads the node the tree shows (one source for the container count)', () => {
  const m = setup();
  m.applySnapshot('a', snap({ nodes: [node('1', { active_containers: 2 })], tasks: [] }));
  assert.equal(m.shownNode('a', '1')?.active_containers, 2);
  assert.match(m.get('cluster:a/nodes/1')!.description ?? '', /2 containers/);
});

test('a task keeps its id from pending to running to completed; names with "/" stay one element', () => {
  const m = setup();
  const id = 'cluster:a/tasks/a%2Fb~1';
  m.applySnapshot('a', snap({ tasks: [{ name: 'x', state: 'running', index: 0 }, { name: 'a/b', state: 'pending', index: 0 }, { name: 'a/b', state: 'pending', index: 1 }] }));
  const el = m.get(id)!;
  assert.equal(el.task?.index, 1, 'the second "a/b" registered');
  m.applySnapshot('a', snap({ tasks: [{ name: 'a/b', state: 'running', index: 0 }, { name: 'a/b', state: 'pending', index: 0 }, { name: 'x', state: 'completed', index: 0 }] }));
  assert.equal(m.get(id)?.task?.state, 'pending', 'the first "a/b" runs, the second still waits under the same id');
  m.applySnapshot('a', snap({ tasks: [{ name: 'a/b', state: 'running', index: 0 }, { name: 'a/b', state: 'completed', index: 1 }, { name: 'x', state: 'completed', index: 0 }] }));
  assert.equal(m.get(id), el, 'the same element throughout');
  assert.equal(el.task?.state, 'running');
});

test('pending tasks page like completed ones', () => {
  const m = setup();
  const pending: TaskView[] = Array.from({ length: PENDING_PAGE * 2 + 3 }, (_, i) => ({ name: `p${i}`, state: 'pending', index: i }));
  m.applySnapshot('a', snap({ tasks: pending }));
  const kids = () => m.get('cluster:a/tasks')!.children!;
  assert.equal(kids().filter((k) => k.kind === 'task').length, PENDING_PAGE);
  const more = kids().find((k) => k.id === 'cluster:a/tasks/loadMorePending')!;
  assert.equal(more.description, `${PENDING_PAGE + 3} more pending`);
  assert.deepEqual(more.command?.args, [{ cluster: 'a', which: 'pending' }]);
  m.loadMore('a', 'pending');
  m.loadMore('a', 'pending');
  assert.equal(kids().filter((k) => k.kind === 'task').length, pending.length);
  assert.equal(kids().some((k) => k.kind === 'loadMore'), false);
});

test('an answer that did not change rebuilds nothing; a change updates only its elements', () => {
  const m = setup();
  const nodes = Array.from({ length: 1000 }, (_, i) => node(String(i), { last_seen: '2024-05-01T11:59:00Z' }));
  const tasks: TaskView[] = Array.from({ length: 10_000 }, (_, i) => ({ name: `t${i}`, state: i === 0 ? 'running' : i < 5000 ? 'pending' : 'completed', index: i }));
  const first = snap({ nodes, tasks });
  m.applySnapshot('a', first);
  const elements = m.flatten().length;
  assert.ok(elements < 1200, `paged: ${elements} elements for 1,000 nodes and 10,000 tasks`);
  // The same answer again, as the monitor hands it: the previous objects where nothing changed.
  const again = shareUnchanged(first, snap({ nodes: nodes.map((n) => ({ ...n })), tasks: tasks.map((t) => ({ ...t })) }));
  assert.equal(again.tasks, first.tasks);
  assert.equal(again.nodes, first.nodes);
  assert.deepEqual(m.applySnapshot('a', again), []);
  const changedNodes = nodes.map((n, i) => (i === 7 ? { ...n, active_containers: 1 } : n));
  const one = shareUnchanged(again, snap({ nodes: changedNodes, tasks: tasks.map((t) => ({ ...t })) }));
  assert.equal(one.tasks, first.tasks, 'the tasks did not change');
  assert.deepEqual(ids(m.applySnapshot('a', one)), ['cluster:a/nodes/Running/7']);
});

test('reliable consumers: in flight and stranded on the running input queue, Requeue offered; unaccounted items named', () => {
  const m = setup();
  const list = (i: number, length: number) => ({ list: `r:in:processing:n1:${i}`, token: `t${i}`, length, nodeId: 'n1', instance: String(i) });
  m.applySnapshot('a', snap({
    tasks: [{ name: 'r', state: 'running', index: 0 }],
    queues: { task: 'r', input: { name: 'r:in', length: 10 }, output: { name: 'r:out', length: 5 } },
    inFlight: { task: 'r', input: 'r:in', lists: [list(0, 1000), list(1, 500)], items: 1500, stranded: [{ ...list(1, 500), reason: 'containerGone' }], strandedItems: 500 },
  }));
  const input = m.get('cluster:a/queues')!.children![0];
  assert.equal(input.description, 'input · 10 items · 1,500 in flight · 500 stranded');
  assert.match(input.contextValue ?? '', /^queue input\b.*\bstranded\b/);
  assert.match(input.tooltip ?? '', /Stranded: 500 items in 1 lists/);

  m.applySnapshot('a', snap({
    tasks: [{ name: 'r', state: 'running', index: 0 }],
    queues: { task: 'r', input: { name: 'r:in', length: 0 }, output: { name: 'r:out', length: 9860 } },
    inFlight: { task: 'r', input: 'r:in', lists: [], items: 0, stranded: [], strandedItems: 0 },
    unaccounted: { task: 'r', items: 140 },
  }));
  const children = m.get('cluster:a/queues')!.children!;
  assert.doesNotMatch(children[0].contextValue ?? '', /stranded/);
  assert.equal(children[0].description, 'input · 0 items');
  const note = children.find((c) => c.id.endsWith('/unaccounted'))!;
  assert.equal(note.label, '140 items unaccounted for');
  assert.match(note.tooltip ?? '', /Reliable consumers/);
});

test('nodes sort naturally: host-2 before host-10', () => {
  const m = setup();
  m.applySnapshot('a', snap({ nodes: ['10', '2', '1', '100', '20'].map((k) => node(k)), tasks: [] }));
  assert.deepEqual(m.get('cluster:a/nodes')!.children!.map((c) => c.label), ['host-1', 'host-2', 'host-10', 'host-20', 'host-100']);
});

test('heartbeats only: no element changes, and the tooltip, made when shown, has the heartbeat as of the last poll', () => {
  const m = setup();
  const nodes = (seen: string) => Array.from({ length: 1000 }, (_, i) => node(String(i), { last_seen: seen }));
  m.applySnapshot('a', snap({ nodes: nodes('2024-05-01T11:59:50Z'), tasks: [] }));
  const row = m.get('cluster:a/nodes/Running/7')!;
  assert.equal(row.description, 'x86_64 · 2 CPUs · Running · 2 containers', 'no age in the row');
  assert.doesNotMatch(row.tooltip ?? '', /heartbeat/i, 'nor in its fixed tooltip');
  // Every node heartbeats; the next poll is 5 s later: nothing to redraw.
  const later = NOW + 5000;
  assert.deepEqual(m.applySnapshot('a', { ...snap({ nodes: nodes('2024-05-01T11:59:54Z'), tasks: [] }), at: later }), []);
  assert.deepEqual(m.applySnapshot('a', { ...snap({ nodes: nodes('2024-05-01T11:59:59Z'), tasks: [] }), at: later + 5000 }), []);
  const tip = m.nodeTooltip(row)!;
  assert.match(tip, /^Node id: 7\n/);
  assert.match(tip, /Last heartbeat: 11s ago \(.*\), as of /, 'the last poll\'s heartbeat, with the poll\'s time');
  // A change of what the row shows still reaches it.
  const changed = nodes('2024-05-01T12:00:00Z').map((n) => (n.id === '7' ? { ...n, active_containers: 3 } : n));
  assert.deepEqual(ids(m.applySnapshot('a', snap({ nodes: changed, tasks: [] }))), ['cluster:a/nodes/Running/7']);
});

test('a large node list is split by status with counts, each paged with Load more', () => {
  const m = setup();
  const nodes = Array.from({ length: 1000 }, (_, i) => node(String(i), { hostname: `host-${i}`, runtime_status: i % 100 === 0 ? 'Error' : i % 10 === 0 ? 'Idle' : 'Running' }));
  m.applySnapshot('a', snap({ nodes, tasks: [] }));
  const group = m.get('cluster:a/nodes')!;
  assert.equal(group.description, '1,000');
  assert.deepEqual(group.children!.map((c) => [c.label, c.description, c.kind]), [
    ['Error', '10', 'nodeStatus'],
    ['Running', '900', 'nodeStatus'],
    ['Idle', '90', 'nodeStatus'],
  ]);
  const running = m.get('cluster:a/nodes/Running')!;
  assert.equal(running.children!.length, NODE_PAGE + 1);
  assert.deepEqual(running.children!.slice(0, 3).map((c) => c.label), ['host-1', 'host-2', 'host-3'], 'natural order within a status');
  const more = running.children!.at(-1)!;
  assert.equal(more.kind, 'loadMore');
  assert.equal(more.description, '850 more');
  assert.deepEqual(more.command?.args, [{ cluster: 'a', which: 'nodes:Running' }]);
  assert.equal(m.get('cluster:a/nodes/Error')!.children!.length, 10, 'a short status has no Load more');
  const changes = m.loadMore('a', 'nodes:Running');
  assert.ok(ids(changes).includes('cluster:a/nodes/Running'));
  assert.equal(m.get('cluster:a/nodes/Running')!.children!.length, 2 * NODE_PAGE + 1);
  assert.equal(m.get('cluster:a/nodes/Running/loadMore')!.description, '800 more');
  // A node that changes status moves to its new status, and both counts follow.
  const moved = nodes.map((n) => (n.id === '1' ? { ...n, runtime_status: 'Error' as const } : n));
  m.applySnapshot('a', snap({ nodes: moved, tasks: [] }));
  assert.equal(m.get('cluster:a/nodes/Error')!.description, '11');
  assert.equal(m.get('cluster:a/nodes/Running')!.description, '899');
  assert.ok(m.get('cluster:a/nodes/Error/1'));
  assert.equal(m.get('cluster:a/nodes/Running/1'), undefined);
  // Few nodes: no status level.
  m.applySnapshot('a', snap({ nodes: nodes.slice(0, 3), tasks: [] }));
  assert.deepEqual(m.get('cluster:a/nodes')!.children!.map((c) => c.id), ['cluster:a/nodes/0', 'cluster:a/nodes/1', 'cluster:a/nodes/2']);
});

test('counts have thousands separators', () => {
  const m = setup();
  const tasks: TaskView[] = [
    { name: 'run', state: 'running', index: 0 },
    ...Array.from({ length: 9999 }, (_, i): TaskView => ({ name: `p${i}`, state: 'pending', index: i })),
    ...Array.from({ length: 1234 }, (_, i): TaskView => ({ name: `c${i}`, state: 'completed', index: i })),
  ];
  m.applySnapshot('a', snap({ tasks }));
  assert.equal(m.get('cluster:a/tasks')!.description, '1 running · 9,999 pending · 1,234 completed');
  assert.equal(m.get('cluster:a/tasks/loadMorePending')!.description, '9,979 more pending');
  assert.equal(m.get('cluster:a/tasks/loadMore')!.description, '1,214 more completed');
});
