import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultsSession, MAX_PAGE } from '../../src/views/results/session';
import { FakeQueues, arrayList } from '../support/fake-queues';

const signal = { isCancellationRequested: false };

test('pages newest and oldest first with 1-based positions and the total', async () => {
  const q = new FakeQueues({ out: arrayList(['e', 'd', 'c', 'b', 'a']) });
  const s = new ResultsSession(q, 'out');
  const newest = await s.page('newest', 0, 2);
  assert.equal(newest.total, 5);
  assert.deepEqual(newest.rows.map((r) => [r.position, r.value, r.index]), [[1, 'e', 0], [2, 'd', 1]]);
  const oldest = await s.page('oldest', 2, 2);
  assert.deepEqual(oldest.rows.map((r) => [r.position, r.value, r.index]), [[3, 'c', 2], [4, 'd', 1]]);
});

test('a 1,000,000-item list: the first page reads one page only', async () => {
  const q = new FakeQueues({ out: { length: 1_000_000, at: (i) => `item-${1_000_000 - i}` } });
  const s = new ResultsSession(q, 'out');
  const p = await s.page('newest', 0, 200);
  assert.equal(p.total, 1_000_000);
  assert.equal(p.rows.length, 200);
  assert.equal(p.rows[0].value, 'item-1000000');
  assert.equal(q.reads, 200);
  const last = await s.page('oldest', 0, 1);
  assert.equal(last.rows[0].value, 'item-1');
});

test('page size and offset are clamped whatever the webview sends', async () => {
  const q = new FakeQueues({ out: { length: 5000, at: (i) => String(i) } });
  const s = new ResultsSession(q, 'out');
  assert.equal((await s.page('newest', 0, 1e9)).rows.length, MAX_PAGE);
  assert.equal((await s.page('newest', -5, 1)).offset, 0);
});

test('expand follows items pushed since the page loaded and reports a rewritten list', async () => {
  const big = 'x'.repeat(5000);
  const values = [big + 'A', 'b'];
  const q = new FakeQueues({ out: arrayList(values) });
  const s = new ResultsSession(q, 'out');
  const page = await s.page('newest', 0, 10);
  const row = page.rows[0];
  assert.equal(row.truncated, true);
  values.unshift('new1', 'new2');
  const item = await s.item(row.index, page.total, row.value.slice(0, 200));
  assert.equal(item.missing, false);
  assert.equal(item.value, big + 'A');
  assert.equal(item.length, 5001);
  values.splice(0, values.length, 'z');
  const gone = await s.item(row.index, page.total, row.value.slice(0, 200));
  assert.equal(gone.missing, true);
});

test('server-side search reports progress, matches by newest position, and stops on cancel', async () => {
  const q = new FakeQueues({ out: { length: 5000, at: (i) => (i % 1000 === 7 ? `hit ${i}` : `miss ${i}`) } });
  const s = new ResultsSession(q, 'out');
  const progress: number[] = [];
  const r = await s.search('hit', signal, (scanned) => progress.push(scanned));
  assert.equal(r.complete, true);
  assert.equal(r.scanned, 5000);
  assert.deepEqual(r.rows.map((x) => x.position), [8, 1008, 2008, 3008, 4008]);
  assert.ok(progress.length >= 2);
  const cancelled = await s.search('hit', { isCancellationRequested: true }, () => {});
  assert.equal(cancelled.complete, false);
});
