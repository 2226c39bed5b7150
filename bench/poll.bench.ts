// Commands and round trips per status-bar poll (QueueService.lengths) for 1, 10 and 100 queues,
// from the server's own counters: INFO commandstats (LLEN calls) and INFO stats
// total_reads_processed (network reads = requests that reached the server).
import Redis from 'ioredis';
import { createQueueService } from '../src/core/queues/index';
import { silentLogger } from '../src/core/ports';
import { redisUrl, settings } from './support/redis';

async function counters(raw: Redis): Promise<{ llen: number; reads: number }> {
  const cmd = await raw.info('commandstats');
  const stats = await raw.info('stats');
  return {
    llen: Number(/^cmdstat_llen:calls=(\d+)/m.exec(cmd)?.[1] ?? 0),
    reads: Number(/^total_reads_processed:(\d+)/m.exec(stats)?.[1] ?? 0),
  };
}

export async function run() {
  const svc = createQueueService('bench', redisUrl, settings, silentLogger);
  const raw = new Redis(redisUrl);
  await svc.ping();
  const out = [];
  const POLLS = 20;
  for (const n of [1, 10, 100]) {
    const queues = Array.from({ length: n }, (_, i) => `bench:poll:${i}`);
    await svc.lengths(queues); // warm-up: the first poll of a size is not the steady state
    const a = await counters(raw);
    for (let i = 0; i < POLLS; i++) await svc.lengths(queues);
    const b = await counters(raw);
    // Our own two INFO reads fall between the snapshots: one of them (the second `counters`) is counted.
    const roundTrips = (b.reads - a.reads - 2) / POLLS;
    out.push({ name: `poll ${n} queues: round trips per poll`, ours: roundTrips, peer: 1, peerName: 'target: 1', unit: 'round trips', higherIsBetter: false });
    out.push({ name: `poll ${n} queues: commands per poll`, ours: (b.llen - a.llen) / POLLS, unit: 'commands', higherIsBetter: false, note: 'one LLEN per queue, pipelined' });
  }
  await svc.dispose();
  raw.disconnect();
  return out;
}
