// Push 1,000,000 short lines from a file through QueueService.push, against redis-cli --pipe
// fed one LPUSH per line and fed pre-encoded 1,000-value LPUSHes (the practical limit).
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import Redis from 'ioredis';
import { createQueueService } from '../src/core/queues/index';
import { silentLogger } from '../src/core/ports';
import { best, redisPort, redisUrl, settings, timeCommand, workDir, writeChunks } from './support/redis';

const N = 1_000_000;
const line = (i: number) => `item-${i}-${(i * 2654435761) % 1000000}`;
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
  raw.disconnect();
  for (const f of [lines, one, multi]) rmSync(f, { force: true });
  const rate = (ms: number) => N / (ms / 1000);
  return [
    { name: 'push 1M lines vs --pipe 1 LPUSH/line', ours: rate(ours), peer: rate(peerOne), peerName: 'redis-cli --pipe, LPUSH per line', unit: 'items/s', higherIsBetter: true },
    { name: 'push 1M lines vs --pipe 1000-value LPUSH', ours: rate(ours), peer: rate(peerMulti), peerName: 'redis-cli --pipe, pre-encoded 1000/LPUSH', unit: 'items/s', higherIsBetter: true, note: 'target >= 0.5x' },
    { name: 'push peak RSS (whole bench process)', ours: peak / 1e6, unit: 'MB', higherIsBetter: false, note: 'streamed: 1 MiB reads, <= 16 batches in flight' },
  ];
}
