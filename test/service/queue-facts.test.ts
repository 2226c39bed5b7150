// Finish's confirmation counts come from one place for the command and the chat/MCP tool:
// the lengths, the failed list and the batches in consumers' processing lists, read from a
// real redis-server; with Redis gone the counts are left out (never a guess), and a warning
// is logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { processingList, processingRegistry } from '../../src/core/inflight';
import { finishConfirmation } from '../../src/ui-model/finish-flow';
import { queueFacts } from '../../src/ui-model/queue-facts';
import { memoryService, useRedis } from '../support/service-fixture';

const redis = useRedis({ password: 'facts-pw-1' });

test('queueFacts counts lengths, failed entries and in-flight batches; the finish confirmation says them', async () => {
  const svc = memoryService();
  const rc = new Redis(redis.url);
  try {
    await svc.profiles.save({ name: 'lab', computehubUrl: 'http://127.0.0.1:9', redisUrl: redis.url, token: 't' });
    const input = 'facts:in';
    await rc.rpush(input, 'a', 'b', 'c');
    await rc.rpush('facts:out', 'x');
    await rc.rpush(`${input}:failed`, JSON.stringify({ item: 'p', error: 'boom' }));
    const one = processingList(input, 'node-1', '0');
    const two = processingList(input, 'node-1', '1');
    await rc.rpush(one, 'd', 'e');
    await rc.rpush(two, 'f');
    await rc.hset(processingRegistry(input), one, 'tok-1', two, 'tok-2');
    const warnings: string[] = [];
    const facts = await queueFacts(svc, 'lab', { input, output: 'facts:out' }, (m) => warnings.push(m), { inFlight: true });
    assert.deepEqual(facts, { input: 3, output: 1, failed: 1, inputQueue: input, inFlight: { items: 3, lists: 2 } });
    assert.deepEqual(warnings, []);
    const ask = finishConfirmation('facts', 'lab', facts, undefined);
    assert.equal(ask.warn, true);
    assert.match(ask.detail, /3 items are in flight in 2 consumers' processing lists/);

    // Task Details asks for no in-flight scan.
    const plain = await queueFacts(svc, 'lab', { input, output: 'facts:out' }, () => undefined);
    assert.equal(plain.inFlight, undefined);
    assert.equal(plain.input, 3);
  } finally {
    rc.disconnect();
  }
});

test('queueFacts with Redis refusing the password: no counts, one warning', async () => {
  const svc = memoryService();
  await svc.profiles.save({ name: 'bad', computehubUrl: 'http://127.0.0.1:9', redisUrl: redis.url.replace('facts-pw-1', 'wrong-pw'), token: 't' });
  const warnings: string[] = [];
  const facts = await queueFacts(svc, 'bad', { input: 'facts:in', output: 'facts:out' }, (m) => warnings.push(m), { inFlight: true });
  assert.deepEqual(facts, { inputQueue: 'facts:in' });
  assert.equal(warnings.length, 1);
  assert.doesNotMatch(warnings[0], /wrong-pw/, 'the password never reaches the log');
});
