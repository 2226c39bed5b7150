// Containers made the way upstream's gridnode makes them (named idm-<task>-<node_id>-<instance>,
// no labels), on a real engine with the busybox base image: stranded detection, the container
// log follower and the one lookup everyone shares recognise them; and a node restarted with an
// orphan of the same name still running (the create answers 409 Conflict, upstream tries once
// and reports Error) is named by Diagnose with the `docker rm -f` line to run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { containerName, listNodeContainers } from '../../src/core/docker/container-names';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../../src/core/ports';
import { createGridCoreService } from '../../src/core/service';
import { containerCheck } from '../../src/core/stranded';
import { BASE_IMAGE_TAG, ensureBaseImage } from '../../src/local/base-image';
import { startHub } from '../../src/local/hub/server';
import { followNodeContainers } from '../../src/local/node/container-logs';
import { hubCall, until, useLocalTestEnv } from './fixtures';

const TOKEN = 'upstream-names-token';
const env = useLocalTestEnv({ images: false, redisPassword: 'names-pw', tempDir: 'gc-names-', setup: async (e) => void (await ensureBaseImage(e.docker)) });

/** A container as upstream's node creates one: its name, its env, no labels, default network. */
async function upstreamContainer(docker: Docker, task: string, nodeId: string, instance: number, script: string): Promise<Docker.Container> {
  const c = await docker.createContainer({
    name: containerName(task, nodeId, instance),
    Image: BASE_IMAGE_TAG,
    Entrypoint: ['/bin/sh', '-c', script],
    Env: [`TASK_NAME=${task}`, `NODE_ID=${nodeId}`, `INSTANCE_ID=${instance}`],
    HostConfig: { Memory: 64 * 1024 * 1024, NetworkMode: 'none' },
  });
  await c.start();
  return c;
}

async function removeAll(docker: Docker, nodeId: string): Promise<void> {
  for (const c of await listNodeContainers(docker, [nodeId], { all: true })) await docker.getContainer(c.id).remove({ force: true }).catch(() => {});
}

test('upstream-named containers are recognised: the shared lookup, stranded detection, container logs', async () => {
  const nodeId = randomUUID();
  const task = `sq-v2-${process.pid}`;
  let follower: Awaited<ReturnType<typeof followNodeContainers>> | undefined;
  try {
    for (const i of [0, 1]) await upstreamContainer(env.docker, task, nodeId, i, 'echo hello from $INSTANCE_ID; sleep 300');
    const found = await listNodeContainers(env.docker, [nodeId, 'some-other-node']);
    assert.deepEqual(
      found.map((c) => [c.nodeId, c.task, c.instance, c.by, c.state]).sort(),
      [[nodeId, task, 0, 'name', 'running'], [nodeId, task, 1, 'name', 'running']],
    );
    assert.equal(found[0].networkMode, 'none');

    const alive = await containerCheck(env.docker, task);
    assert.equal(alive(nodeId, '0'), true);
    assert.equal(alive(nodeId, '1'), true);
    assert.equal(alive(nodeId, '2'), false);
    assert.equal(alive('other', '0'), false);

    const lines: string[] = [];
    follower = await followNodeContainers(env.docker, nodeId, (l) => lines.push(l));
    await until('both containers\' lines, named by task and instance', () => lines.includes(`[${task}#0] hello from 0`) && lines.includes(`[${task}#1] hello from 1`), 30_000);
    assert.equal(follower.followed, 2);
  } finally {
    follower?.dispose();
    await removeAll(env.docker, nodeId);
  }
});

test('Diagnose names an orphan of the same name that keeps a restarted node in Error', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const nodeId = randomUUID();
  const task = `orphan-${process.pid}`;
  const name = containerName(task, nodeId, 0);
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = `unix://${env.dockerd.socketPath}`;
  const svc = createGridCoreService({ secrets: new MemorySecretStore(), state: new MemoryKeyValueStore(), logger: silentLogger, skillDir: env.dir, settings: () => ({ hubTimeoutMs: 3000, redisTimeoutMs: 2000 }) });
  try {
    // The first run of the node: registered, its container started; then the node is SIGKILLed
    // and the container keeps running.
    const reg = { node_id: nodeId, hostname: 'worker-7', architecture: 'x86_64', cpu_count: 1 };
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/gridnode/register', reg)).status, 200);
    await upstreamContainer(env.docker, task, nodeId, 0, 'sleep 300');
    // The node restarts with the same id (written back into its gridnode.toml), registers, and
    // its create of the same name is refused, as upstream's is: 409 Conflict.
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/gridnode/register', reg)).status, 200);
    await assert.rejects(env.docker.createContainer({ name, Image: BASE_IMAGE_TAG }), (e: { statusCode?: number }) => e.statusCode === 409);
    // Upstream tries once, then reports Error with none of its own containers running.
    await hubCall(hub.url, TOKEN, 'POST', '/gridnode/heartbeat', { node_id: nodeId, status: 'Error', active_containers: 0 });

    await svc.profiles.save({ name: 'upstream-here', computehubUrl: hub.url, redisUrl: env.redis.url, token: TOKEN });
    const nodes = (await svc.diagnose('upstream-here')).find((c) => c.id === 'nodes')!;
    assert.equal(nodes.ok, false);
    assert.equal(nodes.code, 'nodeOrphan');
    assert.match(nodes.detail, /worker-7/);
    assert.match(nodes.detail, /409 Conflict/);
    assert.ok(nodes.detail.includes(`docker rm -f ${name}`), nodes.detail);
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    await svc.dispose();
    await hub.close();
    await removeAll(env.docker, nodeId);
  }
});
