// The failed list of the reliable-consumer convention (issue 24), with a real redis-server and
// both templates running on this host the way a node runs them (test/support/host-consumers):
// the shell template under busybox, the Python template on Debian's python3 + python3-redis.
// Poisoned items come from the templates' test variants (test/fixtures/poison):
// - in-process isolation: errors, an exit, a self-SIGKILL, a hang past BATCH_SECONDS and
//   a flaky item, both templates on one job: every good item once, the bad ones set aside
//   once each with their error, none good among them;
// - recovery: an item that kills its whole consumer is set aside after MAX_KILLS deaths;
// - a batch of one item that fails; a consumer failing every item (the guard);
// - bad input: a failed key that is not a list; commits retried while redis-server restarts.
// Queue names hold ":" and spaces throughout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { poisonPython, poisonShell } from '../fixtures/poison/consumers';
import { SupervisedConsumer } from '../support/host-consumers';
import { startRedis, type TestRedis } from '../support/redis';
import { until } from '../support/until';

let redis: TestRedis;
let r: Redis;
let dir: string;
const SHELL = poisonShell();
const PYTHON = poisonPython();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gc-failed-'));
  redis = await startRedis({ password: 'failed-pw', aofDir: dir });
  r = new Redis(redis.url, { maxRetriesPerRequest: null });
  r.on('error', () => undefined);
});

after(async () => {
  r?.disconnect();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Entry {
  item?: string;
  item_b64?: string;
  error: string;
  attempts: number;
  task: string;
  node_id: string;
  instance_id: string;
  time: string;
  reason: string;
}

function job(name: string) {
  return { input: `${name}: in:put`, output: `${name}: out` };
}

/** Consumers on a job: kinds by node, two instances each unless told. */
function consumers(q: { input: string; output: string }, specs: Array<{ kind: 'shell' | 'python'; node: string; instance: string }>, env: Record<string, string> = {}, script?: { shell?: string; python?: string }) {
  return specs.map((s) =>
    new SupervisedConsumer({
      kind: s.kind,
      script: s.kind === 'shell' ? (script?.shell ?? SHELL) : (script?.python ?? PYTHON),
      env: { INPUT_REDIS_URL: redis.url, INPUT_QUEUE: q.input, OUTPUT_QUEUE: q.output, NODE_ID: s.node, INSTANCE_ID: s.instance, TASK_NAME: 'failed-test', FLAKY_DIR: dir, ...env },
      dir,
    }).start(),
  );
}

async function push(input: string, items: string[]): Promise<void> {
  for (let i = 0; i < items.length; i += 5000) await r.lpush(input, ...items.slice(i, i + 5000));
}

const numbers = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

/** Items with `bad` put at spread positions (so they land in different batches). */
function spread(good: string[], bad: string[]): string[] {
  const out = [...good];
  bad.forEach((b, i) => out.splice(Math.floor(((i + 1) * good.length) / (bad.length + 1)) + i, 0, b));
  return out;
}

async function failedEntries(input: string): Promise<Entry[]> {
  return (await r.lrange(`${input}:failed`, 0, -1)).map((e) => JSON.parse(e) as Entry);
}

/** Every good item exactly once in the output (by the text before the last ':'). */
async function assertOnce(output: string, good: string[]): Promise<void> {
  const out = await r.lrange(output, 0, -1);
  const keys = out.map((l) => l.slice(0, l.lastIndexOf(':')));
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const doubled = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
  const missing = good.filter((g) => !counts.has(g));
  assert.deepEqual({ doubled: doubled.slice(0, 5), missing: missing.slice(0, 5) }, { doubled: [], missing: [] });
  assert.equal(out.length, good.length);
}

async function drained(q: { input: string; output: string }, results: number, failed: number): Promise<boolean> {
  const [inLen, outLen, failedLen, reg] = await Promise.all([r.llen(q.input), r.llen(q.output), r.llen(`${q.input}:failed`).catch(() => -1), r.hlen(`${q.input}:processing`)]);
  return inLen === 0 && reg === 0 && outLen >= results && failedLen >= failed;
}

async function stopAll(cs: SupervisedConsumer[]): Promise<void> {
  await Promise.all(cs.map((c) => c.stop()));
}

const logs = (cs: SupervisedConsumer[]) => cs.map((c) => c.log.slice(-1500)).join('\n----\n');

test('both templates on one job: errors, an exit, a self-SIGKILL, a hang and a flaky item settled in-process; every good item once', { timeout: 300_000 }, async (t) => {
  const q = job('iso');
  const bad = ['poison-error-1', 'poison-error-2', 'poison-error-3', 'poison-error-4', 'poison-error-5', 'poison-exit-1', 'poison-kill-1', 'poison-hang-1'];
  const good = [...numbers(1, 6000), 'flaky-a', 'flaky-b'];
  await push(q.input, spread(numbers(1, 6000), [...bad.slice(0, 4), 'flaky-a', ...bad.slice(4), 'flaky-b']));
  const cs = consumers(q, [
    { kind: 'shell', node: 'node a', instance: '0' },
    { kind: 'shell', node: 'node a', instance: '1' },
    { kind: 'python', node: 'node:b', instance: '0' },
    { kind: 'python', node: 'node:b', instance: '1' },
  ], { BATCH: '200', BATCH_SECONDS: '3' });
  try {
    await until('every item settled', () => drained(q, good.length, bad.length), 240_000, 250);
    await sleep(500);
  } finally {
    await stopAll(cs);
  }
  t.diagnostic(`restarts: ${cs.map((c) => c.restarts).join(', ')}`);
  assert.deepEqual(cs.map((c) => c.restarts), [0, 0, 0, 0], logs(cs));
  await assertOnce(q.output, good);
  const entries = await failedEntries(q.input);
  assert.deepEqual(entries.map((e) => e.item).sort(), [...bad].sort());
  for (const e of entries) {
    assert.deepEqual(Object.keys(e), ['item', 'error', 'attempts', 'task', 'node_id', 'instance_id', 'time', 'reason'], 'keys in the contract\'s order');
    assert.equal(e.reason, 'error');
    assert.equal(e.attempts, 1);
    assert.equal(e.task, 'failed-test');
    assert.ok(['node a', 'node:b'].includes(e.node_id) && ['0', '1'].includes(e.instance_id), JSON.stringify(e));
    assert.ok(!Number.isNaN(Date.parse(e.time)) && e.time.endsWith('Z'), e.time);
    const want = e.item!.startsWith('poison-error') ? new RegExp(`poison item ${e.item} rejected`)
      : e.item === 'poison-exit-1' ? /exited with status 4; its last lines: exiting on poison-exit/
      : e.item === 'poison-kill-1' ? /killed|SIGKILL/
      : /BATCH_SECONDS|SIGKILL|killed/;
    assert.match(e.error, want, JSON.stringify(e));
  }
  assert.equal(await r.exists(`${q.input}:attempts`), 0);
});

test('an item that kills its whole consumer (shell and Python): recovered with attempts, batches shrink, set aside after MAX_KILLS deaths', { timeout: 300_000 }, async (t) => {
  const q = job('die');
  const good = numbers(1, 3000);
  await push(q.input, spread(good, ['poison-die-1', 'poison-die-2']));
  const cs = consumers(q, [
    { kind: 'shell', node: 'n1', instance: '0' },
    { kind: 'python', node: 'n2', instance: '0' },
  ], { BATCH: '400' });
  try {
    await until('every item settled', () => drained(q, good.length, 2), 240_000, 250);
    await sleep(500);
  } finally {
    await stopAll(cs);
  }
  t.diagnostic(`restarts: ${cs.map((c) => c.restarts).join(', ')}`);
  assert.equal(cs.reduce((n, c) => n + c.restarts, 0), 6, `each poison item killed a consumer 3 times\n${logs(cs)}`);
  await assertOnce(q.output, good);
  const entries = await failedEntries(q.input);
  assert.deepEqual(entries.map((e) => [e.item, e.reason, e.attempts, e.error]).sort(), [
    ['poison-die-1', 'killed', 3, 'killed its consumer 3 times'],
    ['poison-die-2', 'killed', 3, 'killed its consumer 3 times'],
  ]);
  assert.equal(await r.exists(`${q.input}:attempts`), 0, 'the good items\' attempts were cleared by their commits');
});

test('a batch of one item that fails: set aside, and the consumer goes on', { timeout: 120_000 }, async () => {
  const q = job('one');
  const good = numbers(1, 40);
  await push(q.input, spread(good, ['poison-exit-9', 'poison-error-9']));
  const cs = consumers(q, [{ kind: 'shell', node: 'n', instance: '0' }, { kind: 'python', node: 'n', instance: '1' }], { BATCH: '1' });
  try {
    await until('every item settled', () => drained(q, good.length, 2), 90_000, 200);
  } finally {
    await stopAll(cs);
  }
  assert.deepEqual(cs.map((c) => c.restarts), [0, 0]);
  await assertOnce(q.output, good);
  assert.deepEqual((await failedEntries(q.input)).map((e) => e.item).sort(), ['poison-error-9', 'poison-exit-9']);
});

test('a consumer failing on every item (a wrong password in its code) sets none aside: it gives the batch back and pauses; fixed, the job completes', { timeout: 180_000 }, async () => {
  const q = job('all bad');
  const good = numbers(1, 2000);
  await push(q.input, good);
  const broken = consumers(q, [{ kind: 'shell', node: 'n', instance: '0' }, { kind: 'python', node: 'n', instance: '1' }], { BATCH: '100', FAIL_ALL: '1', FAIL_PAUSE_SECONDS: '1' });
  try {
    await until('both report the guard twice', () => broken.every((c) => (c.log.match(/more than FAIL_PERCENT=50%: setting none aside/g) ?? []).length >= 2), 60_000, 200);
  } finally {
    await stopAll(broken);
  }
  assert.match(broken[0].log, /First error: wrong password for /);
  assert.match(broken[1].log, /First error: PermissionError: wrong password for /);
  assert.equal(await r.llen(`${q.input}:failed`), 0, 'nothing set aside');
  assert.equal(await r.llen(q.output), 0);
  assert.equal(await r.llen(q.input), 2000, 'every item back in the input');
  const fixed = consumers(q, [{ kind: 'shell', node: 'n', instance: '0' }, { kind: 'python', node: 'n', instance: '1' }], { BATCH: '100' });
  try {
    await until('every item done', () => drained(q, good.length, 0), 90_000, 200);
  } finally {
    await stopAll(fixed);
  }
  await assertOnce(q.output, good);
  assert.equal(await r.exists(`${q.input}:failed`), 0);
});

test('a failed key that is not a list: the batch holding a bad item waits, nothing lost; deleted, it commits', { timeout: 120_000 }, async () => {
  const q = job('wrong type');
  await r.set(`${q.input}:failed`, 'someone else\'s string');
  const good = numbers(1, 600);
  await push(q.input, spread(good, ['poison-error-x']));
  const cs = consumers(q, [{ kind: 'shell', node: 'n', instance: '0' }, { kind: 'python', node: 'n', instance: '1' }], { BATCH: '50' });
  try {
    await until('a consumer says so', () => cs.some((c) => /failed is not a list: rename or delete it/.test(c.log)), 60_000, 200);
    assert.equal(await r.get(`${q.input}:failed`), 'someone else\'s string', 'left alone');
    assert.ok((await r.llen(q.output)) < 600);
    await r.del(`${q.input}:failed`);
    await until('every item settled', () => drained(q, good.length, 1), 60_000, 200);
  } finally {
    await stopAll(cs);
  }
  await assertOnce(q.output, good);
  assert.deepEqual((await failedEntries(q.input)).map((e) => e.item), ['poison-error-x']);
});

test('commits retried while redis-server is SIGKILLed and restarted (both templates): nothing lost or doubled', { timeout: 300_000 }, async (t) => {
  const q = job('restart');
  const good = numbers(1, 30_000);
  await push(q.input, spread(good, ['poison-error-r']));
  const cs = consumers(q, [
    { kind: 'shell', node: 'a', instance: '0' },
    { kind: 'shell', node: 'a', instance: '1' },
    { kind: 'python', node: 'b', instance: '0' },
    { kind: 'python', node: 'b', instance: '1' },
  ], { BATCH: '100' });
  try {
    for (let k = 0; k < 2; k++) {
      await until('some progress', async () => (await r.llen(q.output)) > (k + 1) * 5000, 120_000, 20);
      await redis.kill();
      await sleep(700);
      await redis.restart();
      t.diagnostic(`redis-server killed and restarted (${k + 1})`);
    }
    await until('every item settled', () => drained(q, good.length, 1), 240_000, 250);
    await sleep(500);
  } finally {
    await stopAll(cs);
  }
  t.diagnostic(`restarts: ${cs.map((c) => c.restarts).join(', ')}`);
  await assertOnce(q.output, good);
  assert.deepEqual((await failedEntries(q.input)).map((e) => e.item), ['poison-error-r']);
});
