// Our GridNode against our hub, on a real Docker engine and a real Redis: real containers of
// the offline shell-square image square 10,000 numbers; a task switch, a stop request and a
// crashing image behave as the contract (minus upstream's defects) says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Redis from 'ioredis';
import type { HubNode } from '../../src/core/types';
import { startHub } from '../../src/local/hub/server';
import type { GridNodeOptions } from '../../src/local/node/grid-node';
import { CRASH_IMAGE, fastNode as fastNodeOf, hubCall, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const TOKEN = 'node-test-token';
const env = useLocalTestEnv({ redisPassword: 'pw-node-test' });

const fastNode = (hubUrl: string, extra: Partial<GridNodeOptions> = {}) => fastNodeOf(env.docker, hubUrl, TOKEN, extra);

test('squares 10,000 items, switches task without overlap, stops on request with no container left', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = fastNode(hub.url);
  const r = new Redis(env.redis.url);
  try {
    const id = await node.start();
    const task = { name: 'square-a', image: SQUARE_IMAGE, input_redis: env.redis.url, output_redis: env.redis.url, input_queue: 'a:in', output_queue: 'a:out' };
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', task)).status, 201);
    const n = 10_000;
    for (let i = 0; i < n; i += 1000) await r.lpush('a:in', ...Array.from({ length: 1000 }, (_, k) => String(i + k)));
    await until('10,000 results', async () => (await r.llen('a:out')) === n, 180_000, 500);
    const results = await r.lrange('a:out', 0, -1);
    const seen = new Set<number>();
    for (const line of results) {
      const [x, sq] = line.split(':');
      assert.equal(Number(sq), Number(x) ** 2, line);
      seen.add(Number(x));
    }
    assert.equal(seen.size, n);

    const nodes = (await hubCall<HubNode[]>(hub.url, TOKEN, 'GET', '/api/nodes')).body;
    const me = nodes.find((x) => x.id === id)!;
    assert.equal(me.runtime_status, 'Running');
    assert.equal(me.cpu_count, 2);

    // task switch: the second task starts once the first is finished
    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { ...task, name: 'square-b', input_queue: 'b:in', output_queue: 'b:out' });
    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks/finish');
    const names = async () => (await nodeContainers(env.docker, id)).map((c) => c.Names[0]);
    await until('containers of square-b only', async () => {
      const now = await names();
      return now.length === 2 && now.every((x) => x.startsWith('/idm-square-b-'));
    });
    assert.ok((await names()).every((x) => !x.includes('square-a')));
    await r.lpush('b:in', '3', '4');
    await until('results of square-b', async () => (await r.llen('b:out')) === 2, 60_000);

    assert.equal((await hubCall(hub.url, TOKEN, 'POST', `/api/nodes/${id}/stop`)).status, 200);
    assert.equal(await node.exited, 'stopRequested');
    assert.deepEqual(await nodeContainers(env.docker, id), []);
  } finally {
    await node.dispose();
    r.disconnect();
    await hub.close();
  }
});

test('a crashing image shows Error on the hub and is restarted; dispose leaves nothing', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = fastNode(hub.url, { parallelism: 1 });
  try {
    const id = await node.start();
    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'crash', image: CRASH_IMAGE, input_queue: 'c:in' });
    const me = await until('runtime_status Error', async () => {
      const nodes = (await hubCall<HubNode[]>(hub.url, TOKEN, 'GET', '/api/nodes')).body;
      return nodes.find((x) => x.id === id && x.runtime_status === 'Error');
    });
    assert.equal(me.runtime_status, 'Error');
    assert.match(node.snapshot().errors.join('\n'), /exited with code 1/);
    await node.dispose();
    assert.deepEqual(await nodeContainers(env.docker, id), []);
  } finally {
    await node.dispose();
    await hub.close();
  }
});

test('a task whose image is missing reports Error instead of waiting silently', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = fastNode(hub.url, { parallelism: 1 });
  try {
    const id = await node.start();
    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'nope', image: 'gridcore-test/not-built:never', input_queue: 'x' });
    await until('runtime_status Error', async () => {
      const nodes = (await hubCall<HubNode[]>(hub.url, TOKEN, 'GET', '/api/nodes')).body;
      return nodes.find((x) => x.id === id && x.runtime_status === 'Error');
    });
    assert.match(node.snapshot().errors.join('\n'), /not-built:never/);
  } finally {
    await node.dispose();
    await hub.close();
  }
});

test('an unreachable hub or a rejected token fails start() with HubError', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  try {
    await assert.rejects(fastNode(hub.url, { token: 'wrong' }).start(), { name: 'HubError', code: 'unauthorized' });
  } finally {
    await hub.close();
  }
  await assert.rejects(fastNode(hub.url).start(), { name: 'HubError', code: 'unreachable' });
});
