// Reading lists without ever loading one whole: pages (LRANGE from either end), chunked
// search, and a streamed export. Values are read as Buffers so byte lengths are exact and
// binary data survives until it is shown (as UTF-8 text, truncated for the UI).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type Redis from 'ioredis';
import type { CancellationSignal } from '../ports';
import type { Page, PageItem, PageRequest } from '../service-api';
import { ConfigError, RedisError } from '../errors';
import { l10n } from '../l10n';

const SEARCH_CHUNK = 2000;
const EXPORT_CHUNK = 10000;
const DEFAULT_MAX_VALUE_BYTES = 64 * 1024;

/** Text of a value for the UI, cut at a UTF-8 character boundary when longer than `max` bytes. */
export function toPageItem(index: number, value: Buffer, max: number): PageItem {
  if (value.length <= max) return { index, value: value.toString('utf8'), length: value.length, truncated: false };
  let end = max;
  // Step back over continuation bytes (10xxxxxx) so no character is cut in half.
  while (end > 0 && (value[end] & 0xc0) === 0x80) end--;
  return { index, value: value.toString('utf8', 0, end), length: value.length, truncated: true };
}

function check<T>(reply: [Error | null, unknown] | undefined): T {
  if (!reply) throw new Error('Connection is closed.');
  if (reply[0]) throw reply[0];
  return reply[1] as T;
}

export async function lengths(client: Redis, queues: string[]): Promise<Record<string, number>> {
  if (!queues.length) return {};
  const replies = await client.pipeline(queues.map((q) => ['llen', q])).exec();
  const out: Record<string, number> = {};
  queues.forEach((q, i) => {
    const r = replies?.[i];
    if (r?.[0] && /WRONGTYPE/.test(r[0].message)) {
      throw new RedisError('command', l10n.t('The Redis key {queue} is not a list: check the queue names of the task.', { queue: q }));
    }
    out[q] = check<number>(r);
  });
  return out;
}

export async function page(client: Redis, queue: string, req: PageRequest): Promise<Page> {
  const count = Math.max(0, Math.floor(req.count));
  const offset = Math.max(0, Math.floor(req.offset));
  const max = req.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  if (count === 0) return { total: await client.llen(queue), items: [] };
  // One transaction: the length and the slice agree even while workers pop and push.
  const [start, stop] = req.from === 'newest' ? [offset, offset + count - 1] : [-(offset + count), -(offset + 1)];
  const replies = await client.multi().llen(queue).lrangeBuffer(queue, start, stop).exec();
  const total = check<number>(replies?.[0]);
  const values = check<Buffer[]>(replies?.[1]);
  let items: PageItem[];
  if (req.from === 'newest') {
    items = values.map((v, i) => toPageItem(offset + i, v, max));
  } else {
    // The slice is head-to-tail; the oldest (the tail) comes first on this side.
    const first = total - offset - 1;
    items = values.reverse().map((v, i) => toPageItem(first - i, v, max));
  }
  return { total, items };
}

export async function item(client: Redis, queue: string, index: number): Promise<string | null> {
  const v = await client.lindexBuffer(queue, index);
  return v === null ? null : v.toString('utf8');
}

export async function search(
  client: Redis,
  queue: string,
  needle: string,
  opts: { limit?: number; signal?: CancellationSignal; onProgress?(scanned: number, total: number): void; maxValueBytes?: number },
): Promise<{ matches: PageItem[]; scanned: number; complete: boolean }> {
  const limit = opts.limit ?? 100;
  const max = opts.maxValueBytes ?? 1024;
  const pattern = Buffer.from(needle, 'utf8');
  const matches: PageItem[] = [];
  let total = await client.llen(queue);
  let scanned = 0;
  while (scanned < total) {
    if (opts.signal?.isCancellationRequested) return { matches, scanned, complete: false };
    const replies = await client.multi().llen(queue).lrangeBuffer(queue, scanned, scanned + SEARCH_CHUNK - 1).exec();
    total = check<number>(replies?.[0]);
    const chunk = check<Buffer[]>(replies?.[1]);
    if (!chunk.length) break;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i].indexOf(pattern) >= 0) {
        matches.push(toPageItem(scanned + i, chunk[i], max));
        if (matches.length >= limit) {
          scanned += i + 1;
          opts.onProgress?.(scanned, total);
          return { matches, scanned, complete: scanned >= total };
        }
      }
    }
    scanned += chunk.length;
    opts.onProgress?.(scanned, total);
  }
  return { matches, scanned, complete: true };
}

const NL = Buffer.from('\n');

/** 'lines': a value holding a line break is written with \\, \n and \r escaped, so the file keeps one item per line. */
function encodeLines(values: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    if (v.indexOf(10) >= 0 || v.indexOf(13) >= 0) {
      parts.push(Buffer.from(v.toString('utf8').replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r'), 'utf8'));
    } else parts.push(v);
    parts.push(NL);
  }
  return Buffer.concat(parts);
}

function encodeJsonl(values: Buffer[]): Buffer {
  let out = '';
  for (const v of values) out += JSON.stringify(v.toString('utf8')) + '\n';
  return Buffer.from(out, 'utf8');
}

/**
 * Streams the list, head (index 0, newest) to tail like `LRANGE key 0 -1`, in chunks; the next
 * chunk is already on its way while one is written, and the file's backpressure is honoured,
 * so memory holds at most two chunks. Nothing in Redis is changed.
 */
export async function exportToFile(
  client: Redis,
  queue: string,
  file: string,
  opts: { format?: 'lines' | 'jsonl'; signal?: CancellationSignal; onProgress?(written: number, total: number): void },
): Promise<{ written: number; cancelled: boolean }> {
  const encode = opts.format === 'jsonl' ? encodeJsonl : encodeLines;
  const out = createWriteStream(file);
  let failed: Error | undefined;
  out.on('error', (e) => (failed = e));
  await once(out, 'open').catch((e: Error) => {
    throw new ConfigError('io', l10n.t('Cannot write {file} ({reason}): choose another file.', { file, reason: e.message }), file);
  });
  const total = await client.llen(queue);
  let written = 0;
  let cancelled = false;
  const fetch = (start: number) => client.lrangeBuffer(queue, start, start + EXPORT_CHUNK - 1);
  try {
    let next: Promise<Buffer[]> | undefined = total > 0 ? fetch(0) : undefined;
    let pos = 0;
    while (next) {
      const chunk = await next;
      pos += chunk.length;
      // Items popped meanwhile shorten the list: stop at its current end rather than at the old total.
      next = chunk.length === EXPORT_CHUNK && pos < total ? fetch(pos) : undefined;
      if (opts.signal?.isCancellationRequested) {
        cancelled = true;
        next?.catch(() => undefined);
        break;
      }
      if (!out.write(encode(chunk))) await once(out, 'drain');
      if (failed) throw failed;
      written += chunk.length;
      opts.onProgress?.(written, total);
    }
  } finally {
    out.end();
    await once(out, 'close').catch(() => undefined);
  }
  if (failed) throw new ConfigError('io', l10n.t('Cannot write {file} ({reason}): choose another file.', { file, reason: failed.message }), file);
  return { written, cancelled };
}
