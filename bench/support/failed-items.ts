// The local cluster for issue 24's benches (failed-items-*.bench.ts): real Docker from
// DOCKER_HOST, our hub and node, its own redis-server; the images of the shell template, of
// the template as it was before the failed list (bench/fixtures/reliable-before) and of its
// poison variant (test/fixtures/poison), and one job run to completion at a time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import Redis from 'ioredis';
import { runBuild } from '../../src/core/images/build-run';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../../src/core/ports';
import { createGridCoreService } from '../../src/core/service';
import { ensureBaseImage } from '../../src/local/base-image';
import { startLocalCluster, stopLocalCluster } from '../../src/local/cluster';
import { TASK_LABEL } from '../../src/core/docker/containers';
import { POISON_SHELL_ENTRYPOINT, poisonShell } from '../../test/fixtures/poison/consumers';

export const JOB = 200_000;
export const POISON = 10;
export const OURS = 'gridcore-bench/failed-ours:local';
export const BEFORE = 'gridcore-bench/failed-before:local';
export const POISONED = 'gridcore-bench/failed-poison:local';
const socketPath = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : undefined;

async function build(docker: Docker, files: Record<string, string>, tag: string): Promise<void> {
  const tar = pack();
  for (const [f, text] of Object.entries(files)) tar.entry({ name: f, mode: 0o755 }, text);
  tar.finalize();
  await runBuild(docker, tar as unknown as NodeJS.ReadableStream, { t: tag }, { where: 'bench docker' });
}

const dir = (d: string) => Object.fromEntries(['Dockerfile', 'consumer.sh'].map((f) => [f, readFileSync(join(d, f), 'utf8')]));

export interface JobFigures { ms: number; deaths: number; failed: number; lost: number; duplicated: number }

/** Starts the local cluster with the three images built, runs `fn` with a job runner, stops it. */
export async function withCluster<T>(fn: (job: (image: string, name: string, poison: number) => Promise<JobFigures>, load: number[]) => Promise<T>): Promise<T> {
  const docker = new Docker(socketPath ? { socketPath } : undefined);
  await ensureBaseImage(docker);
  await build(docker, dir(resolve(__dirname, '../../media/templates/shell-square')), OURS);
  await build(docker, dir(resolve(__dirname, '../fixtures/reliable-before')), BEFORE);
  const template = readFileSync(resolve(__dirname, '../../media/templates/shell-square/Dockerfile'), 'utf8').replace(/^ENTRYPOINT .*$/m, POISON_SHELL_ENTRYPOINT);
  await build(docker, { Dockerfile: template, 'consumer.sh': poisonShell() }, POISONED);
  const skillDir = mkdtempSync(join(tmpdir(), 'gc-bench-failed-'));
  const load: number[] = [loadavg()[0]];
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

    const result = await fn(job, load);
    raw.disconnect();
    await svc.dispose();
    return result;
  } finally {
    await stopLocalCluster().catch(() => undefined);
    rmSync(skillDir, { recursive: true, force: true });
  }
}
