// Latency of the first, a middle and the last page (50 items) of a 1,000,000-item list, as
// the results view asks for them. Peer: the same LRANGE sent by redis-cli (process start included).
import Redis from 'ioredis';
import { createQueueService } from '../src/core/queues/index';
import { silentLogger } from '../src/core/ports';
import { best, cli, redisUrl, settings } from './support/redis';

const N = 1_000_000;
const COUNT = 50;

export async function run() {
  const svc = createQueueService('bench', redisUrl, settings, silentLogger);
  const raw = new Redis(redisUrl);
  await raw.del('bench:page');
  await svc.push('bench:page', { kind: 'range', from: 1, to: N });
  const cases: Array<[string, 'newest' | 'oldest', number, number]> = [
    ['first', 'newest', 0, 0],
    ['middle', 'newest', N / 2, N / 2],
    ['last', 'oldest', 0, N - COUNT],
  ];
  const out = [];
  for (const [label, from, offset, start] of cases) {
    await svc.page('bench:page', { from, offset, count: COUNT });
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await svc.page('bench:page', { from, offset, count: COUNT, maxValueBytes: 1024 });
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    const peer = await best(5, () => cli('lrange', 'bench:page', String(start), String(start + COUNT - 1)));
    out.push({
      name: `page ${label} (${COUNT} items of 1M), median`,
      ours: samples[samples.length >> 1],
      peer,
      peerName: 'redis-cli lrange (new process)',
      unit: 'ms',
      higherIsBetter: false,
      note: `p99 ${samples[Math.floor(samples.length * 0.99)].toFixed(2)} ms; LLEN+LRANGE in one MULTI`,
    });
  }
  await raw.del('bench:page');
  await svc.dispose();
  raw.disconnect();
  return out;
}
