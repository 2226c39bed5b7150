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
  /** Registers a task (the first one on a hub that has none runs at once). */
  registerTask(name: string, inputQueue: string, outputQueue: string): Promise<void>;
  /** The scenario's hub: closed, and started again on its port (knowing nothing, as upstream's
   *  after a restart) with its nodes registered again. */
  hub: { stop(): Promise<void>; start(): Promise<void> };
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

/** The Done figure ("1,234 (50%)"), or undefined while the dashboard shows no figures. */
async function doneCount(frame: Frame): Promise<number | undefined> {
  const dd = frame.locator('#figures dd.done');
  if (!(await dd.count())) return undefined;
  const text = (await dd.first().textContent()) ?? '';
  return Number(text.split('(')[0].replace(/\D/g, ''));
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
  /** A consumer's work on the task's queue: a few items at a time until it is empty or stopped. */
  const consume = (batch: number) => {
    consuming = true;
    consumer = (async () => {
      while (consuming) {
        const got = await o.redis.rpop(IN, batch);
        if (!got?.length) break;
        await o.redis.lpush(OUT, ...got.map((v) => Math.sqrt(Number(v)).toFixed(6)));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
  };
  const stopConsuming = async () => {
    consuming = false;
    await consumer.catch(() => undefined);
  };
  try {
    await o.step('opens the task dashboard of a running job', async () => {
      if (await page.locator('.notifications-center').isVisible()) await page.locator('[id="status.notifications"]').click();
      await o.redis.del(IN, OUT);
      await o.startTask(TASK, IN, OUT);
      await o.redis.lpush(IN, ...Array.from({ length: ITEMS }, (_, i) => String(i + 1)));
      await showTree(page, o.tr);
      await page.waitForFunction((name) => Array.from(document.querySelectorAll('.pane-body .monaco-list-row')).some((r) => r.textContent?.includes(name)), TASK, { timeout: 30_000 });
      consume(3);
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

    // Issue 21, item 4: the hub goes away while the dashboard is open. The panel says so (not
    // the last state, nodes and ETA as if current), and when the hub answers again it picks up
    // by itself, in the same tab, with live figures.
    await o.step('says the cluster is unreachable while the hub is down, and resumes in the same tab when it is back', async () => {
      const f = frame!;
      const title = o.tr.l10n('Dashboard: {task}').replace('{task}', TASK);
      const tabs = page.locator('.tabs-container .tab', { hasText: title });
      assert.equal(await tabs.count(), 1, `one dashboard tab before the outage`);
      // Items left for after the outage, nobody taking them meanwhile: the figures must move
      // once the dashboard is back, not only show what was there.
      await stopConsuming();
      await o.redis.lpush(IN, ...Array.from({ length: 60 }, (_, i) => String(ITEMS + i + 1)));
      await f.waitForFunction((t) => document.querySelector('#state')?.textContent === t, o.tr.l10n('running'), { timeout: 30_000 });
      await f.locator('#node-rows tr').first().waitFor({ timeout: 30_000 });

      await o.hub.stop();
      const unreachable = o.tr.l10n('cluster unreachable');
      await f.waitForFunction((t) => document.querySelector('#state')?.textContent === t, unreachable, { timeout: 90_000 }).catch(async (e) => {
        throw new Error(`${(e as Error).message}\nstate: ${await f.locator('#state').textContent()}; problem: ${await f.locator('#problem').textContent()}`);
      });
      const [before, after] = o.tr.l10n('The cluster is unreachable: {0} The dashboard reconnects by itself when the hub answers again.').split('{0}');
      const problem = f.locator('#problem');
      assert.ok(await problem.isVisible(), 'the notice is shown');
      const said = (await problem.textContent()) ?? '';
      assert.ok(said.startsWith(before.trim()) && said.endsWith(after.trim()), `notice: ${said}`);
      // Nothing the hub said before is shown as current: no figures, no node rows, no running badge.
      assert.equal(await f.locator('#figures dd').count(), 0, 'no progress figures while the hub is down');
      assert.equal(await f.locator('#node-rows tr').count(), 0, 'no node rows while the hub is down');
      assert.equal(await f.locator('#state.running').count(), 0, 'the state badge is not the running one');
      await keepScreenshot(o.vscode, `dashboard-unreachable${o.suffix}`);

      await o.hub.start();
      await o.registerTask(TASK, IN, OUT);
      // The poller backs off while the hub is down (up to a minute): give it that long.
      await f.waitForFunction((t) => document.querySelector('#state')?.textContent === t, o.tr.l10n('running'), { timeout: 120_000 });
      await f.waitForFunction(() => document.querySelector('#problem')?.classList.contains('hidden') && !!document.querySelector('#figures dd.done'), undefined, { timeout: 30_000 });
      await f.waitForFunction(() => document.querySelectorAll('#node-rows tr').length === 2, undefined, { timeout: 30_000 });
      const resumed = await doneCount(f);
      assert.ok(resumed !== undefined && resumed > 0, `Done after the reconnect: ${resumed}`);
      // Live again: a consumer takes the items left, and the same panel's figures follow.
      consume(2);
      await f.waitForFunction((n) => Number((document.querySelector('#figures dd.done')?.textContent ?? '').split('(')[0].replace(/\D/g, '')) > n, resumed, { timeout: 60_000 });
      assert.ok(!f.isDetached(), 'the same webview as before the outage');
      assert.equal(await tabs.count(), 1, 'still one dashboard tab');
    });
  } finally {
    await stopConsuming();
  }
}
