// Host-side logic of a failed-list panel: the same requests as a results panel (page, expand,
// copy, search), answered from the input's failed list with each entry parsed, so every row
// is an item with its error beside it. No `vscode` here, so the rules are unit-tested.
// Nothing here writes to Redis (Retry and Clear are commands, asked first).
import type { FailedEntry, FailedPageItem, QueueService } from '../../core/service-api';
import type { CancellationSignal } from '../../core/ports';
import { clip, currentIndex, EXPAND_CHARS, PREVIEW_BYTES, prettyJson, samePrefix } from './format';
import type { FailureView, ItemResult, Order, PageResult, ResultRow, SearchResult } from './protocol';
import { pageWindow, SEARCH_LIMIT } from './session';

export type FailedQueues = Pick<QueueService, 'failedPage' | 'failedEntry' | 'searchFailed'>;

/** Characters of an error shown beside its item (the convention cuts errors at 2,000). */
export const ERROR_CHARS = 4000;

function failureOf(e: FailedEntry): FailureView {
  const f: FailureView = {};
  if (e.raw !== undefined) {
    f.raw = true;
    return f;
  }
  if (e.error !== undefined) {
    const { text, clipped } = clip(e.error, ERROR_CHARS);
    f.error = text;
    if (clipped) f.errorClipped = true;
  }
  if (e.attempts !== undefined) f.attempts = e.attempts;
  for (const k of ['reason', 'nodeId', 'instanceId', 'time', 'task'] as const) if (e[k] !== undefined) f[k] = clip(e[k]!, 200).text;
  if (e.binary) f.binary = true;
  return f;
}

/** What a row shows as its value: the item, else the entry as it is. */
export function shownValue(e: FailedEntry): string {
  return e.item ?? e.raw ?? '';
}

export function failedRow(it: FailedPageItem, position: number): ResultRow {
  const value = shownValue(it.entry);
  const { text, clipped } = clip(value, PREVIEW_BYTES);
  const truncated = it.truncated || clipped;
  return { index: it.index, position, value: text, pretty: truncated ? undefined : prettyJson(text), length: it.length, truncated, failure: failureOf(it.entry) };
}

export class FailedSession {
  constructor(
    private readonly queues: FailedQueues,
    readonly input: string,
  ) {}

  async page(order: Order, offset: number, count: number): Promise<PageResult> {
    const { offset: safeOffset, count: safeCount } = pageWindow(offset, count);
    const page = await this.queues.failedPage(this.input, { from: order, offset: safeOffset, count: safeCount });
    return { total: page.total, offset: safeOffset, rows: page.items.map((it, i) => failedRow(it, safeOffset + i + 1)) };
  }

  /** The whole item of a row, following the list's growth since the row was loaded. */
  async fullValue(index: number, totalAtLoad: number, prefix: string): Promise<{ value: string | null; index: number }> {
    const totalNow = (await this.queues.failedPage(this.input, { from: 'newest', offset: 0, count: 0 })).total;
    const candidates = [currentIndex(index, totalAtLoad, totalNow)];
    if (candidates[0] !== index) candidates.push(index);
    for (const i of candidates) {
      const found = await this.queues.failedEntry(this.input, i);
      const value = found ? shownValue(found.entry) : null;
      if (value !== null && samePrefix(value, prefix)) return { value, index: i };
    }
    return { value: null, index };
  }

  async item(index: number, totalAtLoad: number, prefix: string): Promise<ItemResult> {
    const { value } = await this.fullValue(index, totalAtLoad, prefix);
    if (value === null) return { value: '', length: 0, clipped: false, missing: true };
    const { text, clipped } = clip(value, EXPAND_CHARS);
    return { value: text, pretty: clipped ? undefined : prettyJson(text), length: Buffer.byteLength(value), clipped, missing: false };
  }

  async search(needle: string, signal: CancellationSignal, onProgress: (scanned: number, total: number) => void): Promise<SearchResult> {
    const r = await this.queues.searchFailed(this.input, needle, { limit: SEARCH_LIMIT, signal, onProgress });
    return { rows: r.matches.map((m) => failedRow(m, m.index + 1)), scanned: r.scanned, complete: r.complete };
  }
}
