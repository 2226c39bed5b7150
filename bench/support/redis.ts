// What the Redis benches share: the server started by bench/run.mjs, data files, timing.
import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync } from 'node:fs';
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

/** Runs a command, its stdin from a file when given (the file itself, as a shell's `<` gives
 *  it: no copy through this process, whose CPU would be the peer's on a 2-core machine);
 *  resolves with the wall time in ms. */
export async function timeCommand(cmd: string, args: string[], opts: { stdinFile?: string; stdoutFile?: string } = {}): Promise<number> {
  const stdin = opts.stdinFile ? openSync(opts.stdinFile, 'r') : 'ignore';
  const t = performance.now();
  const child = spawn(cmd, args, { stdio: [stdin, opts.stdoutFile ? 'pipe' : 'ignore', 'inherit'] });
  if (typeof stdin === 'number') closeSync(stdin);
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

/** CPU seconds (user + system) Redis has used so far, from INFO. */
export function serverCpuMs(info: string): number {
  const user = /used_cpu_user:([\d.]+)/.exec(info);
  const sys = /used_cpu_sys:([\d.]+)/.exec(info);
  return user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : NaN;
}

/** `redis-cli --pipe < file`: its wall time and its own CPU time, taken by a python3 parent
 *  (getrusage of its child, in microseconds; a shell's `times` counts in 10 ms ticks). The
 *  clock starts as redis-cli is started, so the parent's own start-up is not counted. */
const PIPE_TIMER = `
import resource, subprocess, sys, time
t = time.perf_counter()
with open(sys.argv[2], 'rb') as f:
    code = subprocess.run(['redis-cli', '-p', sys.argv[1], '--pipe'], stdin=f, stdout=subprocess.DEVNULL).returncode
ms = (time.perf_counter() - t) * 1000
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(ms, (r.ru_utime + r.ru_stime) * 1000)
sys.exit(code)
`;

export async function pipeFile(file: string): Promise<{ ms: number; cpuMs: number }> {
  const child = spawn('python3', ['-c', PIPE_TIMER, redisPort, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`redis-cli --pipe exited ${code}`);
  const [ms, cpuMs] = out.trim().split(/\s+/).map(Number);
  return { ms, cpuMs };
}
