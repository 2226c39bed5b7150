// Shared by the local-cluster tests: a Docker engine, the offline sample image (shell-square)
// and a crashing image, all built on this machine, plus small polling helpers.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { runBuild } from '../../src/core/images/buildRun';
import { ensureBaseImage } from '../../src/local/baseImage';
import { NODE_LABEL } from '../../src/local/node/containers';

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
