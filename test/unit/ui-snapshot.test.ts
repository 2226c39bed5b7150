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
