// No item lost (issue 16), with real Docker, a real Redis and two nodes of our own GridNode
// against one hub: one in this process, one a standalone process (dist/gridnode.js).
// While the job runs the test kills task containers ten times at random (`docker kill`),
// SIGKILLs the standalone node and starts it again, and pauses a container across a requeue.
// - The reliable shell template: at the end the output holds exactly one result per input
//   item (counted by distinct input), after the stranded lists were requeued through the service.
// - An upstream-style consumer under the same faults: the items it lost are exactly the
//   number the service's progress reports as unaccounted for.
// Both consumers run with small batches (BATCH=20) so the job outlasts the faults.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { test } from 'node:test';
import Redis from 'ioredis';
import type { GridCoreService, QueueService } from '../../src/core/service-api';
import type { ProgressSample } from '../../src/core/types';
import { startHub, type RunningHub } from '../../src/local/hub/server';
import { TASK_LABEL } from '../../src/core/docker/containers';
import type { GridNode } from '../../src/local/node/grid-node';
import { memoryService } from '../support/service-fixture';
import { buildFrom, fastNode, hubCall, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const execp = promisify(execFile);
const TOKEN = 'reliable-faults-token';
const NODE_JS = resolve(__dirname, '../../dist/gridnode.js');
const RELIABLE = 'gridcore-test/reliable-small:local';
const PLAIN = 'gridcore-test/plain-small:local';
const env = useLocalTestEnv({
  redisPassword: 'pw-reliable-faults',
  tempDir: 'reliable-faults-',
  setup: async (e) => {
    process.env.DOCKER_HOST = `unix://${e.dockerd.socketPath}`; // the service's Docker rule
    // MAX_KILLS high: this test is about the machinery's faults, not bad items; with batches
    // of 20 and ten kills on three containers a good item can share three killed batches,
    // the last alone, and be set aside as "killed" (README, "Windows that remain").
    await buildFrom(e.docker, { Dockerfile: `FROM ${SQUARE_IMAGE}\nENV BATCH=20 MAX_KILLS=1000\n` }, RELIABLE);
    const dir = resolve(__dirname, '../support/plain-consumer');
    await buildFrom(e.docker, { Dockerfile: `${readFileSync(join(dir, 'Dockerfile'), 'utf8')}ENV BATCH=20\n`, 'consumer.sh': readFileSync(join(dir, 'consumer.sh'), 'utf8') }, PLAIN);
  },
});

const docker = (...args: string[]) => execp('docker', ['-H', `unix://${env.dockerd.socketPath}`, ...args]);

function runNode(config: string) {
  const p = spawn(process.execPath, [NODE_JS, '-c', config], { env: { ...process.env, DOCKER_HOST: `unix://${env.dockerd.socketPath}` }, stdio: 'ignore' });
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  return { p, exited };
}

interface Job {
  hub: RunningHub;
  svc: GridCoreService;
  queues: QueueService;
  r: Redis;
  nodeA: GridNode;
  /** the standalone node process; the faults replace it */
  nodeB: { proc: ReturnType<typeof runNode> };
  input: string;
  output: string;
  task: string;
}

async function withJob(task: string, image: string, count: number, fn: (j: Job) => Promise<void>): Promise<void> {
  const hub = await startHub({ port: 0, token: TOKEN });
  const svc = memoryService({ settings: { redisTimeoutMs: 3000 } });
  await svc.profiles.save({ name: 'local', computehubUrl: hub.url, redisUrl: env.redis.url, token: TOKEN, source: 'local' });
  const queues = await svc.queues('local');
  const r = new Redis(env.redis.url);
  const input = `${task}: in:put`;
  const output = `${task}: out`;
  const config = join(env.dir, `${task}.toml`);
  writeFileSync(config, [`server_url = "${hub.url}"`, `token = "${TOKEN}"`, 'parallelism = 1', 'heartbeat_interval = 1', 'stop_timeout = 2', 'container_memory = 128', 'network_mode = "host"', 'task_poll_interval = 0.2', ''].join('\n'));
  const nodeA = fastNode(env.docker, hub.url, TOKEN, { parallelism: 2, stopTimeoutMs: 2000 });
  const nodeB = { proc: runNode(config) };
  try {
    await nodeA.start();
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: task, image, input_redis: env.redis.url, output_redis: env.redis.url, input_queue: input, output_queue: output })).status, 201);
    const pushed = await queues.push(input, { kind: 'range', from: 1, to: count });
    assert.equal(pushed.pushed, count);
    await until('3 containers running', async () => (await running(task)).length === 3, 60_000, 200);
    await fn({ hub, svc, queues, r, nodeA, nodeB, input, output, task });
  } finally {
    nodeB.proc.p.kill('SIGTERM');
    await nodeB.proc.exited;
    await nodeA.dispose();
    // orphans of the SIGKILLed node process, if any survived
    const left = await env.docker.listContainers({ all: true, filters: { label: [`${TASK_LABEL}=${task}`] } });
    await Promise.all(left.map((c) => env.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    r.disconnect();
    await svc.dispose();
    await hub.close();
  }
}

async function running(task: string) {
  return (await env.docker.listContainers({ filters: { label: [`${TASK_LABEL}=${task}`], status: ['running'] } }));
}

/** Ten `docker kill`s of a random running task container, the node process SIGKILLed and
 *  started again after the fourth, and `pauseAcross` run after the seventh. */
async function faults(j: Job, config: string, pauseAcross: (c: { id: string; node: string; instance: string }) => Promise<void>, log: (s: string) => void, reliable: boolean): Promise<void> {
  let busyKills = 0;
  for (let k = 0; k < 10; k++) {
    await sleep(300 + Math.random() * 700);
    const cs = await running(j.task);
    if (cs.length) {
      const c = cs[Math.floor(Math.random() * cs.length)];
      const busy = (await j.r.llen(j.input)) > 0;
      if (await docker('kill', c.Id).then(() => true, () => false)) busyKills += busy ? 1 : 0;
    }
    if (k === 3) {
      // Its containers live on (nothing could stop them); the new process, with the node id
      // the first wrote back to the config, removes them and starts its own.
      j.nodeB.proc.p.kill('SIGKILL');
      await j.nodeB.proc.exited;
      log('node process SIGKILLed; starting it again');
      j.nodeB.proc = runNode(config);
    }
    if (k === 6) {
      const c = await until('a container of node A holding a batch', async () => {
        const cs2 = (await running(j.task)).filter((x) => x.Labels['gridcore.node'] === j.nodeA.nodeId);
        if (!cs2.length) return undefined;
        const x = cs2[Math.floor(Math.random() * cs2.length)];
        if (!(await docker('pause', x.Id).then(() => true, () => false))) return undefined; // exiting meanwhile
        if (!reliable) return { id: x.Id, node: x.Labels['gridcore.node'], instance: x.Labels['gridcore.instance'] };
        const { inFlight } = await j.queues.lengthsWithInFlight([], [j.input]);
        const held = inFlight[j.input].find((l) => l.nodeId === j.nodeA.nodeId && l.instance === x.Labels['gridcore.instance'] && l.length > 0);
        if (held || !(await j.r.llen(j.input))) return { id: x.Id, node: x.Labels['gridcore.node'], instance: x.Labels['gridcore.instance'] };
        await docker('unpause', x.Id);
        return undefined;
      }, 60_000, 50);
      await pauseAcross(c);
    }
  }
  log(`10 containers killed, ${busyKills} of them while the input held items`);
}

test('reliable template: 100,000 items through kills, a node SIGKILL and a pause across a requeue: 0 lost, 0 duplicated', { timeout: 420_000 }, async (t) => {
  const N = 100_000;
  await withJob('rel', RELIABLE, N, async (j) => {
    let requeuedPaused = 0;
    await faults(j, join(env.dir, 'rel.toml'), async (c) => {
      // Paused, its batch sits still: the "unchanged for the set time" rule finds it.
      const list = await until('the paused container\'s batch found stranded', async () => {
        const { inFlight } = await j.queues.lengthsWithInFlight([], [j.input]);
        const found = await j.svc.stranded('local', { name: j.task, inputQueue: j.input }, inFlight[j.input], { staleMs: 1500 });
        return found.find((s) => s.nodeId === c.node && s.instance === c.instance);
      }, 30_000, 250);
      const res = await j.svc.requeueStranded('local', j.input, [list]);
      requeuedPaused = res.moved;
      await docker('unpause', c.id);
    }, (s) => t.diagnostic(s), true);
    t.diagnostic(`requeued ${requeuedPaused} item(s) from the paused container, then unpaused it`);

    // Drain: requeue whatever is stranded until input and processing lists are empty.
    let requeued = 0;
    const state = async () => `input ${await j.r.llen(j.input)}, output ${await j.r.llen(j.output)}, failed ${await j.r.llen(`${j.input}:failed`)} ${JSON.stringify((await j.r.lrange(`${j.input}:failed`, 0, 2)))}, in flight ${await j.r.hlen(`${j.input}:processing`)}`;
    await until(`${N} results`, async () => {
      const seen = await j.queues.lengthsWithInFlight([j.input, j.output], [j.input]);
      const lists = seen.inFlight[j.input];
      const stranded = await j.svc.stranded('local', { name: j.task, inputQueue: j.input }, lists, { staleMs: 5000 });
      if (stranded.length) requeued += (await j.svc.requeueStranded('local', j.input, stranded)).moved;
      return seen.lengths[j.input] === 0 && lists.every((l) => l.length === 0) && seen.lengths[j.output] >= N;
    }, 300_000, 500).catch(async (e: Error) => {
      throw new Error(`${e.message}; ${await state()}`);
    });
    await sleep(1500); // a late duplicate would land now
    const out = await j.r.lrange(j.output, 0, -1);
    const distinct = new Set(out.map((l) => Number(l.split(':')[0])));
    for (const l of out) assert.equal(Number(l.split(':')[1]), Number(l.split(':')[0]) ** 2, l);
    const lost = N - [...distinct].filter((x) => x >= 1 && x <= N).length;
    const duplicated = out.length - distinct.size;
    t.diagnostic(`lost ${lost}, duplicated ${duplicated}; ${requeued} item(s) requeued while draining`);
    assert.equal(lost, 0);
    assert.equal(duplicated, 0);
    assert.equal(out.length, N);
  });
});

test('upstream-style consumer under the same faults: the service reports exactly the items lost', { timeout: 300_000 }, async (t) => {
  const N = 30_000;
  await withJob('plain', PLAIN, N, async (j) => {
    await faults(j, join(env.dir, 'plain.toml'), async (c) => {
      await sleep(2000);
      await docker('unpause', c.id);
    }, (s) => t.diagnostic(s), false);
    const samples: ProgressSample[] = [];
    const report = await until('the losses named', async () => {
      const seen = await j.queues.lengthsWithInFlight([j.input, j.output], [j.input]);
      const processing = seen.inFlight[j.input].reduce((s, l) => s + Math.max(0, l.length), 0);
      samples.push({ at: Date.now(), input: seen.lengths[j.input], output: seen.lengths[j.output], processing });
      const rep = j.svc.progress(N, samples.slice(-20), { settleMs: 4000 });
      return rep.unaccounted !== undefined || rep.finished ? rep : undefined;
    }, 240_000, 500);
    const out = await j.r.lrange(j.output, 0, -1);
    const distinct = new Set(out.map((l) => l.split(':')[0]));
    assert.equal(distinct.size, out.length, 'an upstream-style consumer never doubles an item');
    const lost = N - distinct.size;
    t.diagnostic(`lost ${lost}; reported unaccounted ${report.unaccounted ?? 0}`);
    assert.equal(report.unaccounted ?? 0, lost);
  });
});
