// The façade over our own hub and a real redis-server: task registration and records, the
// merged view, tasks a restarted hub forgot, and "Diagnose cluster" for each broken link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiagnosisCheck, GridCoreService } from '../../src/core/service-api';
import { startHub, type RunningHub } from '../../src/local/hub/server';
import { freePort } from '../support/redis';
import { memoryService, useRedis } from '../support/service-fixture';

const TOKEN = 'svc-token-1';
const PASSWORD = 'redis-pw-1';
const redis = useRedis({ password: PASSWORD });

async function withService(fn: (svc: GridCoreService, hub: RunningHub) => Promise<void>, o: { token?: string; redisUrl?: string; hubUrl?: string } = {}) {
  const hub = await startHub({ port: 0, token: TOKEN });
  const svc = memoryService();
  try {
    await svc.profiles.save({ name: 'lab', computehubUrl: o.hubUrl ?? hub.url, redisUrl: o.redisUrl ?? redis.url, token: o.token ?? TOKEN });
    await fn(svc, hub);
  } finally {
    await svc.dispose();
    await hub.close();
  }
}

const byId = (checks: DiagnosisCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

async function registerNode(hub: RunningHub, status?: 'Running' | 'Error'): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${hub.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return r.json() as Promise<Record<string, unknown>>;
  };
  const { node_id } = (await post('/gridnode/register', { hostname: 'box', architecture: 'x86_64', cpu_count: 2 })) as { node_id: string };
  if (status) await post('/gridnode/heartbeat', { node_id, status, active_containers: 2 });
  return node_id;
}

test('nothing loads ioredis or dockerode until queues or images are used', async () => {
  await withService(async (svc) => {
    await svc.listTasks('lab');
    const loaded = () => Object.keys(require.cache).filter((k) => /node_modules[\\/](ioredis|dockerode)[\\/]/.test(k));
    assert.deepEqual(loaded(), []);
    await (await svc.queues('lab')).ping();
    assert.ok(loaded().some((k) => k.includes('ioredis')));
  });
});

test('registerTask tells started from waiting and records what the hub forgets', async () => {
  await withService(async (svc) => {
    const req = { name: 'sqrt', image: 'sqrt:1', input_redis: redis.url, output_redis: redis.url, input_queue: 'sqrt:in', output_queue: 'sqrt:out' };
    const first = await svc.registerTask('lab', req, { folder: '/src/sqrt' });
    assert.equal(first.started, true);
    assert.deepEqual(first.view.map((t) => [t.name, t.state]), [['sqrt', 'running']]);
    const rec = first.view[0].record;
    assert.equal(rec?.image, 'sqrt:1');
    assert.equal(rec?.inputQueue, 'sqrt:in');
    assert.equal(rec?.folder, '/src/sqrt');
    assert.equal(rec?.inputRedis, redis.url.replace(PASSWORD, '****'));
    assert.ok(!JSON.stringify(svc.tasks.list('lab')).includes(PASSWORD), 'no password in records');

    assert.equal((await svc.registerTask('lab', { name: 'cube', image: 'cube:1' })).started, false);
    // same name behind a running entry of that name waits too
    assert.equal((await svc.registerTask('lab', { name: 'sqrt', image: 'sqrt:2' })).started, false);
    const view = await svc.listTasks('lab');
    assert.deepEqual(
      view.map((t) => [t.name, t.state, t.record?.image]),
      [
        ['sqrt', 'running', 'sqrt:1'],
        ['cube', 'pending', 'cube:1'],
        ['sqrt', 'pending', 'sqrt:2'],
      ],
    );

    const hub = await svc.hub('lab');
    await hub.finish();
    await hub.finish();
    await hub.finish();
    const done = await svc.listTasks('lab');
    assert.deepEqual(
      done.map((t) => [t.name, t.state, t.record?.image, !!t.stillHandedToNodes]),
      [
        ['sqrt', 'completed', 'sqrt:2', true],
        ['cube', 'completed', 'cube:1', false],
        ['sqrt', 'completed', 'sqrt:1', false],
      ],
    );
    assert.deepEqual(await svc.forgottenTasks('lab'), []);
  });
});

test('after a hub restart the records it forgot are listed', async () => {
  const port = await freePort();
  let hub = await startHub({ port, token: TOKEN });
  const svc = memoryService();
  try {
    await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN });
    await svc.registerTask('lab', { name: 'a', image: 'a:1' });
    await svc.registerTask('lab', { name: 'b', image: 'b:1' });
    await hub.close();
    hub = await startHub({ port, token: TOKEN });
    // As the tree's poll would: a GET first (sockets to the old hub are stale, a GET retries).
    assert.deepEqual(await svc.listTasks('lab'), []);
    assert.deepEqual((await svc.forgottenTasks('lab')).map((r) => r.name), ['a', 'b']);
    await svc.registerTask('lab', { name: 'b', image: 'b:2' });
    const forgotten = await svc.forgottenTasks('lab');
    assert.deepEqual(forgotten.map((r) => [r.name, r.image]), [['a', 'a:1']]);
    assert.deepEqual((await svc.listTasks('lab')).map((t) => [t.name, t.record?.image]), [['b', 'b:2']]);
  } finally {
    await svc.dispose();
    await hub.close();
  }
});

test('a changed profile drops the cached hub client', async () => {
  await withService(async (svc, hub) => {
    await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: 'wrong' });
    await assert.rejects(svc.listTasks('lab'), (e: Error & { code?: string }) => e.code === 'unauthorized');
    await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN });
    await svc.listTasks('lab');
  });
});

test('diagnose: all good, with queue lengths of the task nodes run', async () => {
  await withService(async (svc, hub) => {
    await registerNode(hub, 'Running');
    await svc.registerTask('lab', { name: 'sqrt', image: 'sqrt:1', input_redis: redis.url, output_redis: redis.url, input_queue: 'diag:in', output_queue: 'diag:out' });
    const q = await svc.queues('lab');
    await q.push('diag:in', { kind: 'array', items: ['1', '2', '3'] });
    const checks = await svc.diagnose('lab');
    assert.deepEqual(checks.map((c) => c.id), ['hubHealth', 'token', 'redisPing', 'redisAuth', 'queues', 'nodes']);
    assert.ok(checks.every((c) => c.ok), JSON.stringify(checks, null, 1));
    assert.match(byId(checks).queues.detail, /diag:in: 3 items/);
    assert.ok(!JSON.stringify(checks).includes(PASSWORD));
  });
});

test('diagnose: wrong Redis password is a password mismatch (WRONGPASS)', async () => {
  await withService(
    async (svc) => {
      const c = byId(await svc.diagnose('lab'));
      assert.equal(c.hubHealth.ok, true);
      assert.equal(c.redisPing.ok, true);
      assert.equal(c.redisAuth.ok, false);
      assert.equal(c.redisAuth.code, 'wrongpass');
      assert.match(c.redisAuth.detail, /WRONGPASS.*password/);
      assert.ok(!JSON.stringify(c).includes('not-the-password'));
    },
    { redisUrl: `redis://:not-the-password@127.0.0.1:${redis.port}` },
  );
});

test('diagnose: no password for a protected Redis is NOAUTH', async () => {
  await withService(
    async (svc) => {
      const c = byId(await svc.diagnose('lab'));
      assert.equal(c.redisAuth.ok, false);
      assert.equal(c.redisAuth.code, 'noauth');
      assert.match(c.redisAuth.detail, /NOAUTH/);
    },
    { redisUrl: `redis://127.0.0.1:${redis.port}` },
  );
});

test('diagnose: wrong token, no nodes', async () => {
  await withService(
    async (svc) => {
      const c = byId(await svc.diagnose('lab'));
      assert.equal(c.hubHealth.ok, true);
      assert.equal(c.token.ok, false);
      assert.equal(c.token.code, 'unauthorized');
      assert.match(c.token.detail, /token/);
      assert.equal(c.nodes.code, 'skipped');
    },
    { token: 'bad-token' },
  );
  await withService(async (svc) => {
    const c = byId(await svc.diagnose('lab'));
    assert.equal(c.nodes.code, 'noNodes');
  });
});

test('diagnose: a profile without a token still checks the hub and Redis', async () => {
  await withService(
    async (svc) => {
      const c = byId(await svc.diagnose('lab'));
      assert.equal(c.hubHealth.ok, true);
      assert.equal(c.token.code, 'missingToken');
      assert.equal(c.redisAuth.ok, true);
    },
    { token: '' },
  );
});

test('diagnose: hub down is "not started"; Redis still checked', async () => {
  const port = await freePort();
  await withService(
    async (svc) => {
      const c = byId(await svc.diagnose('lab'));
      assert.equal(c.hubHealth.code, 'unreachable');
      assert.match(c.hubHealth.detail, /Check that the hub is running/);
      assert.equal(c.token.code, 'skipped');
      assert.equal(c.redisPing.ok, true);
      assert.equal(c.queues.code, 'skipped');
    },
    { hubUrl: `http://127.0.0.1:${port}` },
  );
});

test('diagnose: a node in Error points at the image or Redis; a task on another Redis is flagged', async () => {
  await withService(async (svc, hub) => {
    await registerNode(hub, 'Error');
    await svc.registerTask('lab', { name: 'bad', image: 'bad:1', input_redis: `redis://:other@127.0.0.1:${redis.port}`, output_redis: redis.url, input_queue: 'i', output_queue: 'o' });
    const c = byId(await svc.diagnose('lab'));
    assert.equal(c.nodes.code, 'nodeError');
    assert.match(c.nodes.detail, /image.*Redis/s);
    assert.equal(c.queues.code, 'redisMismatch');
    assert.ok(!c.queues.detail.includes('other@'));
  });
});

test('diagnose: Redis down', async () => {
  const port = await freePort();
  await withService(
    async (svc) => {
      const c = byId(await svc.diagnose('lab'));
      assert.equal(c.redisPing.ok, false);
      assert.equal(c.redisPing.code, 'unreachable');
      assert.equal(c.redisAuth.code, 'skipped');
    },
    { redisUrl: `redis://127.0.0.1:${port}` },
  );
});
