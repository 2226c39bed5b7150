// Restricted Mode, as a user meets it: workspace trust on, a folder never trusted (so VS Code
// opens it restricted, without asking), the packaged extension installed. GridCore still
// activates (capabilities.untrustedWorkspaces: limited); Build and Register Task and Try Task
// Locally, which would run the folder's Dockerfile, are not in the Dockerfile's title bar, and
// from the palette say why they are off and offer the trust editor instead.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { launchCodeServer, type CodeServer } from '../../support/code-server';
import { Texts } from './texts';
import { expectNotification, keepScreenshot, runCommand, stepWithScreenshot } from './workbench';

const repoRoot = resolve(__dirname, '..', '..', '..');

export async function runRestrictedModeScenario(t: TestContext, o: { vsix: string }): Promise<void> {
  const tr = new Texts(repoRoot, 'en');
  const root = mkdtempSync(join(tmpdir(), 'gridcore-e2e-untrusted-'));
  const workspace = join(root, 'downloaded-task');
  mkdirSync(workspace);
  // Were it built, this step would run on the machine: the reason Restricted Mode exists.
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\nRUN ["/bin/sh", "-c", "echo ran > /tmp/gridcore-untrusted-ran"]\nENTRYPOINT ["/app"]\n');
  let vscode: CodeServer | undefined;
  try {
    vscode = await launchCodeServer({ workspace, vsix: o.vsix, restrictedMode: true, viewport: { width: 1280, height: 760 } });
    const { page } = vscode;
    const cs = vscode;
    const step = stepWithScreenshot(t, cs, 'failure-restricted');

    await step('the folder opens in Restricted Mode and GridCore is there', async () => {
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
      await page.locator(`.activitybar .action-label[aria-label^="${tr.nls('gridcore.container.title')}"]`).click({ timeout: 60_000 });
      await page.locator('.welcome-view-content .monaco-button', { hasText: tr.nlsLink('gridcore.clusters.welcome', 'gridcore.addCluster') }).waitFor({ timeout: 30_000 });
    });

    await step('the Dockerfile\'s title bar has no Build and Register nor Try Task Locally button', async () => {
      await page.locator('.monaco-workbench').press('Control+P');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible' });
      await input.fill('Dockerfile');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dockerfile' }).first().waitFor({ timeout: 20_000 });
      await input.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: 'Dockerfile' }).first().waitFor({ timeout: 10_000 });
      // The title bar is drawn (its own actions are there) before the absence is read.
      await page.locator('.editor-actions .action-label').first().waitFor({ timeout: 10_000 });
      for (const title of ['gridcore.buildAndRegister.title', 'gridcore.tryTask.title']) {
        assert.equal(await page.locator(`.editor-actions .action-label[aria-label="${tr.nls(title)}"]`).count(), 0, `${tr.nls(title)} in the editor title in Restricted Mode`);
      }
      await keepScreenshot(cs, 'restricted-mode-title');
    });

    await step('Build and Register Task explains why it is off instead of building', async () => {
      await runCommand(page, `${tr.nls('gridcore.category')}: ${tr.nls('gridcore.buildAndRegister.title')}`);
      // A click on the bell while the palette is still closing only closes the palette.
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
      await expectNotification(page, tr.l10n("Build and Register Task is off in Restricted Mode: building runs the commands of the workspace's Dockerfile on this machine. Trust this folder to turn it on."));
      await page.locator('.notification-list-item', { hasText: tr.l10n('Manage Workspace Trust') }).first().waitFor({ timeout: 10_000 });
      // Nothing asked for a Dockerfile or a cluster: the command stopped before its first prompt.
      assert.equal(await page.locator('.quick-input-widget input.input').isVisible(), false, 'no prompt of the build command');
      await keepScreenshot(cs, 'restricted-mode');
    });

    await step('Try Task Locally explains why it is off instead of building and running', async () => {
      await runCommand(page, `${tr.nls('gridcore.category')}: ${tr.nls('gridcore.tryTask.title')}`);
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
      await expectNotification(page, tr.l10n("Try Task Locally is off in Restricted Mode: it builds the workspace's Dockerfile and runs the image on this machine. Trust this folder to turn it on."));
      assert.equal(await page.locator('.quick-input-widget input.input').isVisible(), false, 'no prompt of the trial command');
    });
  } finally {
    await vscode?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
