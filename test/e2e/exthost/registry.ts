// Build and register for a cluster whose nodes are elsewhere: the real command pushes the
// image to the cluster's registry (Debian's docker-registry with a login, on a loopback port)
// and registers the registry's name. The login is asked once (input boxes answered here),
// kept in SecretStorage under gridcore.registryLogin/<cluster> and reused; a wrong one ends in
// an error that says what to do and shows no password. Needs Docker (GRIDCORE_E2E_DOCKER).
import * as assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { startRegistry, type TestRegistry } from '../../support/registry';
import { E2E_SECRETS } from '../secrets';
import { capturingErrors, env, gridcore, startTestHub, type TestHub } from './helpers/gridcore';

const CLUSTER = 'e2e-registry';
const OTHER_CLUSTER = 'e2e-registry-wrong-login';
const USER = 'e2e-pusher';

/** Answers the command's input boxes from `answers`, in order, and records their prompts. */
async function answeringInputs<T>(answers: string[], fn: (prompts: string[]) => Promise<T>): Promise<T> {
  const window = vscode.window as { showInputBox: (o?: vscode.InputBoxOptions) => Thenable<string | undefined> };
  const original = window.showInputBox;
  const prompts: string[] = [];
  window.showInputBox = async (o?: vscode.InputBoxOptions) => {
    prompts.push(o?.prompt ?? '');
    return answers.shift();
  };
  try {
    return await fn(prompts);
  } finally {
    window.showInputBox = original;
  }
}

describe('build and register with a registry', function () {
  let hub: TestHub;
  let registry: TestRegistry;
  let folder: string;

  function build(cluster: string, taskName: string, tag: string): Thenable<{ started: boolean; images: string[] } | undefined> {
    return vscode.commands.executeCommand('gridcore.buildAndRegister', {
      dockerfile: join(folder, 'Dockerfile'),
      taskName,
      tag,
      cluster,
      inputQueue: `${taskName}:input`,
      outputQueue: `${taskName}:output`,
      platforms: [],
    });
  }

  before(async function () {
    if (!process.env.GRIDCORE_E2E_DOCKER) {
      console.log(`  skipped: ${process.env.GRIDCORE_E2E_DOCKER_SKIP ?? 'no Docker engine'}`);
      this.skip();
    }
    this.timeout(60_000);
    registry = await startRegistry({ username: USER, password: E2E_SECRETS.registryPassword });
    hub = await startTestHub(E2E_SECRETS.buildToken);
    await hub.addNode({ hostname: 'remote-box', cpu_count: 2, status: 'Idle', active_containers: 0 });
    const api = await gridcore();
    const redisUrl = env('GRIDCORE_E2E_REDIS_URL');
    // Not local: its nodes pull from the registry, so the command pushes there.
    for (const name of [CLUSTER, OTHER_CLUSTER]) {
      await api.service!.profiles.save({ name, computehubUrl: hub.url, redisUrl, token: E2E_SECRETS.buildToken, registry: `http://${registry.host}/team` });
    }
    folder = join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'registry-square');
    cpSync(resolve(env('GRIDCORE_E2E_REPO'), 'media', 'templates', 'shell-square'), folder, { recursive: true });
  });

  after(async () => {
    const api = await gridcore();
    for (const name of [CLUSTER, OTHER_CLUSTER]) await api.service?.profiles.remove(name).catch(() => undefined);
    await hub?.close();
    await registry?.stop();
  });

  it('asks for the registry login once, pushes, and registers the registry name', async function () {
    this.timeout(120_000);
    const { result, prompts } = await answeringInputs([USER, E2E_SECRETS.registryPassword], async (prompts) => ({ result: await build(CLUSTER, 'reg-square', 'gridcore-e2e/reg-square:1'), prompts }));
    assert.ok(result, 'the command returned nothing: it failed (see the GridCore Build output)');
    const pushed = `${registry.host}/team/gridcore-e2e/reg-square:1`;
    assert.deepEqual(result.images, [pushed]);
    assert.equal(prompts.length, 2, `prompts: ${JSON.stringify(prompts)}`);
    assert.match(prompts[0], new RegExp(`User name for registry ${registry.host}`));
    assert.match(prompts[1], /secret storage/);
    const tags = await registry.get<{ tags: string[] }>('/v2/team/gridcore-e2e/reg-square/tags/list');
    assert.deepEqual(tags.body.tags, ['1']);
    const api = await gridcore();
    assert.equal(api.service!.tasks.get(CLUSTER, 'reg-square')?.image, pushed);
    // what a node asks for: the current task, with the image it is to pull
    const current = (await (await fetch(`${hub.url}/gridnode/task?platform=linux/amd64`, { headers: { Authorization: `Bearer ${hub.token}` } })).json()) as { task_name?: string; image?: string } | null;
    assert.equal(current?.task_name, 'reg-square');
    assert.equal(current?.image, pushed, JSON.stringify(current));
  });

  it('reuses the stored login without asking', async function () {
    this.timeout(120_000);
    const { result, prompts } = await answeringInputs([], async (prompts) => ({ result: await build(CLUSTER, 'reg-square-2', 'gridcore-e2e/reg-square:2'), prompts }));
    assert.deepEqual(result?.images, [`${registry.host}/team/gridcore-e2e/reg-square:2`]);
    assert.deepEqual(prompts, []);
    const tags = await registry.get<{ tags: string[] }>('/v2/team/gridcore-e2e/reg-square/tags/list');
    assert.deepEqual([...tags.body.tags].sort(), ['1', '2']);
  });

  it('a wrong login: asked once, then an error that says what to do, without the password', async function () {
    this.timeout(120_000);
    const wrong = E2E_SECRETS.wrongRegistryPassword;
    const { result, prompts, errors } = await capturingErrors((errors) =>
      answeringInputs([USER, wrong], async (prompts) => ({ result: await build(OTHER_CLUSTER, 'reg-wrong', 'gridcore-e2e/reg-wrong:1'), prompts, errors })),
    );
    assert.equal(result, undefined);
    assert.equal(prompts.length, 2, `prompts: ${JSON.stringify(prompts)}`);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /refused the push of .*reg-wrong:1/);
    assert.match(errors[0], /logged in \(user and password in the cluster profile\)/);
    assert.ok(!errors[0].includes(wrong) && !errors[0].includes(E2E_SECRETS.registryPassword), errors[0]);
    const api = await gridcore();
    assert.equal(api.service!.tasks.get(OTHER_CLUSTER, 'reg-wrong'), undefined, 'a task was registered with an image its nodes cannot pull');
    assert.equal((await registry.get('/v2/team/gridcore-e2e/reg-wrong/tags/list')).status, 404);
  });
});
