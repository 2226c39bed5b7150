// What a user does in the GridCore view, driven through the real workbench with Playwright:
// connect a cluster from the welcome view, see nodes and tasks, watch the status bar while a
// consumer drains the running task's queue, finish the task from the context menu; in English,
// the results panel too (ui/results.ts).
// The same scenario runs in English and in zh-cn; expected texts come from the extension's
// own bundles, so the zh-cn run checks that the user reads Chinese.
import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { TestContext } from 'node:test';
import Redis from 'ioredis';
import { startHub } from '../../../src/local/hub/server';
import { launchCodeServer, type CodeServer } from '../../support/code-server';
import type { TestRedis } from '../../support/redis';
import { E2E_SECRETS } from '../secrets';
import { runDashboardSteps } from './dashboard';
import { runNodesSteps } from './nodes';
import { runResultsSteps } from './results';
import { runTrialSteps } from './trial';
import { runLocalReloadSteps } from './local-reload';
import { Texts } from './texts';
import { answerInputBoxes, expectNotification, keepScreenshot, stepWithScreenshot, treeRow, widenSideBar } from './workbench';

const repoRoot = resolve(__dirname, '..', '..', '..');
const TOKEN = E2E_SECRETS.uiToken;
const ITEMS = 120;

export interface UiScenarioOptions {
  locale: 'en' | 'zh-cn';
  workspace: string;
  /** the packaged extension, installed into code-server as users install it */
  vsix: string;
  redis: TestRedis;
  /** a Docker engine answers at DOCKER_HOST, with the base image built */
  docker?: boolean;
}

export async function runUiScenario(t: TestContext, o: UiScenarioOptions): Promise<void> {
  const tr = new Texts(repoRoot, o.locale);
  const suffix = o.locale === 'en' ? '' : `-${o.locale}`;
  let hub = await startHub({ port: 0, token: TOKEN });
  let hubUp = true;
  const redis = new Redis(o.redis.url, { maxRetriesPerRequest: 1 });
  const inQ = 'sqrt-calc:input';
  const outQ = 'sqrt-calc:output';
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(hub.url + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `POST ${path}: ${res.status}`);
    return res;
  };
  // Two nodes that heartbeat as GridNodes do, so the hub keeps them.
  const nodes: Array<{ id: string; status: string; containers: number }> = [];
  const registerNodes = async () => {
    nodes.length = 0;
    for (const n of [
      { hostname: 'gpu-box-1', architecture: 'x86_64', cpu_count: 8, status: 'Running', containers: 8 },
      { hostname: 'edge-arm-2', architecture: 'aarch64', cpu_count: 4, status: 'Running', containers: 4 },
    ]) {
      const reg = (await (await post('/gridnode/register', n)).json()) as { node_id: string };
      nodes.push({ id: reg.node_id, status: n.status, containers: n.containers });
    }
  };
  await registerNodes();
  const heartbeat = () => Promise.all(nodes.map((n) => post('/gridnode/heartbeat', { node_id: n.id, status: n.status, active_containers: n.containers })));
  await heartbeat();
  const heartbeats = setInterval(() => void heartbeat().catch(() => undefined), 5000);
  // One completed, one running (its queue filled), one pending.
  await post('/api/tasks', { name: 'warmup', image: 'busybox:e2e' });
  await post('/api/tasks/finish');
  await post('/api/tasks', { name: 'sqrt-calc', image: 'sqrt-calc:1.0', input_redis: o.redis.url, output_redis: o.redis.url, input_queue: inQ, output_queue: outQ });
  await post('/api/tasks', { name: 'resize-images', image: 'resize:2.1' });
  await redis.del(inQ, outQ);
  await redis.lpush(inQ, ...Array.from({ length: ITEMS }, (_, i) => String(i + 1)));

  let vscode: CodeServer | undefined;
  let consuming = false;
  let consumer: Promise<void> = Promise.resolve();
  try {
    vscode = await launchCodeServer({
      workspace: o.workspace,
      vsix: o.vsix,
      locale: o.locale === 'en' ? undefined : o.locale,
      settings: { 'gridcore.pollIntervalSeconds': 1, 'workbench.colorTheme': 'Default Light Modern' },
      viewport: { width: 1280, height: 760 },
    });
    const { page } = vscode;
    const cs = vscode;
    const step = stepWithScreenshot(t, cs, `failure${suffix}`);

    await step('opens the GridCore view from the activity bar and connects a cluster', async () => {
      await page.locator(`.activitybar .action-label[aria-label^="${tr.nls('gridcore.container.title')}"]`).click({ timeout: 60_000 });
      const connect = page.locator('.welcome-view-content .monaco-button', { hasText: tr.nlsLink('gridcore.clusters.welcome', 'gridcore.addCluster') });
      await connect.click({ timeout: 30_000 });
      // The walkthrough's "connect" page shows this first box.
      await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible' });
      await keepScreenshot(cs, `add-cluster${suffix}`);
      await answerInputBoxes(page, ['demo', hub.url, TOKEN, o.redis.url]);
      const cluster = treeRow(page, 'demo').first();
      await cluster.waitFor({ timeout: 30_000 });
      if ((await cluster.getAttribute('aria-expanded')) === 'false') await cluster.click();
      await widenSideBar(page, 560);
    });

    await step('shows nodes and tasks in the tree', async () => {
      await treeRow(page, 'gpu-box-1').waitFor({ timeout: 30_000 });
      await treeRow(page, 'edge-arm-2').waitFor();
      const gpu = await treeRow(page, 'gpu-box-1').innerText();
      assert.ok(gpu.includes(tr.l10n('Running')), `node row: ${gpu}`);
      assert.ok(gpu.includes(tr.l10n('{0} CPUs', 8)), `node row: ${gpu}`);
      for (const group of ['Nodes', 'Tasks', 'Queues']) await treeRow(page, tr.l10n(group)).first().waitFor();
      const running = await treeRow(page, 'sqrt-calc').first().innerText();
      assert.ok(running.includes(tr.l10n('running')), `task row: ${running}`);
      const pending = await treeRow(page, 'resize-images').innerText();
      assert.ok(pending.includes(tr.l10n('pending')), `task row: ${pending}`);
      await treeRow(page, 'warmup').waitFor();
      // Clicking a task opens its details: they fill the editor area in the screenshots.
      await treeRow(page, 'sqrt-calc').first().click();
      await page.locator('.tabs-container .tab', { hasText: 'sqrt-calc' }).first().waitFor({ timeout: 10_000 });
    });

    await step('moves the status bar as a consumer drains the queue', async () => {
      const status = page.locator('.statusbar-item', { hasText: 'sqrt-calc' });
      await status.waitFor({ timeout: 30_000 });
      consuming = true;
      consumer = (async () => {
        while (consuming) {
          const got = await redis.rpop(inQ, 4);
          if (!got?.length) break;
          await redis.lpush(outQ, ...got.map((v) => Math.sqrt(Number(v)).toFixed(6)));
          await new Promise((r) => setTimeout(r, 400));
        }
      })();
      const seen: string[] = [];
      const done = () => seen.map((s) => Number((/([\d,]+)\/[\d,]+/.exec(s) ?? [])[1]?.replace(/,/g, '') ?? NaN));
      let shot = false;
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
        const text = (await status.innerText()).trim();
        if (seen[seen.length - 1] !== text) seen.push(text);
        const d = done();
        // Mid-drain, once the polls know the rate (it is left out until they can tell): the
        // README's pictures, with the status bar's tooltip open.
        if (!shot && d[d.length - 1] >= ITEMS * 0.35 && (/\/s/.test(text) || d[d.length - 1] >= ITEMS * 0.8)) {
          shot = true;
          await keepScreenshot(vscode!, `explorer${suffix}`);
          await status.hover();
          await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
          const size = page.viewportSize()!;
          await keepScreenshot(vscode!, `status-bar${suffix}`, { x: 0, y: size.height - 260, width: 640, height: 260 });
          await page.mouse.move(size.width / 2, size.height / 2);
        }
        if (text.includes(`${ITEMS}/${ITEMS}`) || text.includes(`${(ITEMS).toLocaleString('en-US')}/${ITEMS.toLocaleString('en-US')} 100%`)) break;
        await page.waitForTimeout(300);
      }
      consuming = false;
      await consumer;
      const d = done().filter((n) => !Number.isNaN(n));
      assert.ok(new Set(d).size >= 3, `status bar did not move: ${seen.join(' | ')}`);
      assert.ok(d.every((n, i) => i === 0 || n >= d[i - 1]), `progress went back: ${seen.join(' | ')}`);
      assert.equal(d[d.length - 1], ITEMS, `status bar never reached ${ITEMS}: ${seen.join(' | ')}`);
      assert.ok(shot, 'no mid-drain screenshot');
    });

    await step('finishes the running task from the context menu', async () => {
      await treeRow(page, 'sqrt-calc').first().click({ button: 'right' });
      const item = page.getByRole('menuitem', { name: tr.nls('gridcore.finishTask.title') });
      await item.hover({ timeout: 10_000 });
      await item.press('Enter');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 10_000 });
      await dialog.locator('.monaco-button', { hasText: tr.l10n('Finish Task') }).first().click();
      await expectNotification(page, tr.l10n('Task {0} completed; task {1} started.', 'sqrt-calc', 'resize-images'));
      const tasks = (await (await fetch(`${hub.url}/api/tasks`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { current: string | null };
      assert.equal(tasks.current, 'resize-images');
      await page.waitForFunction(
        ([label, running]) =>
          Array.from(document.querySelectorAll('.pane-body .monaco-list-row')).some((r) => r.textContent?.includes(label) && r.textContent.includes(running)),
        ['resize-images', tr.l10n('running')] as const,
        { timeout: 20_000 },
      );
      await keepScreenshot(vscode!, `finished${suffix}`);
    });

    // One launch is enough for the results panel: it runs in the English pass only.
    // Before the results steps: they end with a window reload.
    if (o.locale === 'en' && o.docker) await runTrialSteps({ step, vscode, tr, workspace: o.workspace });
    if (o.locale === 'en') await runResultsSteps({ step, vscode, tr, redis, workspace: o.workspace });
    // Last: it finishes the running task to start one of its own.
    const registerTask = async (name: string, inputQueue: string, outputQueue: string) => {
      await post('/api/tasks', { name, image: `${name}:1.0`, input_redis: o.redis.url, output_redis: o.redis.url, input_queue: inputQueue, output_queue: outputQueue });
    };
    const startTask = async (name: string, inputQueue: string, outputQueue: string) => {
      await post('/api/tasks/finish');
      await registerTask(name, inputQueue, outputQueue);
    };
    // The hub closed, then started again on its port as upstream's restarts (knowing nothing):
    // its GridNodes register again (as restarted nodes do) and the task is registered again.
    const hubControl = {
      stop: async () => {
        hubUp = false;
        await hub.close();
      },
      start: async () => {
        hub = await startHub({ port: hub.port, token: TOKEN });
        hubUp = true;
        await registerNodes();
        await heartbeat();
      },
    };
    await runDashboardSteps({ step, vscode, tr, redis, startTask, registerTask, hub: hubControl, suffix });
    // After the dashboard (it watches the node table too); one launch is enough.
    if (o.locale === 'en') await runNodesSteps({ step, vscode, tr, post });
    // The local cluster outlives a Reload Window and a killed extension host (issue 22). Last:
    // starting it makes it the active cluster, which the steps above must not see.
    if (o.locale === 'en' && o.docker) await runLocalReloadSteps({ step, vscode, tr });
  } finally {
    consuming = false;
    await consumer.catch(() => undefined);
    clearInterval(heartbeats);
    await vscode?.stop();
    redis.disconnect();
    if (hubUp) await hub.close();
  }
}
