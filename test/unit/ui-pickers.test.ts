import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GridCoreService } from '../../src/core/service-api';
import type { HubNode, TaskView } from '../../src/core/types';
import { nodePickItems, noNodeMessage } from '../../src/ui-model/node-pick';
import { taskPickItems } from '../../src/ui-model/task-pick';
import { recordedQueues, taskQueueNames } from '../../src/ui-model/task-queues';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const node = (id: string, hostname: string, patch: Partial<HubNode> = {}): HubNode => ({
  id, hostname, architecture: 'x86_64', cpu_count: 4, last_seen: '2024-05-01T11:59:30Z', status: 'Online', runtime_status: 'Idle', active_containers: 0, ...patch,
});

test('stop-node pick: hostname, id, and the status line, sorted by hostname', () => {
  const items = nodePickItems([node('n2', 'zeta', { runtime_status: 'Error' }), node('n1', 'alpha', { runtime_status: 'Running', active_containers: 4 })], NOW);
  assert.deepEqual(items.map((i) => [i.label, i.description]), [['alpha', 'n1'], ['zeta', 'n2']]);
  assert.equal(items[0].detail, 'x86_64 · 4 CPUs · Running · 4 containers · 30s ago');
  assert.match(items[1].detail, /Error/);
  assert.equal(items[1].node.id, 'n2');
  assert.match(noNodeMessage('lab', true, true), /do not register again after a hub restart/);
  assert.match(noNodeMessage('lab', true), /stopped or lost their connection/);
  assert.doesNotMatch(noNodeMessage('lab', true), /hub restart/);
  assert.equal(noNodeMessage('lab', false), 'No node is registered on lab.');
});

test('task pick: running, pending in hub order, completed newest first; one per name when asked', () => {
  const tasks: TaskView[] = [
    { name: 'old', state: 'completed', index: 0 },
    { name: 'p', state: 'pending', index: 1 },
    { name: 'dup', state: 'completed', index: 1, record: { cluster: 'c', name: 'dup', inputQueue: 'd:in', outputQueue: 'd:out' } },
    { name: 'q', state: 'pending', index: 0 },
    { name: 'dup', state: 'running', index: 0 },
  ];
  const all = taskPickItems(tasks);
  assert.deepEqual(all.map((i) => [i.label, i.description]), [['dup', 'running'], ['q', 'pending'], ['p', 'pending'], ['dup', 'completed'], ['old', 'completed']]);
  assert.equal(all[3].detail, 'd:in → d:out');
  assert.deepEqual(taskPickItems(tasks, { distinctNames: true }).map((i) => i.label), ['dup', 'q', 'p', 'old']);
});

test('queue names: the record, else what the hub hands nodes (running or still-handed), cached per task', async () => {
  let calls = 0;
  const service = {
    hub: async () => ({
      currentTaskConfig: async () => {
        calls++;
        return { task_name: 'last', image: 'i', redis_url: null, input_redis: null, output_redis: null, input_queue: 'l:in', output_queue: null };
      },
    }),
  } as unknown as GridCoreService;
  const withRecord: TaskView = { name: 'r', state: 'pending', index: 0, record: { cluster: 'c', name: 'r', inputQueue: 'r:in' } };
  assert.deepEqual(await taskQueueNames(service, 'c', withRecord), { input: 'r:in', output: undefined });
  assert.deepEqual(await taskQueueNames(service, 'c', { name: 'p', state: 'pending', index: 0 }), {});
  assert.equal(calls, 0, 'a pending task without record is not asked about');
  const cache = new Map();
  const handed: TaskView = { name: 'last', state: 'completed', index: 0, stillHandedToNodes: true };
  assert.deepEqual(await taskQueueNames(service, 'c', handed, cache), { input: 'l:in', output: undefined });
  await taskQueueNames(service, 'c', handed, cache);
  assert.equal(calls, 1, 'cached');
  assert.deepEqual(await taskQueueNames(service, 'c', { name: 'other', state: 'running', index: 0 }), {}, 'the hub hands another task');
  assert.equal(recordedQueues({ record: { cluster: 'c', name: 'x' } }), undefined);
});

test('one reader for every command argument: tree elements, objects, names', async () => {
  const { targetOf } = await import('../../src/ui-model/command-target');
  assert.deepEqual(targetOf({ kind: 'node', cluster: 'c', nodeId: 'n1', label: 'host' }), { cluster: 'c', taskName: undefined, record: undefined, queue: undefined, role: undefined, nodeId: 'n1' });
  assert.deepEqual(targetOf({ kind: 'queue', cluster: 'c', label: 'q:in', contextValue: 'queue input' }), { cluster: 'c', queue: 'q:in', role: 'input' });
  assert.equal(targetOf({ cluster: 'c', taskName: 't' }).taskName, 't');
  assert.deepEqual(targetOf({ cluster: '' }), { cluster: undefined, taskName: undefined, record: undefined, queue: undefined, role: undefined });
  assert.deepEqual(targetOf('c'), { cluster: 'c' });
});
