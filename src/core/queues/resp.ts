// RESP frames written by hand for the push path. ioredis encodes every argument of every
// command separately (a string concat or a Buffer list per argument); for 1,000-value batches
// that costs more than the whole server side. Here values go straight from the source's bytes
// into one growing Buffer, and the finished frame is handed to ioredis as a Command whose
// `toWritable` returns it as is, so replies, timeouts and errors still go through ioredis.
import { Command } from 'ioredis';

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
