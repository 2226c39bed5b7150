// Reliable consumers on the Redis side: queue lengths and every processing list's length in
// one pipeline (one round trip per poll), and the requeue of stranded batches.
import type Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { failedList } from '../failed-items';
import { INFLIGHT_SCRIPT, parseProcessingList, processingRegistry, REQUEUE_SCRIPT } from '../inflight';
import { RedisError } from '../errors';
import { l10n } from '../l10n';
import type { InFlightList, LengthsWithInFlight, RequeueResult } from '../types';

function wrongType(queue: string): RedisError {
  return new RedisError('command', l10n.t('The Redis key {queue} is not a list: check the queue names of the task.', { queue }));
}

/** LLEN of each queue, one EVAL for the processing lists of each input, and LLEN of the
 *  failed list of each of `failedOf`, pipelined. */
export async function lengthsWithInFlight(client: Redis, queues: string[], inputs: string[], failedOf: string[] = []): Promise<LengthsWithInFlight> {
  const unique = [...new Set(inputs)];
  const failedInputs = [...new Set(failedOf)];
  const commands: Array<Array<string | number>> = queues.map((q) => ['llen', q]);
  if (unique.length) commands.push(['eval', INFLIGHT_SCRIPT, unique.length, ...unique.map(processingRegistry)]);
  const failedAt = commands.length;
  for (const input of failedInputs) commands.push(['llen', failedList(input)]);
  if (!commands.length) return { lengths: {}, inFlight: {} };
  const replies = (await client.pipeline(commands).exec()) ?? [];
  const lengths: Record<string, number> = {};
  queues.forEach((q, i) => {
    const r = replies[i];
    if (!r) throw new Error('Connection is closed.');
    if (r[0]) throw /WRONGTYPE/.test(r[0].message) ? wrongType(q) : r[0];
    lengths[q] = r[1] as number;
  });
  const inFlight: Record<string, InFlightList[]> = {};
  if (unique.length) {
    const r = replies[queues.length];
    if (!r) throw new Error('Connection is closed.');
    if (r[0]) throw r[0];
    const perInput = r[1] as Array<Array<string | number>>;
    unique.forEach((input, i) => {
      const flat = perInput[i] ?? [];
      const lists: InFlightList[] = [];
      for (let j = 0; j + 2 < flat.length; j += 3) {
        const list = String(flat[j]);
        lists.push({ list, token: String(flat[j + 1]), length: Number(flat[j + 2]), ...parseProcessingList(input, list) });
      }
      inFlight[input] = lists;
    });
  }
  if (!failedInputs.length) return { lengths, inFlight };
  // A failed key that is not a list (someone else's) reads -1: shown as such, never a failed poll.
  const failed: Record<string, number> = {};
  failedInputs.forEach((input, i) => {
    const r = replies[failedAt + i];
    if (!r) throw new Error('Connection is closed.');
    if (r[0] && !/WRONGTYPE/.test(r[0].message)) throw r[0];
    failed[input] = r[0] ? -1 : Number(r[1]);
  });
  return { lengths, inFlight, failed };
}

function connectionLost(e: unknown): boolean {
  return e instanceof RedisError ? e.code === 'unreachable' || e.code === 'timeout' : /Connection is closed|ECONNRESET|ECONNREFUSED|EPIPE|timed out/i.test(String((e as Error)?.message ?? e));
}

/**
 * Moves each list's batch back to `input` (its items' recoveries counted in `<input>:attempts`),
 * one atomic script per list, conditional on the
 * token it was found stranded with. When Redis goes away mid-way (a restart) it waits for it
 * up to `retryForMs` and goes on: a script whose reply was lost either ran whole or not at
 * all, and run again it finds the list gone (or taken on), so no item moves twice.
 */
export async function requeue(
  ready: () => Promise<Redis>,
  input: string,
  lists: ReadonlyArray<Pick<InFlightList, 'list' | 'token'>>,
  o: { retryForMs: number; toError(e: unknown): Error },
): Promise<RequeueResult> {
  const result: RequeueResult = { moved: 0, lists: 0, skipped: [] };
  const registry = processingRegistry(input);
  // Each requeued item counts one recovery (README, "Reliable consumers": a stranded batch's
  // consumer died or hung); TAKE hands counted items out in smaller batches.
  const attempts = `${input}:attempts`;
  for (const l of lists) {
    let deadline = 0;
    for (;;) {
      try {
        const client = await ready();
        const n = Number(await client.eval(REQUEUE_SCRIPT, 4, input, l.list, registry, attempts, l.token));
        if (n === -1) result.skipped.push({ list: l.list, reason: 'notAList' });
        else if (n === -2) result.skipped.push({ list: l.list, reason: 'movedOn' });
        else if (n > 0) {
          result.moved += n;
          result.lists++;
        }
        // 0: the list is gone (its consumer committed, or a lost-reply attempt of ours ran)
        break;
      } catch (e) {
        if (!connectionLost(e)) throw o.toError(e);
        deadline ||= Date.now() + o.retryForMs;
        if (Date.now() > deadline) throw o.toError(e);
        await sleep(200);
      }
    }
  }
  return result;
}
