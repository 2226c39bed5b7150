// The local cluster through the real commands: gridcore.startLocalCluster (no prompt: it reads
// the gridcore.localCluster.* settings, set here to free ports) starts Redis, the hub and a
// node on the Docker engine at DOCKER_HOST; the tree shows `local` selected with its node;
// gridcore.stopLocalCluster asks first while the queues hold items (a modal with the count),
// then leaves no container and nothing listening; a new start brings the queue back. With DOCKER_HOST on a
// dead socket the start fails with a message naming the Docker step. The skill files go to
// the default folder under HOME, which code-server's launcher keeps inside the run folder.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { homedir, hostname, tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import * as vscode from 'vscode';
import { answeringMessages, capturingErrors, freePort, gridcore, until } from './helpers/gridcore';

const CLUSTER = 'local';
const IMAGE = 'gridcore-e2e/sleeper:1';
const TASK = 'e2e-local-sleep';
/** the node's container label (src/core/docker/containers.ts) */
const NODE_LABEL = 'gridcore.node';
const SETTINGS = ['hubPort', 'redisPort', 'parallelism'] as const;
const KEPT_QUEUE = 'e2e-local:kept';
const STOP = 'Stop Local Cluster';

function skillDir(): string {
  return join(homedir(), '.config', 'agents', 'skills', 'agent-idm-gridcore');
}

async function setLocalClusterSettings(values: Partial<Record<(typeof SETTINGS)[number], number | undefined>>): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('gridcore.localCluster');
  for (const key of SETTINGS) await cfg.update(key, values[key], vscode.ConfigurationTarget.Global);
}

/** Containers (any state) carrying the node's label, from the Docker API over its socket. */
function nodeContainers(socketPath: string, nodeId: string): Promise<Array<{ Id: string; State: string }>> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${NODE_LABEL}=${nodeId}`] }));
  return new Promise((done, fail) => {
    const req = request({ socketPath, path: `/containers/json?all=1&filters=${filters}` }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? done(JSON.parse(body)) : fail(new Error(`docker: ${res.statusCode} ${body}`))));
    });
    req.on('error', fail);
    req.end();
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
  });
}

describe('local cluster through the commands', function () {
  let hubPort: number;
  let redisPort: number;

  before(async function () {
    if (!process.env.GRIDCORE_E2E_DOCKER) {
      console.log(`  skipped: ${process.env.GRIDCORE_E2E_DOCKER_SKIP ?? 'no Docker engine'}`);
      this.skip();
    }
    this.timeout(120_000);
    hubPort = await freePort();
    redisPort = await freePort();
    await setLocalClusterSettings({ hubPort, redisPort, parallelism: 1 });
    // An image that runs until it is stopped, so that the node has a container to remove.
    const context = mkdtempSync(join(tmpdir(), 'gridcore-e2e-sleeper-'));
    writeFileSync(join(context, 'Dockerfile'), 'FROM gridcore/busybox-redis:local\nENTRYPOINT ["sleep", "3600"]\n');
    const api = await gridcore();
    await api.service!.images.build({ context, tag: IMAGE });
  });

  after(async function () {
    this.timeout(60_000);
    // the queue kept across the restart makes Stop ask: answer it as the user would
    await answeringMessages((m) => (m.items.includes(STOP) ? STOP : undefined), async () => await vscode.commands.executeCommand('gridcore.stopLocalCluster'));
    await setLocalClusterSettings({});
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
  });

  it('keeps the skill folder inside the test HOME (the run folder, not the real home)', () => {
    // code-server's launcher puts HOME and TMPDIR in one run folder
    const run = resolve(tmpdir(), '..');
    assert.ok(skillDir().startsWith(run + sep), `skill dir ${skillDir()} is outside the run folder ${run}`);
  });

  it('starts from the settings without a prompt; the tree shows `local` selected with its node', async function () {
    this.timeout(120_000);
    const name = await vscode.commands.executeCommand('gridcore.startLocalCluster');
    assert.equal(name, CLUSTER, 'the command returned nothing: it failed (see the GridCore Local outputs)');
    const api = await gridcore();
    assert.equal(await api.service!.profiles.getActive(), CLUSTER);
    const resolved = await api.service!.profiles.resolve(CLUSTER);
    assert.equal(new URL(resolved.profile.computehubUrl).port, String(hubPort), 'the hub is not on the port of the setting');
    assert.equal(new URL(resolved.redisUrl).port, String(redisPort), 'Redis is not on the port of the setting');
    assert.ok(existsSync(join(skillDir(), 'state', 'local_cluster.json')), 'the skill state file was not written under HOME');

    const root = await until('`local` in the tree', () => api.treeItems().find((i) => i.id === `cluster:${CLUSTER}`));
    assert.equal(root.depth, 0);
    assert.match(root.description ?? '', /active/);
    const node = await until('the local node in the tree', () => api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/nodes/`)), 30_000);
    assert.equal(node.label, hostname());
  });

  // The second Stop Node follows Start Node at once: on the detached cluster Start Node must not
  // say "running" before the node process registered again (a stop sent to the hub's stale entry
  // of the stopped node is lost; test/service/local-wait-node.test.ts).
  it('Stop Node shows the node stopped at once; Start Node (and Start Local Cluster) bring it back with its id', async function () {
    this.timeout(120_000);
    const api = await gridcore();
    const node = await until('the local node in the tree', () => api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/nodes/`) && i.contextValue === 'node'), 30_000);
    const nodeId = node.id.slice(`cluster:${CLUSTER}/nodes/`.length);
    const containers = /(\d+ containers?)/.exec(node.description ?? '')?.[1];
    const stop = () =>
      answeringMessages((m) => (m.modal ? 'Stop Node' : undefined), async (shown) => {
        const ok = await vscode.commands.executeCommand('gridcore.stopNode', { cluster: CLUSTER, nodeId });
        return { ok, shown };
      });
    const { ok, shown } = await stop();
    assert.equal(ok, true);
    // one source for the dialog and the tree
    assert.ok(containers && shown[0].detail?.includes(containers), `dialog "${shown[0].detail}" vs tree "${node.description}"`);
    assert.match(shown[0].detail ?? '', /Start Node starts the node again with the same id/);
    // at once: no refresh, no wait for the hub to drop the silent node
    const stopped = api.treeItems().find((i) => i.id === node.id);
    assert.equal(stopped?.contextValue, 'node stopped');
    assert.match(stopped?.description ?? '', /Stopped/);
    assert.ok(shown.some((m) => m.items.includes('Start Node')), 'no Start Node offered');
    assert.ok(!api.treeItems().some((i) => /No node is listed/.test(i.label)), 'a "no node" dead end');

    assert.equal(await vscode.commands.executeCommand('gridcore.startNode', { cluster: CLUSTER, nodeId }), nodeId, 'not its old id');
    await until('the node running again', () => api.treeItems().find((i) => i.id === node.id && i.contextValue === 'node'), 30_000);

    await stop();
    assert.equal(api.treeItems().find((i) => i.id === node.id)?.contextValue, 'node stopped');
    assert.equal(await vscode.commands.executeCommand('gridcore.startLocalCluster'), CLUSTER);
    await until('Start Local Cluster brought the node back', () => api.treeItems().find((i) => i.id === node.id && i.contextValue === 'node'), 30_000);
  });

  it('stops with no container left and nothing listening', async function () {
    this.timeout(120_000);
    const api = await gridcore();
    const socketPath = process.env.DOCKER_HOST!.slice('unix://'.length);
    const node = api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/nodes/`));
    assert.ok(node, 'no node in the tree');
    const nodeId = node.id.slice(`cluster:${CLUSTER}/nodes/`.length);
    await api.service!.registerTask(CLUSTER, { name: TASK, image: IMAGE });
    await until('the node runs a container of the task', async () => (await nodeContainers(socketPath, nodeId)).some((c) => c.State === 'running'), 60_000);
    assert.equal((await (await api.service!.queues(CLUSTER)).push(KEPT_QUEUE, { kind: 'range', from: 1, to: 1234 })).pushed, 1234);

    // Dismissed: nothing stops. Then answered: it stops.
    await answeringMessages(
      () => undefined,
      async (shown) => {
        assert.equal(await vscode.commands.executeCommand('gridcore.stopLocalCluster'), false);
        assert.equal(shown.length, 1, JSON.stringify(shown));
        assert.equal(shown[0].modal, true);
        assert.equal(shown[0].message, 'Stop the local cluster? One of its queues holds 1,234 items.');
        assert.match(shown[0].detail ?? '', /are back when the local cluster starts again/);
        assert.deepEqual(shown[0].items, [STOP]);
      },
    );
    assert.equal(await listening(hubPort), true, 'a dismissed prompt stopped the cluster');
    assert.equal(await answeringMessages((m) => (m.items.includes(STOP) ? STOP : undefined), async () => await vscode.commands.executeCommand('gridcore.stopLocalCluster')), true);
    assert.deepEqual(await nodeContainers(socketPath, nodeId), [], 'containers left after the stop');
    assert.equal(await listening(hubPort), false, 'the hub still listens');
    assert.equal(await listening(redisPort), false, 'Redis still listens');
    assert.equal(existsSync(join(skillDir(), 'state', 'local_cluster.json')), false, 'the skill state file outlived the cluster');
  });

  it('starts again with the queue as it was, under the saved profile', async function () {
    this.timeout(120_000);
    const shown = await answeringMessages(
      () => undefined,
      async (messages) => {
        assert.equal(await vscode.commands.executeCommand('gridcore.startLocalCluster'), CLUSTER);
        return messages;
      },
    );
    assert.ok(shown.some((m) => m.message.endsWith(' Its queues hold 1,234 items kept from earlier runs.')), JSON.stringify(shown));
    const api = await gridcore();
    assert.deepEqual(await (await api.service!.queues(CLUSTER)).lengths([KEPT_QUEUE]), { [KEPT_QUEUE]: 1234 });
  });
});

describe('local cluster with Docker down', function () {
  let saved: string | undefined;
  let hubPort: number;

  before(async () => {
    saved = process.env.DOCKER_HOST;
    // The extension host is this process: its local cluster reads DOCKER_HOST when it starts.
    process.env.DOCKER_HOST = `unix://${join(tmpdir(), 'no-docker-here.sock')}`;
    hubPort = await freePort();
    await setLocalClusterSettings({ hubPort, redisPort: await freePort() });
  });

  after(async () => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    await setLocalClusterSettings({});
  });

  it('fails with a message naming the Docker step and what to do; nothing is left', async function () {
    this.timeout(60_000);
    const errors = await capturingErrors(async (errors) => {
      const r = await vscode.commands.executeCommand('gridcore.startLocalCluster');
      assert.equal(r, undefined, 'the start returned a cluster without Docker');
      return errors;
    });
    assert.equal(errors.length, 1, `expected one error message, got ${JSON.stringify(errors)}`);
    assert.match(errors[0], /Checking Docker/);
    assert.match(errors[0], /no-docker-here\.sock/);
    assert.match(errors[0], /Start Docker \(or set DOCKER_HOST/);
    assert.equal(await listening(hubPort), false);
    assert.equal(existsSync(join(skillDir(), 'state', 'local_cluster.json')), false);
  });
});
