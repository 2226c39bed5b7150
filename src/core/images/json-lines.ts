// Docker answers builds and pushes with a stream of JSON objects, one per line, split across
// chunks anywhere (even inside a UTF-8 character): this hands each whole line over once.
import { StringDecoder } from 'node:string_decoder';

/** Calls `onLine` with each non-blank line (trimmed), the last one too when it has no newline;
 *  resolves at the end of the stream and rejects with `onError`'s mapping of a stream error. */
export function readJsonLines(res: NodeJS.ReadableStream, onLine: (raw: string) => void, onError: (e: Error) => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let buf = '';
    res.on('data', (chunk: Buffer) => {
      buf += decoder.write(chunk);
      let pos: number;
      while ((pos = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, pos).trim();
        buf = buf.slice(pos + 1);
        if (raw) onLine(raw);
      }
    });
    res.once('error', (e: Error) => reject(onError(e)));
    res.once('end', () => {
      const rest = (buf + decoder.end()).trim();
      if (rest) onLine(rest);
      resolve();
    });
  });
}
