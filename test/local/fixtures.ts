// Shared by the local-cluster tests: a Docker engine, the offline sample image (shell-square)
// and a crashing image, all built on this machine, plus small polling helpers.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { runBuild } from '../../src/core/images/build-run';
import { ensureBaseImage } from '../../src/local/base-image';
import { isNodeContainer, NODE_LABEL } from '../../src/local/node/containers';
import { GridNode, type GridNodeOptions } from '../../src/local/node/grid-node';
import { ensureDocker, type DockerHandle } from '../support/docker';
import { startRedis, type TestRedis } from '../support/redis';

export { until } from '../support/until';

export const SQUARE_IMAGE = 'gridcore-test/shell-square:local';
export const CRASH_IMAGE = 'gridcore-test/crash:local';

export async function buildFrom(docker: Docker, files: Record<string, string>, tag: string): Promise<string> {
  const tar = pack();
  for (const [name, text] of Object.entries(files)) tar.entry({ name, mode: 0o755 }, text);
  tar.finalize();
  await runBuild(docker, tar as unknown as NodeJS.ReadableStream, { t: tag }, { where: 'test docker', dockerfileText: files.Dockerfile });
  return tag;
}

export async function buildTestImages(docker: Docker): Promise<void> {
  const base = await ensureBaseImage(docker);
  const dir = resolve(__dirname, '../../media/templates/shell-square');
  const files = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  await buildFrom(docker, files, SQUARE_IMAGE);
  await buildFrom(docker, { Dockerfile: `FROM ${base}\nENTRYPOINT ["/bin/sh", "-c", "echo boom >&2; exit 1"]\n` }, CRASH_IMAGE);
}

export async function nodeContainers(docker: Docker, nodeId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${NODE_LABEL}=${nodeId}`] } });
}

/** A node's containers by the name its node gives them (upstream's carry no labels). */
export async function namedNodeContainers(docker: Docker, nodeId: string): Promise<Docker.ContainerInfo[]> {
  return (await docker.listContainers({ all: true })).filter((c) => isNodeContainer(undefined, c.Names, nodeId));
}

export async function hubCall<T = unknown>(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // a text/plain error body
  }
  return { status: res.status, body: parsed as T };
}

/** dockerd's netns mount can outlive it by a moment, failing the support helper's folder
 *  removal (EBUSY); the daemon itself is stopped by then, so that is only reported. */
export async function stopDocker(handle: { stop(): Promise<void> } | undefined): Promise<void> {
  await handle?.stop().catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EBUSY') throw e;
    console.warn(`docker cleanup: ${e.message}`);
  });
}

export interface LocalTestEnv {
  readonly dockerd: DockerHandle;
  readonly docker: Docker;
  /** only when `redisPassword` was given */
  readonly redis: TestRedis;
  /** only when `tempDir` (the folder name's prefix) was given; removed after the file */
  readonly dir: string;
}

/**
 * Registers the before/after hooks of a local test file: a Docker engine with the test images
 * built (unless `images: false`), optionally a Redis with a password and a temp folder. The
 * fields are filled in by the time the tests run. A file's own setup goes in `setup`, not in
 * a second top-level before(): node:test starts those at once, side by side. `stopFirst`
 * runs before the engine stops (a local cluster has to go before the Docker it runs on).
 */
export function useLocalTestEnv(
  o: { images?: boolean; redisPassword?: string; tempDir?: string; setup?: (env: LocalTestEnv) => void | Promise<void>; stopFirst?: () => Promise<unknown> } = {},
): LocalTestEnv {
  const env = {} as { dockerd: DockerHandle; docker: Docker; redis: TestRedis; dir: string };
  before(async () => {
    env.dockerd = await ensureDocker();
    env.docker = new Docker({ socketPath: env.dockerd.socketPath });
    if (o.images !== false) await buildTestImages(env.docker);
    if (o.redisPassword) env.redis = await startRedis({ password: o.redisPassword });
    if (o.tempDir) env.dir = mkdtempSync(join(tmpdir(), o.tempDir));
    await o.setup?.(env);
  });
  after(async () => {
    await o.stopFirst?.();
    await env.redis?.stop();
    await stopDocker(env.dockerd);
    if (env.dir) rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}

/** Our GridNode with short intervals, so that the tests wait seconds, not minutes. */
export function fastNode(docker: Docker, hubUrl: string, token: string, extra: Partial<GridNodeOptions> = {}): GridNode {
  return new GridNode({
    serverUrl: hubUrl,
    token,
    parallelism: 2,
    heartbeatIntervalMs: 200,
    taskPollIntervalMs: 200,
    stopTimeoutMs: 1000,
    containerMemoryMb: 128,
    networkMode: 'host',
    docker,
    restartBackoff: { initialMs: 200, maxMs: 1000, stableMs: 3000 },
    ...extra,
  });
}
