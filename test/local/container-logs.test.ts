// A local node's container logs: Show Container Logs' follower sees every container of the
// node live, across restarts and a task switch, each line with its task and instance; the
// node keeps the last lines of a failed container after removing it, and Diagnose (and the
// tree's tooltip) map them to the skill's troubleshooting table.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { lastFailure } from '../../src/core/diagnose';
import { appendNodeExit, readNodeExits, type NodeExit } from '../../src/core/node-exits';
import { startHub } from '../../src/local/hub/server';
import { followNodeContainers } from '../../src/local/node/container-logs';
import { buildFrom, fastNode, hubCall, nodeContainers, until, useLocalTestEnv } from './fixtures';
import { BASE_IMAGE_TAG } from '../../src/local/base-image';

const TOKEN = 'logs-test-token';
const TICK_IMAGE = 'gridcore-test/tick:local';
const NOAUTH_IMAGE = 'gridcore-test/noauth:local';
const env = useLocalTestEnv({
  tempDir: 'gc-logs-',
  setup: async (e) => {
    // says hello with its task, ticks three times and exits 0: the node restarts it
    await buildFrom(e.docker, { Dockerfile: `FROM ${BASE_IMAGE_TAG}\nENTRYPOINT ["/bin/sh", "-c", "echo hello from $TASK_NAME; for i in 1 2 3; do echo tick $i; sleep 0.3; done"]\n` }, TICK_IMAGE);
    // a consumer whose Redis URL lost its password, as the logs of one look
    await buildFrom(e.docker, { Dockerfile: `FROM ${BASE_IMAGE_TAG}\nENTRYPOINT ["/bin/sh", "-c", "echo 'NOAUTH Authentication required.' >&2; echo using $INPUT_REDIS_URL; exit 1"]\n` }, NOAUTH_IMAGE);
  },
});

test('the follower streams every container of the node live, across restarts and a task switch', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = fastNode(env.docker, hub.url, TOKEN, { parallelism: 1 });
  const lines: string[] = [];
  let follower: Awaited<ReturnType<typeof followNodeContainers>> | undefined;
  try {
    const id = await node.start();
    follower = await followNodeContainers(env.docker, id, (l) => lines.push(l));
    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'tick-a', image: TICK_IMAGE, input_queue: 'a:in' });
    await until('two runs of tick-a (a restart)', () => lines.filter((l) => l === '[tick-a#0] hello from tick-a').length >= 2, 60_000);
    assert.ok(lines.includes('[tick-a#0] tick 3'));
    assert.ok(lines.some((l) => /^\[tick-a#0\] ── exited with code 0$/.test(l)), lines.join('\n'));

    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'tick-b', image: TICK_IMAGE, input_queue: 'b:in' });
    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks/finish');
    await until('tick-b in the same stream', () => lines.includes('[tick-b#0] hello from tick-b'), 60_000);
  } finally {
    follower?.dispose();
    await node.dispose();
    await hub.close();
  }
});

test('a failed container\'s last lines are kept after its removal, masked, with the mapped cause', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  const file = join(env.dir, 'exits.json');
  const node = fastNode(env.docker, hub.url, TOKEN, { parallelism: 1, onContainerExit: (e: NodeExit) => appendNodeExit(file, e) });
  try {
    const id = await node.start();
    const url = 'redis://:hidden-pw@127.0.0.1:1';
    await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', { name: 'noauth', image: NOAUTH_IMAGE, input_redis: url, output_redis: url, input_queue: 'n:in' });
    const kept = await until('a kept exit', () => readNodeExits(file, id)[0]);
    assert.equal(kept.task, 'noauth');
    assert.equal(kept.code, 1);
    assert.ok(kept.lines.includes('NOAUTH Authentication required.'), kept.lines.join('\n'));
    assert.ok(!kept.lines.join('\n').includes('hidden-pw'), 'the password is masked');
    assert.deepEqual(node.snapshot().exits.at(-1)?.lines, kept.lines);
    const text = lastFailure({ hostname: 'here', id }, readNodeExits(file, id));
    assert.match(text, /exited with code 1/);
    assert.match(text, /NOAUTH/);
    assert.match(text, /password/i);
    await node.dispose();
    assert.deepEqual(await nodeContainers(env.docker, id), []);
    // kept across runs, at most KEPT_EXITS per node
    assert.ok(readNodeExits(file, id).length >= 1);
  } finally {
    await node.dispose();
    await hub.close();
  }
});
