// The failed list of the reliable-consumer convention (README, "Reliable consumers"), seen
// from the extension: its name, a reader that tolerates whatever is in it, and the script
// that moves entries out of it (Retry puts their items back into the input, Clear drops
// them). Pure: no Redis here; src/core/queues/failed.ts runs the script.
//
// Contract (consumers write it; the extension only reads, retries and clears):
//   key `<input>:failed`, a list, newest entry at the head (LPUSH); one JSON object per
//   element: {"item", "error", "attempts", "task", "node_id", "instance_id", "time", "reason"},
//   `item_b64` (base64) instead of `item` for an item that is not valid UTF-8. The attempts of
//   recovered items are in the hash `<input>:attempts` (field: the item's exact bytes).

import type { CancellationSignal } from './ports';

/** The failed list of an input queue. Built from the input whole, so names holding `:` or
 *  spaces need no escaping. */
export function failedList(input: string): string {
  return `${input}:failed`;
}

/** Where consumers count how often an item was recovered from a dead consumer. */
export function attemptsHash(input: string): string {
  return `${input}:attempts`;
}

/** One element of a failed list, read tolerantly: every field is optional, and an element
 *  that is not a JSON object is kept as `raw` text (nothing to retry in it). */
export interface FailedEntry {
  /** The item as text; for an `item_b64` item, its bytes read as UTF-8 (for display only). */
  item?: string;
  /** The item's exact bytes, what Retry pushes back; undefined when the entry has no item. */
  itemBytes?: Buffer;
  /** The item came as `item_b64` (not valid UTF-8). */
  binary?: boolean;
  error?: string;
  attempts?: number;
  task?: string;
  nodeId?: string;
  instanceId?: string;
  /** RFC 3339, as the consumer wrote it */
  time?: string;
  /** "error" (the consumer's code rejected it) or "killed" (it killed its consumer); any other text kept as is */
  reason?: string;
  /** The element as text, when it is not a JSON object (written by someone else, or cut). */
  raw?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Reads one element. Never throws: what cannot be read is shown raw. */
export function parseFailedEntry(value: Buffer | string): FailedEntry {
  const s = typeof value === 'string' ? value : value.toString('utf8');
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch {
    return { raw: s };
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { raw: s };
  const r = o as Record<string, unknown>;
  const e: FailedEntry = {};
  if (r.item !== undefined && r.item !== null) {
    e.item = text(r.item);
    e.itemBytes = Buffer.from(e.item!, 'utf8');
  } else if (typeof r.item_b64 === 'string' && BASE64.test(r.item_b64) && r.item_b64.length % 4 === 0) {
    e.itemBytes = Buffer.from(r.item_b64, 'base64');
    e.item = e.itemBytes.toString('utf8');
    e.binary = true;
  }
  const error = text(r.error);
  if (error !== undefined) e.error = error;
  if (typeof r.attempts === 'number' && Number.isFinite(r.attempts)) e.attempts = r.attempts;
  else if (typeof r.attempts === 'string' && /^\d+$/.test(r.attempts)) e.attempts = Number(r.attempts);
  const task = text(r.task);
  if (task !== undefined) e.task = task;
  const node = text(r.node_id);
  if (node !== undefined) e.nodeId = node;
  const instance = text(r.instance_id);
  if (instance !== undefined) e.instanceId = instance;
  const time = text(r.time);
  if (time !== undefined) e.time = time;
  const reason = text(r.reason);
  if (reason !== undefined) e.reason = reason;
  // An object with none of the contract's keys is someone else's data: show it as it is.
  if (e.itemBytes === undefined && e.error === undefined) return { raw: s };
  return e;
}

/** KEYS: failed list, input, attempts hash. ARGV[1]: "retry" or "clear", then one triple per
 *  entry: the entry's exact bytes, "1" when it has an item else "0", the item's bytes.
 *  Each entry leaves the failed list (LREM from the tail, where the oldest are) and only when
 *  it was still there does its item go to the input's popping end (retry) and its attempts
 *  field go: run again after a lost reply, it finds the entries gone and moves nothing twice.
 *  Types are checked first, since a script that fails half-way keeps what it did.
 *  Returns {moved, gone}; -1 when the failed key is not a list, -2 when the input is not a list. */
export const SETTLE_FAILED_SCRIPT = `
local failed, input, att = KEYS[1], KEYS[2], KEYS[3]
local ft = redis.call("TYPE", failed).ok
if ft == "none" then return {0, (#ARGV - 1) / 3} end
if ft ~= "list" then return -1 end
local retry = ARGV[1] == "retry"
if retry then
  local it = redis.call("TYPE", input).ok
  if it ~= "none" and it ~= "list" then return -2 end
end
local at = redis.call("TYPE", att).ok
local counted = at == "hash"
local moved, gone = 0, 0
for i = 2, #ARGV, 3 do
  if redis.call("LREM", failed, -1, ARGV[i]) > 0 then
    if ARGV[i + 1] == "1" then
      if retry then redis.call("RPUSH", input, ARGV[i + 2]) end
      if counted then redis.call("HDEL", att, ARGV[i + 2]) end
    end
    moved = moved + 1
  else
    gone = gone + 1
  end
end
return {moved, gone}`;

export type FailedAction = 'retry' | 'clear';

export interface FailedActionResult {
  /** entries taken out of the failed list (retry: their items are back in the input) */
  moved: number;
  /** entries selected but already gone (retried or cleared by someone else, or by an earlier
   *  attempt of this call whose reply was lost) */
  gone: number;
  /** entries left because they carry no item to retry (not JSON, or no item field) */
  noItem: number;
  /** entries looked at */
  examined: number;
  cancelled: boolean;
}

export interface FailedCount {
  /** entries in the failed list */
  total: number;
  /** entries the search selects (all when there is none) */
  matching: number;
  /** of those, entries that carry an item (what Retry can move) */
  retryable: number;
}

export interface FailedPageItem {
  /** Redis list index (0 = newest) */
  index: number;
  /** byte length of the whole entry */
  length: number;
  /** the entry was cut at the preview size (then it usually reads as raw text) */
  truncated: boolean;
  entry: FailedEntry;
}

export interface FailedPage {
  total: number;
  items: FailedPageItem[];
}

export interface SettleOptions {
  /** only entries whose bytes contain this text (the search's needle) */
  match?: string;
  /** at most this many entries (the count the user confirmed), oldest first */
  limit?: number;
  signal?: CancellationSignal;
  onProgress?(examined: number, total: number): void;
}
