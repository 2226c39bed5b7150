// The push's one-pass line encoder (RespBatch.addLines) against the item-by-item path it
// replaces (the lines reader's rules + addBytes): same frames byte for byte, same stopping
// points, whatever the line lengths, CRLF endings, blank lines, batch limits and chunk edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespBatch, encodeArgs } from '../../src/core/queues/resp';

const prefix = encodeArgs(['LPUSH', 'q']);

/** The reference: every whole line of src[start, end) through addBytes, as the reader's emit did. */
function reference(src: Buffer, start: number, end: number, limit: number, batch: RespBatch): number {
  let from = start;
  for (let i = start; i < end && batch.count < limit; i++) {
    if (src[i] !== 10) continue;
    const last = i > from && src[i - 1] === 13 ? i - 1 : i;
    if (last > from) batch.addBytes(src, from, last);
    from = i + 1;
  }
  return from;
}

/** A deterministic pseudo-random source of lines (no Math.random: a failure must repeat). */
function makeSource(seed: number, count: number): Buffer {
  let x = seed;
  const rnd = (n: number) => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x % n);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rnd(20);
    // lengths around the edges that matter: 0, 1-digit, 2-digit, 99/100/101, long
    const len = kind === 0 ? 0 : kind === 1 ? 98 + rnd(5) : kind === 2 ? 100 + rnd(400) : kind < 8 ? rnd(10) : rnd(99);
    let s = '';
    for (let k = 0; k < len; k++) s += String.fromCharCode(32 + rnd(90));
    if (kind === 3) s = `é${s}`; // multi-byte UTF-8
    parts.push(s + (rnd(4) === 0 ? '\r\n' : '\n'));
  }
  return Buffer.from(parts.join(''));
}

test('addLines encodes exactly what addBytes does line by line, stopping at the same places', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const src = makeSource(seed, 400);
    for (const limit of [1, 7, 100, 1000]) {
      // chunk edges anywhere, including inside a CRLF and inside a long line
      for (const cut of [src.length, Math.floor(src.length / 3) + seed, src.length - 1]) {
        let a = new RespBatch(64, 256);
        let b = new RespBatch(64, 256);
        let pa = 0;
        let pb = 0;
        for (;;) {
          const na = a.addLines(src, pa, cut, limit);
          const nb = reference(src, pb, cut, limit, b);
          assert.equal(na, nb, `seed ${seed}, limit ${limit}, cut ${cut}: stopped at ${na}, not ${nb}`);
          assert.equal(a.count, b.count);
          assert.ok(a.frame(prefix, 2).equals(b.frame(prefix, 2)), `seed ${seed}, limit ${limit}: frames differ`);
          pa = na;
          pb = nb;
          if (a.count < limit) break;
          // next batch, reusing the storage as the push does
          a = new RespBatch(64, 256, a.storage);
          b = new RespBatch(64, 256);
        }
        // what is left is at most one partial line
        assert.equal(src.subarray(pa, cut).indexOf(10), -1);
      }
    }
  }
});

test('addLines takes nothing from a partial line and nothing once the batch is full', () => {
  const batch = new RespBatch(64, 256);
  const src = Buffer.from('abc\ndef');
  assert.equal(batch.addLines(src, 0, src.length, 10), 4);
  assert.equal(batch.count, 1);
  assert.equal(batch.addLines(src, 4, src.length, 10), 4);
  const full = new RespBatch(64, 256);
  assert.equal(full.addLines(Buffer.from('a\nb\nc\n'), 0, 6, 2), 4);
  assert.equal(full.count, 2);
  assert.equal(full.frame(prefix, 2).toString('latin1'), '*4\r\n$5\r\nLPUSH\r\n$1\r\nq\r\n$1\r\na\r\n$1\r\nb\r\n');
});
