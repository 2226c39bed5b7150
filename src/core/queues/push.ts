// Push: streamed, batched, pipelined, with an exact count and a resume that never duplicates.
//
// Design. Every push has an id and two small keys in Redis (7-day TTL, removed when the push
// completes): `gridcore:push:<id>` (hash: queue, batchSize, pushed = items landed, client = the
// pushing connection's CLIENT ID) and `gridcore:push:<id>:done` (bitmap: bit N set = batch N
// landed). Batches are cut deterministically from the source (batchSize items each, the last
// one shorter) and numbered 1, 2, 3 ... Each batch is ONE transaction:
//   MULTI; LPUSH queue v1..vN; SETBIT done N 1; HINCRBY marker pushed N; EXEC
// EXEC applies all of it or nothing, and a connection that drops before its EXEC is read
// discards the batch. So the marker is always exactly what landed:
// - after a cancel, a dropped connection or a Redis error, `pushed` is read back from it (when
//   Redis can be reached) and is exact, whatever replies were lost;
// - resume first CLIENT KILLs the old pushing connection (if it is not ours), so nothing still
//   buffered on a half-open socket can land later; then it reads the bitmap and sends only the
//   batches whose bit is not set (those are counted through without being encoded).
// (A Lua script doing the same check-and-push is simpler to reason about but costs the server
// twice as much per item as a plain LPUSH; the benchmark target rules it out.)
// Several batches are in flight at once (pipelined on one connection), bounded by count and
// bytes, so memory stays flat whatever the source's size.
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { RedisError } from '../errors';
import { l10n } from '../l10n';
import type { Logger } from '../ports';
import type { PushOptions, PushResult, PushSource } from '../service-api';
import type { RedisConnection } from './connection';
import { Command } from 'ioredis';
import { FrameCommand, RespBatch, encodeArgs } from './resp';
import { produce, type ItemSink } from './sources';

const MARKER_TTL_S = 7 * 24 * 3600;
const MAX_IN_FLIGHT = 16;
const MAX_IN_FLIGHT_BYTES = 32 << 20;

export function markerKey(pushId: string): string {
  return `gridcore:push:${pushId}`;
}

/** Redis bit order: bit 0 is the most significant bit of the first byte. */
function bitSet(bits: Buffer | null, n: number): boolean {
  if (!bits) return false;
  const byte = n >> 3;
  return byte < bits.length && (bits[byte] & (0x80 >> (n & 7))) !== 0;
}

class Stop extends Error {}

export async function push(
  conn: RedisConnection,
  queue: string,
  source: PushSource,
  opts: PushOptions,
  defaultBatchSize: number,
  logger: Logger,
): Promise<PushResult> {
  const client = await conn.ready();
  const pushId = opts.resumeId ?? randomUUID();
  const marker = markerKey(pushId);
  const doneKey = `${marker}:done`;
  let batchSize: number;
  let previous = 0;
  let done: Buffer | null = null;
  try {
    const type = await client.type(queue);
    if (type !== 'none' && type !== 'list') {
      throw new RedisError('command', l10n.t('The Redis key {queue} holds a {type}, not a list: choose another queue name.', { queue, type }));
    }
    const me = String(await client.client('ID'));
    if (opts.resumeId) {
      const m = await client.hgetall(marker);
      if (!m.batchSize) {
        throw new RedisError(
          'command',
          l10n.t('Cannot resume push {id}: Redis no longer knows it (it expired, or Redis restarted without saving). Check the queue length, then push again.', { id: pushId }),
        );
      }
      if (m.queue !== queue) {
        throw new RedisError('command', l10n.t('Push {id} went to queue {other}, not {queue}: resume it on its own queue.', { id: pushId, other: m.queue, queue }));
      }
      if (m.client && m.client !== me) {
        // The old connection may be half-open with batches still buffered: end it before trusting the marker.
        await client.client('KILL', 'ID', m.client).catch(() => undefined);
      }
      const [[, pushed], [, bits]] = (await client.multi().hget(marker, 'pushed').getBuffer(doneKey).hset(marker, 'client', me).exec()) as [
        [Error | null, string | null],
        [Error | null, Buffer | null],
      ];
      batchSize = Number(m.batchSize);
      previous = Number(pushed ?? 0);
      done = bits;
    } else {
      batchSize = Math.max(1, Math.floor(opts.batchSize ?? defaultBatchSize));
      await client
        .multi()
        .hset(marker, { queue, batchSize: String(batchSize), pushed: '0', client: me, started: new Date().toISOString() })
        .expire(marker, MARKER_TTL_S)
        .exec();
    }
  } catch (e) {
    throw conn.toRedisError(e);
  }

  const sender = new BatchSender(client, queue, marker, doneKey, batchSize, previous, done, opts);
  let cancelled = false;
  let error: Error | undefined;
  try {
    await produce(source, sender);
    await sender.finish();
  } catch (e) {
    if (e instanceof Stop) cancelled = true;
    else error = e as Error;
  }
  await sender.settle();
  if (!error && sender.failure) error = sender.failure;

  let pushed = previous + sender.acked;
  if (error || cancelled) {
    // Replies may have been lost with the connection: the marker knows what really landed.
    try {
      const c = await conn.ready();
      const n = await c.hget(marker, 'pushed');
      if (n !== null) pushed = Number(n);
    } catch (e) {
      logger.warn(`push ${pushId}: could not read back the count (${(e as Error).message}); reporting the acknowledged ${pushed}`);
    }
  } else {
    // Done: nothing to resume, leave no key behind.
    await client.del(marker, doneKey).catch(() => undefined);
  }
  opts.onProgress?.(pushed);
  const result: PushResult = { pushed, previouslyPushed: previous, cancelled, pushId };
  if (error) {
    const mapped = error instanceof RedisError || !isRedisSide(error) ? error : conn.toRedisError(error);
    result.error = mapped instanceof RedisError ? withResumeHint(mapped, pushed) : mapped;
  }
  return result;
}

function isRedisSide(e: Error): boolean {
  return e.name === 'ReplyError' || e.name === 'MaxRetriesPerRequestError' || /Connection|Stream|timed out/i.test(e.message);
}

function withResumeHint(e: RedisError, pushed: number): RedisError {
  return new RedisError(
    e.code as ConstructorParameters<typeof RedisError>[0],
    l10n.t('{reason} {pushed} items were pushed; retrying the push continues after them without duplicating any.', { reason: e.message, pushed }),
    { cause: e },
  );
}

/** The ItemSink that cuts batches, skips those already landed, and keeps a bounded number in flight. */
class BatchSender implements ItemSink {
  acked = 0;
  failure: Error | undefined;
  private batch: RespBatch;
  /** Number of the batch being filled, and whether it landed in an earlier run. */
  private seq = 1;
  private skipping: boolean;
  private skipped = 0;
  private readonly prefix: Buffer;
  private readonly headroom: number;
  private readonly inFlight: Array<{ promise: Promise<void>; bytes: number }> = [];
  private inFlightBytes = 0;
  private lastCapacity = 64 * 1024;
  /** Buffers of acknowledged batches, handed to the next ones: no fresh 30-60 KiB per batch. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly client: Redis,
    queue: string,
    private readonly marker: string,
    private readonly doneKey: string,
    private readonly batchSize: number,
    private readonly previous: number,
    private readonly done: Buffer | null,
    private readonly opts: PushOptions,
  ) {
    this.prefix = encodeArgs(['LPUSH', queue]);
    this.headroom = this.prefix.length + 32;
    this.batch = new RespBatch(this.headroom, this.lastCapacity);
    this.skipping = bitSet(done, this.seq);
  }

  addString(s: string): boolean {
    if (this.skipping) return ++this.skipped >= this.batchSize;
    this.batch.addString(s);
    return this.batch.count >= this.batchSize;
  }

  addBytes(b: Buffer, start: number, end: number): boolean {
    if (this.skipping) return ++this.skipped >= this.batchSize;
    this.batch.addBytes(b, start, end);
    return this.batch.count >= this.batchSize;
  }

  addLines(b: Buffer, start: number, end: number): number {
    if (!this.skipping) return this.batch.addLines(b, start, end, this.batchSize);
    // A batch that landed in an earlier run: count its lines through (as emit would), no encoding.
    let from = start;
    for (let i = start; i < end && this.skipped < this.batchSize; i++) {
      if (b[i] !== 10) continue;
      const last = i > from && b[i - 1] === 13 ? i - 1 : i;
      if (last > from) this.skipped++;
      from = i + 1;
    }
    return from;
  }

  get batchFull(): boolean {
    return this.skipping ? this.skipped >= this.batchSize : this.batch.count >= this.batchSize;
  }

  async flush(): Promise<void> {
    if (this.opts.signal?.isCancellationRequested) throw new Stop();
    if (this.failure) throw this.failure;
    if (this.skipping || this.batch.count === 0) {
      this.next();
      return;
    }
    const batch = this.batch;
    const seq = this.seq;
    this.lastCapacity = Math.max(this.lastCapacity, batch.byteLength + this.headroom + 1024);
    this.batch = new RespBatch(this.headroom, this.lastCapacity, this.spare.pop());
    this.next();
    const frame = batch.frame(this.prefix, 2);
    const count = batch.count;
    const c = this.client;
    // Five commands, one transaction; replies other than EXEC's only say QUEUED. Corked, they
    // leave in one write (one syscall, one read on the server) instead of five or six.
    const send = (cmd: Command) => (c.sendCommand(cmd) as Promise<unknown>);
    const socket = (c as unknown as { stream?: { cork?(): void; uncork?(): void } }).stream;
    socket?.cork?.();
    let exec: Promise<unknown>;
    try {
      send(new Command('multi', [])).catch(() => undefined);
      send(new FrameCommand('lpush', frame)).catch(() => undefined);
      send(new Command('setbit', [this.doneKey, String(seq), '1'])).catch(() => undefined);
      send(new Command('hincrby', [this.marker, 'pushed', String(count)])).catch(() => undefined);
      exec = send(new Command('exec', []));
      if (seq === 1 || seq % 256 === 0) c.expire(this.doneKey, MARKER_TTL_S).catch(() => undefined);
    } finally {
      socket?.uncork?.();
    }
    const entry = {
      bytes: frame.length,
      promise: exec.then(
        (replies) => {
          const failed = Array.isArray(replies) ? replies.find((r): r is Error => r instanceof Error) : new Error('EXEC returned nothing');
          if (failed) this.failure ??= failed;
          else {
            this.acked += count;
            // Redis answered the EXEC, so it read every byte of the frame: the buffer is free.
            if (this.spare.length <= MAX_IN_FLIGHT) this.spare.push(batch.storage);
          }
          this.opts.onProgress?.(this.previous + this.acked);
        },
        (e: Error) => {
          this.failure ??= e;
        },
      ),
    };
    this.inFlight.push(entry);
    this.inFlightBytes += entry.bytes;
    while (this.inFlight.length >= MAX_IN_FLIGHT || this.inFlightBytes > MAX_IN_FLIGHT_BYTES) {
      const first = this.inFlight.shift()!;
      await first.promise;
      this.inFlightBytes -= first.bytes;
    }
    if (this.failure) throw this.failure;
  }

  private next(): void {
    this.seq++;
    this.skipped = 0;
    this.skipping = bitSet(this.done, this.seq);
  }

  /** Sends the last, shorter batch. */
  async finish(): Promise<void> {
    await this.flush();
  }

  /** Waits for every batch in flight, whatever the outcome. */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight.map((f) => f.promise));
    this.inFlight.length = 0;
    this.inFlightBytes = 0;
  }
}
