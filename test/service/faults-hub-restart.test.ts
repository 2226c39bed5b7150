// The hub killed and restarted under a live service (issue 6): while it is down every call
// fails fast with HubError 'unreachable' and diagnose says the hub is not reachable; once a
// new hub listens on the same port the same service answers again (no recreation), lists the
// task records the new hub forgot (upstream's hub keeps tasks in memory only) and registers
// them again from those records. The retry of a GET on a stale kept-alive socket is checked
// against a server that drops the reused socket, since a real restart only sometimes races.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HubError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/ports';
import { startHub, type RunningHub } from '../../src/local/hub/server';
import { freePort } from '../support/redis';
import { memoryService, useRedis } from '../support/service-fixture';

const TOKEN = 'restart-token-1';
const PASSWORD = 'restart-redis-pw';
const OTHER_PASSWORD = 'another-redis-pw';
const redis = useRedis({ password: PASSWORD });

/** Nothing listens: refused. A request already on a kept-alive socket sees it closed instead. */
function isUnreachable(e: unknown): boolean {
  assert.ok(e instanceof HubError, String(e));
  assert.equal(e.code, 'unreachable');
  assert.match(e.message, /Cannot reach the ComputeHub of cluster "lab" at http:\/\/127\.0\.0\.1:\d+: (connection refused|connection closed by the other side)/);
  assert.match(e.message, /Check that the hub is running/);
  assert.ok(!e.message.includes(TOKEN));
  return true;
}

test('hub down: unreachable at once; restarted on the same port: the same service recovers and registers the forgotten tasks again', { timeout: 60_000 }, async () => {
  const port = await freePort();
  let hub: RunningHub = await startHub({ port, token: TOKEN });
  const svc = memoryService();
  try {
    await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN });
    const otherRedis = `redis://:${OTHER_PASSWORD}@10.0.0.7:6379`;
    await svc.registerTask('lab', { name: 'sq', image: 'sq:1', input_redis: redis.url, output_redis: redis.url, input_queue: 'sq:in', output_queue: 'sq:out' }, { folder: '/tasks/sq' });
    await svc.registerTask('lab', { name: 'multi', images: { 'linux/amd64': 'multi:amd64', 'linux/arm64': 'multi:arm64' }, input_queue: 'm:in' });
    await svc.registerTask('lab', { name: 'elsewhere', image: 'e:1', input_redis: otherRedis, input_queue: 'e:in' });
    await svc.registerTask('lab', { name: 'open', image: 'o:1', input_redis: 'redis://10.0.0.9:6379/2', input_queue: 'o:in' });
    await svc.tasks.addPushed('lab', 'sq', 1000);
    assert.deepEqual((await svc.listTasks('lab')).map((t) => [t.name, t.state]), [
      ['sq', 'running'],
      ['multi', 'pending'],
      ['elsewhere', 'pending'],
      ['open', 'pending'],
    ]);

    await hub.close();
    await assert.rejects(svc.listTasks('lab'), isUnreachable);
    await assert.rejects(svc.forgottenTasks('lab'), isUnreachable);
    await assert.rejects((await svc.hub('lab')).finish(), isUnreachable);
    const recordsBefore = svc.tasks.list('lab').length;
    await assert.rejects(svc.registerTask('lab', { name: 'late', image: 'l:1' }), isUnreachable);
    assert.equal(svc.tasks.list('lab').length, recordsBefore, 'a registration the hub never got is not recorded');
    const checks = Object.fromEntries((await svc.diagnose('lab')).map((c) => [c.id, c]));
    assert.equal(checks.hubHealth.ok, false);
    assert.equal(checks.hubHealth.code, 'unreachable');
    assert.match(checks.hubHealth.detail, /Cannot reach the ComputeHub.*Check that the hub is running/);
    assert.equal(checks.token.code, 'skipped');
    assert.equal(checks.redisPing.ok, true, 'Redis is still checked while the hub is down');

    hub = await startHub({ port, token: TOKEN });
    // The tree's next poll: a GET, whatever sockets the pool kept to the old hub.
    assert.deepEqual(await svc.listTasks('lab'), []);
    const forgotten = await svc.forgottenTasks('lab');
    assert.deepEqual(forgotten.map((r) => r.name), ['sq', 'multi', 'elsewhere', 'open']);
    assert.ok(!JSON.stringify(forgotten).includes(PASSWORD) && !JSON.stringify(forgotten).includes(OTHER_PASSWORD));

    // Handed over in any order, registered again in their original order.
    const again = await svc.reregisterTasks('lab', [...forgotten].reverse());
    assert.deepEqual(again.registered, ['sq', 'multi', 'open']);
    assert.deepEqual(again.skipped.map((s) => s.record.name), ['elsewhere']);
    assert.match(again.skipped[0].reason, /Task "elsewhere" cannot be registered again: its Redis URL redis:\/\/:\*\*\*\*@10\.0\.0\.7:6379 is not the cluster's and held a password/);
    assert.ok(!again.skipped[0].reason.includes(OTHER_PASSWORD));
    assert.deepEqual(again.view.map((t) => [t.name, t.state]), [
      ['sq', 'running'],
      ['multi', 'pending'],
      ['open', 'pending'],
    ]);
    const sq = again.view[0].record!;
    assert.equal(sq.pushed, 1000, 'the pushed count still describes the queue');
    assert.equal(sq.folder, '/tasks/sq');
    assert.equal(sq.inputRedis, redis.url.replace(PASSWORD, '****'), 'the new record keeps no password either');
    assert.deepEqual(
      svc.tasks.list('lab').map((r) => r.name),
      ['sq', 'multi', 'elsewhere', 'open'],
      'each re-registration replaced the record it came from, in place; the skipped one stays',
    );

    // What the nodes get: the cluster's whole Redis URL, images and queues as first registered.
    const hubClient = await svc.hub('lab');
    const current = await hubClient.currentTaskConfig();
    assert.equal(current?.task_name, 'sq');
    assert.equal(current?.input_redis, redis.url);
    assert.equal(current?.output_redis, redis.url);
    assert.equal(current?.input_queue, 'sq:in');
    await hubClient.finish();
    const multi = await hubClient.currentTaskConfig('linux/arm64');
    assert.equal(multi?.image, 'multi:arm64');
    await hubClient.finish();
    const open = await hubClient.currentTaskConfig();
    assert.equal(open?.input_redis, 'redis://10.0.0.9:6379/2', 'a URL without a password is whole in the record');

    assert.deepEqual((await svc.forgottenTasks('lab')).map((r) => r.name), ['elsewhere']);

    // A new registration of a name the hub already has is a second entry: its record is added,
    // and each hub entry keeps its own record.
    await svc.registerTask('lab', { name: 'sq', image: 'sq:2' });
    assert.equal(svc.tasks.list('lab').filter((r) => r.name === 'sq').length, 2);
    assert.deepEqual(
      (await svc.listTasks('lab')).map((t) => [t.name, t.state, t.record?.image ?? Object.values(t.record?.images ?? {})[0]]),
      [
        ['open', 'running', 'o:1'],
        ['sq', 'pending', 'sq:2'],
        ['multi', 'completed', 'multi:amd64'],
        ['sq', 'completed', 'sq:1'],
      ],
    );

    // "Forget These Tasks" for the one that could not be registered again: only its record goes.
    for (const r of await svc.forgottenTasks('lab')) await svc.tasks.remove('lab', r.name);
    assert.deepEqual(await svc.forgottenTasks('lab'), []);
    assert.equal((await svc.listTasks('lab')).length, 4, 'the hub is untouched');
  } finally {
    await svc.dispose();
    await hub.close();
  }
});

test('the hub dying in the middle of re-registering stops it there; the rest stays listed as forgotten', { timeout: 30_000 }, async () => {
  const port = await freePort();
  let hub: RunningHub = await startHub({ port, token: TOKEN });
  // The hub goes away right after the first task is registered again.
  let dieAfter: string | undefined;
  const logger = { ...silentLogger, info: (m: string) => void (dieAfter && m.includes(dieAfter) && hub.close()) };
  const svc = memoryService({ logger });
  try {
    await svc.profiles.save({ name: 'lab', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN });
    for (const name of ['one', 'two', 'three']) await svc.registerTask('lab', { name, image: `${name}:1` });
    await hub.close();
    hub = await startHub({ port, token: TOKEN });
    const forgotten = await svc.forgottenTasks('lab');
    dieAfter = 'task one again';
    await assert.rejects(svc.reregisterTasks('lab', forgotten), isUnreachable);
    dieAfter = undefined;
    hub = await startHub({ port, token: TOKEN });
    // The new hub knows none; the records say which were registered again before the error.
    assert.deepEqual((await svc.forgottenTasks('lab')).map((r) => r.name), ['one', 'two', 'three']);
    const again = await svc.reregisterTasks('lab', await svc.forgottenTasks('lab'));
    assert.deepEqual(again.registered, ['one', 'two', 'three']);
    assert.deepEqual(await svc.forgottenTasks('lab'), []);
    assert.deepEqual(svc.tasks.list('lab').map((r) => r.name), ['one', 'two', 'three'], 'registered again twice, still one record each');
  } finally {
    await svc.dispose();
    await hub.close();
  }
});

/** A hub stand-in that can drop the socket of the next request without an answer, as a
 *  kept-alive socket to a hub that restarted fails when the pool reuses it. */
async function staleSocketHub(): Promise<{ url: string; seen: string[]; dropNext(): void; close(): Promise<void> }> {
  const seen: string[] = [];
  let drop = false;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (drop) {
      drop = false;
      req.socket.destroy();
      return;
    }
    const body = JSON.stringify({ completed: [], current: null, pending: [] });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    dropNext: () => (drop = true),
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

test('a GET whose socket is dropped unanswered is sent once more; a POST is not repeated', { timeout: 30_000 }, async () => {
  const stale = await staleSocketHub();
  const svc = memoryService();
  try {
    await svc.profiles.save({ name: 'lab', computehubUrl: stale.url, redisUrl: redis.url, token: TOKEN });
    const hub = await svc.hub('lab');
    await hub.listTasks();
    await hub.listTasks(); // the pool now keeps its sockets open
    stale.seen.length = 0;
    stale.dropNext();
    assert.deepEqual(await hub.listTasks(), { completed: [], current: null, pending: [] });
    assert.deepEqual(stale.seen, ['GET /api/tasks', 'GET /api/tasks'], 'sent, dropped, sent once more');
    stale.seen.length = 0;
    stale.dropNext();
    // A repeated finish would complete two tasks: the POST fails instead, sent once.
    await assert.rejects(hub.finish(), (e: unknown) => {
      assert.ok(e instanceof HubError, String(e));
      assert.equal(e.code, 'unreachable');
      assert.match(e.message, /connection closed by the other side/);
      return true;
    });
    assert.deepEqual(stale.seen, ['POST /api/tasks/finish']);
  } finally {
    await svc.dispose();
    await stale.close();
  }
});

test('local cluster: a task recorded with its Redis on an earlier port is registered again with the Redis it has now', { timeout: 30_000 }, async () => {
  const port = await freePort();
  let hub: RunningHub = await startHub({ port, token: TOKEN });
  const svc = memoryService();
  try {
    // The local cluster's Redis on the port it had before a remembered port was taken.
    const oldUrl = redis.url.replace(/:(\d+)$/, ':1');
    await svc.profiles.save({ name: 'local', computehubUrl: hub.url, redisUrl: oldUrl, token: TOKEN, source: 'local' });
    await svc.registerTask('local', { name: 'moved', image: 'm:1', input_redis: oldUrl, output_redis: oldUrl, input_queue: 'm:in', output_queue: 'm:out' });
    await svc.registerTask('local', { name: 'other', image: 'o:1', input_redis: `redis://:${OTHER_PASSWORD}@10.0.0.7:6379`, input_queue: 'o:in' });
    await hub.close();
    hub = await startHub({ port, token: TOKEN });
    // Started again: the same Redis (data, password) on its new port.
    await svc.profiles.save({ name: 'local', computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN, source: 'local' });
    const again = await svc.reregisterTasks('local', await svc.forgottenTasks('local'));
    assert.deepEqual(again.registered, ['moved']);
    assert.deepEqual(again.skipped.map((s) => s.record.name), ['other'], 'a Redis on another host is still not guessed');
    const current = await (await svc.hub('local')).currentTaskConfig();
    assert.equal(current?.input_redis, redis.url);
    assert.equal(current?.output_redis, redis.url);
  } finally {
    await svc.dispose();
    await hub.close();
  }
});
