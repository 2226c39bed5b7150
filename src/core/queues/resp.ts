// RESP frames written by hand for the push path. ioredis encodes every argument of every
// command separately (a string concat or a Buffer list per argument); for 1,000-value batches
// that costs more than the whole server side. Here values go straight from the source's bytes
// into one growing Buffer, and the finished frame is handed to ioredis as a Command whose
// `toWritable` returns it as is, so replies, timeouts and errors still go through ioredis.
import { Command } from 'ioredis';

/** Lines shorter than this are found and copied by the same plain loop (their length has at most two digits). */
const SHORT_LINE = 100;

/** Bytes of `n` in decimal, for `$len\r\n` headers. */
function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : String(n).length;
}

/** One batch of values, encoded as RESP bulk strings, with room left in front for the command header. */
export class RespBatch {
  private buf: Buffer;
  private pos: number;
  count = 0;

  constructor(
    private readonly headroom: number,
    capacity: number,
    /** a buffer an earlier, acknowledged batch no longer needs */
    reuse?: Buffer,
  ) {
    this.buf = reuse && reuse.length >= capacity ? reuse : Buffer.allocUnsafe(Math.max(capacity, headroom + 1024));
    this.pos = headroom;
  }

  /** The whole buffer, for the next batch once this one's frame was acknowledged. */
  get storage(): Buffer {
    return this.buf;
  }

  get byteLength(): number {
    return this.pos - this.headroom;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra + 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  // Per-item work is done in plain JS for short values: a native call (Buffer#copy, #write)
  // costs more than copying a few dozen bytes by hand.
  private header(len: number): void {
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x24; // '$'
    if (len < 100000) {
      const w = digits(len);
      for (let i = w - 1, v = len; i >= 0; i--, v = (v / 10) | 0) b[p + i] = 48 + (v % 10);
      p += w;
    } else p += b.write(String(len), p, 'latin1');
    b[p] = 13;
    b[p + 1] = 10;
    this.pos = p + 2;
  }

  addBytes(src: Buffer, start: number, end: number): void {
    const len = end - start;
    this.ensure(len + digits(len) + 5);
    this.header(len);
    const b = this.buf;
    let p = this.pos;
    if (len < 128) for (let i = start; i < end; i++) b[p++] = src[i];
    else p += src.copy(b, p, start, end);
    b[p] = 13;
    b[p + 1] = 10;
    this.pos = p + 2;
    this.count++;
  }

  /**
   * The lines of src[start, end), each up to its \n (a \r before it dropped, empty lines
   * skipped, as the lines reader does), encoded until the batch holds `limit` items or no whole
   * line is left. Returns the offset of the first line not taken.
   * One pass per byte: finding a line's end and copying it are the same loop, the header
   * written in front afterwards (two digits assumed, fixed up for a one-digit length). Lines of
   * SHORT_LINE bytes or more go through indexOf + addBytes (native calls pay off there).
   */
  addLines(src: Buffer, start: number, end: number, limit: number): number {
    let i = start;
    while (this.count < limit && i < end) {
      this.ensure(SHORT_LINE + 8);
      const b = this.buf;
      const hdr = this.pos;
      let q = hdr + 5;
      const lineStart = i;
      const stop = Math.min(end, i + SHORT_LINE);
      while (i < stop) {
        const c = src[i];
        if (c === 10) break;
        b[q++] = c;
        i++;
      }
      if (i === stop) {
        // No line break within SHORT_LINE bytes: a long line, or the chunk ends inside this one.
        const nl = stop === end ? -1 : src.indexOf(10, stop);
        if (nl < 0) return lineStart;
        this.addBytes(src, lineStart, nl > lineStart && src[nl - 1] === 13 ? nl - 1 : nl);
        i = nl + 1;
        continue;
      }
      let len = i - lineStart;
      i++;
      if (len > 0 && src[lineStart + len - 1] === 13) len--;
      if (len === 0) continue;
      b[hdr] = 0x24; // '$'
      if (len >= 10) {
        b[hdr + 1] = 48 + ((len / 10) | 0);
        b[hdr + 2] = 48 + (len % 10);
        b[hdr + 3] = 13;
        b[hdr + 4] = 10;
        q = hdr + 5 + len;
      } else {
        b[hdr + 1] = 48 + len;
        b[hdr + 2] = 13;
        b[hdr + 3] = 10;
        for (let k = 0; k < len; k++) b[hdr + 4 + k] = b[hdr + 5 + k];
        q = hdr + 4 + len;
      }
      b[q] = 13;
      b[q + 1] = 10;
      this.pos = q + 2;
      this.count++;
    }
    return i;
  }

  addString(s: string): void {
    const n = s.length;
    if (n < 128) {
      // ASCII fast path; the first non-ASCII character sends the item to the UTF-8 encoder.
      this.ensure(n + 8);
      const start = this.pos;
      this.header(n);
      const b = this.buf;
      let p = this.pos;
      let ascii = true;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        b[p++] = c;
      }
      if (ascii) {
        b[p] = 13;
        b[p + 1] = 10;
        this.pos = p + 2;
        this.count++;
        return;
      }
      this.pos = start;
    }
    const bytes = Buffer.from(s, 'utf8');
    this.addBytes(bytes, 0, bytes.length);
  }

  /** The whole command: `*N` + `prefix` (already RESP-encoded leading arguments, `prefixArgs` of them) + the values. */
  frame(prefix: Buffer, prefixArgs: number): Buffer {
    const star = Buffer.from(`*${prefixArgs + this.count}\r\n`, 'latin1');
    const start = this.headroom - prefix.length - star.length;
    if (start < 0) throw new Error('RespBatch headroom too small');
    star.copy(this.buf, start);
    prefix.copy(this.buf, start + star.length);
    return this.buf.subarray(start, this.pos);
  }
}

/** RESP bulk strings for a few arguments. */
export function encodeArgs(args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** A command whose wire form was built beforehand. */
export class FrameCommand extends Command {
  constructor(
    name: string,
    private readonly frameBytes: Buffer,
  ) {
    super(name, []);
  }
  override toWritable(): Buffer {
    return this.frameBytes;
  }
}
