// How many items all the queues of one Redis hold: what stopping the local cluster keeps on
// disk, counted so that the Stop prompt and the main job can say it. Only for a Redis of our
// own (the local cluster's): it SCANs the whole keyspace once, which the pollers never do.
import type Redis from 'ioredis';
import { RedisConnection } from './connection';
import { silentLogger } from '../ports';

export interface QueueHoldings {
  /** lists holding at least one item */
  queues: number;
  /** items in all of them */
  items: number;
}

const SCAN_COUNT = 1000;

export async function countListItems(client: Redis): Promise<QueueHoldings> {
  let cursor = '0';
  let queues = 0;
  let items = 0;
  do {
    // TYPE list (Redis >= 6) keeps the push markers (hashes, bitmaps) out of the count.
    const [next, keys] = await client.scan(cursor, 'MATCH', '*', 'COUNT', SCAN_COUNT, 'TYPE', 'list');
    cursor = next;
    if (!keys.length) continue;
    const replies = (await client.pipeline(keys.map((k) => ['llen', k])).exec()) ?? [];
    for (const [err, n] of replies) {
      // a key deleted or retyped between SCAN and LLEN holds nothing of ours
      if (err || typeof n !== 'number' || n === 0) continue;
      queues++;
      items += n;
    }
  } while (cursor !== '0');
  return { queues, items };
}

/** Connects to `redisUrl`, counts, disconnects. Failures leave as RedisError saying what to check. */
export async function queueHoldings(redisUrl: string, timeoutMs: number): Promise<QueueHoldings> {
  const conn = new RedisConnection(redisUrl, { connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs }, silentLogger);
  try {
    const client = await conn.ready();
    return await countListItems(client).catch((e) => {
      throw conn.toRedisError(e);
    });
  } finally {
    await conn.dispose();
  }
}
