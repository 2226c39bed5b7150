// Whether a file of a build context is a compiled program, read from its first bytes. The
// Dockerfile rules ask it through a callback; the editor's diagnostics and Try Task Locally
// both answer with this one.
import { closeSync, openSync, readSync } from 'node:fs';

/** ELF, Mach-O or PE magic at the start of a file of the build context; undefined when unreadable. */
export function isCompiledBinaryFile(file: string): boolean | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    if (readSync(fd, head, 0, 4, 0) < 2) return false;
    const magic = head.readUInt32BE(0);
    return magic === 0x7f454c46 || [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(magic) || (head[0] === 0x4d && head[1] === 0x5a);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
