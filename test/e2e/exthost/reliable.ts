// Reliable consumers as the user sees them in a real VS Code: a consumer on a node that left the
// hub died holding a batch in its processing list; the tree shows it in flight and stranded,
// Requeue Stranded Items (confirmed) moves it back into the input, and once the input is
// worked off the status bar finishes at the count pushed. Then a poisoned batch: the consumer
// sets 3 bad items aside in the failed list with their errors, the job reads "completed,
// 3 failed" in the tree and status bar, Open Failed Items shows the error text, and Retry
// Failed Items (confirmed) empties the list into the input. The consumer here is the test: it
// follows the README's convention by hand (a processing list announced in the registry hash,
// failed entries as the convention writes them).
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import { E2E_SECRETS } from '../secrets';
import { answeringMessages, env, gridcore, startTestHub, until, type TestHub } from './helpers/gridcore';

const CLUSTER = 'e2e-reliable';
const TASK = 'rel';
const INPUT = 'rel in:q';
const OUTPUT = 'rel out:q';
// `<input>:processing:<NODE_ID>:<INSTANCE_ID>`, announced in `<input>:processing`.
const REGISTRY = `${INPUT}:processing`;
const LIST = `${INPUT}:processing:node-gone:0`;
const FAILED = `${INPUT}:failed`;
const ATTEMPTS = `${INPUT}:attempts`;

describe('reliable consumers: in flight, stranded, requeued', () => {
  let hub: TestHub;
  let redis: Redis;
  const redisUrl = env('GRIDCORE_E2E_REDIS_URL');

  before(async () => {
    hub = await startTestHub(E2E_SECRETS.exthostToken);
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.del(INPUT, OUTPUT, REGISTRY, LIST, FAILED, ATTEMPTS);
    await hub.addNode({ hostname: 'alive-1', cpu_count: 2, active_containers: 2, status: 'Running' });
    const api = await gridcore();
    await api.service!.profiles.save({ name: CLUSTER, computehubUrl: hub.url, redisUrl, token: E2E_SECRETS.exthostToken, source: 'extension' });
    await api.service!.profiles.setActive(CLUSTER);
    await api.service!.registerTask(CLUSTER, { name: TASK, image: 'rel:1', input_queue: INPUT, output_queue: OUTPUT, input_redis: redisUrl, output_redis: redisUrl });
    // 100 pushed: 60 done, 30 held by a consumer whose node is gone, 10 still queued.
    await redis.lpush(OUTPUT, ...Array.from({ length: 60 }, (_, i) => `r${i}`));
    await redis.lpush(LIST, ...Array.from({ length: 30 }, (_, i) => `held${i}`));
    await redis.hset(REGISTRY, LIST, 'token-1');
    await redis.lpush(INPUT, ...Array.from({ length: 10 }, (_, i) => `left${i}`));
    await api.service!.tasks.addPushed(CLUSTER, TASK, 100);
    await api.refresh();
  });

  after(async () => {
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
    await redis?.del(INPUT, OUTPUT, REGISTRY, LIST, FAILED, ATTEMPTS).catch(() => undefined);
    redis?.disconnect();
    await hub?.close();
  });

  it('shows the input queue with its items in flight and stranded', async () => {
    const api = await gridcore();
    const input = await until('the input queue with 30 stranded', async () => {
      await api.refresh();
      return api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/queues/`) && /30 stranded/.test(i.description ?? ''));
    }, 30_000);
    assert.match(input.description ?? '', /10 items · 30 in flight · 30 stranded/);
    assert.match(input.contextValue ?? '', /\bstranded\b/, 'Requeue Stranded Items is on its context menu');
    assert.match(api.statusBar().text ?? '', /30 stranded/);
  });

  it('Requeue Stranded Items, confirmed, empties the processing list into the input', async () => {
    const api = await gridcore();
    const shown = await answeringMessages((m) => (m.modal && m.items.includes('Requeue') ? 'Requeue' : undefined), async (seen) => {
      await vscode.commands.executeCommand('gridcore.requeueStranded');
      return seen;
    });
    const asked = shown.find((m) => m.modal);
    assert.ok(asked, `no confirmation: ${JSON.stringify(shown)}`);
    assert.match(`${asked.message} ${asked.detail ?? ''}`, /30/);
    assert.equal(await redis.llen(LIST), 0, 'the processing list is empty');
    assert.equal(await redis.hexists(REGISTRY, LIST), 0, 'no longer announced');
    assert.equal(await redis.llen(INPUT), 40, 'its 30 items are back in the input, with the 10 that waited');
    const input = await until('the tree without stranded items', async () => {
      await api.refresh();
      const el = api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/queues/`) && (i.description ?? '').startsWith('input'));
      return el && !/stranded/.test(el.description ?? '') && el;
    }, 30_000);
    assert.match(input.description ?? '', /40 items/);
  });

  it('finishes in the status bar once the input is worked off', async () => {
    const api = await gridcore();
    // A consumer that works the input off in a few ticks, as a reliable one would end.
    for (;;) {
      const got = await redis.rpop(INPUT, 10);
      if (!got?.length) break;
      await redis.lpush(OUTPUT, ...got.map((v) => `done:${v}`));
      await new Promise((r) => setTimeout(r, 200));
    }
    const text = await until('the status bar at 100/100', async () => {
      await api.refresh();
      const t = api.statusBar().text;
      return t && / 100\/100 100%/.test(t) && t;
    }, 30_000);
    assert.doesNotMatch(text, /stranded|unaccounted/);
  });

  it('a poisoned batch: "completed, 3 failed" in the tree and status bar', async () => {
    const api = await gridcore();
    // 10 more pushed; 7 succeed, 3 are set aside by the consumer as the convention says.
    await api.service!.tasks.addPushed(CLUSTER, TASK, 10);
    await redis.lpush(OUTPUT, ...Array.from({ length: 7 }, (_, i) => `ok${i}`));
    for (const [item, error] of [['bad-1', 'ValueError: <b>bad-1</b> is not a number'], ['bad-2', 'exit status 4'], ['bad-3', 'killed its consumer 3 times']]) {
      await redis.lpush(FAILED, JSON.stringify({ item, error, attempts: 1, task: TASK, node_id: 'alive-1', instance_id: '0', time: new Date().toISOString(), reason: 'error' }));
    }
    await redis.hset(ATTEMPTS, 'bad-3', '3');
    const input = await until('the input queue with 3 failed', async () => {
      await api.refresh();
      return api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/queues/`) && /3 failed/.test(i.description ?? ''));
    }, 30_000);
    assert.match(input.contextValue ?? '', /\bfailed\b/, 'Retry and Clear Failed Items are on its context menu');
    const group = api.treeItems().find((i) => i.id === `cluster:${CLUSTER}/queues`);
    assert.match(group?.description ?? '', /completed, 3 failed/);
    const text = await until('the status bar completed with 3 failed', async () => {
      await api.refresh();
      const t = api.statusBar().text;
      return t && /completed, 3 failed/.test(t) && t;
    }, 30_000);
    assert.match(text, / 107\/110 100%/);
    assert.match(api.statusBar().tooltip ?? '', /Failed: 3/);
  });

  it('Open Failed Items shows each item with its error', async () => {
    const api = await gridcore();
    await vscode.commands.executeCommand('gridcore.openFailedItems', { cluster: CLUSTER, inputQueue: INPUT });
    const page = await until('a page of failed items posted', () => {
      const panel = api.resultsPanels!().find((p) => p.queue === FAILED);
      const m = panel?.posted.find((x) => x.type === 'response' && x.ok && 'rows' in x.body);
      return m && m.type === 'response' && m.ok && 'rows' in m.body ? m.body : undefined;
    }, 30_000);
    const rows = page.rows.map((r) => [r.value, r.failure?.error]);
    assert.deepEqual(rows, [
      ['bad-3', 'killed its consumer 3 times'],
      ['bad-2', 'exit status 4'],
      ['bad-1', 'ValueError: <b>bad-1</b> is not a number'],
    ]);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Retry Failed Items, confirmed with the count, empties the failed list into the input', async () => {
    const api = await gridcore();
    const shown = await answeringMessages((m) => (m.modal && m.items.includes('Retry') ? 'Retry' : undefined), async (seen) => {
      await vscode.commands.executeCommand('gridcore.retryFailedItems', { cluster: CLUSTER, inputQueue: INPUT });
      return seen;
    });
    const asked = shown.find((m) => m.modal);
    assert.ok(asked, `no confirmation: ${JSON.stringify(shown)}`);
    assert.match(asked.message, /Retry all 3 failed items/);
    assert.equal(await redis.llen(FAILED), 0, 'the failed list is empty');
    assert.deepEqual((await redis.lrange(INPUT, 0, -1)).sort(), ['bad-1', 'bad-2', 'bad-3']);
    assert.equal(await redis.hexists(ATTEMPTS, 'bad-3'), 0, 'attempts reset');
    await until('the tree without failed items', async () => {
      await api.refresh();
      const el = api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/queues/`) && (i.description ?? '').startsWith('input'));
      return el && !/failed/.test(el.description ?? '') && /3 items/.test(el.description ?? '') && el;
    }, 30_000);
  });
});
