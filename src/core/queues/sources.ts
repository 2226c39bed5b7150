// Reads every kind of PushSource as a stream of items into an ItemSink, with bounded memory:
// files are read in 1 MiB chunks and only a partial last line (or JSON element) is carried
// over. Items that come from bytes (lines, CSV rows) go to the sink as byte ranges, never
// decoded. The producers await only when the sink says a batch is full, so the per-item cost
// is a few byte comparisons and one copy.
//
// What an item is, per kind:
// - lines: each line without its line break; empty lines are skipped.
// - jsonLines: each non-empty line must be JSON; a string is pushed as its value, any other
//   value as the line's text (trimmed), so numbers keep their exact digits.
// - jsonArray: the file must be one top-level array; a string element is pushed as its value,
//   any other element as its compact JSON text (whitespace outside strings removed, digits kept).
// - csv: each row as its raw text (a quoted field may hold line breaks); empty rows skipped;
//   `skipHeader` drops the first row.
// - range: from..to inclusive, by step (default 1 or -1).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { PushSource } from '../service-api';
import { ConfigError } from '../errors';
import { l10n } from '../l10n';

export interface ItemSink {
  /** Returns true when the batch is full: the producer must then `await flush()`. */
  addString(s: string): boolean;
  addBytes(b: Buffer, start: number, end: number): boolean;
  flush(): Promise<void>;
  /**
   * Optional fast path for plain lines (what `emit` below does, line by line, in one loop):
   * takes the whole lines of buf[start, end) until the batch is full and returns the offset of
   * the first line not taken; `batchFull` then says whether the producer must flush first.
   */
  addLines?(buf: Buffer, start: number, end: number): number;
  readonly batchFull?: boolean;
}

const CHUNK = 1 << 20;

export async function produce(source: PushSource, sink: ItemSink): Promise<void> {
  switch (source.kind) {
    case 'array':
    case 'iterable':
      return fromIterable(source.items, sink);
    case 'range':
      return fromRange(source.from, source.to, source.step, sink);
    case 'lines':
      return fromLines(source.file, sink, false);
    case 'jsonLines':
      return fromLines(source.file, sink, true);
    case 'csv':
      return fromCsv(source.file, sink, source.skipHeader ?? false);
    case 'jsonArray':
      return fromJsonArray(source.file, sink);
  }
}

async function fromIterable(items: Iterable<string> | AsyncIterable<string>, sink: ItemSink): Promise<void> {
  if (Symbol.asyncIterator in items) {
    for await (const s of items as AsyncIterable<string>) if (sink.addString(String(s))) await sink.flush();
  } else {
    for (const s of items as Iterable<string>) if (sink.addString(String(s))) await sink.flush();
  }
}

async function fromRange(from: number, to: number, step: number | undefined, sink: ItemSink): Promise<void> {
  const by = step ?? (from <= to ? 1 : -1);
  if (!Number.isFinite(from) || !Number.isFinite(to) || !Number.isFinite(by) || by === 0 || (to - from) * by < 0) {
    throw new ConfigError('badUrl', l10n.t('The number range {from}..{to} by {step} is empty or endless: check the bounds and the step.', { from, to, step: by }));
  }
  for (let i = from; by > 0 ? i <= to : i >= to; i += by) if (sink.addString(String(i))) await sink.flush();
}

function stream(file: string) {
  return createReadStream(file, { highWaterMark: CHUNK });
}

/** The file in CHUNK-sized reads into ONE buffer, read into again for the next chunk: a
 *  consumer must copy what it keeps. No fresh 1 MiB per chunk, so a long push makes no
 *  garbage for the collector to chase. */
async function* reusedChunks(file: string): AsyncGenerator<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** Joins what was carried over from earlier chunks with the new one. */
function join(carry: Buffer[], chunk: Buffer): Buffer {
  if (!carry.length) return chunk;
  carry.push(chunk);
  const all = Buffer.concat(carry);
  carry.length = 0;
  return all;
}

async function fromLines(file: string, sink: ItemSink, json: boolean): Promise<void> {
  const carry: Buffer[] = [];
  let lineNo = 0;
  // Synchronous per line (an await per item would cost more than the rest); true = batch full.
  const emit = (buf: Buffer, start: number, end: number): boolean => {
    lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    if (end === start) return false;
    return json ? addJsonLine(sink, buf.toString('utf8', start, end), file, lineNo) : sink.addBytes(buf, start, end);
  };
  for await (const chunk of reusedChunks(file)) {
    let start = 0;
    if (carry.length) {
      // Only the line that spans the chunks is joined (not the whole 1 MiB chunk with it); a
      // chunk without any line break is carried whole.
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        carry.push(Buffer.from(chunk));
        continue;
      }
      carry.push(chunk.subarray(0, nl));
      const spanning = Buffer.concat(carry);
      carry.length = 0;
      start = nl + 1;
      if (emit(spanning, 0, spanning.length)) await sink.flush();
    }
    const n = chunk.length;
    if (!json && sink.addLines) {
      for (;;) {
        start = sink.addLines(chunk, start, n);
        if (!sink.batchFull) break;
        await sink.flush();
      }
    } else {
      // The line breaks are found by a plain loop: Buffer#indexOf is a native call per line,
      // which costs more than scanning a short line's bytes here.
      for (let i = start; i < n; i++) {
        if (chunk[i] !== 10) continue;
        const full = emit(chunk, start, i);
        start = i + 1;
        if (full) await sink.flush();
      }
    }
    // Copied: the chunk's buffer is read into again.
    if (start < n) carry.push(Buffer.from(chunk.subarray(start)));
  }
  if (carry.length) {
    const rest = Buffer.concat(carry);
    if (emit(rest, 0, rest.length)) await sink.flush();
  }
}

function addJsonLine(sink: ItemSink, text: string, file: string, line: number): boolean {
  const t = text.trim();
  if (!t) return false;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    throw new ConfigError('malformedJson', l10n.t('Line {line} of {file} is not JSON ({reason}): fix it, or push the file as plain lines.', { line, file, reason: (e as Error).message }), file);
  }
  return sink.addString(typeof v === 'string' ? v : t);
}

async function fromCsv(file: string, sink: ItemSink, skipHeader: boolean): Promise<void> {
  const carry: Buffer[] = [];
  let quoted = false;
  let skip = skipHeader;
  const emit = (buf: Buffer, start: number, end: number): boolean => {
    if (end > start && buf[end - 1] === 13) end--;
    if (end === start) return false;
    if (skip) {
      skip = false;
      return false;
    }
    return sink.addBytes(buf, start, end);
  };
  for await (const chunk of stream(file) as AsyncIterable<Buffer>) {
    const carried = carry.reduce((n, b) => n + b.length, 0);
    const buf = join(carry, chunk);
    let start = 0;
    // The carried-over bytes were scanned already (and `quoted` says where that left us).
    for (let i = carried; i < buf.length; i++) {
      const c = buf[i];
      if (c === 34) quoted = !quoted;
      else if (c === 10 && !quoted) {
        const full = emit(buf, start, i);
        start = i + 1;
        if (full) await sink.flush();
      }
    }
    if (start < buf.length) carry.push(buf.subarray(start));
  }
  if (carry.length) {
    const rest = Buffer.concat(carry);
    if (emit(rest, 0, rest.length)) await sink.flush();
  }
}

/**
 * Streaming tokenizer for one top-level JSON array: finds where each element starts and ends
 * (tracking strings, escapes and nesting), never holds more than the element being read.
 */
async function fromJsonArray(file: string, sink: ItemSink): Promise<void> {
  const bad = (why: string) =>
    new ConfigError('malformedJson', l10n.t('{file} is not a JSON array ({reason}): push it as JSON Lines or plain lines instead.', { file, reason: why }), file);
  type State = 'before' | 'expect' | 'value' | 'done';
  let state: State = 'before';
  let depth = 0;
  let inStr = false;
  let esc = false;
  let count = 0;
  const parts: Buffer[] = [];
  let offset = 0;

  const finish = async (text: string) => {
    const t = text.trim();
    if (!t) throw bad(l10n.t('empty element after item {count}', { count }));
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw bad(l10n.t('element {index}: {reason}', { index: count + 1, reason: (e as Error).message }));
    }
    count++;
    const item = typeof v === 'string' ? v : t[0] === '{' || t[0] === '[' ? compactJson(t) : t;
    if (sink.addString(item)) await sink.flush();
  };

  for await (const chunk of stream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (state === 'value') {
        if (inStr) {
          if (esc) esc = false;
          else if (c === 92) esc = true;
          else if (c === 34) inStr = false;
          continue;
        }
        if (c === 34) inStr = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          if (depth > 0) depth--;
          else {
            parts.push(chunk.subarray(start, i));
            await finish(Buffer.concat(parts).toString('utf8'));
            parts.length = 0;
            state = 'done';
          }
        } else if (c === 44 && depth === 0) {
          parts.push(chunk.subarray(start, i));
          await finish(Buffer.concat(parts).toString('utf8'));
          parts.length = 0;
          state = 'expect';
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13) continue;
      if (state === 'before') {
        if (c === 0xef || c === 0xbb || c === 0xbf) continue; // UTF-8 BOM
        if (c !== 91) throw bad(l10n.t('it does not start with ['));
        state = 'expect';
        continue;
      }
      if (state === 'expect') {
        if (c === 93 && count === 0) {
          state = 'done';
          continue;
        }
        state = 'value';
        start = i;
        i--; // rescan this byte as part of the value
        continue;
      }
      if (state === 'done') throw bad(l10n.t('text after the closing ] at byte {offset}', { offset: offset + i }));
    }
    if (state === 'value') parts.push(Buffer.from(chunk.subarray(start)));
    offset += chunk.length;
  }
  if ((state as State) !== 'done') throw bad(l10n.t('it ends before its closing ]'));
}

/** JSON text without whitespace outside strings (numbers keep their exact digits). */
function compactJson(t: string): string {
  if (!/\s/.test(t)) return t;
  let out = '';
  let inStr = false;
  let esc = false;
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (inStr) {
      if (esc) esc = false;
      else if (c === 92) esc = true;
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 32 || c === 9 || c === 10 || c === 13) {
      out += t.slice(from, i);
      from = i + 1;
    }
  }
  return out + t.slice(from);
}

/** How many items `source` yields, read by the same parser a push uses (so the number said
 *  before a push is the number pushed). Streams: bounded memory for any file size. */
export async function countItems(source: PushSource): Promise<number> {
  let n = 0;
  await produce(source, {
    addString: () => (n++, false),
    addBytes: () => (n++, false),
    flush: async () => undefined,
  });
  return n;
}
