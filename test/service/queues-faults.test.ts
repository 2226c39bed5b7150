// QueueService when Redis misbehaves: connections killed mid-push, the process killed and
// restarted, wrong or missing passwords, nothing listening.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { createQueueService } from '../../src/core/queues/index';
import { silentLogger } from '../../src/core/ports';
import { RedisError } from '../../src/core/errors';
import type { PushResult, PushSource, QueueService } from '../../src/core/service-api';
import { queueSettings, useQueueService } from '../support/queue-service';
import { freePort, startRedis, type TestRedis } from '../support/redis';

const settings = queueSettings({ pushBatchSize: 200 });
const PASSWORD = 's3cret-pw';

/** A push that runs `kill` once `at` items are reported pushed; asserts the kill happened. */
async function pushKilledAt(svc: QueueService, queue: string, source: PushSource, at: number, kill: () => Promise<unknown>): Promise<PushResult> {
  let killed = false;
  const r = await svc.push(queue, source, {
    onProgress: (n) => {
      if (!killed && n >= at) {
        killed = true;
        void kill();
      }
    },
  });
  assert.ok(killed, 'the push ended before the kill');
  return r;
}

describe('connection killed in the middle of a push', () => {
  const q = useQueueService({ settings: { pushBatchSize: 200 } });

  test('CLIENT KILL: exact count, then resume without duplicates', async () => {
    const total = 300_000;
    const r = await pushKilledAt(q.svc, 'f:kill', { kind: 'range', from: 1, to: total }, 30_000, () => q.raw.client('KILL', 'TYPE', 'normal'));
    assert.ok(r.error instanceof RedisError, String(r.error));
    assert.equal((r.error as RedisError).code, 'unreachable');
    assert.match(r.error!.message, /without duplicating/);
    assert.ok(r.pushed < total);
    assert.equal(await q.raw.llen('f:kill'), r.pushed, 'reported count is exact');

    const again = await q.svc.push('f:kill', { kind: 'range', from: 1, to: total }, { resumeId: r.pushId });
    assert.equal(again.error, undefined);
    assert.equal(again.pushed, total);
    assert.equal(again.previouslyPushed, r.pushed);
    const items = await q.raw.lrange('f:kill', 0, -1);
    assert.equal(items.length, total);
    assert.equal(new Set(items).size, total, 'no duplicates');
  });

  test('a file of lines: killed mid-push, the resume skips the landed batches line for line (CRLF, blank lines)', async () => {
    // The resume counts the landed batches' lines through without encoding them: blank lines
    // must not count there either, or every later batch would shift.
    const total = 200_000;
    const dir = mkdtempSync(join(tmpdir(), 'gridcore-push-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const f = join(dir, 'lines.txt');
    writeFileSync(f, Array.from({ length: total }, (_, i) => `line-${i}${i % 7 === 0 ? '\r\n\n' : '\n'}`).join(''));
    const r = await pushKilledAt(q.svc, 'f:killlines', { kind: 'lines', file: f }, 20_000, () => q.raw.client('KILL', 'TYPE', 'normal'));
    assert.ok(r.error instanceof RedisError, String(r.error));
    assert.ok(r.pushed < total);
    assert.equal(await q.raw.llen('f:killlines'), r.pushed, 'reported count is exact');
    const again = await q.svc.push('f:killlines', { kind: 'lines', file: f }, { resumeId: r.pushId });
    assert.equal(again.error, undefined);
    assert.equal(again.pushed, total);
    const items = await q.raw.lrange('f:killlines', 0, -1);
    assert.equal(items.length, total);
    assert.equal(new Set(items).size, total, 'no duplicates');
    // LPUSH: the first line is at the tail, the last at the head
    assert.equal(items[0], `line-${total - 1}`);
    assert.equal(items[total - 1], 'line-0');
  });

  test('a command refused inside a batch ends the push with Redis\'s reason and the exact count', async () => {
    // The queue turns into a string while the push runs: the next transactions' LPUSH fails
    // inside EXEC (WRONGTYPE), the push stops and says why.
    let turned = false;
    const r = await q.svc.push('f:turns', { kind: 'range', from: 1, to: 200_000 }, {
      onProgress: (n) => {
        if (!turned && n >= 10_000) {
          turned = true;
          void q.raw.multi().del('f:turns').set('f:turns', 'now a string').exec();
        }
      },
    });
    assert.ok(turned);
    assert.ok(r.error instanceof RedisError, String(r.error));
    assert.equal((r.error as RedisError).code, 'command');
    assert.match(r.error!.message, /WRONGTYPE/);
    assert.ok(r.pushed < 200_000);
  });

  test('a resume of an unknown push says so', async () => {
    await assert.rejects(
      q.svc.push('f:kill', { kind: 'array', items: ['x'] }, { resumeId: 'no-such-push' }),
      (e: RedisError) => e.code === 'command' && /Cannot resume/.test(e.message),
    );
  });
});

describe('Redis process killed and restarted', () => {
  const q = useQueueService({ password: PASSWORD, settings: { pushBatchSize: 200, redisTimeoutMs: 1000 } });

  test('polls fail clearly while it is down and recover without a new service', async () => {
    await q.svc.push('f:q', { kind: 'range', from: 1, to: 10 });
    assert.deepEqual(await q.svc.lengths(['f:q']), { 'f:q': 10 });
    await q.redis.kill();
    for (let i = 0; i < 3; i++) {
      await assert.rejects(q.svc.lengths(['f:q']), (e: RedisError) => {
        assert.ok(e instanceof RedisError);
        assert.equal(e.code, 'unreachable');
        assert.ok(!e.message.includes(PASSWORD), 'password masked');
        assert.match(e.message, /Redis/);
        return true;
      });
    }
    await q.redis.restart();
    // Data is gone (no persistence), but the same service answers again.
    assert.deepEqual(await q.svc.lengths(['f:q']), { 'f:q': 0 });
    const r = await q.svc.push('f:q', { kind: 'range', from: 1, to: 5 });
    assert.equal(r.pushed, 5);
  });

  test('a push while Redis dies reports an error and a count', async () => {
    const r = await pushKilledAt(q.svc, 'f:dies', { kind: 'range', from: 1, to: 2_000_000 }, 10_000, () => q.redis.kill());
    assert.ok(r.error instanceof RedisError);
    assert.ok(r.pushed >= 10_000 && r.pushed < 2_000_000);
    await q.redis.restart();
    await q.svc.ping();
  });
});

describe('authentication and reachability', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startRedis({ password: PASSWORD });
  });
  after(async () => {
    await redis.stop();
  });

  const expectCode = async (url: string, code: string, check?: (m: string) => void) => {
    const svc = createQueueService('t', url, { ...settings, redisTimeoutMs: 1500 }, silentLogger);
    try {
      await assert.rejects(svc.lengths(['x']), (e: RedisError) => {
        assert.ok(e instanceof RedisError, String(e));
        assert.equal(e.code, code, e.message);
        check?.(e.message);
        return true;
      });
    } finally {
      await svc.dispose();
    }
  };

  test('wrong password -> wrongpass, masked', async () => {
    await expectCode(`redis://:not-the-password@127.0.0.1:${redis.port}`, 'wrongpass', (m) => {
      assert.ok(!m.includes('not-the-password'));
      assert.match(m, /rejected the password/);
    });
  });
  test('no password for a passworded Redis -> noauth', async () => {
    await expectCode(`redis://127.0.0.1:${redis.port}`, 'noauth', (m) => assert.match(m, /asks for a password/));
  });
  test('nothing listening -> unreachable', async () => {
    await expectCode(`redis://127.0.0.1:${await freePort()}`, 'unreachable', (m) => assert.match(m, /ECONNREFUSED/));
  });
  test('the right password works', async () => {
    const svc = createQueueService('t', redis.url, settings, silentLogger);
    await svc.ping();
    await svc.dispose();
  });
  test('a push on a passworded Redis, to a /db: its own connection logs in and selects the database too', async () => {
    const svc = createQueueService('t', `${redis.url}/5`, settings, silentLogger);
    const raw = new Redis(redis.url, { db: 5 });
    try {
      const r = await svc.push('f:auth', { kind: 'range', from: 1, to: 1_000 });
      assert.equal(r.error, undefined);
      assert.equal(r.pushed, 1_000);
      assert.equal(await raw.llen('f:auth'), 1_000);
    } finally {
      raw.disconnect();
      await svc.dispose();
    }
  });
});
