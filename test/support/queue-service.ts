// The QueueService under test on its own redis-server, with a raw ioredis client beside it to
// look at what the service wrote: the setup the queue and results tests share.
import { after, before } from 'node:test';
import Redis from 'ioredis';
import { createQueueService } from '../../src/core/queues/index';
import { silentLogger } from '../../src/core/ports';
import type { QueueService, ServiceSettings } from '../../src/core/service-api';
import { startRedis, type TestRedis } from './redis';

/** Settings with short timeouts, so that a failing Redis test fails in seconds. */
export function queueSettings(over: Partial<ServiceSettings> = {}): ServiceSettings {
  return { hubTimeoutMs: 5000, redisTimeoutMs: 3000, dockerTimeoutMs: 5000, pushBatchSize: 100, ...over };
}

export interface QueueTestEnv {
  readonly redis: TestRedis;
  readonly raw: Redis;
  readonly svc: QueueService;
}

/** Registers before/after hooks in the current file or describe(); the fields are set by the
 *  time its tests run, and the service, client and server are stopped after them. */
export function useQueueService(o: { password?: string; settings?: Partial<ServiceSettings> } = {}): QueueTestEnv {
  const env = {} as { redis: TestRedis; raw: Redis; svc: QueueService };
  before(async () => {
    env.redis = await startRedis({ password: o.password });
    env.raw = new Redis(env.redis.url);
    env.svc = createQueueService('test', env.redis.url, queueSettings(o.settings), silentLogger);
  });
  // one hook, so that the clients go before the server they talk to
  after(async () => {
    await env.svc?.dispose();
    env.raw?.disconnect();
    await env.redis?.stop();
  });
  return env;
}
