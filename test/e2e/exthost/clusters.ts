// A cluster with a node and tasks, seen through the real extension: profile + SecretStorage,
// the Clusters tree, and the status bar while a consumer drains the running task's queue.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { E2E_SECRETS } from '../secrets';
import { env, gridcore, startTestHub, until, type TestHub } from './helpers/gridcore';

const CLUSTER = 'e2e-main';
const TOKEN = E2E_SECRETS.exthostToken;

describe('a cluster with nodes and tasks', () => {
  let hub: TestHub;
  let redis: Redis;
  const redisUrl = env('GRIDCORE_E2E_REDIS_URL');

  before(async () => {
    hub = await startTestHub(TOKEN);
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.del('sq:in', 'sq:out');
    await hub.addNode({ hostname: 'gpu-box-1', cpu_count: 8, active_containers: 8, status: 'Running' });
    await hub.addNode({ hostname: 'arm-box-2', architecture: 'aarch64', cpu_count: 4, status: 'Idle', active_containers: 0 });
  });

  after(async () => {
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
    redis?.disconnect();
    await hub?.close();
  });

  it('keeps the token and the Redis password in SecretStorage, not in the profile', async () => {
    const api = await gridcore();
    assert.ok(api.service, 'the test API exposes the service only with GRIDCORE_TEST set');
    await api.service.profiles.save({ name: CLUSTER, computehubUrl: hub.url, redisUrl, token: TOKEN, source: 'extension' });
    await api.service.profiles.setActive(CLUSTER);
    const profile = await api.service.profiles.get(CLUSTER);
    assert.ok(profile);
    assert.ok(!JSON.stringify(profile).includes(TOKEN), 'token leaked into the stored profile');
    const password = new URL(redisUrl).password;
    if (password) assert.ok(!JSON.stringify(profile).includes(password), 'Redis password leaked into the stored profile');
    const resolved = await api.service.profiles.resolve(CLUSTER);
    assert.equal(resolved.token, TOKEN);
    assert.equal(resolved.redisUrl, redisUrl);
  });

  it('shows the nodes with their runtime status in the tree', async () => {
    const api = await gridcore();
    const gpu = await until('node gpu-box-1 in the tree', () => api.treeItems().find((i) => i.label === 'gpu-box-1' && i.id.startsWith(`cluster:${CLUSTER}/nodes/`)));
    assert.match(gpu.description ?? '', /x86_64/);
    assert.match(gpu.description ?? '', /8 CPUs/);
    assert.match(gpu.description ?? '', /Running/);
    const arm = api.treeItems().find((i) => i.label === 'arm-box-2');
    assert.ok(arm, 'second node missing');
    assert.match(arm.description ?? '', /Idle/);
    const root = api.treeItems().find((i) => i.id === `cluster:${CLUSTER}`);
    assert.ok(root && root.depth === 0, 'cluster root missing');
    assert.match(root.description ?? '', /active/);
  });

  it('shows running, pending and completed tasks', async () => {
    const api = await gridcore();
    await api.service!.registerTask(CLUSTER, { name: 'warmup', image: 'busybox:e2e', input_queue: 'w:in', output_queue: 'w:out' });
    await hub.post('/api/tasks/finish');
    await api.service!.registerTask(CLUSTER, { name: 'sqrt-calc', image: 'sqrt:1.0', input_queue: 'sq:in', output_queue: 'sq:out', input_redis: redisUrl, output_redis: redisUrl });
    await hub.post('/api/tasks', { name: 'later-job', image: 'later:2' });
    const tasks = await until('three tasks in the tree', () => {
      const t = api.treeItems().filter((i) => i.id.startsWith(`cluster:${CLUSTER}/tasks/`) && i.contextValue?.startsWith('task'));
      return t.length >= 3 && t;
    });
    const byName = (n: string) => tasks.find((t) => t.label === n);
    assert.match(byName('sqrt-calc')?.contextValue ?? '', /running/);
    assert.match(byName('sqrt-calc')?.description ?? '', /sqrt:1\.0/);
    assert.match(byName('later-job')?.contextValue ?? '', /pending/);
    assert.match(byName('warmup')?.contextValue ?? '', /completed/);
    assert.ok(tasks.indexOf(byName('sqrt-calc')!) < tasks.indexOf(byName('later-job')!), 'running task listed after a pending one');
  });

  it('moves the status bar while a consumer drains the input queue', async () => {
    const api = await gridcore();
    const items = Array.from({ length: 60 }, (_, i) => String(i + 1));
    await redis.lpush('sq:in', ...items);
    // The consumer: what a task container does, a few items per tick.
    let stop = false;
    const consumer = (async () => {
      while (!stop) {
        const got = await redis.rpop('sq:in', 6);
        if (!got || !got.length) break;
        await redis.lpush('sq:out', ...got.map((v) => String(Math.sqrt(Number(v)))));
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const seen: string[] = [];
    try {
      await until('the status bar at 100%', () => {
        const text = api.statusBar().text;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
        return text && / 60\/60 100%/.test(text);
      }, 60_000);
    } finally {
      stop = true;
      await consumer;
    }
    const done = seen.map((t) => Number((/ ([\d,]+)\/[\d,]+ \d+%/.exec(t) ?? [])[1]?.replace(/,/g, '')));
    assert.ok(seen.every((t) => t.includes('sqrt-calc')), `status bar names another task: ${seen.join(' | ')}`);
    assert.ok(new Set(done).size >= 3, `status bar did not move through the drain: ${seen.join(' | ')}`);
    for (let i = 1; i < done.length; i++) assert.ok(done[i] >= done[i - 1], `progress went back: ${seen.join(' | ')}`);
    assert.match(api.statusBar().tooltip ?? '', /sq:in/);
  });
});
