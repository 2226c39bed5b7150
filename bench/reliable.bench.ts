// Requeue Stranded Items on 1,000,000 items: the service's requeue (one atomic script per
// processing list, here 1,000 lists of 1,000) against a plain LMOVE loop in redis-cli
// (`redis-cli -r N LMOVE`, one round trip per item, not atomic per batch).
import Redis from 'ioredis';
import { processingList, processingRegistry, TAKE_SCRIPT } from '../src/core/inflight';
import { createQueueService } from '../src/core/queues/index';
import { silentLogger } from '../src/core/ports';
import { redisPort, redisUrl, settings, timeCommand } from './support/redis';

const N = 1_000_000;
const LISTS = 1000;
const INPUT = 'bench rq:in';

async function strand(raw: Redis): Promise<Array<{ list: string; token: string }>> {
  await raw.del(INPUT, processingRegistry(INPUT));
  for (let i = 0; i < N; i += 10_000) await raw.lpush(INPUT, ...Array.from({ length: 10_000 }, (_, k) => String(i + k)));
  const lists: Array<{ list: string; token: string }> = [];
  for (let i = 0; i < LISTS; i++) {
    const list = processingList(INPUT, 'gone', String(i));
    await raw.eval(TAKE_SCRIPT, 3, INPUT, list, processingRegistry(INPUT), N / LISTS, `t${i}`);
    lists.push({ list, token: `t${i}` });
  }
  return lists;
}

export async function run() {
  const raw = new Redis(redisUrl);
  const svc = createQueueService('bench', redisUrl, settings, silentLogger);
  const lists = await strand(raw);
  const t = performance.now();
  const r = await svc.requeue(INPUT, lists);
  const ours = performance.now() - t;
  if (r.moved !== N || (await raw.llen(INPUT)) !== N) throw new Error(`requeue moved ${r.moved}`);
  await raw.del(INPUT, 'bench rq:from');
  for (let i = 0; i < N; i += 10_000) await raw.lpush('bench rq:from', ...Array.from({ length: 10_000 }, (_, k) => String(i + k)));
  const peer = await timeCommand('redis-cli', ['-p', redisPort, '-r', String(N), 'LMOVE', 'bench rq:from', INPUT, 'RIGHT', 'RIGHT']);
  if ((await raw.llen(INPUT)) !== N) throw new Error('the LMOVE loop did not move everything');
  await raw.del(INPUT, 'bench rq:from');
  await svc.dispose();
  raw.disconnect();
  const rate = (ms: number) => N / (ms / 1000);
  return [{ name: 'requeue 1M stranded items (1,000 lists)', ours: rate(ours), peer: rate(peer), peerName: 'redis-cli -r 1M LMOVE loop', unit: 'items/s', higherIsBetter: true }];
}
