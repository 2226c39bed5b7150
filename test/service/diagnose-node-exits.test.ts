// Diagnose on the local cluster: a node in Error gets the last lines its failed container left
// (kept by the node in the skill folder's state, as src/local/cluster/node.ts writes them) and
// the cause they show in the skill's terms; a remote cluster's node gets none (its logs are on
// its machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendNodeExit, nodeExitsFile } from '../../src/core/node-exits';
import { localTime } from '../../src/core/times';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../../src/core/ports';
import { createGridCoreService } from '../../src/core/service';
import { startHub } from '../../src/local/hub/server';
import { useRedis } from '../support/service-fixture';

const TOKEN = 'exits-token';
const redis = useRedis({ password: 'exits-pw' });

/** Our hub with one node "here" in Error (heartbeat with `active` containers), a skill folder
 *  for the node's kept exits, and the service; all closed after `fn`. */
async function withNodeInError(active: number, fn: (f: { skillDir: string; hubUrl: string; svc: ReturnType<typeof createGridCoreService>; node_id: string }) => Promise<void>): Promise<void> {
  const skillDir = mkdtempSync(join(tmpdir(), 'gc-exits-'));
  const hub = await startHub({ port: 0, token: TOKEN });
  const svc = createGridCoreService({ secrets: new MemorySecretStore(), state: new MemoryKeyValueStore(), logger: silentLogger, skillDir, settings: () => ({ hubTimeoutMs: 3000, redisTimeoutMs: 2000 }) });
  try {
    const post = async (path: string, body: unknown) =>
      (await fetch(`${hub.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ node_id: string }>;
    const { node_id } = await post('/gridnode/register', { hostname: 'here', architecture: 'x86_64', cpu_count: 2 });
    await post('/gridnode/heartbeat', { node_id, status: 'Error', active_containers: active });
    await fn({ skillDir, hubUrl: hub.url, svc, node_id });
  } finally {
    await svc.dispose();
    await hub.close();
    rmSync(skillDir, { recursive: true, force: true });
  }
}

test('diagnose: a local node in Error shows its failed container\'s last lines and their cause', async () => {
  await withNodeInError(1, async ({ skillDir, hubUrl, svc, node_id }) => {
    appendNodeExit(nodeExitsFile(skillDir), { nodeId: node_id, task: 'sq', instance: 0, code: 1, at: '2026-01-01T00:00:00Z', lines: ['consumer: input Redis answered: NOAUTH Authentication required.'] });

    await svc.profiles.save({ name: 'local', computehubUrl: hubUrl, redisUrl: redis.url, token: TOKEN, source: 'local' });
    const local = (await svc.diagnose('local')).find((c) => c.id === 'nodes')!;
    assert.equal(local.ok, false);
    assert.match(local.detail, /container 0 of task sq exited with code 1/);
    assert.match(local.detail, /NOAUTH Authentication required/);
    assert.match(local.detail, /password/);
    // local time in the display language, not the raw UTC ISO text the node kept
    assert.doesNotMatch(local.detail, /2026-01-01T00:00:00/);
    assert.ok(local.detail.includes(localTime('2026-01-01T00:00:00Z')), local.detail);
    assert.match(local.detail, /leaves Error by itself once a container of the task runs for 10 s or exits cleanly/);
    // this editor's credentials work, the nodes' containers were refused: the Redis check says so
    const checks = await svc.diagnose('local');
    const auth = checks.find((c) => c.id === 'redisAuth')!;
    assert.equal(auth.ok, false, auth.detail);
    assert.equal(auth.code, 'nodesRefused');
    assert.doesNotMatch(auth.detail, /^Redis accepts the cluster's credentials\.$/);
    assert.match(auth.detail, /refused the containers of here \(/);
    assert.equal(checks.find((c) => c.id === 'redisPing')!.ok, true);

    await svc.profiles.save({ name: 'remote', computehubUrl: hubUrl, redisUrl: redis.url, token: TOKEN });
    const remote = (await svc.diagnose('remote')).find((c) => c.id === 'nodes')!;
    assert.equal(remote.ok, false);
    assert.doesNotMatch(remote.detail, /NOAUTH/);
    // without the nodes' kept lines (a remote cluster) nothing says they were refused
    assert.equal((await svc.diagnose('remote')).find((c) => c.id === 'redisAuth')!.ok, true);
  });
});

test('diagnose: a node whose containers keep being refused by Redis is a password problem, not a crash loop of the consumer\'s code', async () => {
  await withNodeInError(0, async ({ skillDir, hubUrl, svc, node_id }) => {
    // As a node restarts a container Redis refuses: one exit after another, seconds apart.
    const first = new Date(Date.now() - 20_000).toISOString();
    for (const [i, at] of [first, new Date(Date.now() - 10_000).toISOString(), new Date().toISOString()].entries()) {
      appendNodeExit(nodeExitsFile(skillDir), { nodeId: node_id, task: 'pw', instance: 0, code: 1, at, lines: [`try ${i}`, 'redis said: WRONGPASS invalid username-password pair or user is disabled.'] });
    }
    await svc.profiles.save({ name: 'local', computehubUrl: hubUrl, redisUrl: redis.url, token: TOKEN, source: 'local' });
    const checks = await svc.diagnose('local');
    const nodes = checks.find((c) => c.id === 'nodes')!;
    assert.equal(nodes.ok, false);
    // Not "its own code most likely fails on some item": the lines say Redis refused the password.
    assert.equal(nodes.code, 'nodeError', nodes.detail);
    assert.doesNotMatch(nodes.detail, /keep dying/);
    assert.match(nodes.detail, /WRONGPASS/);
    assert.doesNotMatch(nodes.detail, /\d{4}-\d\d-\d\dT\d\d:\d\d/, 'a raw UTC time');
    assert.equal(checks.find((c) => c.id === 'redisAuth')!.code, 'nodesRefused');

    // This editor refused too (it connected after the change): the check says so, and still names the node.
    const wrong = redis.url.replace(':exits-pw@', ':not-the-password@');
    assert.notEqual(wrong, redis.url);
    await svc.profiles.save({ name: 'local-wrong', computehubUrl: hubUrl, redisUrl: wrong, token: TOKEN, source: 'local' });
    const auth = (await svc.diagnose('local-wrong')).find((c) => c.id === 'redisAuth')!;
    assert.equal(auth.ok, false);
    assert.equal(auth.code, 'wrongpass', auth.detail);
    assert.match(auth.detail, /refused the password \(WRONGPASS\)/);
    assert.ok(auth.detail.includes(`It refused the containers of here (${node_id}) too (NOAUTH/WRONGPASS, last at `), auth.detail);
    assert.doesNotMatch(auth.detail, /\d{4}-\d\d-\d\dT\d\d:\d\d/, 'a raw UTC time');
  });
});

test('diagnose: a crash loop names the time of its first exit in local time, not raw UTC', async () => {
  const { CRASH_LOOP_EXITS } = await import('../../src/core/diagnose');
  await withNodeInError(0, async ({ skillDir, hubUrl, svc, node_id }) => {
    const first = new Date(Date.now() - 20_000).toISOString();
    for (let i = 0; i < CRASH_LOOP_EXITS; i++) {
      appendNodeExit(nodeExitsFile(skillDir), { nodeId: node_id, task: 'sq', instance: 0, code: 4, at: i ? new Date(Date.now() - 1000 * (CRASH_LOOP_EXITS - i)).toISOString() : first, lines: ['ValueError on item 5000'] });
    }
    await svc.profiles.save({ name: 'local', computehubUrl: hubUrl, redisUrl: redis.url, token: TOKEN, source: 'local' });
    const nodes = (await svc.diagnose('local')).find((c) => c.id === 'nodes')!;
    assert.equal(nodes.code, 'crashLoop', nodes.detail);
    assert.ok(nodes.detail.includes(`exits since ${localTime(first)}`), nodes.detail);
    assert.doesNotMatch(nodes.detail, /\d{4}-\d\d-\d\dT\d\d:\d\d/, 'a raw UTC time');
  });
});
