// Try Task Locally from the Dockerfile's title menu, as a user clicks it: a task folder whose
// consumer is fine, but whose cluster ("demo", not local) hands containers a Redis URL on
// 127.0.0.1, which a container on the nodes' bridge network cannot reach. The trial runs it the
// way those nodes would, streams the container's lines and reports the finding: the README's
// picture of a trial.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CodeServer } from '../../support/code-server';
import type { Texts } from './texts';
import { expectNotification, keepScreenshot, pickQuickItem } from './workbench';

const repoRoot = resolve(__dirname, '..', '..', '..');

export interface TrialStepsOptions {
  step(name: string, fn: () => Promise<void>): Promise<void>;
  vscode: CodeServer;
  tr: Texts;
  workspace: string;
}

export async function runTrialSteps(o: TrialStepsOptions): Promise<void> {
  const { page } = o.vscode;
  await o.step('tries the task from the Dockerfile title menu: live log, report with a finding', async () => {
    const dir = join(o.workspace, 'square-task');
    mkdirSync(dir, { recursive: true });
    const template = join(repoRoot, 'media', 'templates', 'shell-square');
    writeFileSync(join(dir, 'consumer.sh'), readFileSync(join(template, 'consumer.sh'), 'utf8').split('{{TASK_NAME}}').join('square-task'));
    writeFileSync(join(dir, 'Dockerfile'), readFileSync(join(template, 'Dockerfile'), 'utf8').split('{{TASK_NAME}}').join('square-task'));

    await page.locator('.monaco-workbench').press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('square-task/Dockerfile');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dockerfile' }).first().waitFor({ timeout: 20_000 });
    await input.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'Dockerfile' }).first().waitFor({ timeout: 10_000 });

    await page.locator(`.editor-actions .action-label[aria-label="${o.tr.nls('gridcore.tryTask.title')}"]`).first().click({ timeout: 10_000 });
    await pickQuickItem(page, o.tr.l10n('Numbers 1..{n}').replace('{n}', '10'));
    // the range box replaces the pick in the same widget, with 1..<sample size> filled in
    await page.waitForFunction(() => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value === '1..10', null, { timeout: 10_000 });
    await page.locator('.quick-input-widget input.input').press('Enter');

    // the report opens as a markdown preview (trial/<id>.md) once the trial is over
    await page.locator('.tabs-container .tab.active', { hasText: /Preview [a-z0-9]+-[0-9a-f]{6}\.md/ }).first().waitFor({ timeout: 120_000 });
    const output = page.locator('.part.panel .view-lines');
    await output.filter({ hasText: '[0 stderr]' }).first().waitFor({ timeout: 10_000 });
    // Earlier steps leave the notification centre open: close it, so the live log shows.
    if (await page.locator('.notifications-center').isVisible()) await page.locator('[id="status.notifications"]').click();
    const size = page.viewportSize()!;
    await page.mouse.move(size.width / 2, size.height / 2);
    await page.waitForTimeout(2500); // the preview renders
    await keepScreenshot(o.vscode, 'trial');
    await expectNotification(page, 'Trial of gridcore-task/square-task:latest');
    await expectNotification(page, '127.0.0.1');
  });
}
