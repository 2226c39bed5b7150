// A task container killed by hand (`docker kill`) while the task runs (issue 6): our GridNode
// reports the failure, starts the container again and the job drains its input.
//
// The guarantee is the sample consumer's (media/templates/shell-square/consumer.sh, a reliable
// consumer: README, "Reliable consumers"): it moves a batch into its own processing list in
// one script and pushes the results and drops the batch in another, so a batch held by a
// killed container waits in that list, and the container started again under the same name
// returns it to the input before taking anything. Nothing is lost and nothing is doubled.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import Redis from 'ioredis';
import type { HubNode } from '../../src/core/types';
import { startHub, type RunningHub } from '../../src/local/hub/server';
import type { GridNode } from '../../src/local/node/grid-node';
import { fastNode, hubCall, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const run = promisify(execFile);
const TOKEN = 'faults-node-token';
const env = useLocalTestEnv({ redisPassword: 'pw-faults-node' });

/** `docker kill` from the command line, as a user would, against the test's engine. */
async function dockerKill(name: string): Promise<void> {
  await run('docker', ['-H', `unix://${env.dockerd.socketPath}`, 'kill', name]);
}

async function withNode(parallelism: number, fn: (o: { hub: RunningHub; node: GridNode; id: string; r: Redis }) => Promise<void>): Promise<void> {
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = fastNode(env.docker, hub.url, TOKEN, { parallelism });
  const r = new Redis(env.redis.url);
  try {
    const id = await node.start();
    await fn({ hub, node, id, r });
    await node.dispose();
    assert.deepEqual(await nodeContainers(env.docker, id), [], 'no container left');
  } finally {
    await node.dispose();
    r.disconnect();
    await hub.close();
  }
}

async function register(hub: RunningHub, name: string): Promise<{ input: string; output: string }> {
  const q = { input: `${name}:in`, output: `${name}:out` };
  const task = { name, image: SQUARE_IMAGE, input_redis: env.redis.url, output_redis: env.redis.url, input_queue: q.input, output_queue: q.output };
  assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', task)).status, 201);
  return q;
}

async function push(r: Redis, queue: string, items: number[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) await r.lpush(queue, ...items.slice(i, i + 1000).map(String));
}

/** Every result checked, none twice; returns the numbers that got a result. */
async function checkedResults(r: Redis, queue: string): Promise<Set<number>> {
  const seen = new Set<number>();
  for (const line of await r.lrange(queue, 0, -1)) {
    const [x, sq] = line.split(':');
    assert.equal(Number(sq), Number(x) ** 2, line);
    assert.ok(!seen.has(Number(x)), `${x} processed twice`);
    seen.add(Number(x));
  }
  return seen;
}

/** Kills the container of `instance` and waits until the node has reported the failure and
 *  runs a new container of the same name. */
async function killAndAwaitRestart(node: GridNode, id: string, hub: RunningHub, instance: number): Promise<void> {
  const name = `idm-${node.snapshot().task}-${id}-${instance}`;
  // Kill a container that runs (the sample consumer waits for work until stopped).
  const killed = await until('a running container killed', async () => {
    const c = (await nodeContainers(env.docker, id)).find((x) => x.Names[0] === `/${name}` && x.State === 'running');
    if (!c) return undefined;
    return dockerKill(name).then(
      () => c,
      () => undefined,
    );
  }, 30_000, 100);
  await until('the node reports the killed container', async () => node.snapshot().errors.some((e) => /exited with code 137/.test(e)), 30_000, 50);
  await until('the hub shows the node in Error', async () => {
    const me = (await hubCall<HubNode[]>(hub.url, TOKEN, 'GET', '/api/nodes')).body.find((n) => n.id === id);
    return me?.runtime_status === 'Error';
  }, 30_000, 100);
  await until('a new container of the same name', async () => {
    const c = (await nodeContainers(env.docker, id)).find((x) => x.Names[0] === `/${name}`);
    return c && c.Id !== killed.Id && c.State === 'running';
  }, 60_000, 200);
}

test('killed while idle (no batch in flight): restarted, and the job ends with the exact result count', { timeout: 240_000 }, async () => {
  await withNode(1, async ({ hub, node, id, r }) => {
    const q = await register(hub, 'kill-idle');
    await push(r, q.input, Array.from({ length: 1000 }, (_, i) => i));
    await until('1,000 results', async () => (await r.llen(q.output)) === 1000, 120_000, 200);
    await until('containers running', async () => node.snapshot().activeContainers === 1, 30_000, 100);

    await killAndAwaitRestart(node, id, hub, 0);
    await push(r, q.input, Array.from({ length: 1000 }, (_, i) => 1000 + i));
    await until('2,000 results', async () => (await r.llen(q.output)) === 2000, 120_000, 200);
    assert.equal((await checkedResults(r, q.output)).size, 2000);
    await until('the node back to Running once the new container stayed up', async () => node.snapshot().status === 'Running', 30_000, 100);
  });
});

test('killed mid-stream: restarted, input drained, no item twice, none lost', { timeout: 300_000 }, async (t) => {
  await withNode(2, async ({ hub, node, id, r }) => {
    const q = await register(hub, 'kill-busy');
    // enough that the kill lands mid-stream also when the consumers run fast
    const n = 100_000;
    await push(r, q.input, Array.from({ length: n }, (_, i) => i));
    await until('results flowing', async () => (await r.llen(q.output)) >= 1000, 120_000, 100);
    assert.ok((await r.llen(q.input)) > 0, 'the kill lands while the input still holds items');

    await killAndAwaitRestart(node, id, hub, 0);
    await until('input drained', async () => (await r.llen(q.input)) === 0, 180_000, 200);
    // The last batches popped before the drain still have to land: wait until the output stops growing.
    let last = -1;
    await until('output settled', async () => {
      const now = await r.llen(q.output);
      const settled = now === last;
      last = now;
      return settled;
    }, 60_000, 1500);

    const done = await checkedResults(r, q.output);
    const lost = Array.from({ length: n }, (_, i) => i).filter((x) => !done.has(x));
    t.diagnostic(`items lost with the killed container: ${lost.length}`);
    assert.equal(lost.length, 0, 'the killed container\'s batch came back from its processing list');
    assert.equal(done.size, n);
  });
});
