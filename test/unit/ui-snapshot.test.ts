import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError, RedisError } from '../../src/core/errors';
import type { GridCoreService, HubClient, QueueService } from '../../src/core/service-api';
import type { TaskRecord, TaskView } from '../../src/core/types';
import { fetchClusterSnapshot } from '../../src/ui-model/cluster-snapshot';
import { diagnosisMarkdown } from '../../src/ui-model/diagnosis-report';
import { ProgressTracker } from '../../src/ui-model/progress-tracker';
import { taskDetailsMarkdown } from '../../src/ui-model/task-details';

function fakeService(opts: { health?: Error; tasks?: TaskView[] | Error; ping?: Error; config?: { task_name: string; input_queue: string; output_queue: string }; records?: TaskRecord[] }) {
  const calls: string[] = [];
  const hub = {
    health: async () => {
      calls.push('health');
      if (opts.health) throw opts.health;
    },
    listNodes: async () => {
      calls.push('nodes');
      return [];
    },
    currentTaskConfig: async () => {
      calls.push('config');
      return opts.config ? { image: 'i', redis_url: null, input_redis: null, output_redis: null, ...opts.config } : null;
    },
  } as unknown as HubClient;
  const queues = {
    probe: async (names: string[]) => {
      calls.push(`probe:${names.join(',')}`);
      if (opts.ping) throw opts.ping;
      return { lengths: Object.fromEntries(names.map((n, i) => [n, i + 5])) };
    },
  } as unknown as QueueService;
  const service = {
    hub: async () => hub,
    queues: async () => queues,
    listTasks: async () => {
      calls.push('tasks');
      // A hub that is down fails the list too.
      if (opts.health) throw opts.health;
      if (opts.tasks instanceof Error) throw opts.tasks;
      return opts.tasks ?? [];
    },
    tasks: { list: () => opts.records ?? [] },
  } as unknown as GridCoreService;
  return { service, calls };
}

test('a rejected token is told apart from a dead hub; /health is asked only when the list failed', async () => {
  const { service, calls } = fakeService({ tasks: new HubError('unauthorized', 'token rejected', 401) });
  const s = await fetchClusterSnapshot(service, 'c', { current: true });
  assert.deepEqual(s.hub, { ok: true });
  assert.equal(s.token?.ok, false);
  assert.ok(!calls.includes('health'), 'a 401 says the hub answers');
  const down = fakeService({ health: new HubError('unreachable', 'refused') });
  const dead = await fetchClusterSnapshot(down.service, 'c', { current: true });
  assert.equal(dead.hub?.ok, false);
  assert.equal(dead.token, undefined);
  assert.deepEqual(down.calls.filter((c) => c !== 'probe:'), ['tasks', 'health']);
  const healthy = fakeService({ tasks: [] });
  await fetchClusterSnapshot(healthy.service, 'c', { nodes: true, current: true });
  assert.deepEqual(healthy.calls.sort(), ['nodes', 'probe:', 'tasks'], 'no /health when the list answered; a PING for Redis health');
});

test('queue names come from the hub when there is no record, asked once per current task; lengths in one call', async () => {
  const { service, calls } = fakeService({ tasks: [{ name: 't', state: 'running', index: 0 }], config: { task_name: 't', input_queue: 'in', output_queue: 'out' } });
  const handed = {};
  const s = await fetchClusterSnapshot(service, 'c', { current: true, handed });
  assert.deepEqual(s.queues, { task: 't', input: { name: 'in', length: 5 }, output: { name: 'out', length: 6 } });
  assert.deepEqual(calls, ['tasks', 'config', 'probe:in,out']);
  calls.length = 0;
  await fetchClusterSnapshot(service, 'c', { current: true, handed });
  assert.deepEqual(calls, ['tasks', 'probe:in,out'], 'the node route is not asked again for the same task');
});

test('Redis failure keeps the hub part', async () => {
  const { service } = fakeService({ tasks: [], ping: new RedisError('noauth', 'NOAUTH') });
  const s = await fetchClusterSnapshot(service, 'c', {});
  assert.deepEqual(s.redis, { ok: false, message: 'NOAUTH', code: 'noauth' });
  assert.deepEqual(s.token, { ok: true });
});

test('drain is reported once per task, when input is empty and output stopped growing', () => {
  const t = new ProgressTracker();
  const samples = [{ at: 1, input: 5, output: 0 }];
  assert.equal(t.drainedJustNow('t', samples), false);
  samples.push({ at: 2, input: 0, output: 5 });
  assert.equal(t.drainedJustNow('t', samples), false);
  samples.push({ at: 3, input: 0, output: 5 });
  assert.equal(t.drainedJustNow('t', samples), true);
  samples.push({ at: 4, input: 0, output: 5 });
  assert.equal(t.drainedJustNow('t', samples), false, 'once per task');
  assert.equal(t.drainedJustNow('other', samples), true, 'another task is asked about on its own');
  t.retain(new Set(['other']));
  assert.equal(t.drainedJustNow('t', samples), true, 'a task no longer listed is forgotten');
});

test('diagnosis report maps codes to the troubleshooting table', () => {
  const md = diagnosisMarkdown('c', [
    { id: 'hubHealth', ok: true, detail: 'hub ok' },
    { id: 'token', ok: false, detail: '401', code: 'unauthorized' },
    { id: 'redisAuth', ok: false, detail: 'NOAUTH', code: 'noauth' },
  ], new Date(0));
  assert.match(md, /2 of 3 checks failed/);
  assert.match(md, /token is wrong/);
  assert.match(md, /Redis password mismatch/);
});

test('task details mask Redis passwords', () => {
  const md = taskDetailsMarkdown('c', { name: 't', state: 'running', index: 0, record: { cluster: 'c', name: 't', inputRedis: 'redis://:secret@h:6379', inputQueue: 'q', pushed: 3 } }, { input: 2 });
  assert.doesNotMatch(md, /secret/);
  assert.match(md, /redis:\/\/:\*\*\*\*@h:6379/);
  assert.match(md, /\| q \(2\) \|/);
});

test('records the hub no longer lists are reported as forgotten, newest per name', async () => {
  const records: TaskRecord[] = [
    { cluster: 'c', name: 'kept', image: 'k:1' },
    { cluster: 'c', name: 'gone', image: 'g:1', registeredAt: '1' },
    { cluster: 'c', name: 'gone', image: 'g:2', registeredAt: '2' },
  ];
  const { service } = fakeService({ tasks: [{ name: 'kept', state: 'running', index: 0 }], records });
  const s = await fetchClusterSnapshot(service, 'c', {});
  assert.deepEqual(s.forgotten?.map((r) => [r.name, r.image]), [['gone', 'g:2']]);
});

test('queues of tasks shown on request are measured in the same probe() round trip, also on light polls', async () => {
  const running: TaskView = { name: 'r', state: 'running', index: 0, record: { cluster: 'c', name: 'r', inputQueue: 'r:in', outputQueue: 'r:out' } };
  const other: TaskView = { name: 'o', state: 'completed', index: 0, record: { cluster: 'c', name: 'o', inputQueue: 'o:in', outputQueue: 'r:out' } };
  const { service, calls } = fakeService({ tasks: [running, other] });
  const s = await fetchClusterSnapshot(service, 'c', { current: true, queues: ['o:in', 'r:out'] });
  assert.deepEqual(calls, ['tasks', 'probe:r:in,r:out,o:in'], 'one round trip, each queue once');
  assert.deepEqual(s.lengths, { 'r:in': 5, 'r:out': 6, 'o:in': 7 });
  const light = fakeService({ tasks: [running, other] });
  await fetchClusterSnapshot(light.service, 'c', { queues: ['o:in'] });
  assert.deepEqual(light.calls.sort(), ['probe:o:in', 'tasks']);
});

test('with nothing running, the queues are those of the completed task the hub still hands to nodes', async () => {
  const { service } = fakeService({ tasks: [{ name: 'last', state: 'completed', index: 0, stillHandedToNodes: true }], config: { task_name: 'last', input_queue: 'l:in', output_queue: 'l:out' } });
  const s = await fetchClusterSnapshot(service, 'c', { current: true });
  assert.deepEqual(s.queues, { task: 'last', handed: true, input: { name: 'l:in', length: 5 }, output: { name: 'l:out', length: 6 } });
});

test('the running task\'s processing lists come in the same probe; stranded judged with the poll\'s nodes and current task', async () => {
  const calls: string[] = [];
  const lists = [
    { list: 'r:in:processing:n1:0', token: 'a', length: 1000, nodeId: 'n1', instance: '0' },
    { list: 'r:in:processing:n2:0', token: 'b', length: 300, nodeId: 'n2', instance: '0' },
  ];
  const record: TaskRecord = { cluster: 'c', name: 'r', inputQueue: 'r:in', outputQueue: 'r:out' };
  const service = {
    hub: async () => ({ listNodes: async () => [{ id: 'n1', status: 'Online' }] }),
    queues: async () => ({
      probe: async (names: string[], inputs: string[] = []) => {
        calls.push(`probe:${names.join(',')}|${inputs.join(',')}`);
        return { lengths: Object.fromEntries(names.map((n) => [n, 7])), inFlight: { 'r:in': lists } };
      },
    }),
    listTasks: async () => [{ name: 'r', state: 'running', index: 0, record }],
    tasks: { list: () => [record] },
    stranded: async (_c: string, task: { name: string; inputQueue: string }, ls: typeof lists, o: { staleMs?: number; known?: { nodes?: Array<{ id: string }>; currentTask?: string | null } }) => {
      calls.push(`stranded:${task.name}:${task.inputQueue}:${o.staleMs}:${o.known?.currentTask}:${o.known?.nodes?.map((n) => n.id).join()}`);
      return ls.filter((l) => !o.known?.nodes?.some((n) => n.id === l.nodeId)).map((l) => ({ ...l, reason: 'nodeGone' }));
    },
  } as unknown as GridCoreService;
  const s = await fetchClusterSnapshot(service, 'c', { current: true, nodes: true, strandedAfterMs: () => 60_000 });
  assert.deepEqual(calls, ['probe:r:in,r:out|r:in', 'stranded:r:r:in:60000:r:n1']);
  assert.equal(s.inFlight?.items, 1300);
  assert.equal(s.inFlight?.strandedItems, 300);
  assert.deepEqual(s.inFlight?.stranded.map((x) => x.list), ['r:in:processing:n2:0']);
  const md = taskDetailsMarkdown('c', { name: 'r', state: 'running', index: 0, record }, { input: 7, output: 7 }, undefined, undefined, s.inFlight, 12);
  assert.match(md, /\| In flight \(processing lists\) \| 1,300 items in 2 lists \|/);
  assert.match(md, /\| Stranded \| 300 items in 1 lists \|/);
  assert.match(md, /\| Unaccounted for \| 12 \|/);
});

test('finished tasks\' processing lists come in the same probe: what their stopped consumers left shows until empty; the handed task is not one of them', async () => {
  const calls: string[] = [];
  const rec = (name: string): TaskRecord => ({ cluster: 'c', name, inputQueue: `${name}:in`, outputQueue: `${name}:out` });
  const left = [{ list: 'old:in:processing:n1:0', token: 'a', length: 40, nodeId: 'n1', instance: '0' }];
  const service = {
    hub: async () => ({ listNodes: async () => [{ id: 'n1', status: 'Online' }] }),
    queues: async () => ({
      probe: async (names: string[], inputs: string[] = []) => {
        calls.push(`probe:${names.join(',')}|${inputs.join(',')}`);
        return { lengths: Object.fromEntries(names.map((n) => [n, 7])), inFlight: { 'r:in': [], 'old:in': left, 'empty:in': [] } };
      },
    }),
    listTasks: async () => [
      { name: 'r', state: 'running', index: 0, record: rec('r') },
      { name: 'old', state: 'completed', index: 1, record: rec('old') },
      { name: 'empty', state: 'completed', index: 0, record: rec('empty') },
      { name: 'nameonly', state: 'completed', index: 2 },
    ],
    tasks: { list: () => [rec('empty'), rec('old'), rec('r')] },
    stranded: async (_c: string, task: { name: string }, ls: typeof left, o: { known?: { currentTask?: string | null } }) => {
      calls.push(`stranded:${task.name}:${o.known?.currentTask}`);
      return task.name === o.known?.currentTask ? [] : ls.map((l) => ({ ...l, reason: 'taskNotCurrent' }));
    },
  } as unknown as GridCoreService;
  const s = await fetchClusterSnapshot(service, 'c', { current: true, nodes: true });
  assert.deepEqual(calls, ['probe:r:in,r:out|r:in,old:in,empty:in', 'stranded:r:r', 'stranded:old:r'], 'one round trip; only a task with items left is judged');
  assert.deepEqual(s.leftBehind?.map((f) => [f.task, f.items, f.strandedItems, f.stranded[0].reason]), [['old', 40, 40, 'taskNotCurrent']]);
  const handed = {
    ...service,
    listTasks: async () => [
      { name: 'old', state: 'completed', index: 1, record: rec('old'), stillHandedToNodes: true },
    ],
  } as unknown as GridCoreService;
  calls.length = 0;
  const h = await fetchClusterSnapshot(handed, 'c', { current: true });
  assert.equal(h.leftBehind, undefined, 'the hub still hands that task out: its consumers run');
});
