// The QueueService over ioredis. Loaded lazily by the façade: nothing outside src/core/queues
// imports ioredis, so activation never pays for it.
import { stat } from 'node:fs/promises';
import { ConfigError } from '../errors';
import { l10n } from '../l10n';
import type { Logger } from '../ports';
import type { PushSource, QueueService, ServiceSettings } from '../service-api';
import type { QueueLengths } from '../types';
import { RedisConnection } from './connection';
import { push } from './push';
import * as read from './read';

export function createQueueService(cluster: string, redisUrl: string, settings: ServiceSettings, logger: Logger): QueueService {
  const conn = new RedisConnection(redisUrl, { connectTimeoutMs: settings.redisTimeoutMs, commandTimeoutMs: settings.redisTimeoutMs }, logger);

  /** Runs `fn` on a connected client; every failure leaves as a RedisError saying what to do. */
  const run = async <T>(fn: (c: Awaited<ReturnType<RedisConnection['ready']>>) => Promise<T>): Promise<T> => {
    const c = await conn.ready();
    try {
      return await fn(c);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw conn.toRedisError(e);
    }
  };

  return {
    cluster,
    ping: () => run(async (c) => void (await c.ping())),
    lengths: (queues: string[]): Promise<QueueLengths> => run((c) => read.lengths(c, queues)),
    probe: (queues: string[]) =>
      run(async (c) => {
        if (!queues.length) {
          await c.ping();
          return { lengths: {} };
        }
        return { lengths: await read.lengths(c, queues) };
      }),
    async push(queue, source, opts = {}) {
      await checkSourceFile(source);
      return push(conn, queue, source, opts, settings.pushBatchSize, logger);
    },
    page: (queue, req) => run((c) => read.page(c, queue, req)),
    item: (queue, index) => run((c) => read.item(c, queue, index)),
    search: (queue, needle, opts = {}) => run((c) => read.search(c, queue, needle, opts)),
    exportToFile: (queue, file, opts = {}) => run((c) => read.exportToFile(c, queue, file, opts)),
    async deleteQueue(queue) {
      await run((c) => c.del(queue));
      logger.info(`deleted queue ${queue} on ${cluster}`);
    },
    dispose: () => conn.dispose(),
  };
}

async function checkSourceFile(source: PushSource): Promise<void> {
  if (!('file' in source)) return;
  const s = await stat(source.file).catch((e: Error) => {
    throw new ConfigError('io', l10n.t('Cannot read {file} ({reason}): check the path.', { file: source.file, reason: e.message }), source.file);
  });
  if (!s.isFile()) throw new ConfigError('io', l10n.t('{file} is not a file: choose a file to push.', { file: source.file }), source.file);
}
