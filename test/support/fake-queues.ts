// An in-memory stand-in for the QueueService reads the results panel uses. Lists are
// functions of the index so a 1,000,000-item list costs nothing; `reads` counts the values
// handed out, to prove a page never loads the whole list.
import type { Page, PageItem, PageRequest, QueueService } from '../../src/core/service-api';
import type { QueueLengths } from '../../src/core/types';

export interface FakeList {
  length: number;
  /** Value at Redis index i (0 = newest, the LPUSH end). */
  at(i: number): string;
}

export function arrayList(newestFirst: string[]): FakeList {
  return { get length() { return newestFirst.length; }, at: (i) => newestFirst[i] };
}

export class FakeQueues implements Pick<QueueService, 'page' | 'item' | 'search' | 'lengths'> {
  reads = 0;
  constructor(readonly lists: Record<string, FakeList>) {}

  private list(q: string): FakeList {
    return this.lists[q] ?? { length: 0, at: () => '' };
  }

  private item0(list: FakeList, i: number, max?: number): PageItem {
    this.reads++;
    const value = list.at(i);
    const bytes = Buffer.byteLength(value);
    const truncated = max !== undefined && bytes > max;
    return { index: i, value: truncated ? Buffer.from(value).subarray(0, max).toString() : value, length: bytes, truncated };
  }

  async lengths(queues: string[]): Promise<QueueLengths> {
    return Object.fromEntries(queues.map((q) => [q, this.list(q).length]));
  }

  async page(queue: string, req: PageRequest): Promise<Page> {
    const list = this.list(queue);
    const items: PageItem[] = [];
    for (let k = req.offset; k < Math.min(list.length, req.offset + req.count); k++) {
      const i = req.from === 'newest' ? k : list.length - 1 - k;
      items.push(this.item0(list, i, req.maxValueBytes));
    }
    return { total: list.length, items };
  }

  async item(queue: string, index: number): Promise<string | null> {
    const list = this.list(queue);
    return index >= 0 && index < list.length ? list.at(index) : null;
  }

  async search(queue: string, needle: string, opts?: Parameters<QueueService['search']>[2]) {
    const list = this.list(queue);
    const matches: PageItem[] = [];
    let scanned = 0;
    for (let i = 0; i < list.length; i++) {
      if (opts?.signal?.isCancellationRequested) return { matches, scanned, complete: false };
      scanned++;
      if (list.at(i).includes(needle)) {
        matches.push(this.item0(list, i));
        if (opts?.limit && matches.length >= opts.limit) return { matches, scanned, complete: false };
      }
      if (scanned % 1000 === 0) {
        opts?.onProgress?.(scanned, list.length);
        await new Promise((r) => setImmediate(r));
      }
    }
    opts?.onProgress?.(scanned, list.length);
    return { matches, scanned, complete: true };
  }
}
