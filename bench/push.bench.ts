// Push 1,000,000 short lines from a file through QueueService.push, against redis-cli --pipe
// fed one LPUSH per line and fed pre-encoded 1,000-value LPUSHes (the practical limit).
// Then bounded memory: a 1 GiB file of short lines pushed by a child process that does
// nothing else (bundled, plain node), so its peak RSS is the push's own.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createWriteStream, rmSync } from 'node:fs';
import { build } from 'esbuild';
import Redis from 'ioredis';
import { createQueueService } from '../src/core/queues/index';
import { silentLogger } from '../src/core/ports';
import { best, redisPort, redisUrl, settings, timeCommand, workDir, writeChunks } from './support/redis';

const N = 1_000_000;
const line = (i: number) => `item-${i}-${(i * 2654435761) % 1000000}`;
const BIG_BYTES = 1 << 30;
const resp = (args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

export async function run() {
  const lines = join(workDir, 'push-lines.txt');
  const one = join(workDir, 'push-one.resp');
  const multi = join(workDir, 'push-multi.resp');
  await writeChunks(lines, N, (i) => `${line(i)}\n`);
  await writeChunks(one, N, (i) => resp(['LPUSH', 'peer:one', line(i)]));
  await writeChunks(multi, N / 1000, (b) => resp(['LPUSH', 'peer:multi', ...Array.from({ length: 1000 }, (_, k) => line(b * 1000 + k))]), 10);

  const raw = new Redis(redisUrl);
  const svc = createQueueService('bench', redisUrl, settings, silentLogger);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const ours = await best(3, async () => {
    await raw.del('bench:push');
    const t = performance.now();
    const r = await svc.push('bench:push', { kind: 'lines', file: lines });
    const ms = performance.now() - t;
    if (r.pushed !== N || r.error) throw new Error(`pushed ${r.pushed} ${r.error?.message ?? ''}`);
    return ms;
  });
  clearInterval(sampler);
  const pipe = (file: string, key: string) =>
    best(3, async () => {
      await raw.del(key);
      return timeCommand('redis-cli', ['-p', redisPort, '--pipe'], { stdinFile: file });
    });
  const peerOne = await pipe(one, 'peer:one');
  const peerMulti = await pipe(multi, 'peer:multi');
  if ((await raw.llen('peer:multi')) !== N) throw new Error('peer did not push everything');
  await raw.del('bench:push', 'peer:one', 'peer:multi');
  await svc.dispose();
  for (const f of [lines, one, multi]) rmSync(f, { force: true });
  const big = await pushBigFile(raw);
  raw.disconnect();
  const rate = (ms: number) => N / (ms / 1000);
  return [
    { name: 'push 1M lines vs --pipe 1 LPUSH/line', ours: rate(ours), peer: rate(peerOne), peerName: 'redis-cli --pipe, LPUSH per line', unit: 'items/s', higherIsBetter: true },
    { name: 'push 1M lines vs --pipe 1000-value LPUSH', ours: rate(ours), peer: rate(peerMulti), peerName: 'redis-cli --pipe, pre-encoded 1000/LPUSH', unit: 'items/s', higherIsBetter: true, note: 'target >= 0.5x' },
    { name: 'push peak RSS (whole bench process)', ours: peak / 1e6, unit: 'MB', higherIsBetter: false, note: 'streamed: 1 MiB reads, <= 16 batches in flight' },
    { name: `push 1 GiB file (${(big.items / 1e6).toFixed(1)}M lines), push-only child`, ours: big.items / (big.ms / 1000), unit: 'items/s', higherIsBetter: true },
    {
      name: 'push 1 GiB file: peak RSS of the pushing process',
      ours: big.peakRssMB,
      unit: 'MB',
      higherIsBetter: false,
      note: `${Math.round(big.rssBeforeMB)} MB before the push; file is ${Math.round(BIG_BYTES / 1e6)} MB`,
    },
  ];
}

/** Writes ~1 GiB of short lines (a 50,000-line block repeated), pushes it from a child, cleans up. */
async function pushBigFile(raw: Redis): Promise<{ items: number; ms: number; peakRssMB: number; rssBeforeMB: number }> {
  const file = join(workDir, 'push-big.txt');
  const child = join(workDir, 'push-child.js');
  const key = 'bench:big';
  try {
    let block = '';
    for (let i = 0; i < 50_000; i++) block += `${line(i)}\n`;
    const bytes = Buffer.from(block);
    const blocks = Math.ceil(BIG_BYTES / bytes.length);
    const out = createWriteStream(file);
    for (let b = 0; b < blocks; b++) if (!out.write(bytes)) await once(out, 'drain');
    out.end();
    await once(out, 'close');
    const items = blocks * 50_000;

    await build({ entryPoints: [resolve(__dirname, 'support', 'push-child.ts')], outfile: child, bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning' });
    await raw.del(key);
    const proc = spawn(process.execPath, [child, file, key, redisUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout!.on('data', (c: Buffer) => (stdout += c));
    const [code] = (await once(proc, 'close')) as [number];
    const lineOut = stdout.split('\n').find((l) => l.startsWith('PUSHED '));
    if (code !== 0 || !lineOut) throw new Error(`push child exited ${code}`);
    const r = JSON.parse(lineOut.slice(7)) as { pushed: number; ms: number; peakRssMB: number; rssBeforeMB: number };
    const landed = await raw.llen(key);
    if (r.pushed !== items || landed !== items) throw new Error(`big push: ${r.pushed} reported, ${landed} landed, ${items} expected`);
    return { items, ms: r.ms, peakRssMB: r.peakRssMB, rssBeforeMB: r.rssBeforeMB };
  } finally {
    await raw.unlink(key);
    for (const f of [file, child]) rmSync(f, { force: true });
  }
}
