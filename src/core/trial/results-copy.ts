// The trial's results, copied out of Redis before the scratch queues were removed, behind the
// QueueService shape the results view reads: paging, expand, search and export all work on the
// copy, and nothing can be pushed to it or deleted from it.
import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../errors';
import { l10n } from '../l10n';
import type { PageItem, QueueService } from '../service-api';

const PREVIEW_BYTES = 64 * 1024;

function pageItem(index: number, value: string, max: number): PageItem {
  const length = Buffer.byteLength(value);
  if (length <= max) return { index, value, length, truncated: false };
  return { index, value: Buffer.from(value).subarray(0, max).toString('utf8').replace(/\uFFFD$/, ''), length, truncated: true };
}

/** `oldestFirst`: results in the order they arrived. The copy is indexed like a Redis list (0 = newest). */
export function resultsQueue(name: string, queue: string, oldestFirst: readonly string[]): QueueService {
  const list = [...oldestFirst].reverse();
  const lengthsOf = (queues: string[]) => Object.fromEntries(queues.map((q) => [q, q === queue ? list.length : 0]));
  const readOnly = () => Promise.reject(new ConfigError('missingField', l10n.t('These are the results of a finished trial, kept in memory: they cannot be changed.')));
  return {
    cluster: name,
    ping: async () => undefined,
    lengths: async (queues) => lengthsOf(queues),
    // A copy has no consumers: nothing is in flight, nothing to requeue.
    lengthsWithInFlight: async (queues, inputs) => ({ lengths: lengthsOf(queues), inFlight: Object.fromEntries(inputs.map((i) => [i, []])) }),
    probe: async (queues, inputs = []) => ({ lengths: lengthsOf(queues), ...(inputs.length ? { inFlight: Object.fromEntries(inputs.map((i) => [i, []])) } : {}) }),
    requeue: readOnly,
    // A trial's copy has no failed list: empty, and nothing to retry or clear.
    failedPage: async () => ({ total: 0, items: [] }),
    failedEntry: async () => null,
    searchFailed: async () => ({ matches: [], scanned: 0, complete: true }),
    countFailed: async () => ({ total: 0, matching: 0, retryable: 0 }),
    settleFailed: readOnly,
    push: readOnly,
    deleteQueue: readOnly,
    async page(q, req) {
      const values = q === queue ? list : [];
      const max = req.maxValueBytes ?? PREVIEW_BYTES;
      const offset = Math.max(0, Math.floor(req.offset));
      const count = Math.max(0, Math.floor(req.count));
      const indexes: number[] = [];
      for (let i = offset; i < Math.min(values.length, offset + count); i++) indexes.push(req.from === 'newest' ? i : values.length - 1 - i);
      return { total: values.length, items: indexes.map((i) => pageItem(i, values[i], max)) };
    },
    item: async (q, index) => (q === queue ? (list[index] ?? null) : null),
    async search(q, needle, opts = {}) {
      const values = q === queue ? list : [];
      const matches = values.flatMap((v, i) => (v.includes(needle) ? [pageItem(i, v, 1024)] : [])).slice(0, opts.limit ?? 100);
      opts.onProgress?.(values.length, values.length);
      return { matches, scanned: values.length, complete: true };
    },
    async exportToFile(q, file, opts = {}) {
      const values = q === queue ? list : [];
      const text = values.map((v) => (opts.format === 'jsonl' ? JSON.stringify(v) : /[\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v)).join('\n');
      await writeFile(file, values.length ? text + '\n' : '').catch((e: Error) => {
        throw new ConfigError('io', l10n.t('Cannot write {file} ({reason}): choose another file.', { file, reason: e.message }), file);
      });
      opts.onProgress?.(values.length, values.length);
      return { written: values.length, cancelled: false };
    },
    dispose: async () => undefined,
  };
}
