// The workbench's renderer at 1,000 nodes, in a real VS Code: code-server with the packaged
// extension (.vsix, as users install it) against the monitor bench's cluster (our hub with
// 1,000 heartbeating nodes and 10,000 tasks, support/cluster-child.ts), with the Clusters
// tree (Nodes expanded), the status bar, a results panel and the task dashboard open. Every
// node heartbeats once per poll interval and nothing else changes, the case issue 20
// measured: each poll then redrew 1,000 rows in the tree and in the dashboard's node table.
// Per poll: the long tasks (PerformanceObserver 'longtask', > 50 ms) in the workbench page
// and in its webview frames, and the node rows of the tree the poll touched (a
// MutationObserver on the tree's rows). The peer is the same measurement of the build this
// branch started from (`GRIDCORE_BENCH_PEER_REF`, default: the merge base with main),
// packaged from a `git archive` of it in the same invocation.
// Needs chromium and the code-server toolchain (installed into .cache on first use, or
// GRIDCORE_CODE_SERVER_CACHE).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import type { Frame, Page } from 'playwright-core';
import { packageExtension } from '../src/local/package-vsix';
import { ensureCodeServer, launchCodeServer, type CodeServer } from '../test/support/code-server';
import { answerInputBoxes, pickQuickItem, runCommand, treeRow, widenSideBar } from '../test/e2e/ui/workbench';
import { NODES, TASKS, TOKEN } from './support/cluster-size';
import { redisUrl } from './support/redis';
import type { Result } from './support/result';

const root = join(__dirname, '..');
const POLL_SECONDS = 5;
const POLLS = Number(process.env.GRIDCORE_BENCH_TREE_POLLS ?? 8);

interface Cluster {
  hubUrl: string;
  redisUrl: string;
  ask(cmd: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'cluster-child.ts'), redisUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('the cluster process ended');
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const ready = await next();
  // One command at a time: answers come back in order.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    hubUrl: String(ready.hubUrl),
    redisUrl: String(ready.redisUrl),
    ask: (cmd) => {
      const r = queue.then(() => {
        child.stdin!.write(`${cmd}\n`);
        return next();
      });
      queue = r.catch(() => undefined);
      return r;
    },
    close: async () => {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}

/** The peer: the build this branch started from, packaged from a clean copy of its files. */
async function packagePeer(): Promise<{ vsix: string; ref: string; dir: string }> {
  const ref =
    process.env.GRIDCORE_BENCH_PEER_REF ??
    spawnSync('git', ['merge-base', 'HEAD', 'main'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  if (!ref) throw new Error('no peer ref: set GRIDCORE_BENCH_PEER_REF');
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-bench-peer-'));
  const archive = spawnSync('sh', ['-c', `git -C "${root}" archive ${ref} | tar -x -C "${dir}"`], { encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return { vsix: await packageExtension(dir), ref: ref.slice(0, 7), dir };
}

// Strings, not functions: the test runner's transform names functions with a helper (__name)
// that does not exist inside the page.
const OBSERVE_LONG_TASKS = `(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask' });
  return true;
})()`;

/** Node rows of the tree touched by a mutation: (row, 100 ms slot) pairs, so one redraw of a
 *  row counts once however many of its parts changed, and a row redrawn by two polls twice. */
const OBSERVE_TREE = `(() => {
  window.__rowRedraws = new Set();
  window.__rowMutations = 0;
  const rowOf = (n) => (n && n.nodeType === 1 ? n : n && n.parentElement)?.closest?.('.monaco-list-row');
  const isNode = (row) => !!row && /host-\\d/.test(row.getAttribute('aria-label') || row.textContent || '');
  const lists = Array.from(document.querySelectorAll('.part.sidebar .pane-body .monaco-list-rows'));
  const seen = (row) => {
    window.__rowMutations++;
    window.__rowRedraws.add((row.getAttribute('data-index') || '?') + '@' + Math.floor(performance.now() / 100));
  };
  const mo = new MutationObserver((records) => {
    for (const r of records) {
      const row = rowOf(r.target);
      if (isNode(row)) seen(row);
      for (const a of r.addedNodes) {
        const added = a.nodeType === 1 && a.classList.contains('monaco-list-row') ? a : undefined;
        if (isNode(added)) seen(added);
      }
    }
  });
  for (const l of lists) mo.observe(l, { subtree: true, childList: true, characterData: true, attributes: true });
  return lists.length;
})()`;

const READ = `(() => ({ longTasks: window.__longTasks || [], rowRedraws: window.__rowRedraws ? window.__rowRedraws.size : 0, rowMutations: window.__rowMutations || 0 }))()`;

async function frameWith(page: Page, selector: string, waitMs = 60_000): Promise<Frame> {
  for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
    for (const f of page.frames()) if ((await f.locator(selector).count().catch(() => 0)) > 0) return f;
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame holds ${selector}`);
}

interface Measured {
  polls: number;
  longTasks: number[];
  webviewLongTasks: number[];
  rowRedraws: number;
  nodeRowsShown: number;
  dashboardRows: number;
}

async function measure(name: string, vsix: string, cluster: Cluster): Promise<Measured> {
  const workspace = mkdtempSync(join(tmpdir(), 'gridcore-bench-ws-'));
  writeFileSync(join(workspace, 'README.md'), '# bench\n');
  let vscode: CodeServer | undefined;
  try {
    vscode = await launchCodeServer({
      workspace,
      vsix,
      settings: { 'gridcore.pollIntervalSeconds': POLL_SECONDS, 'workbench.colorTheme': 'Default Light Modern' },
      viewport: { width: 1400, height: 900 },
    });
    const { page } = vscode;
    await page.bringToFront();
    process.stderr.write(`tree-browser: ${name}: workbench up\n`);
    await page.locator('.activitybar .action-label[aria-label^="GridCore"]').click({ timeout: 90_000 });
    await page.locator('.welcome-view-content .monaco-button', { hasText: 'Connect to a Cluster' }).click({ timeout: 60_000 });
    await answerInputBoxes(page, ['bench', cluster.hubUrl, TOKEN, cluster.redisUrl]);
    const row = treeRow(page, 'bench').first();
    await row.waitFor({ timeout: 60_000 });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
    await widenSideBar(page, 520);
    await page.locator('.part.sidebar .monaco-list-row', { hasText: /host-\d/ }).first().waitFor({ timeout: 120_000 });
    const status = page.locator('.statusbar-item', { hasText: 'task-0' });
    await status.waitFor({ timeout: 120_000 });
    await status.click();
    await pickQuickItem(page, 'Open Results');
    const results = await frameWith(page, '#results-table');
    // Results on the right, the dashboard on the left: both visible, as in issue 20's figure.
    await runCommand(page, 'View: Move Editor into Right Group');
    await runCommand(page, 'View: Focus First Editor Group');
    await status.click();
    await pickQuickItem(page, 'Open Task Dashboard');
    const dashboard = await frameWith(page, '#node-table');
    await dashboard.waitForFunction(() => document.querySelectorAll('#node-rows tr').length > 0, undefined, { timeout: 120_000 });
    process.stderr.write(`tree-browser: ${name}: tree, status bar, results panel and dashboard open\n`);

    // Heartbeats only (the run's loop), once per poll interval; let two polls settle first.
    await sleep(2 * POLL_SECONDS * 1000);
    await page.evaluate(OBSERVE_LONG_TASKS);
    for (const f of [results, dashboard]) await f.evaluate(OBSERVE_LONG_TASKS).catch(() => undefined);
    const observed = (await page.evaluate(OBSERVE_TREE)) as number;
    if (!observed) throw new Error('no tree list to observe');
    await cluster.ask('reset');
    await sleep(POLLS * POLL_SECONDS * 1000);
    const counts = (await cluster.ask('counts')) as { routes: Record<string, number> };
    const r = (await page.evaluate(READ)) as { longTasks: number[]; rowRedraws: number; rowMutations: number };
    const webview: number[] = [];
    for (const f of [results, dashboard]) webview.push(...(((await f.evaluate(READ).catch(() => ({ longTasks: [] }))) as { longTasks: number[] }).longTasks));
    const nodeRowsShown = await page.locator('.part.sidebar .monaco-list-row', { hasText: /host-\d/ }).count();
    const dashboardRows = await dashboard.locator('#node-rows tr').count();
    const polls = counts.routes['GET /api/tasks'] ?? 0;
    process.stderr.write(`tree-browser: ${name}: ${polls} polls, long tasks ${r.longTasks.map((d) => d.toFixed(0)).join(',') || 'none'}, webview ${webview.map((d) => d.toFixed(0)).join(',') || 'none'}, node row redraws ${r.rowRedraws} (${r.rowMutations} mutations)\n`);
    return { polls, longTasks: r.longTasks, webviewLongTasks: webview, rowRedraws: r.rowRedraws, nodeRowsShown, dashboardRows };
  } catch (e) {
    const shot = await vscode?.screenshot(join(tmpdir(), `gridcore-bench-tree-${name}.png`)).catch(() => undefined);
    throw new Error(`${name}: ${(e as Error).message}${shot ? `\nscreenshot: ${shot}` : ''}`);
  } finally {
    await vscode?.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

export async function run(): Promise<Result[]> {
  await ensureCodeServer();
  mkdirSync(join(root, '.cache'), { recursive: true });
  const peer = await packagePeer();
  process.stderr.write(`tree-browser: peer ${peer.ref} packaged\n`);
  const ours = await packageExtension(root);
  const oursCopy = join(peer.dir, 'ours.vsix');
  spawnSync('cp', [ours, oursCopy]);
  process.stderr.write('tree-browser: ours packaged\n');
  const cluster = await startCluster();
  // The running task (task-0) has work in its input and results in its output.
  const redis = new Redis(redisUrl);
  await redis.del('q:0:in', 'q:0:out');
  await redis.lpush('q:0:in', ...Array.from({ length: 5000 }, (_, i) => String(i)));
  await redis.lpush('q:0:out', ...Array.from({ length: 5000 }, (_, i) => String(i * i)));
  redis.disconnect();
  // Every node heartbeats once per poll interval for the whole run: the hub drops a node 60 s
  // after its last heartbeat, and a launch takes longer than that on a busy machine.
  let beating = true;
  const beats = (async () => {
    while (beating) {
      const t0 = Date.now();
      await cluster.ask('heartbeat');
      await sleep(Math.max(0, POLL_SECONDS * 1000 - (Date.now() - t0)));
    }
  })();
  try {
    const before = await measure('peer', peer.vsix, cluster);
    const after = await measure('ours', oursCopy, cluster);
    const per = (m: Measured, n: number) => (m.polls ? n / m.polls : NaN);
    const longest = (xs: number[]) => (xs.length ? Math.max(...xs).toFixed(0) : '0');
    const setup = `${NODES.toLocaleString('en-US')} nodes heartbeating once per ${POLL_SECONDS} s poll, ${TASKS.toLocaleString('en-US')} tasks; tree (Nodes expanded), status bar, results panel and task dashboard open; code-server with the packaged .vsix; ${POLLS} polls each`;
    return [
      {
        name: 'workbench long tasks per poll, 1,000 nodes',
        ours: per(after, after.longTasks.length),
        peer: per(before, before.longTasks.length),
        peerName: `${peer.ref} (the build this branch started from), same run`,
        unit: 'long tasks',
        higherIsBetter: false,
        note: `${setup}; ours ${after.longTasks.length} in ${after.polls} polls (longest ${longest(after.longTasks)} ms), peer ${before.longTasks.length} in ${before.polls} (longest ${longest(before.longTasks)} ms); the webview frames run on the workbench's thread (their observers saw ${after.webviewLongTasks.length} / ${before.webviewLongTasks.length}, the same tasks); dashboard rows ours ${after.dashboardRows}, peer ${before.dashboardRows}; goal 0 on a quiet machine`,
      },
      {
        name: 'node rows redrawn per poll, heartbeats only',
        ours: per(after, after.rowRedraws),
        peer: per(before, before.rowRedraws),
        peerName: `${peer.ref}, same run`,
        unit: 'rows',
        higherIsBetter: false,
        note: `goal 0; node rows on screen: ours ${after.nodeRowsShown}, peer ${before.nodeRowsShown} (a MutationObserver on the tree's rows)`,
      },
    ];
  } finally {
    beating = false;
    await beats.catch(() => undefined);
    await cluster.close();
    rmSync(peer.dir, { recursive: true, force: true });
  }
}
