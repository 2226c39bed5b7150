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
import * as failed from './failed';
import * as read from './read';
import * as reliable from './reliable';

export { queueHoldings, type QueueHoldings } from './holdings';

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
    lengthsWithInFlight: (queues, inputs) => run((c) => reliable.lengthsWithInFlight(c, queues, inputs)),
    async requeue(input, lists) {
      const r = await reliable.requeue(() => conn.ready(), input, lists, {
        // long enough for a Redis restart; a requeue is rare and explicit
        retryForMs: Math.max(30_000, settings.redisTimeoutMs * 3),
        toError: (e) => (e instanceof ConfigError ? e : conn.toRedisError(e)),
      });
      logger.info(`requeued ${r.moved} item(s) from ${r.lists} processing list(s) of ${input} on ${cluster}`);
      return r;
    },
    probe: (queues: string[], inputs: string[] = [], failedOf: string[] = []) =>
      run(async (c) => {
        // The inputs' failed lists are measured with their processing lists.
        if (inputs.length || failedOf.length) return reliable.lengthsWithInFlight(c, queues, inputs, [...inputs, ...failedOf]);
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
    failedPage: (input, req) => run((c) => failed.page(c, input, req)),
    failedEntry: (input, index) => run((c) => failed.entry(c, input, index)),
    searchFailed: (input, needle, opts = {}) => run((c) => failed.search(c, input, needle, opts)),
    countFailed: (input, opts = {}) => run((c) => failed.count(c, input, opts.match, opts.signal)),
    async settleFailed(input, action, opts = {}) {
      const r = await failed.settle(() => conn.ready(), input, action, {
        ...opts,
        // as for requeue: long enough for a Redis restart
        retryForMs: Math.max(30_000, settings.redisTimeoutMs * 3),
        toError: (e) => (e instanceof ConfigError ? e : conn.toRedisError(e)),
      });
      logger.info(`${action} of failed items of ${input} on ${cluster}: ${r.moved} moved, ${r.gone} already gone, ${r.noItem} without an item, ${r.examined} examined${r.cancelled ? ' (cancelled)' : ''}`);
      return r;
    },
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
