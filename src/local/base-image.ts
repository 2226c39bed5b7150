// The local cluster's base image, made on this machine with no registry: busybox (static)
// for a shell, plus the host's redis-cli with the shared libraries and loader it needs, so
// an offline task can talk to Redis with `redis-cli -u "$INPUT_REDIS_URL"`.
import type Dockerode from 'dockerode';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { pack } from 'tar-stream';
import { DockerError } from '../core/errors';
import { l10n } from '../core/l10n';
import { runBuild } from '../core/images/build-run';
import { dockerUnreachable } from '../core/images/daemon';

export const BASE_IMAGE_TAG = 'gridcore/busybox-redis:local';

const run = promisify(execFile);

const DOCKERFILE = `FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/local/bin:/usr/bin:/bin
CMD ["/bin/sh"]
`;

/** A program on this machine: the first candidate path that exists, else `command -v`. */
export async function findHostBinary(name: string, candidates: string[]): Promise<string | undefined> {
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  try {
    return (await run('sh', ['-c', `command -v ${name}`])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Absolute paths of the shared libraries and loader a binary needs, from `ldd`. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  const paths = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) paths.add(m[1]);
  }
  return [...paths];
}

function fail(message: string): DockerError {
  return new DockerError('buildFailed', message);
}

/** A host binary at `inImage` plus its libraries and loader at their host paths, as
 *  [path inside the image, host file]. */
export async function binaryWithLibraries(binary: string, inImage: string): Promise<Array<[string, string]>> {
  const libs = await sharedLibraries(binary).catch(() => {
    throw fail(l10n.t('Could not list the libraries of {path} with ldd: install libc-bin, then try again.', { path: binary }));
  });
  return [[inImage, binary], ...libs.map((l): [string, string] => [l.slice(1), l])];
}

/** Files of the image as [path inside the image, host file]. */
async function rootfsFiles(): Promise<Array<[string, string]>> {
  const busybox = await findHostBinary('busybox', ['/bin/busybox', '/usr/bin/busybox']);
  if (!busybox) throw fail(l10n.t('The local base image needs busybox on this machine: install the busybox-static package (apt-get install busybox-static), then try again.'));
  const { stdout } = await run('file', ['-L', busybox]).catch(() => ({ stdout: '' }));
  if (stdout && !/statically linked|static-pie/.test(stdout)) {
    throw fail(l10n.t('{path} is not a static busybox: install the busybox-static package, then try again.', { path: busybox }));
  }
  const redisCli = await findHostBinary('redis-cli', ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli']);
  if (!redisCli) throw fail(l10n.t('The local base image needs redis-cli on this machine: install the redis-tools package (apt-get install redis-tools), then try again.'));
  return [['bin/busybox', busybox], ...(await binaryWithLibraries(redisCli, 'usr/bin/redis-cli'))];
}

/** A build context in memory: `dockerfile` + rootfs/ holding `files` ([path inside the image,
 *  host file]; symlinks are copied as the files they point to). */
export function rootfsContext(dockerfile: string, files: Array<[string, string]>): NodeJS.ReadableStream {
  const tar = pack();
  tar.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  const dirs = new Set<string>();
  for (const [inImage] of files) {
    const parts = inImage.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  tar.entry({ name: 'rootfs/', type: 'directory', mode: 0o755 });
  for (const d of [...dirs].sort()) tar.entry({ name: `rootfs/${d}/`, type: 'directory', mode: 0o755 });
  for (const [inImage, host] of files) {
    tar.entry({ name: `rootfs/${inImage}`, mode: statSync(host).mode & 0o777 | 0o555 }, readFileSync(host));
  }
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}

const pending = new WeakMap<Dockerode, Map<string, Promise<string>>>();

/** Builds the base image once (reused while the tag exists); returns its tag. */
export async function ensureBaseImage(docker: Dockerode, opts: { tag?: string; onLog?(line: string): void } = {}): Promise<string> {
  const tag = opts.tag ?? BASE_IMAGE_TAG;
  let byTag = pending.get(docker);
  if (!byTag) pending.set(docker, (byTag = new Map()));
  const inFlight = byTag.get(tag);
  if (inFlight) return inFlight;
  const where = (docker.modem as { socketPath?: string }).socketPath ?? 'Docker';
  const work = (async () => {
    try {
      await docker.getImage(tag).inspect();
      return tag;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === undefined) throw dockerUnreachable(where, e);
      if (status !== 404) throw new DockerError('api', l10n.t('Docker could not inspect {tag}: {error}. Restart Docker and try again.', { tag, error: (e as Error).message }), undefined, { cause: e });
    }
    await runBuild(docker, rootfsContext(DOCKERFILE, await rootfsFiles()), { t: tag }, { onLog: opts.onLog, dockerfileText: DOCKERFILE, where });
    return tag;
  })();
  byTag.set(tag, work);
  try {
    return await work;
  } finally {
    byTag.delete(tag);
  }
}
