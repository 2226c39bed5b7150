// 1,000 heartbeating nodes in the real workbench (issue 20): with the tree's Nodes expanded
// and the task dashboard open, polls that bring only new heartbeats change no node row,
// neither in the tree nor in the dashboard's node table (MutationObservers on both), while
// the polls go on (the dashboard's "updated" time moves). The large list is split by status
// with its count. Runs last in the English UI scenario, on its hub.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import type { CodeServer } from '../../support/code-server';
import type { Texts } from './texts';
import { treeRow } from './workbench';

export interface NodesStepsOptions {
  step(name: string, fn: () => Promise<void>): Promise<void>;
  vscode: CodeServer;
  tr: Texts;
  /** POST to the scenario's hub (JSON body), as a GridNode calls it. */
  post(path: string, body: unknown): Promise<Response>;
}

const COUNT = 1000;

// Strings, not functions: the test runner's transform names functions with a helper (__name)
// that does not exist inside the page.
const OBSERVE_TREE = `(() => {
  window.__nodeRowMutations = [];
  const rowOf = (n) => (n && n.nodeType === 1 ? n : n && n.parentElement)?.closest?.('.monaco-list-row');
  const isNode = (row) => !!row && /rack-\\d|gpu-box-1|edge-arm-2/.test(row.getAttribute('aria-label') || row.textContent || '');
  const mo = new MutationObserver((records) => {
    for (const r of records) {
      const rows = [rowOf(r.target), ...Array.from(r.addedNodes).filter((a) => a.nodeType === 1 && a.classList.contains('monaco-list-row'))];
      for (const row of rows) {
        if (!isNode(row)) continue;
        const t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        window.__nodeRowMutations.push([(row.getAttribute('aria-label') || row.textContent || '').slice(0, 12), r.type, r.attributeName || '', t && t.className || ''].join(' | '));
      }
    }
  });
  const lists = Array.from(document.querySelectorAll('.part.sidebar .pane-body .monaco-list-rows'));
  for (const l of lists) mo.observe(l, { subtree: true, childList: true, characterData: true, attributes: true });
  return lists.length;
})()`;

const OBSERVE_TABLE = `(() => {
  window.__nodeRowMutations = [];
  const body = document.querySelector('#node-rows');
  new MutationObserver((records) => { for (const r of records) window.__nodeRowMutations.push(r.type); })
    .observe(body, { subtree: true, childList: true, characterData: true, attributes: true });
  return body.children.length;
})()`;

const READ = `window.__nodeRowMutations`;

async function dashboardFrame(page: Page): Promise<Frame | undefined> {
  for (const f of page.frames()) if ((await f.locator('#node-table').count().catch(() => 0)) > 0) return f;
  return undefined;
}

export async function runNodesSteps(o: NodesStepsOptions): Promise<void> {
  const { page } = o.vscode;
  const ids: string[] = [];
  const beatAll = async () => {
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => o.post('/gridnode/heartbeat', { node_id: id, status: 'Running', active_containers: 2 })));
    }
  };
  await o.step('1,000 heartbeating nodes: split by status with counts, and heartbeats change no row', async () => {
    for (let i = 0; i < COUNT; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, COUNT - i) }, (_, k) =>
          o.post('/gridnode/register', { hostname: `rack-${i + k}`, architecture: 'x86_64', cpu_count: 4 }).then((r) => r.json() as Promise<{ node_id: string }>),
        ),
      );
      // A GridNode's first heartbeat comes at once: the hub drops a node 60 s after its last
      // (or its registration), and registering 1,000 takes longer on a busy machine.
      await Promise.all(batch.map((b) => o.post('/gridnode/heartbeat', { node_id: b.node_id, status: 'Running', active_containers: 2 })));
      ids.push(...batch.map((b) => b.node_id));
    }
    await beatAll();
    // Nothing left open over the workbench by an earlier step.
    if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
    if (!(await page.locator('.part.sidebar').isVisible())) {
      await page.locator(`.activitybar .action-label[aria-label^="${o.tr.nls('gridcore.container.title')}"]`).click();
    }
    const cluster = treeRow(page, 'demo').first();
    if ((await cluster.getAttribute('aria-expanded')) === 'false') await cluster.click();
    // The status level, with its count (the 1,000 new nodes and the scenario's own), with separators.
    const running = treeRow(page, o.tr.l10n('Running')).filter({ hasText: /^\s*\S+\s*1,0\d\d\s*$/ });
    // A busy machine takes a while to list 1,000 new nodes (registered, then heartbeating).
    await running.first().waitFor({ timeout: 150_000 });
    // Natural order: rack-2 before rack-10.
    const labels = await page.locator('.part.sidebar .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    const racks = labels.filter((l) => /^rack-\d+/.test(l)).map((l) => l.split(/[ ,]/)[0]);
    assert.ok(racks.length >= 5, `rack rows on screen: ${racks.join(' ')}`);
    assert.deepEqual(racks.slice(0, 3), ['rack-0', 'rack-1', 'rack-2'], `natural order: ${racks.join(' ')}`);
    // Two polls (1 s) for everything to settle, the pointer off the tree (a hover shows a
    // tooltip), then watch the rows while every node heartbeats.
    const size = page.viewportSize()!;
    await page.mouse.move(size.width - 20, size.height / 2);
    await page.waitForTimeout(2500);
    assert.ok(((await page.evaluate(OBSERVE_TREE)) as number) > 0, 'the tree list to observe');
    const dashboard = await dashboardFrame(page);
    const tableRows = dashboard ? ((await dashboard.evaluate(OBSERVE_TABLE)) as number) : 0;
    const updated = dashboard ? await dashboard.locator('#updated').textContent() : undefined;
    for (let k = 0; k < 3; k++) {
      await beatAll();
      await page.waitForTimeout(1500);
    }
    const treeMutations = (await page.evaluate(READ)) as string[];
    const kinds = new Map<string, number>();
    for (const m of treeMutations) kinds.set(m, (kinds.get(m) ?? 0) + 1);
    assert.deepEqual([...kinds.entries()].slice(0, 8), [], `${treeMutations.length} node row mutations in the tree (row | type | attribute | element class)`);
    if (dashboard) {
      assert.ok(tableRows >= COUNT, `the dashboard lists every node: ${tableRows}`);
      assert.notEqual(await dashboard.locator('#updated').textContent(), updated, 'the dashboard was updated meanwhile: the polls went on');
      const tableMutations = (await dashboard.evaluate(READ)) as string[];
      assert.equal(tableMutations.length, 0, `the dashboard's node table changed: ${tableMutations.slice(0, 5).join(', ')}`);
    }
  });
}
