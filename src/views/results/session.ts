// Host-side logic of one results panel: answers the webview's requests through the
// QueueService. No `vscode` here (the panel adds clipboard, dialogs and progress), so the
// paging rules are unit-tested. Nothing here writes to Redis.
import type { QueueService } from '../../core/service-api';
import type { CancellationSignal } from '../../core/ports';
import { clip, currentIndex, EXPAND_CHARS, pageRows, PREVIEW_BYTES, prettyJson, samePrefix, searchRows } from './format';
import type { ItemResult, Order, PageResult, SearchResult } from './protocol';

export type ResultsQueues = Pick<QueueService, 'page' | 'item' | 'search' | 'lengths'>;

/** Largest page the webview may ask for, whatever it sends. */
export const MAX_PAGE = 1000;
/** Matches kept by a server-side search (the count scanned is always reported). */
export const SEARCH_LIMIT = 1000;

/** The page the webview asked for, made safe: whatever it sends, a whole offset from 0 and 1 to
 *  MAX_PAGE rows (the failed list's session pages the same way). */
export function pageWindow(offset: number, count: number): { offset: number; count: number } {
  return { offset: Math.max(0, Math.floor(offset) || 0), count: Math.min(MAX_PAGE, Math.max(1, Math.floor(count) || 1)) };
}

export class ResultsSession {
  constructor(
    private readonly queues: ResultsQueues,
    readonly queue: string,
  ) {}

  async page(order: Order, offset: number, count: number): Promise<PageResult> {
    const { offset: safeOffset, count: safeCount } = pageWindow(offset, count);
    const page = await this.queues.page(this.queue, {
      from: order,
      offset: safeOffset,
      count: safeCount,
      maxValueBytes: PREVIEW_BYTES,
    });
    return { total: page.total, offset: safeOffset, rows: pageRows(page.items, safeOffset) };
  }

  /** The whole value of a row, following the list's growth since the row was loaded. */
  async fullValue(index: number, totalAtLoad: number, prefix: string): Promise<{ value: string | null; index: number }> {
    const lengths = await this.queues.lengths([this.queue]);
    const totalNow = lengths[this.queue] ?? 0;
    const candidates = [currentIndex(index, totalAtLoad, totalNow)];
    if (candidates[0] !== index) candidates.push(index);
    for (const i of candidates) {
      const value = await this.queues.item(this.queue, i);
      if (value !== null && samePrefix(value, prefix)) return { value, index: i };
    }
    return { value: null, index };
  }

  async item(index: number, totalAtLoad: number, prefix: string): Promise<ItemResult> {
    const { value } = await this.fullValue(index, totalAtLoad, prefix);
    if (value === null) return { value: '', length: 0, clipped: false, missing: true };
    const { text, clipped } = clip(value, EXPAND_CHARS);
    return {
      value: text,
      pretty: clipped ? undefined : prettyJson(text),
      length: Buffer.byteLength(value),
      clipped,
      missing: false,
    };
  }

  async search(
    needle: string,
    signal: CancellationSignal,
    onProgress: (scanned: number, total: number) => void,
  ): Promise<SearchResult> {
    const r = await this.queues.search(this.queue, needle, { limit: SEARCH_LIMIT, signal, onProgress });
    return { rows: searchRows(r.matches), scanned: r.scanned, complete: r.complete };
  }
}
