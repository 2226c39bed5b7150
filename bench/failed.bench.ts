// Open Failed Items on a failed list of 100,000 entries (each an item and a 300-character
// error, as the convention writes them): the first page of 200 as the panel asks for it,
// entries parsed into rows with their errors. Peer: the same LRANGE sent by redis-cli
// (process start included). Also Retry all of them (one atomic, conditional script per 500
// entries) against a peer that only moves the bytes: redis-cli's RPOPLPUSH in a Lua loop.
import Redis from 'ioredis';
import { failedList } from '../src/core/failed-items';
import { createQueueService } from '../src/core/queues/index';
import { silentLogger } from '../src/core/ports';
import { FailedSession } from '../src/views/results/failed-session';
import { best, cli, redisUrl, settings } from './support/redis';

const N = 100_000;
const PAGE = 200;
const INPUT = 'bench: failed:in';

function entry(i: number): string {
  return JSON.stringify({ item: JSON.stringify({ id: i, url: `https://example.com/img/${i}.jpg` }), error: `Traceback (most recent call last): ValueError: item ${i} `.padEnd(300, 'x'), attempts: 1, task: 'bench', node_id: 'n1', instance_id: '0', time: '2026-12-05T21:00:00Z', reason: 'error' });
}

async function fill(raw: Redis): Promise<void> {
  await raw.del(INPUT, failedList(INPUT), 'bench:peer-in');
  for (let i = 0; i < N; i += 5000) await raw.lpush(failedList(INPUT), ...Array.from({ length: 5000 }, (_, k) => entry(i + k)));
}

export async function run() {
  const svc = createQueueService('bench', redisUrl, settings, silentLogger);
  const raw = new Redis(redisUrl);
  await fill(raw);
  const session = new FailedSession(svc, INPUT);
  await session.page('newest', 0, PAGE);
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const p = await session.page('newest', 0, PAGE);
    samples.push(performance.now() - t);
    if (p.rows.length !== PAGE || !p.rows[0].failure?.error) throw new Error('the page is not what the panel shows');
  }
  samples.sort((a, b) => a - b);
  const peer = await best(5, () => cli('lrange', failedList(INPUT), '0', String(PAGE - 1)));
  const out = [
    {
      name: `Open Failed Items: first page (${PAGE} of 100k entries, parsed), median`,
      ours: samples[samples.length >> 1],
      peer,
      peerName: 'redis-cli lrange (new process)',
      unit: 'ms',
      higherIsBetter: false,
      note: `p99 ${samples[Math.floor(samples.length * 0.99)].toFixed(2)} ms; LLEN+LRANGE in one MULTI, entries parsed`,
    },
  ];

  const t = performance.now();
  const r = await svc.settleFailed(INPUT, 'retry');
  const ours = performance.now() - t;
  if (r.moved !== N || (await raw.llen(INPUT)) !== N) throw new Error(`retry moved ${r.moved}`);
  await fill(raw);
  const peerMove = await best(1, () =>
    cli('eval', 'for i = 1, tonumber(ARGV[1]) do redis.call("RPOPLPUSH", KEYS[1], KEYS[2]) end return 1', '2', failedList(INPUT), 'bench:peer-in', String(N)),
  );
  out.push({
    name: 'Retry Failed Items: all 100k entries, wall time',
    ours,
    peer: peerMove,
    peerName: 'one blocking Lua RPOPLPUSH loop (no parse, no attempts, not per-entry safe)',
    unit: 'ms',
    higherIsBetter: false,
    note: `${Math.round(N / (ours / 1000)).toLocaleString('en-US')} entries/s; Redis is never held for more than one chunk of 500`,
  });
  await raw.del(INPUT, failedList(INPUT), 'bench:peer-in');
  await svc.dispose();
  raw.disconnect();
  return out;
}
