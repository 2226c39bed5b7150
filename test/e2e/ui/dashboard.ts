// The task dashboard in the real workbench, during a running job: opened from the status
// bar's click menu (English) or the task's context menu (zh-cn), its chart gains points as a
// consumer drains the queue, its node table says what the tree says, and a window reload
// brings it back with its history. Runs last in the UI scenario, on a task of its own.
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import type { Frame, Page } from 'playwright-core';
import type { CodeServer } from '../../support/code-server';
import type { Texts } from './texts';
import { keepScreenshot, pickQuickItem, runCommand, treeRow } from './workbench';

export interface DashboardStepsOptions {
  step(name: string, fn: () => Promise<void>): Promise<void>;
  vscode: CodeServer;
  tr: Texts;
  redis: Redis;
  /** Registers and starts a task on the scenario's hub. */
  startTask(name: string, inputQueue: string, outputQueue: string): Promise<void>;
  suffix: string;
}

const TASK = 'sqrt-live';
const IN = `${TASK}:input`;
const OUT = `${TASK}:output`;
const ITEMS = 400;

/** `waitMs`: after a reload the extension host activates first (slow on a loaded machine). */
async function dashboardFrame(page: Page, waitMs = 30_000): Promise<Frame> {
  for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
    for (const f of page.frames()) {
      if ((await f.locator('#node-table').count().catch(() => 0)) > 0) return f;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview frame holds #node-table; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

const points = async (frame: Frame) => Number((await frame.locator('#charts').getAttribute('data-points')) ?? 0);

async function waitForPoints(frame: Frame, atLeast: number): Promise<number> {
  await frame.waitForFunction((n) => Number(document.querySelector('#charts')?.getAttribute('data-points') ?? 0) >= n, atLeast, { timeout: 60_000 });
  return points(frame);
}

/** The tree beside the dashboard, to compare what both say (and as the bench has it: tree, status bar, dashboard). */
async function showTree(page: Page, tr: Texts): Promise<void> {
  // Clicking the activity bar icon hides a side bar that is showing: click only when it is not.
  if (!(await page.locator('.part.sidebar').isVisible())) {
    await page.locator(`.activitybar .action-label[aria-label^="${tr.nls('gridcore.container.title')}"]`).click();
  }
  const cluster = treeRow(page, 'demo').first();
  await cluster.waitFor({ timeout: 60_000 });
  if ((await cluster.getAttribute('aria-expanded')) === 'false') await cluster.click();
  await treeRow(page, 'gpu-box-1').first().waitFor({ timeout: 60_000 });
}

export async function runDashboardSteps(o: DashboardStepsOptions): Promise<void> {
  const { page } = o.vscode;
  let frame: Frame | undefined;
  let consuming = true;
  let consumer: Promise<void> = Promise.resolve();
  try {
    await o.step('opens the task dashboard of a running job', async () => {
      if (await page.locator('.notifications-center').isVisible()) await page.locator('[id="status.notifications"]').click();
      await o.redis.del(IN, OUT);
      await o.startTask(TASK, IN, OUT);
      await o.redis.lpush(IN, ...Array.from({ length: ITEMS }, (_, i) => String(i + 1)));
      await showTree(page, o.tr);
      await page.waitForFunction((name) => Array.from(document.querySelectorAll('.pane-body .monaco-list-row')).some((r) => r.textContent?.includes(name)), TASK, { timeout: 30_000 });
      consumer = (async () => {
        while (consuming) {
          const got = await o.redis.rpop(IN, 3);
          if (!got?.length) break;
          await o.redis.lpush(OUT, ...got.map((v) => Math.sqrt(Number(v)).toFixed(6)));
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      if (o.tr.locale === 'en') {
        // The status bar's click menu.
        const status = page.locator('.statusbar-item', { hasText: TASK });
        await status.waitFor({ timeout: 30_000 });
        await status.click();
        await pickQuickItem(page, o.tr.l10n('Open Task Dashboard'));
      } else {
        // The task's context menu in the tree.
        await treeRow(page, TASK).first().click({ button: 'right' });
        const item = page.getByRole('menuitem', { name: o.tr.nls('gridcore.openDashboard.title') });
        await item.hover({ timeout: 10_000 });
        await item.press('Enter');
      }
      frame = await dashboardFrame(page);
      assert.equal(await frame.locator('#title').textContent(), `${TASK} · demo`);
      await frame.locator('#figures dd').first().waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('#state').textContent(), o.tr.l10n('running'));
      assert.equal(await frame.locator('#progress-title').textContent(), o.tr.l10n('Progress'));
    });

    await o.step('the chart gains points and the node table matches the tree', async () => {
      const first = await waitForPoints(frame!, 2);
      const later = await waitForPoints(frame!, first + 3);
      assert.ok(later >= first + 3, `chart points ${first} -> ${later}`);
      const rows = await frame!.locator('#node-rows tr').evaluateAll((trs) => trs.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent ?? '')));
      assert.deepEqual(rows.map((r) => r[0]), ['edge-arm-2', 'gpu-box-1']);
      for (const [hostname, arch, cpus, status, containers] of rows) {
        const tree = await treeRow(page, hostname).first().innerText();
        for (const part of [arch, o.tr.l10n('{0} CPUs', cpus), status, o.tr.l10n('{0} containers', containers)]) {
          assert.ok(tree.includes(part), `tree row "${tree}" lacks "${part}" from the dashboard`);
        }
      }
      // Mid-run, beside the tree and the status bar: the README's picture (no tree tooltip over it).
      const size = page.viewportSize()!;
      await page.mouse.move(size.width - 20, size.height / 2);
      await frame!.waitForFunction(() => !!document.querySelector('#figures dd.rate'), undefined, { timeout: 20_000 }).catch(() => undefined);
      await keepScreenshot(o.vscode, `dashboard${o.suffix}`);
    });

    await o.step('comes back after a window reload with its history', async () => {
      const before = await points(frame!);
      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await runCommand(page, 'Developer: Reload Window');
      await reloaded;
      frame = await dashboardFrame(page, 120_000);
      assert.equal(await frame.locator('#title').textContent(), `${TASK} · demo`);
      // The history the webview kept is drawn at once, before any new poll.
      const restored = await waitForPoints(frame, before);
      assert.ok(restored >= before, `after the reload ${restored} points, before ${before}`);
      await showTree(page, o.tr);
      await waitForPoints(frame, restored + 2);
    });
  } finally {
    consuming = false;
    await consumer.catch(() => undefined);
  }
}
