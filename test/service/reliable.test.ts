// Reliable consumers against a real redis-server (issue 16): the poll's single pipeline
// returns lengths and processing lists (input names with `:` and spaces), requeue moves a
// stranded batch back exactly once and only while it is still stranded, a consumer paused
// across a requeue pushes nothing, a key that is not a list is reported and left alone, and
// a requeue survives a redis-server SIGKILL + restart with no item lost or doubled. The
// shell template's consumer.sh runs here under the host's busybox with the host's redis-cli.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { COMMIT_SCRIPT, processingList, processingRegistry, TAKE_SCRIPT } from '../../src/core/inflight';
import type { GridCoreService, QueueService } from '../../src/core/service-api';
import { startHub, type RunningHub } from '../../src/local/hub/server';
import { SupervisedConsumer } from '../support/host-consumers';
import { startRedis, type TestRedis } from '../support/redis';
import { until } from '../support/until';
import { memoryService } from '../support/service-fixture';

const TOKEN = 'reliable-token';
const CONSUMER = resolve(__dirname, '../../media/templates/shell-square/consumer.sh');
const INPUT = 'jobs: batch 7:in';
const OUTPUT = 'jobs: batch 7:out';

let redis: TestRedis;
let hub: RunningHub;
let svc: GridCoreService;
let queues: QueueService;
let r: Redis;
let aof: string;

before(async () => {
  aof = mkdtempSync(join(tmpdir(), 'gc-reliable-'));
  redis = await startRedis({ password: 'reliable-pw', aofDir: aof });
  hub = await startHub({ port: 0, token: TOKEN });
  svc = memoryService({ settings: { redisTimeoutMs: 1000 } });
  await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN });
  queues = await svc.queues('lab');
  r = new Redis(redis.url, { maxRetriesPerRequest: null });
  r.on('error', () => undefined); // it reconnects by itself after the test's SIGKILL
});

after(async () => {
  r?.disconnect();
  await svc?.dispose();
  await hub?.close();
  await redis?.stop();
  rmSync(aof, { recursive: true, force: true });
});

async function pushNumbers(queue: string, from: number, count: number): Promise<void> {
  for (let i = 0; i < count; i += 5000) {
    await r.lpush(queue, ...Array.from({ length: Math.min(5000, count - i) }, (_, k) => String(from + i + k)));
  }
}

/** A consumer's take, as the templates run it. */
async function take(input: string, node: string, instance: string, count: number, token: string): Promise<string[]> {
  const reply = (await r.eval(TAKE_SCRIPT, 4, input, processingList(input, node, instance), processingRegistry(input), `${input}:attempts`, count, token, 3)) as Array<string | number>;
  assert.equal(reply[0], token);
  assert.equal(reply[2], 0, 'nothing recovered MAX_KILLS times');
  return reply.slice(3) as string[];
}

test('the shell template under busybox: every item once, no processing list left, names with ":" and spaces; it waits for more until SIGTERM', { timeout: 120_000 }, async () => {
  await pushNumbers(INPUT, 1, 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'gc-reliable-sh-'));
  const env = { INPUT_REDIS_URL: redis.url, INPUT_QUEUE: INPUT, OUTPUT_QUEUE: OUTPUT, NODE_ID: 'n 1', INSTANCE_ID: '0' };
  const script = readFileSync(CONSUMER, 'utf8');
  const consumers = [new SupervisedConsumer({ kind: 'shell', script, env, dir }).start(), new SupervisedConsumer({ kind: 'shell', script, env: { ...env, INSTANCE_ID: '1' }, dir }).start()];
  try {
    await until('20,000 results', async () => (await r.llen(OUTPUT)) === 20_000, 90_000, 100);
    // Still running with the input empty: more items pushed later are processed too.
    await new Promise((ok) => setTimeout(ok, 1500));
    assert.ok(consumers.every((c) => c.pid !== undefined && c.restarts === 0), consumers.map((c) => c.log).join('\n'));
    await pushNumbers(INPUT, 20_001, 10);
    await until('20,010 results', async () => (await r.llen(OUTPUT)) === 20_010, 30_000, 100);
  } finally {
    await Promise.all(consumers.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(consumers.every((c) => /stopping \(SIGTERM\)/.test(c.log)), consumers.map((c) => c.log).join('\n'));
  const out = await r.lrange(OUTPUT, 0, -1);
  assert.equal(out.length, 20_010);
  assert.equal(new Set(out.map((l) => l.split(':')[0])).size, 20_010);
  assert.ok(out.every((l) => Number(l.split(':')[1]) === Number(l.split(':')[0]) ** 2));
  assert.equal(await r.exists(processingRegistry(INPUT)), 0);
  assert.equal(await r.exists(`${INPUT}:failed`, `${INPUT}:attempts`), 0, 'no failed list, no attempts on the happy path');
  const seen = await queues.lengthsWithInFlight([INPUT, OUTPUT], [INPUT]);
  assert.deepEqual(seen, { lengths: { [INPUT]: 0, [OUTPUT]: 20_010 }, inFlight: { [INPUT]: [] } });
  await r.del(OUTPUT);
});

test('lengths and processing lists in one pipeline; a batch requeued exactly once, only while stranded', async () => {
  await pushNumbers(INPUT, 1, 1000);
  const a = await take(INPUT, 'node:a b', '0', 300, 't-a.1');
  const b = await take(INPUT, 'node:a b', '1', 200, 't-b.1');
  assert.equal(a.length + b.length, 500);
  const seen = await queues.lengthsWithInFlight([INPUT, OUTPUT], [INPUT]);
  assert.deepEqual(seen.lengths, { [INPUT]: 500, [OUTPUT]: 0 });
  const lists = seen.inFlight[INPUT].sort((x, y) => x.list.localeCompare(y.list));
  assert.deepEqual(lists, [
    { list: processingList(INPUT, 'node:a b', '0'), token: 't-a.1', length: 300, nodeId: 'node:a b', instance: '0' },
    { list: processingList(INPUT, 'node:a b', '1'), token: 't-b.1', length: 200, nodeId: 'node:a b', instance: '1' },
  ]);

  // b's consumer moved on (another batch) after the lists were read: not stranded any more.
  await r.eval(COMMIT_SCRIPT, 5, lists[1].list, processingRegistry(INPUT), OUTPUT, `${INPUT}:failed`, `${INPUT}:attempts`, 't-b.1', b.length, ...b.map((x) => `${x}:done`));
  await take(INPUT, 'node:a b', '1', 100, 't-b.2');
  const first = await svc.requeueStranded('lab', INPUT, lists);
  assert.deepEqual(first, { moved: 300, lists: 1, skipped: [{ list: lists[1].list, reason: 'movedOn' }] });
  // a's consumer wakes up (it was paused across the requeue): its commit pushes nothing.
  assert.equal(await r.eval(COMMIT_SCRIPT, 5, lists[0].list, processingRegistry(INPUT), OUTPUT, `${INPUT}:failed`, `${INPUT}:attempts`, 't-a.1', a.length, ...a.map((x) => `${x}:late`)), -1);
  assert.equal((await r.lrange(OUTPUT, 0, -1)).filter((l) => l.endsWith(':late')).length, 0);
  // Again: nothing moves twice.
  assert.deepEqual(await svc.requeueStranded('lab', INPUT, [lists[0]]), { moved: 0, lists: 0, skipped: [] });
  // The requeued batch is back at the popping end, oldest first, each item counted once in
  // the attempts hash: the next takes hand it out in batches of floor(300^(1/2)) = 17.
  assert.equal(await r.hlen(`${INPUT}:attempts`), 300);
  assert.deepEqual(new Set(Object.values(await r.hgetall(`${INPUT}:attempts`))), new Set(['1']));
  const again: string[] = [];
  for (let i = 0; again.length < 300; i++) {
    const got = await take(INPUT, 'node:c', '0', 300, `t-c.${i}`);
    assert.equal(got.length, 17, 'the last one tops up with fresh items: its limit is the smallest of its items\'');
    again.push(...got);
    await r.eval(COMMIT_SCRIPT, 5, processingList(INPUT, 'node:c', '0'), processingRegistry(INPUT), OUTPUT, `${INPUT}:failed`, `${INPUT}:attempts`, `t-c.${i}`, 0);
  }
  assert.deepEqual(again.slice(0, 300), a);
  assert.equal(await r.exists(`${INPUT}:attempts`), 0, 'commits clear the attempts of their items: the hash goes away');
  assert.equal((await take(INPUT, 'node:c', '0', 300, 't-c.x')).length, 300, 'the next batch is whole again');
  await r.del(INPUT, OUTPUT, processingRegistry(INPUT), lists[1].list, processingList(INPUT, 'node:c', '0'));
});

test('a processing list that is not a list: reported with length -1, left alone by requeue', async () => {
  const bad = processingList(INPUT, 'n', '9');
  await r.hset(processingRegistry(INPUT), bad, 'tok');
  await r.set(bad, 'not a list');
  const seen = await queues.lengthsWithInFlight([INPUT], [INPUT]);
  assert.deepEqual(seen.inFlight[INPUT], [{ list: bad, token: 'tok', length: -1, nodeId: 'n', instance: '9' }]);
  const stranded = await svc.stranded('lab', { name: 'no-such-task', inputQueue: INPUT }, seen.inFlight[INPUT]);
  assert.deepEqual(stranded.map((s) => s.reason), ['notAList']);
  assert.deepEqual(await svc.requeueStranded('lab', INPUT, stranded), { moved: 0, lists: 0, skipped: [{ list: bad, reason: 'notAList' }] });
  assert.equal(await r.get(bad), 'not a list');
  // A registry that is not a hash shows nothing in flight (and does not fail the poll).
  await r.del(processingRegistry(INPUT), bad);
  await r.set(processingRegistry(INPUT), 'x');
  assert.deepEqual((await queues.lengthsWithInFlight([], [INPUT])).inFlight, { [INPUT]: [] });
  await r.del(processingRegistry(INPUT));
});

test('stranded: node gone from /api/nodes, task not current, or unchanged for the set time', async () => {
  await pushNumbers(INPUT, 1, 100);
  await take(INPUT, 'ghost-node', '0', 50, 'g.1');
  const { inFlight } = await queues.lengthsWithInFlight([], [INPUT]);
  const found = await svc.stranded('lab', { name: 'no-such-task', inputQueue: INPUT }, inFlight[INPUT], { staleMs: 60_000 });
  assert.deepEqual(found.map((s) => [s.list, s.reason, s.length]), [[processingList(INPUT, 'ghost-node', '0'), 'nodeGone', 50]]);
  await svc.requeueStranded('lab', INPUT, found);
  assert.equal(await r.llen(INPUT), 100);
  await r.del(INPUT, `${INPUT}:attempts`);
});

test('requeue while redis-server is SIGKILLed and restarted: no item lost or doubled', { timeout: 120_000 }, async (t) => {
  const LISTS = 200;
  const EACH = 500;
  await pushNumbers(INPUT, 1, LISTS * EACH);
  for (let i = 0; i < LISTS; i++) await take(INPUT, 'dead', String(i), EACH, `d.${i}`);
  assert.equal(await r.llen(INPUT), 0);
  const { inFlight } = await queues.lengthsWithInFlight([], [INPUT]);
  assert.equal(inFlight[INPUT].length, LISTS);

  const requeue = svc.requeueStranded('lab', INPUT, inFlight[INPUT]);
  // Kill it once a part of the lists moved, then bring it back (from its append-only file).
  let left = LISTS;
  while ((left = await r.hlen(processingRegistry(INPUT))) > LISTS * 0.7) await new Promise((ok) => setTimeout(ok, 5));
  await redis.kill();
  t.diagnostic(`redis-server killed with ${left} of ${LISTS} lists still to requeue`);
  assert.ok(left > 0, 'the kill landed mid-requeue');
  await new Promise((ok) => setTimeout(ok, 500));
  await redis.restart();
  const result = await requeue;

  const items = await r.lrange(INPUT, 0, -1);
  assert.equal(items.length, LISTS * EACH, 'every item back in the input');
  assert.equal(new Set(items).size, LISTS * EACH, 'none twice');
  const counted = await r.hgetall(`${INPUT}:attempts`);
  assert.equal(Object.keys(counted).length, LISTS * EACH, 'every requeued item counted');
  assert.ok(Object.values(counted).every((v) => v === '1'), 'and counted once, a lost reply included');
  assert.equal(await r.exists(processingRegistry(INPUT)), 0);
  // A list whose reply was lost in the kill is moved but not counted: at most one.
  assert.ok(result.moved >= (LISTS - 1) * EACH && result.moved <= LISTS * EACH && result.skipped.length === 0, JSON.stringify(result));
  // Run again: nothing left to move.
  assert.deepEqual(await svc.requeueStranded('lab', INPUT, inFlight[INPUT]), { moved: 0, lists: 0, skipped: [] });
  await r.del(INPUT, `${INPUT}:attempts`);
});
