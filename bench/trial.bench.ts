// Try Task Locally on a cached image: the time from the command to the first result of a
// 10-item trial, and its parts (build check, push, container start, first result after the
// start), beside the same work done by hand: `docker build` (cached), an LPUSH of the 10
// items, `docker run` of the same image with a node's environment on the host network, and
// polling the output list until the first result. Both use the bench's redis-server and the
// Docker engine at DOCKER_HOST; medians of RUNS runs each, alternated.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../src/core/ports';
import { createGridCoreService } from '../src/core/service';
import { createFromTemplate } from '../src/core/templates';
import { ensureBaseImage } from '../src/local/base-image';
import { dockerFrom } from '../src/core/docker/containers';
import { pingSocket } from '../test/support/docker';
import type { Result } from './support/result';

const RUNS = 5;
const ITEMS = 10;
const TAG = 'gridcore-bench/trial-square:1';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

async function firstResult(redis: Redis, queue: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await redis.llen(queue)) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no result in ${queue}`);
}

export async function run(): Promise<Result[]> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const socketPath = host.startsWith('unix://') ? host.slice(7) : undefined;
  if (!socketPath || !(await pingSocket(socketPath))) {
    return [{ name: 'trial: command → first result', ours: NaN, unit: 'ms', note: `skipped: no Docker engine at ${host}` }];
  }
  const redisUrl = process.env.GRIDCORE_BENCH_REDIS_URL!;
  const redis = new Redis(redisUrl);
  const work = mkdtempSync(join(tmpdir(), 'gc-bench-trial-'));
  const dir = join(work, 'square');
  await createFromTemplate('shell-square', dir, { taskName: 'square' });
  await ensureBaseImage(dockerFrom({ socketPath }));
  const service = createGridCoreService({ secrets: new MemorySecretStore(), state: new MemoryKeyValueStore(), logger: silentLogger });
  const target = { name: 'bench', redisUrl, local: true, parallelism: 1 };
  const sample = { kind: 'range' as const, from: 1, to: ITEMS };
  // warm: the image exists and every layer is cached
  await service.trial({ dockerfile: join(dir, 'Dockerfile'), tag: TAG, sample, target, settleMs: 200 });

  const ours = { total: [] as number[], build: [] as number[], push: [] as number[], start: [] as number[], first: [] as number[] };
  const peer = { total: [] as number[], build: [] as number[], push: [] as number[], run: [] as number[] };
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      let tFirst = NaN;
      const r = await service.trial({ dockerfile: join(dir, 'Dockerfile'), tag: TAG, sample, target, settleMs: 200, onFirstResult: () => (tFirst = performance.now()) });
      if (r.stop !== 'consumed' || Number.isNaN(tFirst)) throw new Error(`trial did not consume its sample: ${r.stop} ${JSON.stringify(r.findings)}`);
      ours.total.push(tFirst - t0);
      ours.build.push(r.timings.buildMs);
      ours.push.push(r.timings.pushMs);
      ours.start.push(r.timings.startMs);
      ours.first.push(r.timings.firstResultMs!);

      // by hand
      const id = `bench-${process.pid}-${i}`;
      const [inQ, outQ] = [`${id}:input`, `${id}:output`];
      const h0 = performance.now();
      await sh('docker', ['build', '-q', '-t', TAG, dir]);
      const h1 = performance.now();
      await redis.lpush(inQ, ...Array.from({ length: ITEMS }, (_, k) => String(k + 1)));
      const h2 = performance.now();
      const name = `gc-bench-${id}`;
      const env = ['TASK_NAME=bench', 'NODE_ID=bench', 'INSTANCE_ID=0', `INPUT_REDIS_URL=${redisUrl}`, `OUTPUT_REDIS_URL=${redisUrl}`, `INPUT_QUEUE=${inQ}`, `OUTPUT_QUEUE=${outQ}`];
      await sh('docker', ['run', '-d', '--name', name, '--network', 'host', ...env.flatMap((e) => ['-e', e]), TAG]);
      await firstResult(redis, outQ);
      const h3 = performance.now();
      peer.total.push(h3 - h0);
      peer.build.push(h1 - h0);
      peer.push.push(h2 - h1);
      peer.run.push(h3 - h2);
      await sh('docker', ['rm', '-f', name]);
      await redis.del(inQ, outQ);
    }
  } finally {
    await service.dispose();
    redis.disconnect();
    rmSync(work, { recursive: true, force: true });
  }
  const PEER = 'docker build (cached) + LPUSH + docker run, by hand';
  return [
    { name: 'trial: command → first result (10 items, cached image)', ours: median(ours.total), peer: median(peer.total), peerName: PEER, unit: 'ms', higherIsBetter: false, note: `median of ${RUNS}` },
    { name: 'trial part: build check (cached)', ours: median(ours.build), peer: median(peer.build), peerName: 'docker build -q (cached)', unit: 'ms', higherIsBetter: false },
    { name: 'trial part: push 10 items', ours: median(ours.push), peer: median(peer.push), peerName: 'one LPUSH', unit: 'ms', higherIsBetter: false },
    {
      name: 'trial part: container start → first result',
      ours: median(ours.start) + median(ours.first),
      peer: median(peer.run),
      peerName: 'docker run -d + poll LLEN',
      unit: 'ms',
      higherIsBetter: false,
      note: `ours: create+start ${Math.round(median(ours.start))} ms, first result ${Math.round(median(ours.first))} ms after`,
    },
  ];
}
