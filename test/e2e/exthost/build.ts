// Build and register through the real command, on a real Docker engine: the sample task
// (media/templates/shell-square) copied into the workspace, its image built, the task
// registered on a hub with its image and queues, then 1..1000 pushed with gridcore.pushData.
// vscode.test.ts builds the base image first and sets GRIDCORE_E2E_DOCKER; without a Docker
// engine it says why and this suite is skipped.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import { E2E_SECRETS } from '../secrets';
import { capturingErrors, env, gridcore, startTestHub, until, type TestHub } from './helpers/gridcore';

const CLUSTER = 'e2e-build';
const TASK = 'e2e-square';
const TAG = 'gridcore-e2e/square:1';
const INPUT = `${TASK}:input`;
const OUTPUT = `${TASK}:output`;

describe('build and register on Docker', function () {
  let hub: TestHub;
  let redis: Redis;
  let folder: string;
  const redisUrl = env('GRIDCORE_E2E_REDIS_URL');

  before(async function () {
    if (!process.env.GRIDCORE_E2E_DOCKER) {
      console.log(`  skipped: ${process.env.GRIDCORE_E2E_DOCKER_SKIP ?? 'no Docker engine'}`);
      this.skip();
    }
    this.timeout(60_000);
    hub = await startTestHub(E2E_SECRETS.buildToken);
    await hub.addNode({ hostname: 'build-box', cpu_count: 2, status: 'Idle', active_containers: 0 });
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await redis.del(INPUT, OUTPUT);
    const api = await gridcore();
    // A local profile: its nodes share this machine's images, so no registry question.
    await api.service!.profiles.save({ name: CLUSTER, computehubUrl: hub.url, redisUrl, token: E2E_SECRETS.buildToken, source: 'local' });
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    folder = join(workspace, 'shell-square');
    cpSync(resolve(env('GRIDCORE_E2E_REPO'), 'media', 'templates', 'shell-square'), folder, { recursive: true });
  });

  after(async () => {
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
    redis?.disconnect();
    await hub?.close();
  });

  it('builds the image and registers the task with its image and queues', async function () {
    this.timeout(120_000);
    const result = (await vscode.commands.executeCommand('gridcore.buildAndRegister', {
      dockerfile: join(folder, 'Dockerfile'),
      taskName: TASK,
      tag: TAG,
      cluster: CLUSTER,
      inputQueue: INPUT,
      outputQueue: OUTPUT,
      platforms: [],
    })) as { started: boolean; images: string[] } | undefined;
    assert.ok(result, 'the command returned nothing: it failed (see the GridCore Build output)');
    assert.deepEqual(result.images, [TAG]);
    assert.equal(result.started, true, 'the only task on the hub should start at once');
    const api = await gridcore();
    assert.ok(await api.service!.images.exists(TAG), `${TAG} is not in Docker`);
    const hubTasks = (await (await fetch(`${hub.url}/api/tasks`, { headers: { Authorization: `Bearer ${hub.token}` } })).json()) as { current: string | null; tasks?: Array<{ name: string; image?: string }> };
    assert.equal(hubTasks.current, TASK);
    const record = api.service!.tasks.get(CLUSTER, TASK);
    assert.equal(record?.image, TAG);
    assert.equal(record?.inputQueue, INPUT);
    assert.equal(record?.outputQueue, OUTPUT);
    assert.equal(record?.folder, folder);
    const row = await until(`${TASK} running in the tree`, () =>
      api.treeItems().find((i) => i.id.startsWith(`cluster:${CLUSTER}/tasks/`) && i.label === TASK && /running/.test(i.contextValue ?? '')),
    );
    assert.match(row.description ?? '', /gridcore-e2e\/square:1/);
    const queues = await until('the task\'s queues in the tree', () => {
      const names = api.treeItems().filter((i) => i.id.startsWith(`cluster:${CLUSTER}/`) && /^queue\b/.test(i.contextValue ?? '')).map((i) => `${i.label} ${i.description ?? ''}`);
      return names.some((n) => n.includes(INPUT)) && names.some((n) => n.includes(OUTPUT)) && names;
    });
    assert.ok(queues.length >= 2);
  });

  it('says clearly that the Dockerfile is missing', async function () {
    this.timeout(30_000);
    const empty = join(folder, '..', 'no-dockerfile-here');
    mkdirSync(empty, { recursive: true });
    const errors = await capturingErrors(async (errors) => {
      const r = await vscode.commands.executeCommand('gridcore.buildAndRegister', {
        dockerfile: join(empty, 'Dockerfile'),
        taskName: 'e2e-missing',
        tag: 'gridcore-e2e/missing:1',
        cluster: CLUSTER,
        inputQueue: 'm:in',
        outputQueue: 'm:out',
        platforms: [],
      });
      assert.equal(r, undefined, 'a build without a Dockerfile returned a result');
      return errors;
    });
    assert.equal(errors.length, 1, `expected one error message, got ${JSON.stringify(errors)}`);
    assert.match(errors[0], /There is no Dockerfile in .*no-dockerfile-here/);
    assert.match(errors[0], /Add a Dockerfile/, 'the message should say what to do');
    const api = await gridcore();
    assert.equal(api.service!.tasks.get(CLUSTER, 'e2e-missing'), undefined, 'a task was recorded without an image');
  });

  it('pushes 1..1000 with gridcore.pushData and counts them on the task record', async function () {
    this.timeout(60_000);
    const api = await gridcore();
    const before = api.service!.tasks.get(CLUSTER, TASK)?.pushed ?? 0;
    // The command ends on a notification that waits for its button: do not wait for it.
    void vscode.commands.executeCommand('gridcore.pushData', { source: { kind: 'range', from: 1, to: 1000 }, cluster: CLUSTER, taskName: TASK, force: true });
    const pushed = await until('1000 pushed on the task record', () => {
      const n = api.service!.tasks.get(CLUSTER, TASK)?.pushed ?? 0;
      return n - before >= 1000 && n;
    }, 30_000);
    assert.equal(pushed - before, 1000);
    // The container started by nobody here: what was pushed is all still queued, oldest at the tail.
    assert.equal(await redis.llen(INPUT), 1000);
    assert.equal(await redis.lindex(INPUT, -1), '1');
    assert.equal(await redis.lindex(INPUT, 0), '1000');
  });
});
