// The failed list through the façade against a real redis-server: entries written here as a
// consumer following the convention would (README, "Reliable consumers"), plus hostile ones;
// paging, search, export, counts in the poll's probe, Retry (all and a search's matches),
// Clear, a failed key that is not a list, names with `:` and spaces, and a retry while
// redis-server is SIGKILLed and restarted: no item lost or doubled.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { attemptsHash, failedList, SETTLE_FAILED_SCRIPT } from '../../src/core/failed-items';
import type { GridCoreService, QueueService } from '../../src/core/service-api';
import { startRedis, type TestRedis } from '../support/redis';
import { memoryService } from '../support/service-fixture';

const INPUT = 'jobs: failed 7:in';
const FAILED = failedList(INPUT);
const ATTEMPTS = attemptsHash(INPUT);

let redis: TestRedis;
let svc: GridCoreService;
let queues: QueueService;
let r: Redis;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gc-failed-'));
  redis = await startRedis({ password: 'failed-pw', aofDir: dir });
  svc = memoryService({ settings: { redisTimeoutMs: 1000 } });
  // The hub is never asked: everything here is Redis.
  await svc.profiles.save({ name: 'lab', computehubUrl: 'http://127.0.0.1:9', redisUrl: redis.url, token: 't' });
  queues = await svc.queues('lab');
  r = new Redis(redis.url, { maxRetriesPerRequest: null });
  r.on('error', () => undefined);
});

after(async () => {
  r?.disconnect();
  await svc?.dispose();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An entry as a consumer following the convention writes it. */
function entry(item: string, error: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ item, error, attempts: 1, task: 'sq', node_id: 'node a', instance_id: '0', time: '2026-12-05T21:00:00Z', reason: 'error', ...extra });
}

async function reset(): Promise<void> {
  await r.del(INPUT, FAILED, ATTEMPTS);
}

test('page, search and export of parsed entries, hostile ones shown raw', async () => {
  await reset();
  const bin = Buffer.from([0xff, 0x00, 0xc3]);
  await r.lpush(FAILED, entry('1', 'boom 1'));
  await r.lpush(FAILED, 'not json at all');
  await r.lpush(FAILED, JSON.stringify({ item_b64: bin.toString('base64'), error: 'binary', surplus: true }));
  await r.lpush(FAILED, entry('<script>alert(1)</script>', '</pre><img src=x onerror=alert(1)>'));
  const newest = await svc.failedItems('lab', INPUT, { from: 'newest', offset: 0, count: 10 });
  assert.equal(newest.total, 4);
  assert.deepEqual(newest.items.map((i) => i.index), [0, 1, 2, 3]);
  assert.equal(newest.items[0].entry.item, '<script>alert(1)</script>');
  assert.equal(newest.items[0].entry.error, '</pre><img src=x onerror=alert(1)>');
  assert.ok(newest.items[1].entry.binary);
  assert.deepEqual(newest.items[1].entry.itemBytes, bin);
  assert.equal(newest.items[2].entry.raw, 'not json at all');
  const oldest = await svc.failedItems('lab', INPUT, { from: 'oldest', offset: 0, count: 1 });
  assert.equal(oldest.items[0].entry.error, 'boom 1');

  const found = await svc.searchFailedItems('lab', INPUT, 'boom');
  assert.deepEqual(found.matches.map((m) => m.entry.item), ['1']);
  assert.ok(found.complete);

  const file = join(dir, 'failed.jsonl');
  const out = await svc.exportFailedItems('lab', INPUT, file);
  assert.equal(out.written, 4);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.equal(JSON.parse(lines[3]).error, 'boom 1', 'entries exported as the consumers wrote them');
  assert.equal(lines[2], 'not json at all');
});

test("the poll's probe counts the failed list in its one round trip; a key that is not a list reads -1", async () => {
  await reset();
  await r.lpush(FAILED, entry('a', 'x'), entry('b', 'y'));
  await r.lpush(INPUT, '1', '2', '3');
  const p = await queues.probe([INPUT], [INPUT]);
  assert.equal(p.lengths[INPUT], 3);
  assert.deepEqual(p.failed, { [INPUT]: 2 });
  const other = 'other: queue';
  await r.set(failedList(other), 'a string');
  const q = await queues.probe([INPUT], [INPUT], [other]);
  assert.deepEqual(q.failed, { [INPUT]: 2, [other]: -1 });
  await r.del(failedList(other));
});

test('Retry all: items back at the popping end, attempts reset, entries without an item left', async () => {
  await reset();
  await r.lpush(INPUT, 'waiting');
  await r.hset(ATTEMPTS, 'a', '3', 'b', '1', 'unrelated', '2');
  await r.lpush(FAILED, entry('a', 'killed its consumer 3 times', { reason: 'killed', attempts: 3 }));
  await r.lpush(FAILED, 'garbage');
  await r.lpush(FAILED, entry('b', 'exit 4'));
  const bin = Buffer.from([0xfe, 0x01]);
  await r.lpush(FAILED, JSON.stringify({ item_b64: bin.toString('base64'), error: 'x' }));
  assert.deepEqual(await svc.countFailedItems('lab', INPUT), { total: 4, matching: 4, retryable: 3 });
  const res = await svc.retryFailedItems('lab', INPUT);
  assert.deepEqual(res, { moved: 3, gone: 0, noItem: 1, examined: 4, cancelled: false });
  // The consumers pop from the tail (RPOP): retried items come next, before "waiting".
  const input = await r.lrangeBuffer(INPUT, 0, -1);
  assert.deepEqual(input.map((b) => b.toString('hex')), [Buffer.from('waiting'), Buffer.from('a'), Buffer.from('b'), bin].map((b) => b.toString('hex')));
  assert.deepEqual(await r.lrange(FAILED, 0, -1), ['garbage']);
  assert.deepEqual(await r.hgetall(ATTEMPTS), { unrelated: '2' });
  // Again: nothing more to move.
  assert.equal((await svc.retryFailedItems('lab', INPUT)).moved, 0);
});

test("Retry a search's matches only; Clear with the confirmed count leaves newer entries", async () => {
  await reset();
  for (let i = 0; i < 10; i++) await r.lpush(FAILED, entry(String(i), i % 2 ? 'HTTP 429' : 'HTTP 500'));
  assert.deepEqual(await svc.countFailedItems('lab', INPUT, { match: 'HTTP 429' }), { total: 10, matching: 5, retryable: 5 });
  const res = await svc.retryFailedItems('lab', INPUT, { match: 'HTTP 429' });
  assert.equal(res.moved, 5);
  assert.deepEqual((await r.lrange(INPUT, 0, -1)).sort(), ['1', '3', '5', '7', '9']);
  assert.equal(await r.llen(FAILED), 5);
  // The user confirmed 5; one more failed since: it stays.
  await r.lpush(FAILED, entry('new', 'later'));
  const cleared = await svc.clearFailedItems('lab', INPUT, { limit: 5 });
  assert.equal(cleared.moved, 5);
  assert.deepEqual((await r.lrange(FAILED, 0, -1)).map((e) => JSON.parse(e).item), ['new']);
  assert.equal(await r.llen(INPUT), 5, 'clear pushes nothing');
});

test('a failed key that is not a list: a RedisError that says so, nothing touched', async () => {
  await reset();
  await r.hset(FAILED, 'x', '1');
  await assert.rejects(svc.failedItems('lab', INPUT, { from: 'newest', offset: 0, count: 10 }), (e: Error) => e.name === 'RedisError' && e.message.includes(FAILED));
  await assert.rejects(svc.retryFailedItems('lab', INPUT), (e: Error) => e.message.includes('not a list'));
  await assert.rejects(svc.countFailedItems('lab', INPUT), (e: Error) => e.message.includes('not a list'));
  assert.equal(await r.type(FAILED), 'hash');
  // an input that is not a list: nothing leaves the failed list
  await r.del(FAILED);
  await r.lpush(FAILED, entry('z', 'e'));
  await r.set(INPUT, 'a string');
  await assert.rejects(svc.retryFailedItems('lab', INPUT), (e: Error) => e.message.includes(INPUT));
  assert.equal(await r.llen(FAILED), 1);
  await reset();
});

test('the script run twice with the same entries (a lost reply) moves nothing twice', async () => {
  await reset();
  const e = entry('once', 'x');
  await r.lpush(FAILED, e);
  const first = await r.eval(SETTLE_FAILED_SCRIPT, 3, FAILED, INPUT, ATTEMPTS, 'retry', e, '1', 'once');
  const again = await r.eval(SETTLE_FAILED_SCRIPT, 3, FAILED, INPUT, ATTEMPTS, 'retry', e, '1', 'once');
  assert.deepEqual([first, again], [[1, 0], [0, 1]]);
  assert.deepEqual(await r.lrange(INPUT, 0, -1), ['once']);
  await reset();
});

test('Retry while redis-server is SIGKILLed and restarted: no item lost or doubled', { timeout: 120_000 }, async (t) => {
  await reset();
  const N = 40_000;
  for (let i = 0; i < N; i += 2000) await r.lpush(FAILED, ...Array.from({ length: 2000 }, (_, k) => entry(String(i + k), `error ${i + k}`)));
  await r.lpush(FAILED, 'not an entry');
  const retry = svc.retryFailedItems('lab', INPUT);
  let left = N;
  while ((left = await r.llen(FAILED)) > N * 0.7) await new Promise((ok) => setTimeout(ok, 5));
  await redis.kill();
  t.diagnostic(`redis-server killed with ${left} of ${N} entries still to retry`);
  assert.ok(left > 1, 'the kill landed mid-retry');
  await new Promise((ok) => setTimeout(ok, 500));
  await redis.restart();
  const res = await retry;
  const items = await r.lrange(INPUT, 0, -1);
  assert.equal(items.length, N, 'every item back in the input');
  assert.equal(new Set(items).size, N, 'none twice');
  assert.deepEqual(await r.lrange(FAILED, 0, -1), ['not an entry']);
  assert.equal(res.moved + res.gone, N, JSON.stringify(res));
  assert.equal(res.noItem, 1);
  await reset();
});
