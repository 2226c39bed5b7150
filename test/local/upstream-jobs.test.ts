// Jobs on upstream's nodes (issue 23), with real Docker, a real Redis and two of our nodes in
// upstream lifecycle (containers never restarted within a task, Docker's default network, no
// labels, a task poll every 10 s) against our hub; the extension's service and one
// ClusterMonitor watch them as the tree does. The consumer is the reliable shell template (it
// waits for items for as long as it runs) with batches of 100.
// - Register, wait 30 s, push 10,000: all processed.
// - Remote profile (no Docker queries): a killed container's batch is stranded by the hub's
//   heartbeat counts and requeued within 3 polls; a paused consumer beside a killed one is
//   never requeued while the rest of the input is drained; once unpaused it commits its last
//   batch and waits holding no list, and that commit is what tells the killed one's batch is
//   dead; no commit is refused across the test; 0 lost, 0 duplicated.
// - The same on a local profile (Docker says which container is gone), for the timing.
// - Kill every container: the monitor says "stalled"; Restart Task on Nodes (service level,
//   confirmed as the command does); the job completes, 0 lost, 0 duplicated.
// Needs an engine with a default bridge (GRIDCORE_DOCKERD_BRIDGE=1; .ci/run starts one).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { test, type TestContext } from 'node:test';
import Redis from 'ioredis';
import type { GridCoreService } from '../../src/core/service-api';
import type { InFlightList } from '../../src/core/types';
import { bridgeGateway } from '../../src/local/cluster/bridge';
import { startHub, type RunningHub } from '../../src/local/hub/server';
import { containerName } from '../../src/core/docker/containers';
import { GridNode } from '../../src/local/node/grid-node';
import { ClusterMonitor } from '../../src/ui-model/cluster-monitor';
import type { ClusterSnapshot } from '../../src/ui-model/cluster-snapshot';
import { finishConfirmation } from '../../src/ui-model/finish-flow';
import { restartQuestion } from '../../src/ui-model/restart-flow';
import { freePort, startRedis, type TestRedis } from '../support/redis';
import { memoryService } from '../support/service-fixture';
import { buildFrom, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const execp = promisify(execFile);
const TOKEN = 'upstream-jobs-token';
const WAITING = 'gridcore-test/waiting-square:local';
const POLL_MS = 1000;
const PW = 'pw-upstream-jobs';

let gateway: string | undefined;
let redis: TestRedis;
let redisUrl: string;
let hub: RunningHub;
let nodes: GridNode[] = [];
const env = useLocalTestEnv({
  setup: async (e) => {
    gateway = await bridgeGateway(e.docker);
    if (!gateway) return;
    process.env.DOCKER_HOST = `unix://${e.dockerd.socketPath}`; // the service's Docker (local profile)
    // The reliable template (it never idles out); batches of 100 so the jobs outlast the
    // faults on a busy machine.
    await buildFrom(e.docker, { Dockerfile: `FROM ${SQUARE_IMAGE}\nENV BATCH=100\n` }, WAITING);
    redis = await startRedis({ password: PW, port: await freePort(), bind: `127.0.0.1 ${gateway}` });
    redisUrl = `redis://:${PW}@${gateway}:${redis.port}`;
    hub = await startHub({ port: 0, token: TOKEN });
    for (const name of ['up-a', 'up-b']) {
      const node = new GridNode({
        serverUrl: hub.url,
        token: TOKEN,
        lifecycle: 'upstream',
        parallelism: 2,
        heartbeatIntervalMs: 1000,
        stopTimeoutMs: 2000,
        containerMemoryMb: 128,
        hostname: name,
        docker: e.docker,
      });
      await node.start();
      nodes.push(node);
    }
  },
  stopFirst: async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(nodes.map((n) => n.dispose()));
    for (const n of nodes) for (const c of await nodeContainers(env.docker, n.nodeId!)) await env.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    nodes = [];
    await hub?.close();
    await redis?.stop();
  },
});

function skipWithoutBridge(t: TestContext): boolean {
  if (gateway) return false;
  const reason = 'needs a Docker engine with its default bridge (GRIDCORE_DOCKERD_BRIDGE=1 bash test/support/dockerd.sh start; .ci/run does)';
  assert.notEqual(process.env.GRIDCORE_REQUIRE_BRIDGE, '1', reason);
  t.skip(reason);
  return true;
}

interface Cluster {
  svc: GridCoreService;
  monitor: ClusterMonitor;
  /** every snapshot, in order */
  snaps: ClusterSnapshot[];
  dispose(): Promise<void>;
}

/** The service and one monitor polling every second as the tree would (nodes, current task). */
async function watchCluster(name: string, local: boolean): Promise<Cluster> {
  const svc = memoryService({ settings: { redisTimeoutMs: 3000 } });
  await svc.profiles.save({ name, computehubUrl: hub.url, redisUrl, token: TOKEN, ...(local ? { source: 'local' as const } : {}) });
  const monitor = new ClusterMonitor(svc, name, { intervalMs: () => POLL_MS, focused: () => true, stallGraceMs: () => 5000, strandedAfterMs: () => 600_000 });
  const snaps: ClusterSnapshot[] = [];
  monitor.onDidChange((s) => snaps.push(s));
  const watch = monitor.watch({ nodes: true, current: true });
  return {
    svc,
    monitor,
    snaps,
    dispose: async () => {
      watch.dispose();
      monitor.dispose();
      await svc.dispose();
    },
  };
}

/** The next `n` snapshots after now. */
async function nextSnaps(c: Cluster, n: number): Promise<ClusterSnapshot[]> {
  const from = c.snaps.length;
  await until(`${n} more polls`, () => c.snaps.length >= from + n, 60_000, 50);
  return c.snaps.slice(from, from + n);
}

/** Every test client, disconnected when the file ends even after a failure (a client left
 *  reconnecting to a stopped Redis would keep the process alive). */
const clients: Redis[] = [];
const r = () => {
  const c = new Redis(redisUrl);
  clients.push(c);
  return c;
};

async function taskContainers(task: string) {
  const all = (await Promise.all(nodes.map((n) => nodeContainers(env.docker, n.nodeId!)))).flat();
  return all.filter((c) => c.Names.some((x) => x.startsWith(`/idm-${task.replace(/[^a-zA-Z0-9_.-]/g, '-')}-`)));
}

async function docker(...args: string[]) {
  return execp('docker', ['-H', `unix://${env.dockerd.socketPath}`, ...args]);
}

/** Consumers' own word for a commit refused because a requeue took their batch. */
async function refusedCommits(task: string): Promise<number> {
  let n = 0;
  for (const c of await taskContainers(task)) {
    const { stdout } = await docker('logs', c.Id).catch(() => ({ stdout: '' }));
    n += stdout.split('\n').filter((l) => l.includes('was requeued while I held it')).length;
  }
  return n;
}

/** Exactly one result per input 1..count. */
async function assertExactlyOnce(output: string, count: number): Promise<void> {
  const c = r();
  try {
    const all = await c.lrange(output, 0, -1);
    const seen = new Set(all.map((v) => v.split(':')[0]));
    assert.equal(seen.size, count, `every item has a result (${count - seen.size} lost)`);
    assert.equal(all.length, count, `no item has two results (${all.length - seen.size} duplicated)`);
  } finally {
    c.disconnect();
  }
}

async function register(c: Cluster, name: string) {
  return c.svc.registerTask(c.monitor.cluster, { name, image: WAITING, input_redis: redisUrl, output_redis: redisUrl, input_queue: `${name}:in`, output_queue: `${name}:out` });
}

async function finishAll(c: Cluster): Promise<void> {
  const h = await c.svc.hub(c.monitor.cluster);
  while ((await h.listTasks()).current !== null) await h.finish();
}

test('registered, then pushed to 30 s later: all 10,000 items are processed by the waiting consumers', async (t) => {
  if (skipWithoutBridge(t)) return;
  const c = await watchCluster('late-push', false);
  try {
    const { started } = await register(c, 'late-push');
    assert.equal(started, true);
    await until('4 containers running', async () => (await taskContainers('late-push')).filter((x) => x.State === 'running').length === 4, 90_000, 500);
    await sleep(30_000); // the extension's own order: Build and Register, then Push Data
    assert.equal((await taskContainers('late-push')).filter((x) => x.State === 'running').length, 4, 'no consumer idled out');
    const q = await c.svc.queues('late-push');
    assert.equal((await q.push('late-push:in', { kind: 'range', from: 1, to: 10_000 })).pushed, 10_000);
    const rc = r();
    await until('10,000 results', async () => (await rc.llen('late-push:out')) === 10_000, 300_000, 500);
    rc.disconnect();
    await assertExactlyOnce('late-push:out', 10_000);
  } finally {
    await finishAll(c);
    await c.dispose();
  }
});

/** Kills `name` while it holds a batch in `list` (frozen first, so it cannot commit between the
 *  look and the kill); returns when it was killed. */
async function killHolding(name: string, list: string): Promise<number> {
  const rc = r();
  try {
    return await until(`${name} holding a batch, killed`, async () => {
      await docker('pause', name);
      if ((await rc.llen(list)) > 0) {
        await docker('kill', name);
        return Date.now();
      }
      await docker('unpause', name);
      await sleep(10);
      return undefined;
    }, 60_000, 0);
  } finally {
    rc.disconnect();
  }
}

/** Kill one container holding a batch; poll until the monitor calls that batch stranded, requeue
 *  it through the service; returns the polls and ms it took. */
async function killAndRequeue(c: Cluster, task: string, input: string, node: GridNode, instance: number): Promise<{ polls: number; ms: number; list: string; reason: string }> {
  const name = containerName(task, node.nodeId!, instance);
  const list = `${input}:processing:${node.nodeId}:${instance}`;
  const t0 = await killHolding(name, list);
  // Polls counted from the kill on (finding a moment the container held a batch took some).
  const from = c.snaps.length;
  let found: InFlightList & { reason: string } | undefined;
  await until(`${list} stranded`, () => {
    for (const s of c.snaps.slice(from)) {
      found = s.inFlight?.stranded.find((l) => l.list === list && l.length > 0);
      if (found) return true;
    }
    return false;
  }, 120_000, 20);
  const polls = c.snaps.findIndex((s, i) => i >= from && !!s.inFlight?.stranded.some((l) => l.list === list)) - from + 1;
  const moved = await c.svc.requeueStranded(c.monitor.cluster, input, [found!]);
  const ms = Date.now() - t0;
  assert.ok(moved.moved > 0, 'the batch went back to the input');
  return { polls, ms, list, reason: found!.reason };
}

test('remote profile: a killed container\'s batch is stranded from the hub\'s heartbeats and requeued within 3 polls; a paused consumer is never requeued', async (t) => {
  if (skipWithoutBridge(t)) return;
  const c = await watchCluster('remote', false);
  const task = 'remote-kill';
  const input = `${task}:in`;
  const count = 20_000;
  try {
    await register(c, task);
    await until('4 containers running', async () => (await taskContainers(task)).filter((x) => x.State === 'running').length === 4, 90_000, 500);
    await (await c.svc.queues('remote')).push(input, { kind: 'range', from: 1, to: count });
    const [a, b] = nodes;
    const first = await killAndRequeue(c, task, input, a, 0);
    t.diagnostic(`remote: killed container's batch requeued after ${first.polls} polls, ${first.ms} ms (reason ${first.reason})`);
    console.log(`MEASURE remote kill->requeued ${first.ms} ms, ${first.polls} polls of ${POLL_MS} ms`);
    assert.equal(first.reason, 'containerCount');
    assert.ok(first.polls <= 3, `stranded within 3 polls (took ${first.polls})`);

    // A paused consumer beside a killed one on the same node: the counts cannot tell which is
    // dead, so neither is requeued on a guess, however long it lasts. Node a's consumer drains
    // the input meanwhile: the end of a job, where the unpaused consumer commits its last batch
    // and then waits holding no list (the never-idle templates), so nothing of it shows but
    // that commit.
    const paused = containerName(task, b.nodeId!, 1);
    const pausedList = `${input}:processing:${b.nodeId}:1`;
    const rc = r();
    await until(`${paused} paused holding a batch`, async () => {
      await docker('pause', paused);
      if ((await rc.llen(pausedList)) > 0) return true;
      await docker('unpause', paused);
      return false;
    }, 60_000, 10);
    const pausedFrom = c.snaps.length;
    await killHolding(containerName(task, b.nodeId!, 0), `${input}:processing:${b.nodeId}:0`);
    await nextSnaps(c, 6);
    await until('the input drained by node a', async () => (await rc.llen(input)) === 0, 300_000, 200);
    await nextSnaps(c, 2);
    const during = c.snaps.slice(pausedFrom);
    const wrongly = during.flatMap((s) => s.inFlight?.stranded.filter((l) => l.list === pausedList) ?? []);
    assert.deepEqual(wrongly, [], `the paused consumer's batch is not called stranded (nodes: ${JSON.stringify(during.map((s) => s.nodes?.map((n) => [n.id, n.active_containers, n.last_seen])))})`);
    await docker('unpause', paused);
    // Once the paused consumer commits, the counts tell: node b's other batch is dead.
    const deadList = `${input}:processing:${b.nodeId}:0`;
    const from = c.snaps.length;
    const timeline = () => c.snaps.slice(from - 3).map((s) => `${s.at} nodes ${JSON.stringify(s.nodes?.map((n) => [n.id.slice(0, 4), n.active_containers, n.last_seen.slice(11, 23)]))} input ${s.queues?.input?.length} lists ${JSON.stringify(s.inFlight?.lists.map((l) => [l.nodeId?.slice(0, 4), l.instance, l.token.slice(-6), l.length]))} stranded ${JSON.stringify(s.inFlight?.stranded.map((l) => [l.nodeId?.slice(0, 4), l.instance, l.reason]))}`).join('\n');
    await until(`${deadList} stranded`, () => c.snaps.slice(from).some((s) => s.inFlight?.stranded.some((l) => l.list === deadList)), 120_000, 50).catch((e: Error) => {
      throw new Error(`${e.message}\n${timeline()}`);
    });
    const endPolls = c.snaps.findIndex((s, i) => i >= from && !!s.inFlight?.stranded.some((l) => l.list === deadList)) - from + 1;
    t.diagnostic(`remote, end of a job: the dead batch stranded ${endPolls} polls after its neighbour was unpaused`);
    console.log(`MEASURE remote end-of-job unpause->stranded ${endPolls} polls of ${POLL_MS} ms`);
    assert.equal(c.snaps.slice(from).find((s) => s.inFlight?.stranded.some((l) => l.list === deadList))!.inFlight!.stranded.find((l) => l.list === deadList)!.reason, 'containerCount');
    const snap = c.snaps.slice(from).find((s) => s.inFlight?.stranded.some((l) => l.list === deadList))!;
    await c.svc.requeueStranded('remote', input, snap.inFlight!.stranded.filter((l) => l.list === deadList));
    await until(`${count} results`, async () => (await rc.llen(`${task}:out`)) === count, 600_000, 500);
    rc.disconnect();
    await assertExactlyOnce(`${task}:out`, count);
    assert.equal(await refusedCommits(task), 0, 'no live consumer\'s batch was requeued (no refused commit)');
  } finally {
    await finishAll(c);
    await c.dispose();
  }
});

test('local profile: Docker says which container is gone; its batch is requeued within 3 polls', async (t) => {
  if (skipWithoutBridge(t)) return;
  const c = await watchCluster('local', true);
  const task = 'local-kill';
  const input = `${task}:in`;
  const count = 10_000;
  try {
    await register(c, task);
    await until('4 containers running', async () => (await taskContainers(task)).filter((x) => x.State === 'running').length === 4, 90_000, 500);
    await (await c.svc.queues('local')).push(input, { kind: 'range', from: 1, to: count });
    const killed = await killAndRequeue(c, task, input, nodes[1], 1);
    t.diagnostic(`local: killed container's batch requeued after ${killed.polls} polls, ${killed.ms} ms (reason ${killed.reason})`);
    console.log(`MEASURE local kill->requeued ${killed.ms} ms, ${killed.polls} polls of ${POLL_MS} ms`);
    assert.equal(killed.reason, 'containerGone');
    assert.ok(killed.polls <= 3, `stranded within 3 polls (took ${killed.polls})`);
    const rc = r();
    await until(`${count} results`, async () => (await rc.llen(`${task}:out`)) === count, 600_000, 500);
    rc.disconnect();
    await assertExactlyOnce(`${task}:out`, count);
    assert.equal(await refusedCommits(task), 0, 'no live consumer\'s batch was requeued');
  } finally {
    await finishAll(c);
    await c.dispose();
  }
});

test('every container killed: the task is named stalled; Restart Task on Nodes starts fresh ones; 0 lost, 0 duplicated', async (t) => {
  if (skipWithoutBridge(t)) return;
  const c = await watchCluster('stall', false);
  const task = 'stall-job';
  const input = `${task}:in`;
  const count = 10_000;
  try {
    await register(c, task);
    await until('4 containers running', async () => (await taskContainers(task)).filter((x) => x.State === 'running').length === 4, 90_000, 500);
    await (await c.svc.queues('stall')).push(input, { kind: 'range', from: 1, to: count });
    await c.svc.tasks.addPushed('stall', task, count); // as Push Data records it
    const rc = r();
    await until('the job under way', async () => (await rc.llen(`${task}:out`)) >= 500, 120_000, 50);
    for (const x of await taskContainers(task)) await docker('kill', x.Id).catch(() => undefined);
    const left = await rc.llen(input);
    assert.ok(left > 0, 'items were left when every consumer died');
    const from = c.snaps.length;
    await until('stalled', () => c.snaps.slice(from).some((s) => s.stalled?.task === task), 120_000, 100);
    const stalled = c.snaps.slice(from).find((s) => s.stalled)!.stalled!;
    assert.equal(stalled.reason, 'noContainers');
    assert.ok(stalled.items > 0);
    const polls = c.snaps.slice(from).findIndex((s) => s.stalled) + 1;
    t.diagnostic(`stalled shown ${polls} polls after every container was killed (grace 5 s, poll ${POLL_MS} ms)`);

    // Restart Task on Nodes, as the command runs it once confirmed.
    const plan = await c.svc.restartTaskPlan('stall');
    assert.equal(plan.task, task);
    assert.equal(plan.newName, `${task}~r2`);
    assert.deepEqual(plan.pendingFirst, []);
    const ask = restartQuestion(plan, stalled.items);
    assert.equal(ask.pendingFirst, false);
    const result = await c.svc.restartTask(plan);
    assert.equal(result.started, true);
    assert.equal(result.finished.completed, task);
    const rec = c.svc.tasks.get('stall', plan.newName);
    assert.equal(rec?.restartOf, task);
    assert.equal(rec?.inputQueue, input);
    assert.equal(rec?.pushed, count, 'the pushed count carried over: progress goes on');
    await until(`${count} results`, async () => (await rc.llen(`${task}:out`)) === count, 600_000, 500);
    const after = await nextSnaps(c, 2);
    assert.ok(after.every((s) => !s.stalled), 'no longer stalled');
    // Batches the killed consumers held went back when the new ones of the same instance took
    // theirs: nothing is left in flight.
    assert.deepEqual(await rc.hgetall(`${input}:processing`), {});
    rc.disconnect();
    await assertExactlyOnce(`${task}:out`, count);
  } finally {
    await finishAll(c);
    await c.dispose();
  }
});

test('Restart Task on Nodes refuses to start a pending task first unless agreed', async (t) => {
  if (skipWithoutBridge(t)) return;
  const c = await watchCluster('order', false);
  try {
    await register(c, 'order-a');
    await register(c, 'order-b');
    const plan = await c.svc.restartTaskPlan('order');
    assert.equal(plan.task, 'order-a');
    assert.deepEqual(plan.pendingFirst, ['order-b']);
    assert.equal(restartQuestion(plan).pendingFirst, true);
    await assert.rejects(c.svc.restartTask(plan), /would start pending task order-b first/);
    const h = await c.svc.hub('order');
    assert.equal((await h.listTasks()).current, 'order-a', 'nothing changed');
    const r2 = await c.svc.restartTask(plan, { allowPendingFirst: true });
    assert.equal(r2.started, false);
    assert.equal(r2.finished.started, 'order-b');
    assert.deepEqual((await h.listTasks()).pending, ['order-a~r2']);
  } finally {
    await finishAll(c);
    await c.dispose();
  }
});

test('finished while a consumer hangs holding a batch: the finished task shows its stranded items; requeued and run again, every result once', async (t) => {
  if (skipWithoutBridge(t)) return;
  const c = await watchCluster('switch', false);
  const task = 'switch-job';
  const input = `${task}:in`;
  const count = 10_000;
  const rc = r();
  try {
    await register(c, task);
    await until('4 containers running', async () => (await taskContainers(task)).filter((x) => x.State === 'running').length === 4, 90_000, 500);
    await (await c.svc.queues('switch')).push(input, { kind: 'range', from: 1, to: count });
    await c.svc.tasks.addPushed('switch', task, count);
    const [a] = nodes;
    const hung = containerName(task, a.nodeId!, 0);
    const hungList = `${input}:processing:${a.nodeId}:0`;
    await until(`${hung} paused holding a batch`, async () => {
      await docker('pause', hung);
      if ((await rc.llen(hungList)) > 0) return true;
      await docker('unpause', hung);
      return false;
    }, 60_000, 10);
    const held = await rc.llen(hungList);
    // The next task waits, so the finish is a task change: the nodes stop this task's containers.
    await register(c, 'switch-next');
    const lists = ((await (await c.svc.queues('switch')).probe([], [input])).inFlight?.[input] ?? []).filter((l) => l.length > 0);
    const ask = finishConfirmation(task, 'switch', { input: await rc.llen(input), output: await rc.llen(`${task}:out`), inputQueue: input, inFlight: { items: lists.reduce((n, l) => n + l.length, 0), lists: lists.length } }, 'switch-next');
    assert.match(ask.detail, /items are in flight in \d+ consumers' processing lists/);
    assert.equal((await (await c.svc.hub('switch')).finish()).started, 'switch-next');
    // The hung consumer is stopped with its batch in its list: the finished task keeps showing it.
    const from = c.snaps.length;
    const left = await until('the finished task shows its stranded items', () => c.snaps.slice(from).map((s) => s.leftBehind?.find((f) => f.task === task && f.stranded.some((l) => l.list === hungList))).find(Boolean), 120_000, 100);
    assert.ok(left.strandedItems >= held, `its ${held} items are among the stranded (${left.strandedItems})`);
    assert.ok(left.stranded.every((l) => l.reason === 'taskNotCurrent'));
    const moved = await c.svc.requeueStranded('switch', input, left.stranded);
    // The hung consumer cannot give its batch back: all of it moves. The others, stopped by the
    // task change, may have committed or released theirs (SIGTERM, issue 24's templates) between
    // the poll that saw them and the requeue: those lists are gone, nothing of them is lost.
    assert.ok(moved.moved >= held && moved.moved <= left.strandedItems, `moved ${moved.moved}, the hung one held ${held}, ${left.strandedItems} were stranded`);
    // Run it again (what the command offers after requeueing a finished task's items).
    const record = c.svc.tasks.get('switch', task)!;
    const again = await c.svc.reregisterTasks('switch', [record]);
    assert.deepEqual(again.registered, [task]);
    assert.equal((await (await c.svc.hub('switch')).finish()).started, task);
    await until(`${count} results`, async () => (await rc.llen(`${task}:out`)) === count, 600_000, 500);
    await assertExactlyOnce(`${task}:out`, count);
    const after = await nextSnaps(c, 2);
    assert.ok(after.every((s) => !s.leftBehind?.some((f) => f.task === task)), 'nothing left behind any more');
  } finally {
    rc.disconnect();
    await finishAll(c);
    await c.dispose();
  }
});
