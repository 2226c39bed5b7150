// The build context as a tar stream, filtered by `.dockerignore` the way the docker CLI
// does it: patterns relative to the context, a parent directory's match covers its files,
// `!` exceptions can bring files back, and the Dockerfile and .dockerignore are always sent.
import createIgnore from '@balena/dockerignore';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pack } from 'tar-fs';

export interface BuildContext {
  stream: NodeJS.ReadableStream;
  /** the Dockerfile's name inside the tar, for the `dockerfile` build option */
  dockerfile: string;
}

/** Name used for a Dockerfile that lives outside the context folder. */
const OUTSIDE_DOCKERFILE = '.gridcore.Dockerfile';

function readIgnore(context: string): string[] {
  try {
    return readFileSync(resolve(context, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  } catch {
    return [];
  }
}

export function contextFilter(context: string, dockerfile: string): (absPath: string) => boolean {
  const patterns = readIgnore(context);
  const ig = createIgnore().add(patterns);
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  const always = new Set([dockerfile, '.dockerignore']);
  return (absPath) => {
    const rel = relative(context, absPath).split(sep).join('/');
    if (!rel || always.has(rel)) return false;
    if (!ig.ignores(rel)) return false;
    // an excluded folder must still be walked when an exception may bring files back
    if (hasExceptions) {
      try {
        if (statSync(absPath).isDirectory()) return false;
      } catch {
        return true;
      }
    }
    return true;
  };
}

export function packContext(context: string, dockerfilePath: string): BuildContext {
  const abs = isAbsolute(dockerfilePath) ? dockerfilePath : resolve(context, dockerfilePath);
  const rel = relative(context, abs).split(sep).join('/');
  const inside = !rel.startsWith('../') && !isAbsolute(rel);
  const dockerfile = inside ? rel : OUTSIDE_DOCKERFILE;
  const stream = pack(context, {
    ignore: contextFilter(context, dockerfile),
    finalize: inside,
    finish: inside
      ? undefined
      : (p) => {
          p.entry({ name: OUTSIDE_DOCKERFILE, mode: 0o644 }, readFileSync(abs));
          p.finalize();
        },
  });
  return { stream: stream as unknown as NodeJS.ReadableStream, dockerfile };
}
