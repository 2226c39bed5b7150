// Show Task Details for a task registered elsewhere: the hub's node-facing config fills image,
// Redis and queues of the task it hands to nodes, the page names that source, passwords masked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GridCoreService } from '../../src/core/service-api';
import type { TaskConfig, TaskView } from '../../src/core/types';
import { taskDetailsMarkdown } from '../../src/ui-model/task-details';
import { handedConfig, handedQueues } from '../../src/ui-model/task-queues';

const config: TaskConfig = {
  task_name: 'sq',
  image: 'reg:5000/sq:1',
  redis_url: null,
  input_redis: 'redis://:in-secret@10.0.0.5:6379/0',
  output_redis: 'redis://:out-secret@10.0.0.6:6379/1',
  input_queue: 'sq:in',
  output_queue: 'sq:out',
};

function serviceHanding(c: TaskConfig | null | Error) {
  const platforms: string[] = [];
  const service = {
    hub: async () => ({
      currentTaskConfig: async (platform: string) => {
        platforms.push(platform);
        if (c instanceof Error) throw c;
        return c;
      },
    }),
  } as unknown as GridCoreService;
  return { service, platforms };
}

test('the running task without record: image, Redis (masked) and queues from /gridnode/task, source named', async () => {
  const running: TaskView = { name: 'sq', state: 'running', index: 0 };
  const { service, platforms } = serviceHanding(config);
  const handed = await handedConfig(service, 'lab', running);
  assert.deepEqual(platforms, ['linux/amd64']);
  assert.deepEqual(handedQueues(handed), { input: 'sq:in', output: 'sq:out' });
  const md = taskDetailsMarkdown('lab', running, { input: 1200, output: 3 }, handed);
  assert.match(md, /\| Image for linux\/amd64 \| reg:5000\/sq:1 \|/);
  assert.match(md, /\| Input Redis \| redis:\/\/:\*\*\*\*@10\.0\.0\.5:6379\/0 \|/);
  assert.match(md, /\| Output Redis \| redis:\/\/:\*\*\*\*@10\.0\.0\.6:6379\/1 \|/);
  assert.match(md, /\| Input queue \| sq:in \(1,200\) \|/);
  assert.match(md, /\| Output queue \| sq:out \(3\) \|/);
  assert.doesNotMatch(md, /secret/);
  assert.match(md, /what the hub hands to linux\/amd64 nodes \(GET \/gridnode\/task\)/);
  assert.doesNotMatch(md, /unknown/);
});

test('the completed task the hub still hands to nodes is filled too, and says it still runs', async () => {
  const last: TaskView = { name: 'sq', state: 'completed', index: 0, stillHandedToNodes: true };
  const handed = await handedConfig(serviceHanding(config).service, 'lab', last);
  const md = taskDetailsMarkdown('lab', last, {}, handed);
  assert.match(md, /\| Input queue \| sq:in \|/);
  assert.match(md, /GET \/gridnode\/task/);
  assert.match(md, /still hands this completed task to nodes/);
});

test('no config for other tasks: pending, completed and not handed, another name, hub down', async () => {
  const { service, platforms } = serviceHanding(config);
  assert.equal(await handedConfig(service, 'lab', { name: 'sq', state: 'pending', index: 1 }), undefined);
  assert.equal(await handedConfig(service, 'lab', { name: 'sq', state: 'completed', index: 0 }), undefined);
  assert.equal(platforms.length, 0, 'the hub is not asked about tasks it does not hand out');
  assert.equal(await handedConfig(service, 'lab', { name: 'other', state: 'running', index: 0 }), undefined);
  assert.equal(await handedConfig(serviceHanding(new Error('down')).service, 'lab', { name: 'sq', state: 'running', index: 0 }), undefined);
  assert.equal(await handedConfig(serviceHanding(null).service, 'lab', { name: 'sq', state: 'running', index: 0 }), undefined);
  const md = taskDetailsMarkdown('lab', { name: 'sq', state: 'running', index: 0 }, {}, undefined);
  assert.match(md, /\| Image \| – \|/);
  assert.match(md, /image and queues are unknown/);
});

test('a record wins over the hub config; a config for another name is ignored', () => {
  const withRecord: TaskView = { name: 'sq', state: 'running', index: 0, record: { cluster: 'lab', name: 'sq', image: 'mine:2', inputQueue: 'my:in' } };
  const md = taskDetailsMarkdown('lab', withRecord, {}, config);
  assert.match(md, /\| Image \| mine:2 \|/);
  assert.doesNotMatch(md, /gridnode\/task/);
  const other = taskDetailsMarkdown('lab', { name: 'x', state: 'running', index: 0 }, {}, config);
  assert.doesNotMatch(other, /reg:5000/);
});
