// Docker's multiplexed log stream (8-byte frame headers, stdout/stderr) as whole text lines.
import { StringDecoder } from 'node:string_decoder';

/** Calls `onLine` for each complete line written; `flush()` emits a last partial one. */
export class LineWriter {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.onLine(this.pending.slice(0, nl).replace(/\r$/, ''));
      this.pending = this.pending.slice(nl + 1);
    }
  }

  flush(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }
}

/** Splits a multiplexed (non-TTY) log stream into stdout and stderr lines. */
export function demuxLines(stream: NodeJS.ReadableStream, onLine: (line: string, stream: 'out' | 'err') => void): Promise<void> {
  const out = new LineWriter((l) => onLine(l, 'out'));
  const err = new LineWriter((l) => onLine(l, 'err'));
  let header: Buffer = Buffer.alloc(0);
  let frame: { kind: number; left: number } | undefined;
  return new Promise((resolve) => {
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      out.flush();
      err.flush();
      resolve();
    };
    stream.on('data', (chunk: Buffer) => {
      let buf = chunk;
      while (buf.length) {
        if (!frame) {
          header = Buffer.concat([header, buf]);
          if (header.length < 8) return;
          frame = { kind: header[0], left: header.readUInt32BE(4) };
          buf = header.subarray(8);
          header = Buffer.alloc(0);
          continue;
        }
        const take = buf.subarray(0, frame.left);
        (frame.kind === 2 ? err : out).write(take);
        frame.left -= take.length;
        buf = buf.subarray(take.length);
        if (frame.left === 0) frame = undefined;
      }
    });
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  });
}
