// A Redis password change and back, as the walkthrough did: our node's containers are
// refused (WRONGPASS) and the node reports Error; once the password is restored, a consumer
// that connects and then exits cleanly (as idle consumers do, within the node's 'stable'
// time) takes the node out of Error. Real Docker, real redis-server, our hub and node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Redis from 'ioredis';
import type { HubNode } from '../../src/core/types';
import { BASE_IMAGE_TAG } from '../../src/local/base-image';
import { startHub } from '../../src/local/hub/server';
import { buildFrom, fastNode, hubCall, until, useLocalTestEnv } from './fixtures';

const TOKEN = 'pw-change-token';
const PW = 'pw-change-1';
const IMAGE = 'gridcore-test/ping-then-exit:local';
const env = useLocalTestEnv({ redisPassword: PW });

test('WRONGPASS puts the node in Error; the password restored, a clean exit takes it out', { timeout: 300_000 }, async () => {
  // Connects with the URL it was given: exit 1 when Redis refuses, else exit 0 after a second
  // (shorter than the node's stableMs: only the clean exit can clear the failures).
  await buildFrom(
    env.docker,
    {
      Dockerfile: `FROM ${BASE_IMAGE_TAG}\nCOPY c.sh /c.sh\nENTRYPOINT ["/bin/sh", "/c.sh"]\n`,
      'c.sh': `U=$(printf '%s' "$INPUT_REDIS_URL" | sed -E 's#^(rediss?://):#\\1default:#')\nr=$(redis-cli --no-auth-warning -u "$U" PING 2>&1)\necho "redis said: $r"\n[ "$r" = PONG ] || exit 1\nsleep 1\nexit 0\n`,
    },
    IMAGE,
  );
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = fastNode(env.docker, hub.url, TOKEN, { parallelism: 1, restartBackoff: { initialMs: 200, maxMs: 1000, stableMs: 5000 } });
  const admin = new Redis(env.redis.url);
  const status = async (id: string) => (await hubCall<HubNode[]>(hub.url, TOKEN, 'GET', '/api/nodes')).body.find((n) => n.id === id)?.runtime_status;
  try {
    const id = await node.start();
    await admin.config('SET', 'requirepass', 'changed-pw'); // the server's password changes
    const task = { name: 'pwc', image: IMAGE, input_redis: env.redis.url, output_redis: env.redis.url, input_queue: 'pwc:in', output_queue: 'pwc:out' };
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', task)).status, 201);
    await until('node in Error', async () => (await status(id)) === 'Error', 60_000);
    assert.match(node.snapshot().exits.at(-1)!.lines.join('\n'), /WRONGPASS|NOAUTH|invalid password/);

    // put it back (the admin connection stays authenticated across CONFIG SET)
    await admin.config('SET', 'requirepass', PW);
    await until('node out of Error', async () => (await status(id)) !== 'Error', 60_000, 100);
    assert.notEqual(node.snapshot().status, 'Error');
  } finally {
    await node.dispose();
    admin.disconnect();
    await hub.close();
    await env.docker.getImage(IMAGE).remove({ force: true }).catch(() => undefined);
  }
});
