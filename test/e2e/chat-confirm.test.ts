// A destructive chat tool asks the user first, in a real VS Code window: a fixture extension
// (test/e2e/tool-caller) calls gridcore_clear_queue through vscode.lm.invokeTool with no chat
// request token, so VS Code shows the tool's confirmation as a modal dialog. (The extension-host
// suites cannot show this: in extension test runs VS Code answers every confirmation itself.)
// Cancel leaves the queue whole; confirming (Yes) deletes it.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import Redis from 'ioredis';
import { ensureCodeServer, launchCodeServer, type CodeServer } from '../support/code-server';
import { startRedis, type TestRedis } from '../support/redis';
import { keepScreenshot, runCommand } from './ui/workbench';

const repoRoot = resolve(__dirname, '..', '..');
const PASSWORD = 'confirm-redis-pw-0c1d2e';
const QUEUE = 'confirm:items';

let redis: TestRedis;
let client: Redis;
let vscode: CodeServer | undefined;
let dir: string;

before(async () => {
  await ensureCodeServer();
  redis = await startRedis({ password: PASSWORD });
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await client.lpush(QUEUE, 'a', 'b', 'c');
  dir = mkdtempSync(join(tmpdir(), 'gridcore-e2e-confirm-'));
  mkdirSync(join(dir, 'ws'));
});

after(async () => {
  await vscode?.stop();
  client?.disconnect();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function outcomes(file: string): Array<{ ok?: string; error?: string }> {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const v = probe();
    if (v) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a destructive tool called outside chat asks in a dialog; Cancel keeps the queue, confirming deletes it', { timeout: 5 * 60_000 }, async () => {
  const out = join(dir, 'outcomes.jsonl');
  vscode = await launchCodeServer({
    workspace: join(dir, 'ws'),
    extensionPath: repoRoot,
    installExtensions: [join(repoRoot, 'test', 'e2e', 'tool-caller')],
    env: { GRIDCORE_TEST: '1', GRIDCORE_E2E_REDIS_URL: redis.url, GRIDCORE_E2E_CALLER_OUT: out },
  });
  const page = vscode.page;
  const dialog = page.locator('.monaco-dialog-box');
  const ask = async () => {
    // The palette lists the fixture's command once the extensions are registered.
    for (let attempt = 0; ; attempt++) {
      try {
        await runCommand(page, 'GridCore E2E: Clear the Test Queue');
        break;
      } catch (e) {
        await page.keyboard.press('Escape');
        if (attempt >= 5) {
          await keepScreenshot(vscode!, 'failure-chat-confirm');
          throw e;
        }
      }
    }
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    return dialog.innerText();
  };

  const text = await ask();
  await keepScreenshot(vscode, 'chat-tool-confirmation');
  assert.match(text, /Delete queue confirm:items and its 3 items\?/);
  assert.match(text, /Cluster confirm\. This removes the Redis list for good; it cannot be undone\./);
  assert.ok(!text.includes(PASSWORD), 'the Redis password is in the dialog');
  await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
  const first = await waitFor('the cancelled call to return', () => outcomes(out)[0]);
  assert.equal(first.ok, undefined, `the tool ran although the user cancelled: ${first.ok}`);
  assert.match(first.error ?? '', /cancel/i);
  assert.equal(await client.llen(QUEUE), 3, 'the queue changed although the user cancelled');

  await ask();
  const buttons = (await dialog.locator('.dialog-buttons .monaco-button').allInnerTexts()).map((t) => t.trim());
  const confirm = buttons.find((b) => !/^cancel$/i.test(b));
  assert.ok(confirm, `no confirm button among ${buttons.join(', ')}`);
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: confirm }).first().click();
  const second = await waitFor('the confirmed call to return', () => outcomes(out)[1]);
  assert.equal(second.ok, 'Queue confirm:items deleted. It held 3 items.', `error: ${second.error}`);
  assert.equal(await client.exists(QUEUE), 0);
});
