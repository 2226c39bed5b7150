// Issue 24's benches on the local cluster (real Docker from DOCKER_HOST, our hub and node,
// its own redis-server):
// - the shell template with the failed list and attempts counting against today's
//   convention (bench/fixtures/reliable-before, the template as it was), the same
//   200,000-item job with no bad item: throughput (goal >= 0.95x);
// - a 200,000-item job with 10 poison items that kill their container (the template's test
//   variant, test/fixtures/poison: the work SIGKILLs the consumer, as the OOM killer would),
//   against the same job without them: wall time to completion, container deaths (Docker's
//   `die` events), items in the failed list (peer: the 10 it should hold), lost and
//   duplicated (goal 0 and 0).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import Redis from 'ioredis';
import { runBuild } from '../src/core/images/build-run';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../src/core/ports';
import { createGridCoreService } from '../src/core/service';
import { ensureBaseImage } from '../src/local/base-image';
import { startLocalCluster, stopLocalCluster } from '../src/local/cluster';
import { TASK_LABEL } from '../src/local/node/containers';
import { POISON_SHELL_ENTRYPOINT, poisonShell } from '../test/fixtures/poison/consumers';

const JOB = 200_000;
const POISON = 10;
const OURS = 'gridcore-bench/failed-ours:local';
const BEFORE = 'gridcore-bench/failed-before:local';
const POISONED = 'gridcore-bench/failed-poison:local';
const socketPath = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : undefined;

async function build(docker: Docker, files: Record<string, string>, tag: string): Promise<void> {
  const tar = pack();
  for (const [f, text] of Object.entries(files)) tar.entry({ name: f, mode: 0o755 }, text);
  tar.finalize();
  await runBuild(docker, tar as unknown as NodeJS.ReadableStream, { t: tag }, { where: 'bench docker' });
}

const dir = (d: string) => Object.fromEntries(['Dockerfile', 'consumer.sh'].map((f) => [f, readFileSync(join(d, f), 'utf8')]));

export async function run() {
  const docker = new Docker(socketPath ? { socketPath } : undefined);
  await ensureBaseImage(docker);
  await build(docker, dir(resolve(__dirname, '../media/templates/shell-square')), OURS);
  await build(docker, dir(resolve(__dirname, 'fixtures/reliable-before')), BEFORE);
  const template = readFileSync(resolve(__dirname, '../media/templates/shell-square/Dockerfile'), 'utf8').replace(/^ENTRYPOINT .*$/m, POISON_SHELL_ENTRYPOINT);
  await build(docker, { Dockerfile: template, 'consumer.sh': poisonShell() }, POISONED);
  const skillDir = mkdtempSync(join(tmpdir(), 'gc-bench-failed-'));
  const load: number[] = [loadavg()[0]];
  const results = [];
  try {
    const info = await startLocalCluster({ dockerSocket: socketPath, skillDir });
    const svc = createGridCoreService({ secrets: new MemorySecretStore(), state: new MemoryKeyValueStore(), logger: silentLogger, skillDir, settings: () => ({}) });
    await svc.profiles.save({ ...info.profile, source: 'local' });
    const queues = await svc.queues('local');
    const raw = new Redis(info.profile.redisUrl);

    /** One job: register, wait for 2 running containers, push, wait until every item has a
     *  result or is in the failed list, nothing queued or in flight. */
    const job = async (image: string, name: string, poison: number) => {
      const hub = await svc.hub('local');
      if ((await hub.listTasks()).current) await hub.finish();
      const input = `${name}:in`;
      const output = `${name}:out`;
      await svc.registerTask('local', { name, image, input_redis: info.profile.redisUrl, output_redis: info.profile.redisUrl, input_queue: input, output_queue: output });
      while ((await docker.listContainers({ filters: { label: [`${TASK_LABEL}=${name}`], status: ['running'] } })).length < 2) await sleep(100);
      const since = Math.floor(Date.now() / 1000);
      const t = performance.now();
      if (poison) {
        const good = JOB - poison;
        const items = Array.from({ length: good }, (_, i) => String(i + 1));
        for (let k = 0; k < poison; k++) items.splice(Math.floor(((k + 1) * good) / (poison + 1)) + k, 0, `poison-die-${k}`);
        for (let i = 0; i < items.length; i += 10_000) await raw.lpush(input, ...items.slice(i, i + 10_000));
      } else {
        await queues.push(input, { kind: 'range', from: 1, to: JOB });
      }
      for (;;) {
        const [i, o, f, p] = await Promise.all([raw.llen(input), raw.llen(output), raw.llen(`${input}:failed`), raw.hlen(`${input}:processing`)]);
        if (i === 0 && p === 0 && o + f >= JOB) break;
        await sleep(50);
      }
      const ms = performance.now() - t;
      const until = Math.ceil(Date.now() / 1000) + 1;
      const events = (await docker.getEvents({ since, until, filters: { type: ['container'], event: ['die'], label: [`${TASK_LABEL}=${name}`] } })) as unknown as NodeJS.ReadableStream;
      let text = '';
      for await (const chunk of events) text += chunk.toString();
      const deaths = text.split('\n').filter((l) => l.trim()).length;
      const out = await raw.lrange(output, 0, -1);
      const distinct = new Set(out.map((l) => l.split(':')[0]));
      const failed = await raw.llen(`${input}:failed`);
      const lost = JOB - poison - [...distinct].filter((x) => !x.startsWith('poison-')).length;
      await raw.del(output, `${input}:failed`, `${input}:attempts`);
      load.push(loadavg()[0]);
      return { ms, deaths, failed, lost, duplicated: out.length - distinct.size };
    };

    // Alternated, best of two each: the machine's load moves more than the consumers differ.
    const ours: number[] = [];
    const before: number[] = [];
    for (let i = 0; i < 2; i++) {
      ours.push((await job(OURS, `bench-failed-ours-${i}`, 0)).ms);
      before.push((await job(BEFORE, `bench-failed-before-${i}`, 0)).ms);
    }
    const rate = (ms: number) => JOB / (ms / 1000);
    results.push({ name: 'failed list + attempts vs today\'s convention, 200k items, no bad item', ours: rate(Math.min(...ours)), peer: rate(Math.min(...before)), peerName: 'the shell template before (bench/fixtures/reliable-before)', unit: 'items/s', higherIsBetter: true, note: 'goal >= 0.95x; best of 2 each, alternated' });

    const clean = await job(POISONED, 'bench-poison-clean', 0);
    const poisoned = await job(POISONED, 'bench-poison-job', POISON);
    const note = `${POISON} items SIGKILL their consumer; peer: the same job without them`;
    results.push({ name: 'poison job: wall time to completion', ours: poisoned.ms / 1000, peer: clean.ms / 1000, peerName: 'same job, no poison item', unit: 's', higherIsBetter: false, note });
    results.push({ name: 'poison job: container restarts', ours: poisoned.deaths, peer: clean.deaths, peerName: 'same job, no poison item', unit: 'deaths', higherIsBetter: false, note: `MAX_KILLS=3: goal ${POISON * 3}` });
    results.push({ name: 'poison job: failed items', ours: poisoned.failed, peer: POISON, peerName: 'the poison items', unit: 'items', higherIsBetter: false });
    results.push({ name: 'poison job: lost', ours: poisoned.lost, unit: 'items', higherIsBetter: false, note: 'goal 0' });
    results.push({ name: 'poison job: duplicated', ours: poisoned.duplicated, unit: 'items', higherIsBetter: false, note: `goal 0; 1-min load average ${load.map((l) => l.toFixed(1)).join(' / ')}` });
    raw.disconnect();
    await svc.dispose();
  } finally {
    await stopLocalCluster().catch(() => undefined);
    rmSync(skillDir, { recursive: true, force: true });
  }
  return results;
}
