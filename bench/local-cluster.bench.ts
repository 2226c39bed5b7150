// The local cluster (real Docker from DOCKER_HOST, our hub and node, its own redis-server):
// - the reliable shell-square template against an upstream-style consumer with the same
//   batches and awk (test/support/plain-consumer), the same 200,000-item job each;
// - the README's main job (src/local/main-job.ts) on 1,000,000 items, beside the Redis-bound
//   limit: the same takes and commits (EVAL TAKE 1,000 + EVAL COMMIT 1,000 results) sent by
//   one `redis-cli --pipe`, with no consumer work at all.
// Figures depend on the machine's load; the load average is printed with them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import Redis from 'ioredis';
import { runBuild } from '../src/core/images/build-run';
import { COMMIT_SCRIPT, processingList, processingRegistry, TAKE_SCRIPT } from '../src/core/inflight';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../src/core/ports';
import { createGridCoreService } from '../src/core/service';
import { ensureBaseImage } from '../src/local/base-image';
import { startLocalCluster, stopLocalCluster } from '../src/local/cluster';
import { runMainJob } from '../src/local/main-job';
import { timeCommand, workDir, writeChunks } from './support/redis';

const JOB = 200_000;
const MAIN = 1_000_000;
const RELIABLE = 'gridcore-bench/reliable:local';
const PLAIN = 'gridcore-bench/plain:local';
const socketPath = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : undefined;

async function build(docker: Docker, dir: string, tag: string): Promise<void> {
  const tar = pack();
  for (const f of ['Dockerfile', 'consumer.sh']) tar.entry({ name: f, mode: 0o755 }, readFileSync(join(dir, f), 'utf8'));
  tar.finalize();
  await runBuild(docker, tar as unknown as NodeJS.ReadableStream, { t: tag }, { where: 'bench docker' });
}

const resp = (args: Array<string | number>) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`;

export async function run() {
  const docker = new Docker(socketPath ? { socketPath } : undefined);
  await ensureBaseImage(docker);
  await build(docker, resolve(__dirname, '../media/templates/shell-square'), RELIABLE);
  await build(docker, resolve(__dirname, '../test/support/plain-consumer'), PLAIN);
  const skillDir = mkdtempSync(join(tmpdir(), 'gc-bench-skill-'));
  const load: number[] = [loadavg()[0]];
  const results = [];
  try {
    const info = await startLocalCluster({ dockerSocket: socketPath, skillDir });
    const svc = createGridCoreService({ secrets: new MemorySecretStore(), state: new MemoryKeyValueStore(), logger: silentLogger, skillDir, settings: () => ({}) });
    await svc.profiles.save({ ...info.profile, source: 'local' });
    const queues = await svc.queues('local');
    const raw = new Redis(info.profile.redisUrl);

    /** CPU the task's running containers used, in ns (cumulative, from Docker's stats). */
    const cpu = async (ids: string[]) => {
      let ns = 0;
      for (const id of ids) ns += ((await docker.getContainer(id).stats({ stream: false })) as { cpu_stats: { cpu_usage: { total_usage: number } } }).cpu_stats.cpu_usage.total_usage;
      return ns;
    };
    const job = async (image: string, name: string): Promise<{ ms: number; cpuNsPerItem: number }> => {
      const hub = await svc.hub('local');
      if ((await hub.listTasks()).current) await hub.finish();
      await svc.registerTask('local', { name, image, input_redis: info.profile.redisUrl, output_redis: info.profile.redisUrl, input_queue: `${name}:in`, output_queue: `${name}:out` });
      let ids: string[] = [];
      while ((ids = (await docker.listContainers({ filters: { name: [`idm-${name}-`], status: ['running'] } })).map((c) => c.Id)).length < 2) await sleep(100);
      const cpu0 = await cpu(ids);
      const t = performance.now();
      await queues.push(`${name}:in`, { kind: 'range', from: 1, to: JOB });
      while ((await raw.llen(`${name}:out`)) < JOB) await sleep(50);
      const ms = performance.now() - t;
      // Still the same containers (none exited mid-job): their CPU is the job's.
      const cpuNs = (await cpu(ids).catch(() => NaN)) - cpu0;
      if ((await raw.llen(`${name}:out`)) !== JOB) throw new Error(`${name}: wrong result count`);
      await raw.del(`${name}:out`);
      load.push(loadavg()[0]);
      return { ms, cpuNsPerItem: cpuNs / JOB };
    };
    // Alternated, best of two each: the machine's load moves more than the consumers differ.
    const runs = { reliable: [] as Array<{ ms: number; cpuNsPerItem: number }>, plain: [] as Array<{ ms: number; cpuNsPerItem: number }> };
    for (let i = 0; i < 2; i++) {
      runs.reliable.push(await job(RELIABLE, `bench-reliable-${i}`));
      runs.plain.push(await job(PLAIN, `bench-plain-${i}`));
    }
    const bestMs = (r: Array<{ ms: number }>) => Math.min(...r.map((x) => x.ms));
    const leastCpu = (r: Array<{ cpuNsPerItem: number }>) => Math.min(...r.map((x) => x.cpuNsPerItem).filter((x) => Number.isFinite(x)));
    const rate = (n: number, ms: number) => n / (ms / 1000);
    results.push({ name: 'reliable vs plain template, 200k items, local cluster', ours: rate(JOB, bestMs(runs.reliable)), peer: rate(JOB, bestMs(runs.plain)), peerName: 'upstream-style, same batch and awk', unit: 'items/s', higherIsBetter: true, note: 'goal >= 0.8x; best of 2 each, alternated' });
    results.push({ name: 'reliable vs plain: consumers\' CPU per item', ours: leastCpu(runs.reliable) / 1000, peer: leastCpu(runs.plain) / 1000, peerName: 'upstream-style, same batch and awk', unit: 'us/item', higherIsBetter: false, note: 'containers\' CPU (Docker stats), not wall time' });

    // The Redis-bound limit of the main job: its takes and commits, no consumer work.
    const input = 'bench-limit:in';
    const list = processingList(input, 'limit', '0');
    const file = join(workDir, 'limit.resp');
    await writeChunks(file, MAIN / 1000, (b) => {
      const results = Array.from({ length: 1000 }, (_, k) => `${b * 1000 + k}:${(b * 1000 + k) ** 2}`);
      return resp(['EVAL', TAKE_SCRIPT, 4, input, list, processingRegistry(input), `${input}:attempts`, 1000, `t${b}`, 3]) + resp(['EVAL', COMMIT_SCRIPT, 5, list, processingRegistry(input), 'bench-limit:out', `${input}:failed`, `${input}:attempts`, `t${b}`, results.length, ...results]);
    }, 10);
    await queues.push(input, { kind: 'range', from: 0, to: MAIN - 1 });
    const port = new URL(info.profile.redisUrl).port;
    const password = decodeURIComponent(new URL(info.profile.redisUrl).password);
    const limitMs = await timeCommand('redis-cli', ['-p', port, '-a', password, '--no-auth-warning', '--pipe'], { stdinFile: file });
    if ((await raw.llen('bench-limit:out')) !== MAIN) throw new Error('the limit run did not push everything');
    await raw.del('bench-limit:out');
    rmSync(file, { force: true });
    raw.disconnect();
    await svc.dispose();
    await stopLocalCluster();

    // The main job as `npm run start:local -- --count 1000000` runs it (its own local cluster).
    const main = await runMainJob({ count: MAIN, dockerSocket: socketPath, skillDir, print: () => undefined });
    load.push(loadavg()[0]);
    results.push({ name: 'main job, 1M items (npm run start:local)', ours: main.itemsPerSecond, peer: rate(MAIN, limitMs), peerName: 'same takes+commits from one redis-cli --pipe', unit: 'items/s', higherIsBetter: true, note: `goal >= 10,000 items/s; 1-min load average ${load.map((l) => l.toFixed(1)).join(' / ')} on ${require('node:os').cpus().length} cores` });
  } finally {
    await stopLocalCluster().catch(() => undefined);
    rmSync(skillDir, { recursive: true, force: true });
  }
  return results;
}
