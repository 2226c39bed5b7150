// Driving the workbench with Playwright: tree rows, input boxes, notifications, the command
// palette, screenshots. Shared by the UI scenario's steps.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { artifactsDir, type CodeServer } from '../../support/code-server';

const repoRoot = resolve(__dirname, '..', '..', '..');

/** Screenshots land in test/.artifacts/screenshots; with GRIDCORE_UPDATE_SCREENSHOTS=1 also in media/screenshots (the README's). */
export async function keepScreenshot(vscode: CodeServer, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  const file = join(artifactsDir, 'screenshots', `${name}.png`);
  mkdirSync(join(artifactsDir, 'screenshots'), { recursive: true });
  // Let hovers and progress bars settle into the frame.
  await vscode.page.waitForTimeout(300);
  await vscode.page.screenshot({ path: file, clip });
  // Pictures of failures are for the developer, never for the README.
  if (process.env.GRIDCORE_UPDATE_SCREENSHOTS && !name.startsWith('failure')) {
    const media = join(repoRoot, 'media', 'screenshots');
    mkdirSync(media, { recursive: true });
    copyFileSync(file, join(media, `${name}.png`));
  }
}

export function treeRow(page: Page, text: string) {
  return page.locator('.pane-body .monaco-list-row', { hasText: text });
}

/** Room for the tree's descriptions (node status, task image and queues) in the screenshots. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) return;
  // The sidebar's own sash sits on its right edge; other vertical sashes belong to the editor grid.
  let box: { x: number; y: number; width: number; height: number } | null = null;
  for (const sash of await page.locator('.monaco-sash.vertical').all()) {
    const b = await sash.boundingBox();
    if (b && b.height > 100 && Math.abs(b.x + b.width / 2 - (sidebar.x + sidebar.width)) < 8) box = b;
  }
  if (!box) return;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(width, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

/**
 * With the smoke-test driver on (needed to load the extension under development) the workbench
 * shows no toasts; the notification centre still lists every message, so read it there.
 */
export async function expectNotification(page: Page, text: string): Promise<void> {
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible())) await page.locator('[id="status.notifications"]').click();
  const item = center.locator('.notification-list-item-message', { hasText: text });
  await item.first().waitFor({ timeout: 20_000 }).catch(async (e) => {
    const all = await center.locator('.notification-list-item-message').allInnerTexts();
    throw new Error(`${(e as Error).message}\nnotifications: ${JSON.stringify(all)}`);
  });
}

export async function answerInputBoxes(page: Page, values: string[]): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  const message = page.locator('.quick-input-widget .quick-input-message');
  let previous: string | undefined;
  for (const value of values) {
    await input.waitFor({ state: 'visible' });
    if (previous !== undefined) {
      // The next box is up once the prompt changed: typing earlier would land in the old one.
      const before = previous;
      await page.waitForFunction(
        (prev) => {
          const m = document.querySelector('.quick-input-widget .quick-input-message');
          return !!m && m.textContent !== prev;
        },
        before,
      );
    }
    previous = (await message.textContent()) ?? '';
    await input.fill(value);
    await input.press('Enter');
  }
}

/**
 * Keys go to the focused frame: while a webview (results panel, dashboard) has focus, F1 lands
 * in its iframe and may never reach the workbench's keybindings. Take focus back to the
 * workbench's own document first (its keybinding service listens on the window).
 */
const FOCUS_WORKBENCH = `(() => {
  const a = document.activeElement;
  if (a && a.tagName === 'IFRAME') { a.blur(); return true; }
  return false;
})()`;

/** Runs a command from the palette (F1) by its full title, e.g. "GridCore: Open Results". */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 1; ; attempt++) {
    try {
      if ((await page.evaluate(FOCUS_WORKBENCH)) as boolean) await page.keyboard.press('F1');
      else await page.locator('.monaco-workbench').press('F1');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
      await input.press('Enter', { timeout: 5_000 });
      return;
    } catch (e) {
      // The palette did not open, or shut again before the title was in: a webview took the
      // focus back (one does after its editor moved to another group). Again, a few times.
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  }
}

/** Picks the quick pick row with that text. */
export async function pickQuickItem(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 10_000 });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: text }).first().waitFor({ timeout: 10_000 });
  await input.press('Enter');
}

/** A scenario step as a subtest: a failed step leaves a picture of the workbench behind,
 *  named `<prefix>-<first word of the step>` (t.test reports, never throws). */
export function stepWithScreenshot(t: TestContext, vscode: CodeServer, prefix: string): (name: string, fn: () => Promise<void>) => Promise<void> {
  return (name, fn) =>
    t.test(name, async () => {
      try {
        await fn();
      } catch (e) {
        await keepScreenshot(vscode, `${prefix}-${name.split(' ')[0]}`).catch(() => undefined);
        throw e;
      }
    });
}
