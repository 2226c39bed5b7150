// Our node with upstream's container lifecycle (lifecycle: 'upstream'), defects included, as
// computehub-api.md's "How the upstream GridNode behaves" lists them: a container that exits is
// never started again while the task stays (non-zero exit logged as -1, Error from then on); a
// stop request while a container runs does not stop it (the node heartbeats no more and exits
// once nothing runs); no labels; a node killed (abandoned) leaves its container running, and
// its restart meets a 409 on the same-name orphan and reports Error.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { HubNode } from '../../src/core/types';
import { ensureBaseImage } from '../../src/local/base-image';
import { startHub } from '../../src/local/hub/server';
import { containerName } from '../../src/core/docker/containers';
import { GridNode } from '../../src/local/node/grid-node';
import { buildFrom, CRASH_IMAGE, hubCall, nodeContainers, until, useLocalTestEnv } from './fixtures';

const TOKEN = 'upstream-lifecycle-token';
const SLEEPER = 'gridcore-test/sleeper:local';
const env = useLocalTestEnv({
  setup: async (e) => {
    const base = await ensureBaseImage(e.docker);
    await buildFrom(e.docker, { Dockerfile: `FROM ${base}\nENTRYPOINT ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]\n` }, SLEEPER);
  },
});

function upstreamNode(hubUrl: string, nodeId?: string): GridNode {
  return new GridNode({ serverUrl: hubUrl, token: TOKEN, nodeId, lifecycle: 'upstream', parallelism: 1, heartbeatIntervalMs: 200, stopTimeoutMs: 1000, containerMemoryMb: 64, docker: env.docker });
}

async function hubNode(url: string, id: string): Promise<HubNode | undefined> {
  return (await hubCall<HubNode[]>(url, TOKEN, 'GET', '/api/nodes')).body.find((n) => n.id === id);
}

async function cleanup(nodeId: string | undefined): Promise<void> {
  if (!nodeId) return;
  for (const c of await nodeContainers(env.docker, nodeId)) await env.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
}

test('a crashed container is never started again while the task stays; the node reports Error; no labels', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = upstreamNode(hub.url);
  try {
    const id = await node.start();
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'crash-up', image: CRASH_IMAGE })).status, 201);
    await until('the node reports Error', async () => (await hubNode(hub.url, id))?.runtime_status === 'Error', 60_000, 200);
    const first = await nodeContainers(env.docker, id);
    assert.equal(first.length, 1);
    assert.equal(first[0].State, 'exited', 'the exited container stays until the task changes');
    assert.deepEqual(first[0].Labels ?? {}, {});
    assert.match(node.snapshot().errors[0], /exited with code -1/, 'a non-zero exit is logged as -1, as upstream does');
    // Several heartbeats and a task poll later: still that one container, never a second start.
    const beats = (await hubNode(hub.url, id))!.last_seen;
    await until('more heartbeats', async () => (await hubNode(hub.url, id))!.last_seen !== beats, 10_000, 100);
    await sleep(11_000); // a task poll (every 10 s) has come and gone
    const later = await nodeContainers(env.docker, id);
    assert.deepEqual(later.map((c) => c.Id), [first[0].Id]);
    assert.equal(node.snapshot().status, 'Error');
    assert.equal(node.snapshot().activeContainers, 0);
  } finally {
    await node.dispose();
    await cleanup(node.nodeId);
    await hub.close();
  }
});

test('a stop request leaves a running container alone: the node heartbeats no more and exits once it has exited', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = upstreamNode(hub.url);
  try {
    const id = await node.start();
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'sleep-up', image: SLEEPER })).status, 201);
    await until('its container runs', async () => (await hubNode(hub.url, id))?.active_containers === 1, 60_000, 200);
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', `/api/nodes/${id}/stop`)).status, 200);
    let exited = false;
    void node.exited.then(() => (exited = true));
    const stoppedAt = (await hubNode(hub.url, id))!.last_seen;
    // The stop arrives with a heartbeat; after it, none comes.
    await until('heartbeats stopped', async () => {
      const a = (await hubNode(hub.url, id))?.last_seen;
      await sleep(1000);
      return a !== stoppedAt && (await hubNode(hub.url, id))?.last_seen === a;
    }, 30_000, 0);
    const name = containerName('sleep-up', id, 0);
    assert.equal((await env.docker.getContainer(name).inspect()).State.Running, true, 'the container still runs');
    assert.equal(exited, false, 'the node waits for it');
    await env.docker.getContainer(name).kill();
    assert.equal(await node.exited, 'stopRequested');
  } finally {
    await node.dispose();
    await cleanup(node.nodeId);
    await hub.close();
  }
});

test('a node killed leaves its container running; restarted, it meets a 409 on the orphan and reports Error', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const first = upstreamNode(hub.url);
  let second: GridNode | undefined;
  try {
    const id = await first.start();
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'orphan-up', image: SLEEPER })).status, 201);
    const name = containerName('orphan-up', id, 0);
    await until('its container runs', async () => (await env.docker.getContainer(name).inspect()).State.Running, 60_000, 200);
    const orphan = (await env.docker.getContainer(name).inspect()).Id;
    first.abandon(); // SIGKILL: no clean-up
    second = upstreamNode(hub.url, id);
    assert.equal(await second.start(), id);
    await until('the restarted node reports Error', () => second!.snapshot().status === 'Error', 60_000, 200);
    assert.match(second.snapshot().errors[0], /already in use|Conflict|409/i);
    const info = await env.docker.getContainer(name).inspect();
    assert.equal(info.Id, orphan, 'the orphan is the one still there');
    assert.equal(info.State.Running, true, 'and it runs on, unmanaged');
    assert.equal(second.snapshot().activeContainers, 0);
  } finally {
    await second?.dispose();
    await cleanup(first.nodeId);
    await hub.close();
  }
});
