// The redis-server process killed (SIGKILL) and restarted while the service polls queue
// lengths the way the status bar does (issue 6): each poll during the outage settles with a
// RedisError that says what is wrong (never a hang past the Redis timeout), the password
// never shows, and once Redis is back the same service, with the same QueueService, answers
// again: nothing is recreated and nothing needs a reload.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisError } from '../../src/core/errors';
import type { GridCoreService } from '../../src/core/service-api';
import { startHub, type RunningHub } from '../../src/local/hub/server';
import { startRedis, type TestRedis } from '../support/redis';
import { memoryService } from '../support/service-fixture';
import { until } from '../support/until';

const TOKEN = 'redis-restart-token';
const PASSWORD = 'redis-restart-pw';
const REDIS_TIMEOUT_MS = 1000;
const QUEUES = ['rr:in', 'rr:out'];

let redis: TestRedis;
let hub: RunningHub;
let svc: GridCoreService;

before(async () => {
  redis = await startRedis({ password: PASSWORD });
  hub = await startHub({ port: 0, token: TOKEN });
  svc = memoryService({ settings: { redisTimeoutMs: REDIS_TIMEOUT_MS } });
  await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN });
});

after(async () => {
  await svc?.dispose();
  await hub?.close();
  await redis?.stop();
});

type Outcome = { ok: true; lengths: Record<string, number> } | { ok: false; error: unknown };

/** The status bar's loop: one lengths() call after another, each outcome kept. A poll that
 *  does not settle long after the Redis timeout is recorded as a hang. */
function startPolling(): { outcomes: Outcome[]; stop(): Promise<void> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const hangLimit = REDIS_TIMEOUT_MS * 10;
  const loop = (async () => {
    while (running) {
      const poll = (async (): Promise<Outcome> => {
        try {
          return { ok: true, lengths: await (await svc.queues('lab')).lengths(QUEUES) };
        } catch (error) {
          return { ok: false, error };
        }
      })();
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), hangLimit)));
      const r = await Promise.race([poll, hung]);
      clearTimeout(timer);
      outcomes.push(r === 'hung' ? { ok: false, error: new Error(`a poll did not settle within ${hangLimit} ms`) } : r);
      await sleep(50);
    }
  })();
  return {
    outcomes,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

test('Redis killed and restarted while polling: a clear RedisError meanwhile, then recovery in the same service', { timeout: 90_000 }, async () => {
  const queues = await svc.queues('lab');
  const r = await queues.push('rr:in', { kind: 'range', from: 1, to: 25 });
  assert.equal(r.pushed, 25);
  const poller = startPolling();
  try {
    await until('a good poll', () => poller.outcomes.some((o) => o.ok));
    assert.deepEqual((poller.outcomes.find((o) => o.ok) as { lengths: unknown }).lengths, { 'rr:in': 25, 'rr:out': 0 });

    await redis.kill();
    const killedAt = poller.outcomes.length;
    await until('three failed polls after the kill', () => poller.outcomes.slice(killedAt).filter((o) => !o.ok).length >= 3);
    const failures = poller.outcomes.slice(killedAt).filter((o): o is { ok: false; error: unknown } => !o.ok);
    for (const { error } of failures) {
      assert.ok(error instanceof RedisError, `not a RedisError: ${String(error)}`);
      assert.ok(error.code === 'unreachable' || error.code === 'timeout', error.code);
      assert.match(error.message, /Redis/);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${redis.port}`), 'names the server');
      assert.ok(!error.message.includes(PASSWORD), 'password masked');
    }

    // Diagnose during the outage says Redis does not answer; the hub is fine.
    const checks = Object.fromEntries((await svc.diagnose('lab')).map((c) => [c.id, c]));
    assert.equal(checks.hubHealth.ok, true);
    assert.equal(checks.redisPing.ok, false);
    assert.equal(checks.redisPing.code, 'unreachable');
    assert.ok(!checks.redisPing.detail.includes(PASSWORD));

    await redis.restart();
    const restartedAt = poller.outcomes.length;
    await until('a good poll after the restart', () => poller.outcomes.slice(restartedAt).some((o) => o.ok));
    // No persistence: the data went with the process, the connection came back by itself.
    const good = poller.outcomes.slice(restartedAt).find((o) => o.ok) as { lengths: unknown };
    assert.deepEqual(good.lengths, { 'rr:in': 0, 'rr:out': 0 });
    assert.equal(await svc.queues('lab'), queues, 'the same QueueService: nothing was recreated');

    assert.equal((await queues.push('rr:in', { kind: 'range', from: 1, to: 7 })).pushed, 7);
    const seen = poller.outcomes.length;
    await until('a poll that sees the new items', () => poller.outcomes.slice(seen).some((o) => o.ok && o.lengths['rr:in'] === 7));
  } finally {
    await poller.stop();
  }
  assert.ok(
    poller.outcomes.every((o) => o.ok || !(o.error instanceof Error && /did not settle/.test(o.error.message))),
    'no poll hung',
  );
});
