// A local cluster of two nodes (gridcore.localCluster.nodes = 2): the hub lists two nodes with
// their own ids and hostnames, both run the task's containers, and with one gone (stopped
// through the hub, as the tree's Stop Node does; or its process SIGKILLed with its containers,
// as a machine that dies) the other goes on: items pushed afterwards are all squared. The one
// gone, restarted, comes back as the same node. Real Docker engine, real redis-server.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import Redis from 'ioredis';
import type { HubNode } from '../../src/core/types';
import { restartLocalNode, runningLocalNodes, startLocalCluster, stopLocalCluster, type LocalClusterInfo, type LocalClusterOptions } from '../../src/local/cluster';
import { pidAlive } from '../../src/local/cluster/state';
import { freePort } from '../support/redis';
import { hubCall, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const DIST = resolve(__dirname, '../../dist');
const env = useLocalTestEnv({ tempDir: 'gridcore-multi-node-', stopFirst: stopLocalCluster });

async function startTwo(name: string, extra: Partial<LocalClusterOptions> = {}): Promise<LocalClusterInfo> {
  return startLocalCluster({
    hubPort: await freePort(),
    redisPort: await freePort(),
    skillDir: join(env.dir, name),
    dockerSocket: env.dockerd.socketPath,
    nodes: 2,
    node: { parallelism: 1, heartbeatIntervalMs: 300, taskPollIntervalMs: 300, stopTimeoutMs: 1000, containerMemoryMb: 128 },
    ...extra,
  });
}

async function listNodes(info: LocalClusterInfo): Promise<HubNode[]> {
  return (await hubCall<HubNode[]>(info.profile.computehubUrl, info.profile.token, 'GET', '/api/nodes')).body;
}

/** Registers the square task; `push(from, to)` feeds it; `squared(from, to)` says whether all
 *  of those numbers have their result in the output. */
async function squareTask(info: LocalClusterInfo, name: string) {
  const r = new Redis(info.profile.redisUrl, { maxRetriesPerRequest: 1 });
  const task = { name, image: SQUARE_IMAGE, input_redis: info.profile.redisUrl, output_redis: info.profile.redisUrl, input_queue: `${name}:in`, output_queue: `${name}:out` };
  assert.equal((await hubCall(info.profile.computehubUrl, info.profile.token, 'POST', '/api/tasks', task)).status, 201);
  return {
    push: (from: number, to: number) => r.lpush(task.input_queue, ...Array.from({ length: to - from + 1 }, (_, i) => String(from + i))),
    squared: async (from: number, to: number) => {
      const done = new Set(await r.lrange(task.output_queue, 0, -1));
      for (let n = from; n <= to; n++) if (!done.has(`${n}:${n * n}`)) return false;
      return true;
    },
    close: () => r.disconnect(),
  };
}

/** Both nodes run a container of the task (so the survivor is not merely the only one that ever worked). */
async function bothRunning(info: LocalClusterInfo): Promise<void> {
  for (const id of info.nodeIds) {
    await until(`a running container on node ${id}`, async () => (await nodeContainers(env.docker, id)).some((c) => c.State === 'running'), 90_000, 300);
  }
}

test('two nodes: distinct ids and hostnames; one stopped through the hub, the other keeps processing; it comes back as itself', async () => {
  const info = await startTwo('embedded');
  const task = await squareTask(info, 'two-stop');
  try {
    assert.equal(info.nodeIds.length, 2);
    assert.equal(new Set(info.nodeIds).size, 2);
    assert.equal(info.nodeId, info.nodeIds[0]);
    const listed = await listNodes(info);
    assert.deepEqual(listed.map((n) => n.id).sort(), [...info.nodeIds].sort());
    assert.deepEqual(listed.map((n) => n.hostname).sort(), [`${hostname()}-1`, `${hostname()}-2`]);

    await task.push(1, 200);
    await bothRunning(info);
    await until('1..200 squared', () => task.squared(1, 200), 90_000, 300);

    // What the tree's Stop Node does: a stop request, delivered on the node's next heartbeat.
    const [first, second] = runningLocalNodes();
    assert.equal((await hubCall(info.profile.computehubUrl, info.profile.token, 'POST', `/api/nodes/${info.nodeIds[1]}/stop`)).status, 200);
    assert.equal(await second.gridNode!.exited, 'stopRequested');
    assert.deepEqual(await nodeContainers(env.docker, info.nodeIds[1]), [], 'the stopped node left no container');
    await task.push(1001, 1200);
    await until('1001..1200 squared by the node left', () => task.squared(1001, 1200), 90_000, 300);
    assert.ok((await nodeContainers(env.docker, info.nodeIds[0])).length > 0, 'the first node still runs its container');
    assert.notEqual(first.gridNode?.snapshot().status, 'Error');

    const back = await restartLocalNode(1);
    assert.equal(back.nodeId, info.nodeIds[1], 'the same node id (kept in node-2.json)');
    await bothRunning(info);
    await task.push(2001, 2200);
    await until('2001..2200 squared', () => task.squared(2001, 2200), 90_000, 300);
  } finally {
    task.close();
    assert.equal(await stopLocalCluster(), true);
  }
  for (const id of info.nodeIds) assert.deepEqual(await nodeContainers(env.docker, id), []);
});

test('two node processes: one SIGKILLed with its containers, the other keeps processing', async () => {
  assert.ok(existsSync(join(DIST, 'gridnode.js')), 'dist/gridnode.js is built (node test/run.mjs local builds it)');
  // our standalone node as the `gridnode` binary, so each node is a process of its own
  const bin = join(env.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const gridnode = join(bin, 'gridnode');
  writeFileSync(gridnode, `#!/bin/bash\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(DIST, 'gridnode.js'))} "$@"\n`);
  chmodSync(gridnode, 0o755);

  const info = await startTwo('processes', { gridnodeBinary: gridnode });
  const task = await squareTask(info, 'two-kill');
  try {
    assert.equal(new Set(info.nodeIds).size, 2);
    assert.deepEqual((await listNodes(info)).map((n) => n.hostname).sort(), [`${hostname()}-1`, `${hostname()}-2`], 'the hostname key of gridnode.toml is reported');
    await task.push(1, 200);
    await bothRunning(info);

    // Which id belongs to which process: the hub lists them, the toml files name them.
    const tomlId = (file: string) => /node_id\s*=\s*"([^"]+)"/.exec(readFileSync(join(env.dir, 'processes', 'state', 'gridcore-local', file), 'utf8'))?.[1];
    const victimId = await until('node 1 wrote its id back', () => tomlId('gridnode.toml'));
    const survivorId = info.nodeIds.find((id) => id !== victimId)!;
    assert.equal(await until('node 2 wrote its id back', () => tomlId('gridnode-2.toml')), survivorId);

    const victim = runningLocalNodes()[0].commandPid!()!;
    assert.ok(victim > 0 && victim !== runningLocalNodes()[0].pid, 'the node process, not its watchdog');
    process.kill(victim, 'SIGKILL');
    // a machine that dies takes its containers with it
    for (const c of await nodeContainers(env.docker, victimId)) await env.docker.getContainer(c.Id).kill().catch(() => undefined);
    await until('the node process is gone', () => !pidAlive(victim), 10_000);

    await task.push(1001, 1200);
    await until('1001..1200 squared by the node left', () => task.squared(1001, 1200), 90_000, 300);
    assert.ok((await nodeContainers(env.docker, survivorId)).some((c) => c.State === 'running'));

    // The machine comes back: the same node (its id kept in gridnode.toml) clears what it left and works again.
    assert.ok((await nodeContainers(env.docker, victimId)).length > 0, 'the killed node left its (killed) containers');
    const back = await restartLocalNode(0);
    assert.notEqual(back.pid, undefined);
    assert.equal(tomlId('gridnode.toml'), victimId);
    await until('the restarted node runs its container again', async () => {
      const cs = await nodeContainers(env.docker, victimId);
      return cs.length === 1 && cs[0].State === 'running';
    }, 90_000, 300);
    assert.deepEqual((await listNodes(info)).map((n) => n.id).sort(), [...info.nodeIds].sort(), 'no third node');
  } finally {
    task.close();
    await stopLocalCluster();
  }
  for (const id of info.nodeIds) assert.deepEqual(await nodeContainers(env.docker, id), [], `node ${id} left containers`);
});
