// Host-side formatting for the results panel, kept free of `vscode` so it is unit-tested.
import type { PageItem } from '../../core/service-api';
import type { ResultRow } from './protocol';

/** Bytes of a value shown in a row before "expand". */
export const PREVIEW_BYTES = 2000;
/** Characters shown when a row is expanded; bigger values are clipped (copy/export get all). */
export const EXPAND_CHARS = 1_000_000;
/** Values above this are not parsed for pretty-printing (parsing is synchronous). */
const PRETTY_MAX_CHARS = 256 * 1024;

/** Pretty JSON when the value is a JSON object or array; scalars stay as they are. */
export function prettyJson(value: string): string | undefined {
  if (value.length > PRETTY_MAX_CHARS) return undefined;
  const t = value.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return undefined;
  try {
    const pretty = JSON.stringify(JSON.parse(t), null, 2);
    return pretty === value ? undefined : pretty;
  } catch {
    return undefined;
  }
}

/** Cut a string to at most `maxChars` without splitting a surrogate pair. */
export function clip(value: string, maxChars: number): { text: string; clipped: boolean } {
  if (value.length <= maxChars) return { text: value, clipped: false };
  let end = maxChars;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return { text: value.slice(0, end), clipped: true };
}

/** A service item as a row; `position` is 1-based in the order the user chose. */
export function toRow(item: PageItem, position: number, previewChars = PREVIEW_BYTES): ResultRow {
  const { text, clipped } = clip(item.value, previewChars);
  const truncated = item.truncated || clipped;
  return {
    index: item.index,
    position,
    value: text,
    pretty: truncated ? undefined : prettyJson(text),
    length: item.length,
    truncated,
  };
}

export function pageRows(items: PageItem[], offset: number): ResultRow[] {
  return items.map((it, i) => toRow(it, offset + i + 1));
}

/** Search matches are numbered by their place from the newest end. */
export function searchRows(items: PageItem[]): ResultRow[] {
  return items.map((it) => toRow(it, it.index + 1));
}

/**
 * Results are LPUSHed at index 0, so an item seen at `index` when the list held
 * `totalAtLoad` items is now at `index + growth`. Lists that shrank (someone trimmed them)
 * keep the old index; the caller checks the value still matches.
 */
export function currentIndex(index: number, totalAtLoad: number, totalNow: number): number {
  return totalNow > totalAtLoad ? index + (totalNow - totalAtLoad) : index;
}

/** Does a full value still start with the preview the webview holds? */
export function samePrefix(full: string, preview: string | undefined): boolean {
  return preview === undefined || full.startsWith(preview);
}

/** Escape for HTML text and attribute values (the panel's HTML shell only: data never goes through HTML). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  for (const b of bytes) out += chars[b % chars.length];
  return out;
}
