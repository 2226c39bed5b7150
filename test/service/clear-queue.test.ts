// Clear Queue resets the progress total: after the input (or the output) of a task is
// deleted, the total no longer counts the deleted items, so progress can reach 100 % again.
// Our hub and a real redis-server; the service as the extension creates it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pushAndRecord } from '../../src/core/push-task';
import { startHub } from '../../src/local/hub/server';
import { statusBarText } from '../../src/ui-model/format';
import { memoryService, useRedis } from '../support/service-fixture';

const TOKEN = 'clear-token-1';
const redis = useRedis({ password: 'clear-pw-1' });

test('Clear Queue resets the task\'s progress total; the next push counts from zero', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const svc = memoryService();
  try {
    await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN });
    const req = { name: 'clr', image: 'clr:1', input_redis: redis.url, output_redis: redis.url, input_queue: 'clr:in', output_queue: 'clr:out' };
    await svc.registerTask('lab', req);
    const target = { cluster: 'lab', queue: 'clr:in', taskName: 'clr' };
    await pushAndRecord(svc, target, { kind: 'range', from: 1, to: 100 });
    const queues = await svc.queues('lab');
    // 49 of them processed (a consumer would move them; the test does it by hand)
    await queues.push('clr:out', { kind: 'range', from: 1, to: 49 });
    const probe = async () => {
      const l = await queues.lengths(['clr:in', 'clr:out']);
      return { at: Date.now(), input: l['clr:in'] ?? 0, output: l['clr:out'] ?? 0 };
    };
    assert.equal(svc.tasks.get('lab', 'clr')?.pushed, 100);

    // Clear the input: 100 items deleted (the consumer above took none of them from it)
    const cleared = await svc.clearQueue('lab', 'clr:in', { task: 'clr' });
    assert.deepEqual(cleared, { deleted: 100, totalsReset: ['clr'] });
    assert.equal(svc.tasks.get('lab', 'clr')?.pushed, undefined, 'the total was reset');
    const after = svc.progress(svc.tasks.get('lab', 'clr')?.pushed, [await probe()]);
    assert.equal(after.total, 49);
    assert.equal(after.percent, 100, 'what was done is all there is: not 49 % forever');

    // Clear the output too: nothing left, and the status bar says so (no "0/0 0%" spinner)
    assert.deepEqual(await svc.clearQueue('lab', 'clr:out'), { deleted: 49, totalsReset: [] });
    const empty = svc.progress(svc.tasks.get('lab', 'clr')?.pushed, [await probe()]);
    assert.equal(empty.total, 0);
    assert.equal(statusBarText('clr', empty), '$(circle-large-outline) clr · no items');

    // A new push counts from zero: 10 pushed, 10 done = 100 %
    await pushAndRecord(svc, target, { kind: 'range', from: 1, to: 10 });
    assert.equal(svc.tasks.get('lab', 'clr')?.pushed, 10);
    await queues.push('clr:out', { kind: 'range', from: 1, to: 10 });
    // clearing the output of a task by its queue name alone finds the task by its record
    await pushAndRecord(svc, target, { kind: 'range', from: 1, to: 5 });
    assert.deepEqual(await svc.clearQueue('lab', 'clr:out'), { deleted: 10, totalsReset: ['clr'] });
    assert.equal(svc.tasks.get('lab', 'clr')?.pushed, undefined);
  } finally {
    await svc.dispose();
    await hub.close();
  }
});
