// The results panel in the real workbench: a 1,000,000-item output list (pushed straight into
// Redis), paging both ways, hostile values shown as text, a 10 MB value truncated without
// freezing the panel, an export of every item through the save dialog, and the panel brought
// back by a window reload on the same list, order, page and filter.
// The webview is two iframes deep (`iframe.webview` > `#active-frame`): the frame is found by
// what it holds, #results-table.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';
import type { Frame, Page } from 'playwright-core';
import type { CodeServer } from '../../support/code-server';
import type { Texts } from './texts';
import { expectNotification, keepScreenshot, pickQuickItem, runCommand } from './workbench';

export const RESULTS_QUEUE = 'sqrt-bulk:output';
const TOTAL = 1_000_000;
const XSS_IMG = '<img src=x onerror=alert(1)>';
const XSS_SCRIPT = '<script>alert("gridcore")</script>';
const BIG_BYTES = 10 * 1024 * 1024;
const PAGE = 200;

export interface ResultsStepsOptions {
  step(name: string, fn: () => Promise<void>): Promise<void>;
  vscode: CodeServer;
  tr: Texts;
  redis: Redis;
  workspace: string;
}

const result = (n: number) => `${n} → ${Math.sqrt(n).toFixed(6)}`;

/** A result as a container might write one: JSON around a large base64 payload, BIG_BYTES long. */
function bigValue(): string {
  const head = '{"n":0,"image":"';
  const tail = '"}';
  const body = randomBytes(BIG_BYTES).toString('base64').slice(0, BIG_BYTES - head.length - tail.length);
  return head + body + tail;
}
const num = (n: number) => n.toLocaleString('en-US');

/** TOTAL items, oldest first: numbers, then the 10 MB value, then the two markup payloads (newest). */
async function fillQueue(redis: Redis): Promise<void> {
  await redis.del(RESULTS_QUEUE);
  const numbers = TOTAL - 3;
  const perCommand = 5_000;
  const perPipeline = 20;
  for (let from = 1; from <= numbers; from += perCommand * perPipeline) {
    const p = redis.pipeline();
    for (let b = from; b < from + perCommand * perPipeline && b <= numbers; b += perCommand) {
      const values: string[] = [];
      for (let i = b; i < b + perCommand && i <= numbers; i++) values.push(result(i));
      p.lpush(RESULTS_QUEUE, ...values);
    }
    await p.exec();
  }
  await redis.lpush(RESULTS_QUEUE, bigValue(), XSS_IMG, XSS_SCRIPT);
  assert.equal(await redis.llen(RESULTS_QUEUE), TOTAL);
}

async function resultsFrame(page: Page): Promise<Frame> {
  // After a reload the panel comes back only once the extension host has activated us again,
  // which on a loaded 2-core machine has taken over 30 s.
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    for (const f of page.frames()) {
      if ((await f.locator('#results-table').count().catch(() => 0)) > 0) return f;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview frame holds #results-table; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

interface Shown {
  total: string;
  /** the "list changed by N items" notice is showing */
  notice: boolean;
  range: string;
  rows: Array<{ pos: string; value: string; meta: string; expand: boolean }>;
  markup: number;
}

// A string, not a function: the test runner's transform names functions with a helper
// (__name) that does not exist inside the page.
const READ_PANEL = `(() => ({
  total: document.querySelector('#total')?.textContent ?? '',
  notice: !!document.querySelector('#notice') && !document.querySelector('#notice').classList.contains('hidden'),
  range: document.querySelector('#range')?.textContent ?? '',
  rows: Array.from(document.querySelectorAll('#results-table .row')).map((r) => ({
    pos: r.querySelector('.pos')?.textContent ?? '',
    value: r.querySelector('.value')?.textContent ?? '',
    meta: r.querySelector('.meta')?.textContent ?? '',
    expand: !!r.querySelector('.expand'),
  })),
  markup: document.querySelectorAll('#app img, #app script, #app iframe').length,
}))()`;

function shown(frame: Frame): Promise<Shown> {
  return frame.evaluate(READ_PANEL) as Promise<Shown>;
}

async function waitForRange(frame: Frame, range: string): Promise<Shown> {
  await frame.waitForFunction(
    ([r, n]) => document.querySelector('#range')?.textContent === r && document.querySelectorAll('#results-table .row').length === n,
    [range, PAGE] as const,
    { timeout: 30_000 },
  ).catch(async (e: Error) => {
    const s = await shown(frame);
    throw new Error(`${e.message}\nrange now: ${s.range}; rows: ${s.rows.length}; error: ${await frame.locator('#error').textContent()}`);
  });
  return shown(frame);
}

async function countLines(file: string): Promise<{ lines: number; first: string; last: string }> {
  let lines = 0;
  let first = '';
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    if (!lines && !first) first = chunk.subarray(0, chunk.indexOf(10)).toString('utf8');
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    tail = Buffer.concat([tail, chunk]).subarray(-200);
  }
  const end = tail.toString('utf8').replace(/\n$/, '');
  return { lines, first, last: end.slice(end.lastIndexOf('\n') + 1) };
}

export async function runResultsSteps(o: ResultsStepsOptions): Promise<void> {
  const { page } = o.vscode;
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  let frame: Frame | undefined;
  const range = (from: number, to: number) => `${num(from)}–${num(to)} of ${num(TOTAL)}`;

  await o.step('opens a 1,000,000-item output list in the results panel', async () => {
    await fillQueue(o.redis);
    // The finish step left the notification centre open over the editor area.
    if (await page.locator('.notifications-center').isVisible()) await page.locator('[id="status.notifications"]').click();
    await runCommand(page, `${o.tr.nls('gridcore.category')}: ${o.tr.nls('gridcore.openResults.title')}`);
    await pickQuickItem(page, o.tr.l10n('Another queue…'));
    const input = page.locator('.quick-input-widget input.input');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: o.tr.l10n('Name of the Redis list') }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    await input.fill(RESULTS_QUEUE);
    await input.press('Enter');
    frame = await resultsFrame(page);
    const s = await waitForRange(frame, range(1, PAGE));
    assert.equal(s.total, o.tr.l10n('{n} items').replace('{n}', num(TOTAL)));
    assert.equal(s.rows[0].pos, '#1');
    assert.equal(s.rows[3].value, result(TOTAL - 3));
    assert.equal(s.rows[PAGE - 1].value, result(TOTAL - PAGE + 1));
    // Nothing changed: after a few polls (1 s apart here) no "list changed by 1,000,000 items".
    await page.waitForTimeout(3000);
    assert.equal((await shown(frame)).notice, false, 'a "list changed" notice on open, with nothing changed');
  });

  await o.step('shows markup values as text and never as elements', async () => {
    const s = await shown(frame!);
    assert.equal(s.rows[0].value, XSS_SCRIPT);
    assert.equal(s.rows[1].value, XSS_IMG);
    assert.equal(s.markup, 0, 'an <img>, <script> or <iframe> element was created from a value');
    assert.deepEqual(dialogs, [], 'a value ran script');
    // The README's picture: the panel across the window.
    const sideBar = page.locator('.titlebar .action-label[aria-label^="Toggle Primary Side Bar"]').first();
    await sideBar.click();
    await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
    await keepScreenshot(o.vscode, 'results');
    await sideBar.click();
  });

  await o.step('truncates the 10 MB value and stays responsive', async () => {
    const big = (await shown(frame!)).rows[2];
    assert.equal(big.meta, o.tr.l10n('{n} bytes').replace('{n}', num(BIG_BYTES)));
    assert.ok(big.value.endsWith('…') && big.value.length < 5_000, `the row shows ${big.value.length} characters`);
    assert.ok(big.expand, 'a truncated value has an Expand button');
    await frame!.locator('#results-table .row').nth(2).locator('.expand').click();
    const clipped = o.tr.l10n('(too long to show whole: Copy or Export gives the full value)');
    await frame!.waitForFunction(
      (c) => document.querySelectorAll('#results-table .row .value')[2]?.textContent?.endsWith(c),
      clipped,
      { timeout: 30_000 },
    );
    const expanded = (await shown(frame!)).rows[2].value;
    assert.ok(expanded.length > 100_000 && expanded.length < BIG_BYTES, `expanded to ${expanded.length} characters`);
    // Still answering: the pager works right after.
    await frame!.locator('#next').click();
    await waitForRange(frame!, range(PAGE + 1, 2 * PAGE));
  });

  await o.step('pages forward, back, and to the oldest end of the list', async () => {
    let s = await shown(frame!);
    assert.equal(s.rows[0].pos, `#${PAGE + 1}`);
    assert.equal(s.rows[0].value, result(TOTAL - PAGE));
    await frame!.locator('#prev').click();
    s = await waitForRange(frame!, range(1, PAGE));
    assert.equal(s.rows[0].value, XSS_SCRIPT);
    assert.ok(await frame!.locator('#prev').isDisabled(), 'Previous page is enabled on the first page');
    // The last page of the newest-first list is the first of the oldest-first one.
    await frame!.locator('#order').selectOption('oldest');
    await frame!.waitForFunction((v) => document.querySelector('#results-table .row .value')?.textContent === v, result(1), { timeout: 30_000 });
    s = await waitForRange(frame!, range(1, PAGE));
    assert.equal(s.rows[PAGE - 1].value, result(PAGE));
    await frame!.locator('#next').click();
    s = await waitForRange(frame!, range(PAGE + 1, 2 * PAGE));
    assert.equal(s.rows[0].value, result(PAGE + 1));
    await frame!.locator('#order').selectOption('newest');
    await waitForRange(frame!, range(1, PAGE));
  });

  await o.step('exports every item to a file through the save dialog', async () => {
    const file = join(o.workspace, 'sqrt-bulk-export.txt');
    assert.ok(!existsSync(file));
    await frame!.locator('#export').click();
    // VS Code in the browser asks with its own file dialog, a quick input holding the path.
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    // The dialog writes its default path into the box once it has read the folder: type after
    // that, and again if it overwrote the typing.
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('.quick-input-widget input.input')?.value.endsWith('.jsonl'), undefined, { timeout: 10_000 });
    for (let i = 0; i < 5 && (await input.inputValue()) !== file; i++) {
      await input.fill(file);
      await page.waitForTimeout(300);
    }
    assert.equal(await input.inputValue(), file);
    await input.press('Enter');
    await expectNotification(page, o.tr.l10n('Exported {n} items to {file}.').replace('{n}', num(TOTAL)).replace('{file}', file));
    const lines = await countLines(file);
    assert.equal(lines.lines, TOTAL);
    assert.equal(lines.first, XSS_SCRIPT);
    assert.equal(lines.last, result(1));
  });

  await o.step('comes back after a window reload on the same list, order, page and filter', async () => {
    // The export's notification left the notification centre open over the pager.
    if (await page.locator('.notifications-center').isVisible()) await page.locator('[id="status.notifications"]').click();
    await frame!.locator('#order').selectOption('oldest');
    await waitForRange(frame!, range(1, PAGE));
    await frame!.locator('#next').click();
    await waitForRange(frame!, range(PAGE + 1, 2 * PAGE));
    await frame!.locator('#search').fill('399');
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    frame = await resultsFrame(page);
    const s = await waitForRange(frame, range(PAGE + 1, 2 * PAGE));
    assert.equal(await frame.locator('#title').textContent(), `demo · ${RESULTS_QUEUE}`);
    assert.equal(await frame.locator('#order').inputValue(), 'oldest');
    assert.equal(await frame.locator('#search').inputValue(), '399');
    assert.ok(s.rows.some((r) => r.value === result(399)), 'the filtered page holds item 399');
    assert.equal(s.rows[0].pos, `#${PAGE + 1}`);
  });
}
