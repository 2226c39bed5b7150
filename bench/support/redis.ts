// What the Redis benches share: the server started by bench/run.mjs, data files, timing.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ServiceSettings } from '../../src/core/service-api';

export const redisUrl = process.env.GRIDCORE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const redisPort = process.env.GRIDCORE_BENCH_REDIS_PORT ?? '6379';
export const settings: ServiceSettings = { hubTimeoutMs: 10000, redisTimeoutMs: 30000, dockerTimeoutMs: 10000, pushBatchSize: 1000 };

export const workDir = join(tmpdir(), 'gridcore-bench');
mkdirSync(workDir, { recursive: true });

export async function writeChunks(file: string, total: number, make: (i: number) => string, per = 10000): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < total; i += per) {
    let s = '';
    for (let j = i; j < Math.min(total, i + per); j++) s += make(j);
    if (!out.write(s)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

/** Runs a command, its stdin from a file when given; resolves with the wall time in ms. */
export async function timeCommand(cmd: string, args: string[], opts: { stdinFile?: string; stdoutFile?: string } = {}): Promise<number> {
  const t = performance.now();
  const child = spawn(cmd, args, { stdio: [opts.stdinFile ? 'pipe' : 'ignore', opts.stdoutFile ? 'pipe' : 'ignore', 'inherit'] });
  if (opts.stdinFile) createReadStream(opts.stdinFile).pipe(child.stdin!);
  if (opts.stdoutFile) child.stdout!.pipe(createWriteStream(opts.stdoutFile));
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`${cmd} exited ${code}`);
  return performance.now() - t;
}

export function cli(...args: string[]): Promise<number> {
  return timeCommand('redis-cli', ['-p', redisPort, ...args]);
}

/** Best of n runs (less noise from the shared machine). */
export async function best(n: number, fn: () => Promise<number>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < n; i++) b = Math.min(b, await fn());
  return b;
}
