// Export a 1,000,000-item list to a file through QueueService.exportToFile, against
// `redis-cli --raw lrange KEY 0 -1 > file`.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { statSync } from 'node:fs';
import Redis from 'ioredis';
import { createQueueService } from '../src/core/queues/index';
import { silentLogger } from '../src/core/ports';
import { best, redisPort, redisUrl, settings, timeCommand, workDir } from './support/redis';

const N = 1_000_000;

export async function run() {
  const svc = createQueueService('bench', redisUrl, settings, silentLogger);
  const raw = new Redis(redisUrl);
  await raw.del('bench:export');
  await svc.push('bench:export', { kind: 'range', from: 1, to: N });
  const ourFile = join(workDir, 'export-ours.txt');
  const peerFile = join(workDir, 'export-peer.txt');
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const ours = await best(3, async () => {
    const t = performance.now();
    const r = await svc.exportToFile('bench:export', ourFile);
    if (r.written !== N) throw new Error(`wrote ${r.written}`);
    return performance.now() - t;
  });
  clearInterval(sampler);
  const peer = await best(3, () => timeCommand('redis-cli', ['-p', redisPort, '--raw', 'lrange', 'bench:export', '0', '-1'], { stdoutFile: peerFile }));
  if (statSync(ourFile).size !== statSync(peerFile).size) throw new Error('export files differ in size');
  await raw.del('bench:export');
  await svc.dispose();
  raw.disconnect();
  for (const f of [ourFile, peerFile]) rmSync(f, { force: true });
  const rate = (ms: number) => N / (ms / 1000);
  return [
    { name: 'export 1M items to a file', ours: rate(ours), peer: rate(peer), peerName: 'redis-cli --raw lrange 0 -1 > file', unit: 'items/s', higherIsBetter: true, note: 'target >= 1x' },
    { name: 'export peak RSS (whole bench process)', ours: peak / 1e6, unit: 'MB', higherIsBetter: false, note: '10,000-item chunks, one prefetched' },
  ];
}
