// The local cluster for issue 24's benches (failed-items-*.bench.ts): real Docker from
// DOCKER_HOST, our hub and node, its own redis-server; the images of the shell template, of
// the template as it was before the failed list (bench/fixtures/reliable-before) and of its
// poison variant (test/fixtures/poison), and one job run to completion at a time.
import { execFileSync } from 'node:child_process';
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

export interface JobFigures {
  ms: number;
  /** `die` events of the task's containers during the job */
  deaths: number;
  /** the attempts of the failed entries set aside as `killed`, summed */
  killedAttempts: number;
  failed: number;
  lost: number;
  duplicated: number;
  /** CPU time the task's containers spent from the push to the end, in ms: unlike the wall
   *  time it hardly depends on what else the shared machine runs */
  cpuMs: number;
}

/** CPU time (ns) each running container of the task has used since it started. */
async function cpuByContainer(docker: Docker, task: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const c of await docker.listContainers({ filters: { label: [`${TASK_LABEL}=${task}`], status: ['running'] } })) {
    // one-shot: no second sample a second later (we only need the counter)
    const s = (await docker.getContainer(c.Id).stats({ stream: false, 'one-shot': true } as { stream: false })) as { cpu_stats?: { cpu_usage?: { total_usage?: number } } };
    out.set(c.Id, s.cpu_stats?.cpu_usage?.total_usage ?? 0);
  }
  return out;
}

/** The shell template's files at a git revision (to compare a change with what it replaces). */
export function templateAt(rev: string): Record<string, string> {
  const show = (f: string) => execFileSync('git', ['show', `${rev}:media/templates/shell-square/${f}`], { cwd: resolve(__dirname, '../..'), encoding: 'utf8' });
  return { Dockerfile: show('Dockerfile'), 'consumer.sh': show('consumer.sh') };
}

/** Starts the local cluster with the three images (and `extra` ones: tag -> files) built, runs
 *  `fn` with a job runner, stops it. */
export async function withCluster<T>(fn: (job: (image: string, name: string, poison: number) => Promise<JobFigures>, load: number[]) => Promise<T>, extra: Record<string, Record<string, string>> = {}): Promise<T> {
  const docker = new Docker(socketPath ? { socketPath } : undefined);
  await ensureBaseImage(docker);
  await build(docker, dir(resolve(__dirname, '../../media/templates/shell-square')), OURS);
  await build(docker, dir(resolve(__dirname, '../fixtures/reliable-before')), BEFORE);
  for (const [tag, files] of Object.entries(extra)) await build(docker, files, tag);
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
      // Deaths are counted live, from a stream opened before the push. Not by replaying
      // `docker events --since` afterwards, as this bench first did (14 deaths where the
      // failed entries account for 30): the engine replays only its last 256 events, and on
      // an engine shared with other test runs (each container's life is 5 or more events:
      // create, start, die, stop, destroy, network) a job of minutes overflows that buffer,
      // so the early deaths were never seen.
      const deathEvents = (await docker.getEvents({ filters: { type: ['container'], event: ['die'], label: [`${TASK_LABEL}=${name}`] } })) as unknown as NodeJS.ReadableStream & { destroy(): void };
      let deaths = 0;
      let partial = '';
      deathEvents.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        deaths += lines.filter((l) => l.trim()).length;
      });
      deathEvents.on('error', () => undefined);
      const cpu0 = await cpuByContainer(docker, name);
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
      // A container started meanwhile counts from 0; one that died meanwhile (poison) is
      // missed, so this figure is for jobs without deaths (the throughput bench's).
      let cpuNs = 0;
      for (const [id, ns] of await cpuByContainer(docker, name)) cpuNs += ns - (cpu0.get(id) ?? 0);
      await sleep(1000); // the last death's event, sent as its container exits
      deathEvents.destroy();
      const out = await raw.lrange(output, 0, -1);
      const distinct = new Set(out.map((l) => l.split(':')[0]));
      const entries = await raw.lrange(`${input}:failed`, 0, -1);
      const failed = entries.length;
      // Each death of a consumer holding a poison item counts one attempt for that item (one
      // poison item per batch here), so the killed entries' attempts add up to the deaths the
      // recovery path needed: a check on the count above, from Redis.
      const killedAttempts = entries.reduce((sum, e) => {
        try {
          const o = JSON.parse(e) as { reason?: string; attempts?: number };
          return sum + (o.reason === 'killed' ? (o.attempts ?? 0) : 0);
        } catch {
          return sum;
        }
      }, 0);
      const lost = JOB - poison - [...distinct].filter((x) => !x.startsWith('poison-')).length;
      await raw.del(output, `${input}:failed`, `${input}:attempts`);
      load.push(loadavg()[0]);
      return { ms, deaths, killedAttempts, failed, lost, duplicated: out.length - distinct.size, cpuMs: cpuNs / 1e6 };
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
