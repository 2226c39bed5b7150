// Faults in the real extension host (issue 6): (a) the hub closed and started again on the
// same port, (b) a redis-server with a password killed (SIGKILL) and started again on the
// same port while the tree and the status bar poll. Each outage shows in the tree, no poll
// throws, and once the part is back the same extension recovers without a reload. Upstream's
// hub forgets its tasks on a restart: the Tasks folder says so, and gridcore.reregisterTasks
// (its confirmation answered here) registers the recorded tasks again in their first order.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import { startRedis, type TestRedis } from '../../support/redis';
import { E2E_SECRETS } from '../secrets';
import { answeringMessages, env, freePort, gridcore, startTestHub, until, type TestHub } from './helpers/gridcore';

const TOKEN = E2E_SECRETS.restartToken;

type TreeItem = ReturnType<Awaited<ReturnType<typeof gridcore>>['treeItems']>[number];

async function items(cluster: string): Promise<TreeItem[]> {
  return (await gridcore()).treeItems().filter((i) => i.id === `cluster:${cluster}` || i.id.startsWith(`cluster:${cluster}/`));
}

async function item(cluster: string, path: string): Promise<TreeItem | undefined> {
  return (await items(cluster)).find((i) => i.id === `cluster:${cluster}${path}`);
}

async function taskRows(cluster: string): Promise<TreeItem[]> {
  return (await items(cluster)).filter((i) => i.id.startsWith(`cluster:${cluster}/tasks/`) && /^task\b/.test(i.contextValue ?? ''));
}

async function hubTasks(hub: TestHub): Promise<{ current: string | null; pending: string[]; completed: string[] }> {
  const res = await fetch(`${hub.url}/api/tasks`, { headers: { Authorization: `Bearer ${hub.token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as { current: string | null; pending: string[]; completed: string[] };
}

describe('hub closed and started again on the same port', function () {
  const CLUSTER = 'e2e-restart-hub';
  const TASKS = ['rs-first', 'rs-second', 'rs-third'];
  const redisUrl = env('GRIDCORE_E2E_REDIS_URL');
  let port: number;
  let hub: TestHub;

  before(async () => {
    port = await freePort();
    hub = await startTestHub(TOKEN, port);
    const api = await gridcore();
    await api.service!.profiles.save({ name: CLUSTER, computehubUrl: hub.url, redisUrl, token: TOKEN, source: 'extension' });
    await api.service!.profiles.setActive(CLUSTER);
  });

  after(async () => {
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
    await hub?.close();
  });

  it('lists the tasks registered through the service, with their records', async () => {
    const api = await gridcore();
    for (const name of TASKS) {
      await api.service!.registerTask(CLUSTER, { name, image: `${name}:1`, input_queue: `${name}:in`, output_queue: `${name}:out`, input_redis: redisUrl, output_redis: redisUrl });
    }
    assert.deepEqual(api.service!.tasks.list(CLUSTER).map((r) => r.name), TASKS);
    const rows = await until('three recorded tasks in the tree', async () => {
      const r = await taskRows(CLUSTER);
      return r.length === 3 && r;
    });
    assert.deepEqual(rows.map((r) => [r.label, r.contextValue?.split(' ')[1]]), [
      ['rs-first', 'running'],
      ['rs-second', 'pending'],
      ['rs-third', 'pending'],
    ]);
    assert.match(rows[0].description ?? '', /rs-first:1 · rs-first:in → rs-first:out/);
  });

  it('says the hub is not reachable once it is closed, and no refresh throws', async () => {
    await hub.close();
    // `until` awaits the extension's refresh() on every round: a throw there fails the test.
    await until('the hub shown as unreachable', async () => {
      const root = await item(CLUSTER, '');
      const tasks = await item(CLUSTER, '/tasks/message');
      const nodes = await item(CLUSTER, '/nodes/message');
      return root?.icon === 'vm-outline' && tasks?.label === 'Hub not reachable' && nodes?.label === 'Hub not reachable';
    });
    assert.deepEqual(await taskRows(CLUSTER), [], 'no stale task rows while the hub is down');
    const root = await item(CLUSTER, '');
    assert.match(root?.description ?? '', new RegExp(`127\\.0\\.0\\.1:${port}`), 'the cluster row still names the hub it tries');
    // The running task's progress cannot be known: the status bar hides rather than show stale numbers.
    assert.equal((await gridcore()).statusBar().text, undefined);
    // The Refresh command as a user runs it: settles too.
    await vscode.commands.executeCommand('gridcore.refresh');
  });

  it('started again on the same port: healthy without a reload, the Tasks folder names the forgotten tasks, the user is asked once', async () => {
    await answeringMessages(
      () => undefined, // "Not Now": the note in the tree stays
      async (shown) => {
        hub = await startTestHub(TOKEN, port);
        const note = await until('the forgotten-tasks note', async () => {
          const root = await item(CLUSTER, '');
          const n = await item(CLUSTER, '/tasks/forgottenNote');
          return root?.icon === 'vm-active' && n;
        });
        assert.equal(note.label, 'The hub no longer knows 3 tasks registered from this editor');
        assert.equal(note.contextValue, 'note forgotten');
        assert.equal((await item(CLUSTER, '/tasks'))?.description, '0 running · 0 pending · 0 completed');
        assert.equal((await item(CLUSTER, '/tasks/message'))?.label, 'No task registered yet');
        await until('the question about the forgotten tasks', () => shown.some((m) => /no longer knows/.test(m.message)));
        // More polls: the question is not asked again in the same outage.
        await (await gridcore()).refresh();
        await (await gridcore()).refresh();
        const asked = shown.filter((m) => /no longer knows/.test(m.message));
        assert.equal(asked.length, 1, JSON.stringify(shown));
        assert.equal(asked[0].kind, 'warning');
        assert.match(asked[0].message, new RegExp(`The ComputeHub of ${CLUSTER} no longer knows 3 tasks the extension registered \\(it was probably restarted\\)\\. Register them again\\?`));
        assert.deepEqual(asked[0].items, ['Register Again', 'Show Tasks', 'Not Now']);
      },
    );
    assert.deepEqual(await hubTasks(hub), { current: null, pending: [], completed: [] }, 'the new hub knows no task');
  });

  it('gridcore.reregisterTasks, confirmed, registers them again in their first order', async () => {
    const api = await gridcore();
    const { result, shown } = await answeringMessages(
      (m) => (m.modal ? 'Register Again' : undefined),
      async (shown) => ({ result: (await vscode.commands.executeCommand('gridcore.reregisterTasks', { cluster: CLUSTER })) as { registered: string[]; skipped: unknown[] } | undefined, shown }),
    );
    const confirm = shown.filter((m) => m.modal);
    assert.equal(confirm.length, 1, `one confirmation expected: ${JSON.stringify(shown)}`);
    assert.equal(confirm[0].message, `Register 3 tasks again on ${CLUSTER}?`);
    assert.match(confirm[0].detail ?? '', /The hub no longer lists: rs-first, rs-second, rs-third\./);
    assert.ok(result, 'the command returned nothing');
    assert.deepEqual(result.registered, TASKS);
    assert.deepEqual(result.skipped, []);
    assert.ok(shown.some((m) => m.kind === 'information' && m.message === `Registered again on ${CLUSTER}: rs-first, rs-second, rs-third.`), JSON.stringify(shown));

    assert.deepEqual(await hubTasks(hub), { current: 'rs-first', pending: ['rs-second', 'rs-third'], completed: [] });
    // What a node gets for the running task: its image and queues as first registered.
    const current = (await (await fetch(`${hub.url}/gridnode/task`, { headers: { Authorization: `Bearer ${hub.token}` } })).json()) as { task_name?: string; image?: string; input_queue?: string; input_redis?: string } | null;
    assert.equal(current?.task_name, 'rs-first');
    assert.equal(current?.image, 'rs-first:1');
    assert.equal(current?.input_queue, 'rs-first:in');
    assert.equal(current?.input_redis, redisUrl);

    const rows = await until('the tasks back in the tree, the note gone', async () => {
      const r = await taskRows(CLUSTER);
      return r.length === 3 && !(await item(CLUSTER, '/tasks/forgottenNote')) && r;
    });
    assert.deepEqual(rows.map((r) => [r.label, r.contextValue?.split(' ')[1]]), [
      ['rs-first', 'running'],
      ['rs-second', 'pending'],
      ['rs-third', 'pending'],
    ]);
    // The rows carry the new records (image and queues), and nothing is left forgotten.
    assert.match(rows[1].description ?? '', /rs-second:1 · rs-second:in → rs-second:out/);
    assert.deepEqual(await api.service!.forgottenTasks(CLUSTER), []);
  });
});

describe('Redis killed and started again while the tree and the status bar poll', function () {
  const CLUSTER = 'e2e-restart-redis';
  const TASK = 'rk-square';
  const INPUT = `${TASK}:in`;
  const OUTPUT = `${TASK}:out`;
  let hub: TestHub;
  let redis: TestRedis;
  let client: Redis | undefined;

  const connectClient = async () => {
    client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await client.connect();
    return client;
  };

  before(async () => {
    // A Redis of this suite's own, started from the extension host, so it can be killed here.
    redis = await startRedis({ password: E2E_SECRETS.restartRedisPassword });
    hub = await startTestHub(TOKEN);
    await hub.addNode({ hostname: 'rk-box', cpu_count: 2, status: 'Running', active_containers: 2 });
    const api = await gridcore();
    await api.service!.profiles.save({ name: CLUSTER, computehubUrl: hub.url, redisUrl: redis.url, token: TOKEN, source: 'extension' });
    await api.service!.profiles.setActive(CLUSTER);
  });

  after(async () => {
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
    client?.disconnect();
    await hub?.close();
    await redis?.stop();
  });

  it('shows the running task\'s progress from its queues', async () => {
    const api = await gridcore();
    await api.service!.registerTask(CLUSTER, { name: TASK, image: 'rk:1', input_queue: INPUT, output_queue: OUTPUT, input_redis: redis.url, output_redis: redis.url });
    const pushed = await (await api.service!.queues(CLUSTER)).push(INPUT, { kind: 'range', from: 1, to: 40 });
    assert.equal(pushed.pushed, 40);
    await api.service!.tasks.addPushed(CLUSTER, TASK, pushed.pushed);
    // A container's work: ten items taken, ten results.
    const c = await connectClient();
    const taken = await c.rpop(INPUT, 10);
    assert.equal(taken?.length, 10);
    await c.lpush(OUTPUT, ...taken!.map((v) => String(Number(v) ** 2)));
    await until('the status bar at 10/40', () => / rk-square 10\/40 25%/.test(api.statusBar().text ?? ''));
    const input = await until('the input queue\'s length in the tree', async () => {
      const q = await item(CLUSTER, '/queues/input');
      return q?.description === 'input · 30 items' && q;
    });
    assert.equal(input.label, INPUT);
    assert.equal(input.icon, 'inbox');
    assert.equal((await item(CLUSTER, '/queues/output'))?.description, 'output · 10 items');
  });

  it('Redis killed: the tree says Redis is not reachable, every refresh settles, the hub part stays', async function () {
    this.timeout(90_000);
    const api = await gridcore();
    client?.disconnect();
    client = undefined;
    await redis.kill();
    // A refresh that does not settle well past the Redis timeout (5 s by default) is a hang.
    const hangLimitMs = 30_000;
    const settled = async () => {
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), hangLimitMs)));
      const r = await Promise.race([api.refresh().then(() => 'settled' as const), hung]);
      clearTimeout(timer);
      assert.equal(r, 'settled', `a refresh did not settle within ${hangLimitMs / 1000} s of Redis going away`);
    };
    await settled();
    const root = await until('the cluster shown with Redis down', async () => {
      await settled();
      const r = await item(CLUSTER, '');
      const q = await item(CLUSTER, '/queues/input');
      return r?.icon === 'database' && q?.icon === 'warning' && r;
    }, 60_000);
    assert.ok(root);
    // No length is shown that Redis did not give: the queues lose their counts, not their names.
    assert.equal((await item(CLUSTER, '/queues/input'))?.description, 'input');
    assert.equal((await item(CLUSTER, '/queues/output'))?.icon, 'warning');
    // The hub is fine: the task and the node are still listed.
    assert.deepEqual((await taskRows(CLUSTER)).map((r) => r.label), [TASK]);
    assert.ok((await items(CLUSTER)).some((i) => i.label === 'rk-box'), 'the node is still listed');
    // The status bar names the task with a warning, not the last figures as if current.
    await until('the status bar warns', async () => {
      await api.refresh().catch(() => undefined);
      return /^\$\(warning\) rk-square$/.test(api.statusBar().text ?? '');
    }, 30_000);
    assert.match(api.statusBar().tooltip ?? '', /rk-square/);
  });

  it('Redis started again on the same port (its data gone): the same extension recovers without a reload', async function () {
    this.timeout(60_000);
    const api = await gridcore();
    await answeringMessages(
      () => undefined,
      async () => {
        await redis.restart();
        await until('the cluster healthy again', async () => {
          const r = await item(CLUSTER, '');
          const q = await item(CLUSTER, '/queues/input');
          return r?.icon === 'vm-active' && q?.icon === 'inbox' && q.description === 'input · 0 items';
        }, 40_000);
        // Nothing persisted: the 30 items left and the 10 results went with the process.
        assert.equal((await item(CLUSTER, '/queues/output'))?.description, 'output · 0 items');
        await until('the status bar from the new Redis', () => / rk-square 0\/40 0%/.test(api.statusBar().text ?? ''));
        // The connection the extension holds works again: new items show.
        const c = await connectClient();
        await c.lpush(INPUT, 'a', 'b', 'c');
        await until('the new items in the tree', async () => (await item(CLUSTER, '/queues/input'))?.description === 'input · 3 items');
      },
    );
  });
});
