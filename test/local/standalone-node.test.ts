// The standalone node (dist/gridnode.js, built by test/run.mjs) as a user runs it: killed
// with SIGKILL it leaves its containers; the next start (same gridnode.toml, whose node_id
// it wrote back) removes them. A token the hub rejects exits 1 with a clear message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { HubNode } from '../../src/core/types';
import { startHub } from '../../src/local/hub/server';
import { hubCall, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const TOKEN = 'standalone-token';
const NODE_JS = resolve(__dirname, '../../dist/gridnode.js');
const env = useLocalTestEnv({ redisPassword: 'pw-standalone', tempDir: 'gridnode-' });

function runNode(config: string) {
  const p = spawn(process.execPath, [NODE_JS, '-c', config], {
    env: { ...process.env, DOCKER_HOST: `unix://${env.dockerd.socketPath}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  return { p, exited, output: () => out };
}

test('containers left by a SIGKILLed node are removed by its next start; SIGTERM leaves none', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const config = join(env.dir, 'gridnode.toml');
  writeFileSync(config, [
    `server_url = "${hub.url}"`, `token = "${TOKEN}"`, 'parallelism = 2', 'heartbeat_interval = 1',
    'stop_timeout = 1', 'container_memory = 128', 'network_mode = "host"', 'task_poll_interval = 1', '',
  ].join('\n'));
  await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'orphans', image: SQUARE_IMAGE, input_redis: env.redis.url, input_queue: 'o:in', output_queue: 'o:out' });
  let second: ReturnType<typeof runNode> | undefined;
  try {
    const first = runNode(config);
    const nodeId = await until('node_id written back', async () => /node_id = "([^"]+)"/.exec(readFileSync(config, 'utf8'))?.[1], 20_000);
    const old = await until('2 running containers', async () => {
      const cs = (await nodeContainers(env.docker, nodeId)).filter((c) => c.State === 'running');
      return cs.length === 2 && cs;
    });
    first.p.kill('SIGKILL');
    await first.exited;
    assert.equal((await nodeContainers(env.docker, nodeId)).length, 2, 'SIGKILL leaves the containers (nothing could remove them)');

    second = runNode(config);
    await until('old containers gone, new ones running', async () => {
      const cs = await nodeContainers(env.docker, nodeId);
      const ids = new Set(cs.map((c) => c.Id));
      return old.every((c) => !ids.has(c.Id)) && cs.filter((c) => c.State === 'running').length === 2;
    });
    const nodes = (await hubCall<HubNode[]>(hub.url, TOKEN, 'GET', '/api/nodes')).body;
    assert.ok(nodes.some((n) => n.id === nodeId), 'the node kept its id across the restart');

    second.p.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    assert.deepEqual(await nodeContainers(env.docker, nodeId), []);
  } finally {
    second?.p.kill('SIGKILL');
    await hub.close();
  }
});

test('a rejected token or an unreachable hub exits 1 at once with a clear message', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const config = join(env.dir, 'bad.toml');
  try {
    writeFileSync(config, `server_url = "${hub.url}"\ntoken = "wrong"\n`);
    // spawned, not spawnSync: the hub answers from this very process
    let r = runNode(config);
    assert.equal(await r.exited, 1);
    assert.match(r.output(), /rejected the token/);
    assert.doesNotMatch(r.output(), /wrong/);
    await hub.close();
    writeFileSync(config, `server_url = "${hub.url}"\ntoken = "${TOKEN}"\n`);
    r = runNode(config);
    assert.equal(await r.exited, 1);
    assert.match(r.output(), /Cannot reach the ComputeHub/);
  } finally {
    await hub.close().catch(() => undefined);
  }
});
