// What a new user ran into (issue 13), through the real commands in a real VS Code: a
// "finish task?" notification clicked after its task already finished, Push Data's default
// source with a Dockerfile open, and where New Task from Template puts its folder.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import { E2E_SECRETS } from '../secrets';
import { env, gridcore, startTestHub, until, type TestHub } from './helpers/gridcore';

const CLUSTER = 'e2e-new-user';

type Show = (...a: unknown[]) => Thenable<unknown>;
type Item = vscode.QuickPickItem;
const title = (i: unknown) => (typeof i === 'string' ? i : String((i as vscode.MessageItem).title));

/** Replaces the message and quick-pick functions while `fn` runs; each answer function
 *  returns the item to pick (a promise: the user answers later), or undefined. */
async function withUi<T>(
  answers: {
    message?: (text: string, items: string[], modal: boolean) => string | undefined | Promise<string | undefined>;
    pick?: (items: Item[], placeHolder: string | undefined) => Item | undefined;
  },
  fn: (seen: { messages: string[]; details: string[]; picks: Item[][] }) => Promise<T>,
): Promise<T> {
  const window = vscode.window as unknown as Record<'showWarningMessage' | 'showInformationMessage' | 'showQuickPick', Show>;
  const originals = { showWarningMessage: window.showWarningMessage, showInformationMessage: window.showInformationMessage, showQuickPick: window.showQuickPick };
  const seen = { messages: [] as string[], details: [] as string[], picks: [] as Item[][] };
  const fake: Show = async (message: unknown, ...rest: unknown[]) => {
    const options = rest.length && typeof rest[0] === 'object' && rest[0] !== null && !('title' in rest[0]) ? (rest.shift() as vscode.MessageOptions) : undefined;
    seen.messages.push(String(message));
    if (options?.detail) seen.details.push(options.detail);
    const pick = await answers.message?.(String(message), rest.map(title), !!options?.modal);
    return pick === undefined ? undefined : rest.find((i) => title(i) === pick);
  };
  window.showWarningMessage = fake;
  window.showInformationMessage = fake;
  window.showQuickPick = async (items: unknown, options?: unknown) => {
    const list = (await items) as Item[];
    seen.picks.push(list);
    return answers.pick?.(list, (options as vscode.QuickPickOptions | undefined)?.placeHolder);
  };
  try {
    return await fn(seen);
  } finally {
    Object.assign(window, originals);
  }
}

describe('what a new user ran into', () => {
  let hub: TestHub;
  let redis: Redis;
  const redisUrl = env('GRIDCORE_E2E_REDIS_URL');
  const created: string[] = [];

  before(async () => {
    hub = await startTestHub(E2E_SECRETS.exthostToken);
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.del('nu1:in', 'nu1:out');
    const api = await gridcore();
    await api.service!.profiles.save({ name: CLUSTER, computehubUrl: hub.url, redisUrl, token: E2E_SECRETS.exthostToken, source: 'extension' });
    await api.service!.profiles.setActive(CLUSTER);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const p of created) rmSync(p, { recursive: true, force: true });
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
    await redis?.del('nu1:in', 'nu1:out');
    redis?.disconnect();
    await hub?.close();
  });

  it('a "finish task?" notification clicked after its task finished says so and finishes nothing else', async function () {
    this.timeout(60_000);
    const api = await gridcore();
    let answerLater!: (pick: string | undefined) => void;
    const later = new Promise<string | undefined>((r) => (answerLater = r));
    await withUi(
      { message: (text) => (/^Input queue of first is empty, 3 results: finish task\?/.test(text) ? later : undefined) },
      async (seen) => {
        await api.service!.registerTask(CLUSTER, { name: 'first', image: 'first:1', input_queue: 'nu1:in', output_queue: 'nu1:out', input_redis: redisUrl, output_redis: redisUrl });
        await redis.lpush('nu1:out', 'a', 'b', 'c');
        await until('the drain notification', () => seen.messages.some((m) => /^Input queue of first is empty/.test(m)), 30_000);
        // The user leaves it in the notification centre; meanwhile the task is finished elsewhere.
        await hub.post('/api/tasks', { name: 'second', image: 'second:1' });
        await hub.post('/api/tasks/finish');
        answerLater('Finish Task');
        const said = await until('the "already finished" message', () => seen.messages.find((m) => /already finished/.test(m)), 20_000);
        assert.equal(said, `Task first on ${CLUSTER} is already finished; second runs now and was left as it is.`);
      },
    );
    const tasks = await api.service!.listTasks(CLUSTER);
    assert.equal(tasks.find((t) => t.state === 'running')?.name, 'second', 'the late click finished another task');
  });

  it('Push Data never defaults to the Dockerfile, and counts before pushing a file that is not data', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'gridcore-e2e-push-'));
    created.push(dir);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY consumer.sh /\nENTRYPOINT ["/consumer.sh"]\n');
    writeFileSync(join(dir, 'numbers.txt'), '1\n2\n3\n');
    writeFileSync(join(dir, 'consumer.sh'), '#!/bin/sh\nset -e\nwhile true; do\n  :\ndone\n');
    const firstChoice = async (file: string) => {
      await vscode.window.showTextDocument(vscode.Uri.file(join(dir, file)));
      return withUi({}, async (seen) => {
        await vscode.commands.executeCommand('gridcore.pushData');
        return seen.picks[0];
      });
    };
    const withDockerfile = await firstChoice('Dockerfile');
    assert.notEqual(withDockerfile[0].label, 'Current file', 'Enter would push the Dockerfile');
    assert.ok(!withDockerfile.some((i) => i.description === 'Dockerfile'), 'the Dockerfile is offered as data');
    const withData = await firstChoice('numbers.txt');
    assert.equal(withData[0].label, 'Current file');
    assert.equal(withData[0].description, 'numbers.txt');

    // A script: offered last, and picking it says how many items would go (and nothing goes).
    await vscode.window.showTextDocument(vscode.Uri.file(join(dir, 'consumer.sh')));
    const asked = await withUi(
      { pick: (items) => items.find((i) => i.label === 'Current file') ?? items.find((i) => i.label === 'One item per line') },
      async (seen) => {
        await vscode.commands.executeCommand('gridcore.pushData', undefined);
        return seen;
      },
    );
    assert.equal(asked.picks[0][asked.picks[0].length - 1].label, 'Current file');
    assert.ok(asked.messages.includes('Push 5 items from consumer.sh?'), asked.messages.join(' | '));
    assert.equal(await redis.llen('nu1:in'), 0, 'items were pushed without the answer');
  });

  it('New Task from Template asks where: a new folder named after the task, never over an existing one', async function () {
    this.timeout(60_000);
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const ask = () =>
      withUi({ pick: (items) => items[0] }, async (seen) => {
        const folder = (await vscode.commands.executeCommand('gridcore.newTaskFromTemplate', { template: 'shell-square', taskName: 'nu-square' })) as string | undefined;
        return { folder, seen };
      });
    const first = await ask();
    created.push(join(root, 'nu-square'), join(root, 'nu-square-2'));
    const where = first.seen.picks.find((p) => p.some((i) => /Another folder/.test(i.label)))!;
    assert.ok(where, 'no "where" question');
    assert.match(where[0].label, /nu-square$/);
    assert.equal(first.folder, join(root, 'nu-square'));
    assert.ok(existsSync(join(root, 'nu-square', 'Dockerfile')));
    writeFileSync(join(root, 'nu-square', 'Dockerfile'), 'FROM scratch\n# edited by the user\n');

    const second = await ask();
    assert.equal(second.folder, join(root, 'nu-square-2'), 'the default is a free folder');
    assert.match(readFileSync(join(root, 'nu-square', 'Dockerfile'), 'utf8'), /edited by the user/, 'the first folder was overwritten');
  });
});
