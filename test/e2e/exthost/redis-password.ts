// Diagnose after a Redis password change (issue 21, item 5), as the walkthrough met it: the
// local cluster's node runs a task whose containers connect with the Redis URL the task was
// registered with; the server's password then changes (CONFIG SET requirepass, which leaves
// connections already authenticated alone, this editor's among them). The containers are
// refused (WRONGPASS), the node reports Error, and Diagnose's Redis check must not read "accepts
// the cluster's credentials": it names the refused node, in the report the user reads. With the
// password put back the node leaves Error and the check passes again. Real Docker, the local
// cluster through its commands (test/local/node-password-change.test.ts is the level below).
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import { CRASH_LOOP_EXITS } from '../../../src/core/diagnose';
import { nodeExitsFile, readNodeExits } from '../../../src/core/node-exits';
import type { DiagnosisCheck } from '../../../src/core/service-api';
import { defaultSkillDir } from '../../../src/core/skill-files';
import type { HubNode } from '../../../src/core/types';
import { answeringMessages, freePort, gridcore, stopLocalClusterConfirmed, until } from './helpers/gridcore';

const CLUSTER = 'local';
const BASE = 'gridcore/busybox-redis:local';
const IMAGE = 'gridcore-e2e/ping-then-exit:1';
const TASK = 'e2e-pw-change';
const CHANGED = 'e2e-changed-pw-7f3a';
/** The report's scheme (src/views/markdown-documents.ts). */
const DOC_SCHEME = 'gridcore-doc';
/** A raw UTC ISO time, as the node keeps it: the report shows local times instead. */
const RAW_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

async function setLocalClusterSettings(values: { hubPort?: number; redisPort?: number; parallelism?: number }): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('gridcore.localCluster');
  for (const key of ['hubPort', 'redisPort', 'parallelism'] as const) await cfg.update(key, values[key], vscode.ConfigurationTarget.Global);
}

async function localNodes(): Promise<HubNode[]> {
  return (await (await gridcore()).service!.hub(CLUSTER)).listNodes();
}

/** Diagnose as the user runs it, with the report it opened (the markdown the preview shows). */
async function diagnoseLocal(): Promise<{ checks: DiagnosisCheck[]; report: string; redisSection: string }> {
  const checks = await answeringMessages(
    () => undefined,
    async () => (await vscode.commands.executeCommand('gridcore.diagnoseCluster', { cluster: CLUSTER })) as DiagnosisCheck[] | undefined,
  );
  assert.ok(checks, 'Diagnose returned nothing: it failed');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: DOC_SCHEME, path: `/diagnosis/${CLUSTER}.md` }));
  // An open report is updated by its content provider's change event, a moment later: wait
  // for this run's (every check's text in it), not the previous run's.
  const report = await until('the report of this run', () => checks.every((c) => doc.getText().includes(c.detail)) && doc.getText(), 20_000);
  // The "Redis password" section: from its heading to the next one.
  const sections = report.split(/\n(?=## )/);
  const redisSection = sections.find((s) => /^## .*Redis password\s*$/m.test(s.split('\n')[0])) ?? '';
  assert.ok(redisSection, `no Redis password section in the report:\n${report}`);
  return { checks, report, redisSection };
}

describe('Diagnose after a Redis password change', function () {
  let admin: Redis | undefined;
  let passwordChanged = false;
  let nodeId = '';

  before(async function () {
    if (!process.env.GRIDCORE_E2E_DOCKER) {
      console.log(`  skipped: ${process.env.GRIDCORE_E2E_DOCKER_SKIP ?? 'no Docker engine'}`);
      this.skip();
    }
    this.timeout(180_000);
    await setLocalClusterSettings({ hubPort: await freePort(), redisPort: await freePort(), parallelism: 1 });
    // A consumer's first step: connect with the URL it was given. Exit 1 when Redis refuses
    // (its answer in the logs), else exit 0 a moment later, as an idle consumer does.
    const context = mkdtempSync(join(tmpdir(), 'gridcore-e2e-pw-'));
    writeFileSync(join(context, 'Dockerfile'), `FROM ${BASE}\nCOPY c.sh /c.sh\nENTRYPOINT ["/bin/sh", "/c.sh"]\n`);
    writeFileSync(
      join(context, 'c.sh'),
      `U=$(printf '%s' "$INPUT_REDIS_URL" | sed -E 's#^(rediss?://):#\\1default:#')\nr=$(redis-cli --no-auth-warning -u "$U" PING 2>&1)\necho "redis said: $r"\n[ "$r" = PONG ] || exit 1\nsleep 2\nexit 0\n`,
    );
    const api = await gridcore();
    await api.service!.images.build({ context, tag: IMAGE });
    assert.equal(await vscode.commands.executeCommand('gridcore.startLocalCluster'), CLUSTER, 'the local cluster did not start');
  });

  after(async function () {
    this.timeout(90_000);
    if (passwordChanged) await admin?.config('SET', 'requirepass', (await passwordOf()) ?? '').catch(() => undefined);
    admin?.disconnect();
    if (!process.env.GRIDCORE_E2E_DOCKER) return;
    // Finished, not left unfinished: the next start (Redis on another port) registers the
    // unfinished tasks again, and later suites on the local cluster would find it running.
    await (await (await gridcore()).service!.hub(CLUSTER)).finish().catch(() => undefined);
    await stopLocalClusterConfirmed();
    await setLocalClusterSettings({});
    await (await gridcore()).service?.profiles.remove(CLUSTER).catch(() => undefined);
  });

  async function passwordOf(): Promise<string | undefined> {
    const { redisUrl } = await (await gridcore()).service!.profiles.resolve(CLUSTER);
    return decodeURIComponent(new URL(redisUrl).password) || undefined;
  }

  it('runs the task on the node with the cluster\'s Redis URL; Diagnose passes the Redis checks', async function () {
    this.timeout(120_000);
    const api = await gridcore();
    const { redisUrl } = await api.service!.profiles.resolve(CLUSTER);
    // This editor's connection to the cluster's Redis, open before the change (as it was in the walkthrough).
    assert.equal((await (await api.service!.queues(CLUSTER)).push(`${TASK}:in`, { kind: 'range', from: 1, to: 5 })).pushed, 5);
    await api.service!.registerTask(CLUSTER, { name: TASK, image: IMAGE, input_queue: `${TASK}:in`, output_queue: `${TASK}:out`, input_redis: redisUrl, output_redis: redisUrl });
    const running = await until('the node running a container of the task', async () => (await localNodes()).find((n) => n.runtime_status === 'Running'), 90_000);
    nodeId = running.id;
    const { checks } = await diagnoseLocal();
    const auth = checks.find((c) => c.id === 'redisAuth');
    assert.equal(auth?.ok, true, auth?.detail);
  });

  it('the password changed: the node goes to Error, and Diagnose\'s Redis check names it as refused', async function () {
    this.timeout(180_000);
    assert.ok(nodeId, 'the task never ran on the node');
    const api = await gridcore();
    admin = new Redis((await api.service!.profiles.resolve(CLUSTER)).redisUrl, { maxRetriesPerRequest: 1 });
    await admin.config('SET', 'requirepass', CHANGED);
    passwordChanged = true;
    await until('the node in Error', async () => (await localNodes()).find((n) => n.id === nodeId && n.runtime_status === 'Error'), 120_000);
    // A while later, as the user looks: the node restarted the refused container a few times
    // (the exits it kept, which Diagnose reads): enough to look like a crash loop.
    await until('refused containers restarted', () => readNodeExits(nodeExitsFile(defaultSkillDir()), nodeId).filter((e) => e.task === TASK).length >= CRASH_LOOP_EXITS, 120_000);

    const { checks, report, redisSection } = await diagnoseLocal();
    const auth = checks.find((c) => c.id === 'redisAuth')!;
    const node = `${hostname()} (${nodeId})`;
    // Not "accepts the cluster's credentials" on its own: this editor's connection still works
    // (CONFIG SET left it authenticated), but the node's containers were refused.
    assert.equal(auth.ok, false, `the Redis check passed after the password change: ${auth.detail}`);
    assert.equal(auth.code, 'nodesRefused', auth.detail);
    assert.ok(auth.detail.includes(`refused the containers of ${node}`), auth.detail);
    assert.match(auth.detail, /NOAUTH\/WRONGPASS/);
    // What the user reads: the section is marked failed, names the node, and its time is local.
    assert.match(redisSection.split('\n')[0], /!\[failed\]/, redisSection);
    assert.ok(redisSection.includes(node), redisSection);
    assert.doesNotMatch(redisSection, /^Redis accepts the cluster's credentials\.$/m);
    assert.doesNotMatch(redisSection, RAW_ISO, 'a raw UTC time in the Redis check');
    // The Nodes check: the node in Error with the refused container's own words, not a crash
    // loop blamed on the consumer's code.
    const nodes = checks.find((c) => c.id === 'nodes')!;
    assert.equal(nodes.ok, false);
    assert.equal(nodes.code, 'nodeError', nodes.detail);
    assert.ok(nodes.detail.includes(node), nodes.detail);
    assert.match(nodes.detail, /WRONGPASS|NOAUTH|invalid password/, nodes.detail);
    assert.doesNotMatch(report, RAW_ISO, 'a raw UTC time in the report');
  });

  it('the password put back: the node leaves Error, and the Redis check passes again', async function () {
    this.timeout(180_000);
    assert.ok(passwordChanged, 'the password was never changed');
    // The admin connection stays authenticated across CONFIG SET.
    await admin!.config('SET', 'requirepass', (await passwordOf()) ?? '');
    passwordChanged = false;
    await until('the node out of Error', async () => (await localNodes()).find((n) => n.id === nodeId && n.runtime_status !== 'Error'), 150_000);
    const { checks, redisSection } = await diagnoseLocal();
    const auth = checks.find((c) => c.id === 'redisAuth')!;
    assert.equal(auth.ok, true, auth.detail);
    assert.match(redisSection.split('\n')[0], /!\[passed\]/, redisSection);
  });
});
