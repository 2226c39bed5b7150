// The failed list on the Redis side: pages and searches of parsed entries, counts for the
// confirmations, and Retry / Clear in chunks of one atomic, conditional script each
// (src/core/failed-items.ts). A chunk whose reply is lost to a Redis restart is run again
// with the same entries: it finds them gone, so nothing moves twice.
import type Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptsHash, failedList, parseFailedEntry, SETTLE_FAILED_SCRIPT, type FailedAction, type FailedActionResult, type FailedCount, type FailedEntry, type FailedPage, type FailedPageItem, type SettleOptions } from '../failed-items';
export type { FailedPage, FailedPageItem, SettleOptions } from '../failed-items';
import { RedisError } from '../errors';
import { l10n } from '../l10n';
import type { CancellationSignal } from '../ports';
import type { PageRequest } from '../service-api';
import * as read from './read';

/** Entries per script run: small enough that Redis is never held for long. */
const SETTLE_CHUNK = 500;
const SCAN_CHUNK = 2000;
/** A page reads entries up to this many bytes, so an error of 2,000 characters beside a
 *  sizeable item still parses; longer ones show raw and expand on request. */
export const FAILED_PREVIEW_BYTES = 16 * 1024;



function notAList(input: string): RedisError {
  return new RedisError(
    'command',
    l10n.t('The Redis key {key} is not a list, so it holds no failed items of {input}: check what else writes that key.', { key: failedList(input), input }),
  );
}

function wrongType<T>(input: string, e: unknown): T {
  if (/WRONGTYPE/.test(String((e as Error)?.message ?? e))) throw notAList(input);
  throw e;
}

export async function page(client: Redis, input: string, req: PageRequest): Promise<FailedPage> {
  const p = await read.page(client, failedList(input), { ...req, maxValueBytes: req.maxValueBytes ?? FAILED_PREVIEW_BYTES }).catch((e) => wrongType<never>(input, e));
  return { total: p.total, items: p.items.map((it) => ({ index: it.index, length: it.length, truncated: it.truncated, entry: parseFailedEntry(it.value) })) };
}

/** The whole entry at `index` (for "expand"), or null when there is none. */
export async function entry(client: Redis, input: string, index: number): Promise<{ entry: FailedEntry; length: number } | null> {
  const v = await client.lindexBuffer(failedList(input), index).catch((e) => wrongType<never>(input, e));
  return v === null ? null : { entry: parseFailedEntry(v), length: v.length };
}

export async function search(
  client: Redis,
  input: string,
  needle: string,
  opts: { limit?: number; signal?: CancellationSignal; onProgress?(scanned: number, total: number): void },
): Promise<{ matches: FailedPageItem[]; scanned: number; complete: boolean }> {
  const r = await read.search(client, failedList(input), needle, { ...opts, maxValueBytes: FAILED_PREVIEW_BYTES }).catch((e) => wrongType<never>(input, e));
  return { ...r, matches: r.matches.map((it) => ({ index: it.index, length: it.length, truncated: it.truncated, entry: parseFailedEntry(it.value) })) };
}

/** How many entries there are, how many a search selects, and how many of those Retry can move. */
export async function count(client: Redis, input: string, match: string | undefined, signal?: CancellationSignal): Promise<FailedCount> {
  const key = failedList(input);
  const total = await llen(client, input);
  const pattern = match ? Buffer.from(match, 'utf8') : undefined;
  let matching = 0;
  let retryable = 0;
  for (let at = 0; at < total; at += SCAN_CHUNK) {
    if (signal?.isCancellationRequested) throw new RedisError('cancelled', l10n.t('Cancelled.'));
    const chunk = await client.lrangeBuffer(key, at, Math.min(total, at + SCAN_CHUNK) - 1);
    if (!chunk.length) break;
    for (const v of chunk) {
      if (pattern && v.indexOf(pattern) < 0) continue;
      matching++;
      if (parseFailedEntry(v).itemBytes !== undefined) retryable++;
    }
  }
  return { total, matching, retryable };
}

async function llen(client: Redis, input: string): Promise<number> {
  return client.llen(failedList(input)).catch((e) => wrongType<number>(input, e));
}


function connectionLost(e: unknown): boolean {
  return e instanceof RedisError ? e.code === 'unreachable' || e.code === 'timeout' : /Connection is closed|ECONNRESET|ECONNREFUSED|EPIPE|timed out/i.test(String((e as Error)?.message ?? e));
}

/**
 * Retry or Clear: walks the entries there were when it started, oldest first, from the tail
 * (entries consumers add meanwhile go to the head and are left for another time), a chunk at
 * a time. When Redis goes away it waits up to `retryForMs` and goes on from where it was.
 */
export async function settle(
  ready: () => Promise<Redis>,
  input: string,
  action: FailedAction,
  o: SettleOptions & { retryForMs: number; toError(e: unknown): Error },
): Promise<FailedActionResult> {
  const key = failedList(input);
  const result: FailedActionResult = { moved: 0, gone: 0, noItem: 0, examined: 0, cancelled: false };
  const pattern = o.match ? Buffer.from(o.match, 'utf8') : undefined;
  const limit = o.limit ?? Infinity;
  let deadline = 0;
  /** Waits for Redis when the connection went; rethrows anything else. */
  const attempt = async <T>(fn: (c: Redis) => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const v = await fn(await ready());
        deadline = 0;
        return v;
      } catch (e) {
        if (e instanceof RedisError && e.code !== 'unreachable' && e.code !== 'timeout') throw e;
        if (!connectionLost(e)) throw o.toError(e);
        deadline ||= Date.now() + o.retryForMs;
        if (Date.now() > deadline) throw o.toError(e);
        await sleep(200);
      }
    }
  };
  const total = await attempt((c) => llen(c, input));
  // Entries looked at and left in place, counted from the tail: the next chunk lies before them.
  let kept = 0;
  let selected = 0;
  while (result.examined < total && selected < limit) {
    if (o.signal?.isCancellationRequested) {
      result.cancelled = true;
      break;
    }
    const n = Math.min(SETTLE_CHUNK, total - result.examined);
    const chunk = await attempt((c) => c.lrangeBuffer(key, -(kept + n), -(kept + 1)));
    if (!chunk.length) break;
    const args: Array<string | Buffer> = [action];
    // Oldest (the tail end of the slice) first.
    for (let i = chunk.length - 1; i >= 0; i--) {
      const v = chunk[i];
      result.examined++;
      if (selected >= limit || (pattern && v.indexOf(pattern) < 0)) {
        kept++;
        continue;
      }
      const bytes = parseFailedEntry(v).itemBytes;
      if (bytes === undefined && action === 'retry') {
        result.noItem++;
        kept++;
        continue;
      }
      selected++;
      args.push(v, bytes === undefined ? '0' : '1', bytes ?? '');
    }
    if (args.length > 1) {
      const reply = await attempt((c) => c.eval(SETTLE_FAILED_SCRIPT, 3, key, input, attemptsHash(input), ...args) as Promise<unknown>);
      if (reply === -1 || String(reply) === '-1') throw notAList(input);
      if (reply === -2 || String(reply) === '-2') {
        throw new RedisError('command', l10n.t('The Redis key {key} is not a list: the failed items cannot go back into it. Check the queue names of the task.', { key: input }));
      }
      const [moved, gone] = (reply as unknown[]).map(Number);
      result.moved += moved;
      result.gone += gone;
    }
    o.onProgress?.(result.examined, total);
  }
  return result;
}
