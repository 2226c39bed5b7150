// The webview script driven through a fake DOM, answered by the real host-side session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResultsView, fill, type MiniDocument } from '../../media/src/results-view';
import { ResultsSession } from '../../src/views/results/session';
import type { HostMessage, ResultsResponseBody, ResultsStrings, WebviewMessage, WebviewState } from '../../src/views/results/protocol';
import { FakeDocument, type FakeElement } from '../support/fake-dom';
import { FakeQueues, arrayList, type FakeList } from '../support/fake-queues';

const strings = new Proxy({} as ResultsStrings, { get: (_t, k) => (k === 'total' ? '{n} items' : k === 'bytes' ? '{n} bytes' : k === 'error' ? 'E: {message}' : String(k)) });

/** the host clock the harness's pages are read at */
const PAGE_READ_AT = 10;

async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function harness(list: FakeList, saved?: WebviewState) {
  const doc = new FakeDocument();
  const session = new ResultsSession(new FakeQueues({ out: list }), 'out');
  const sent: WebviewMessage[] = [];
  let state: unknown = saved;
  const copied: string[] = [];
  const view: ResultsView = new ResultsView(doc as unknown as MiniDocument, {
    getState: () => state,
    setState: (s) => (state = s),
    postMessage(m) {
      sent.push(m);
      if (m.type !== 'request') return;
      const r = m.request;
      const answer = async (): Promise<ResultsResponseBody> => {
        if (r.kind === 'page') return { ...(await session.page(r.order, r.offset, r.count)), at: PAGE_READ_AT };
        if (r.kind === 'item') return session.item(r.index, r.totalAtLoad, r.prefix);
        if (r.kind === 'search') return session.search(r.needle, { isCancellationRequested: false }, () => {});
        if (r.kind === 'copy') {
          copied.push((await session.fullValue(r.index, r.totalAtLoad, r.prefix)).value!);
          return { done: true };
        }
        return { done: true };
      };
      void answer().then(
        (body) => view.onMessage({ type: 'response', id: m.id, ok: true, body }),
        (e: Error) => view.onMessage({ type: 'response', id: m.id, ok: false, error: e.message }),
      );
    },
  });
  const send = (m: HostMessage) => view.onMessage(m);
  const byId = (id: string) => doc.getElementById(id) as FakeElement;
  const rows = () => byId('results-table').byClass('row').filter((r) => !r.classList.contains('hidden'));
  return { doc, view, sent, send, byId, rows, copied, state: () => state as WebviewState };
}

async function started(list: FakeList, saved?: WebviewState) {
  const h = harness(list, saved);
  h.view.start();
  assert.deepEqual(h.sent[0], { type: 'ready' });
  await h.send({ type: 'init', state: { cluster: 'local', queue: 'out', pageSize: 50, strings } });
  await settle();
  return h;
}

test('a markup value is shown as text, never parsed', async () => {
  const xss = '<img src=x onerror=alert(1)>';
  const h = await started(arrayList([xss, '<script>alert(2)</script>', '{"html":"<b>x</b>"}']));
  const values = h.rows().map((r) => r.byClass('value')[0].textContent);
  assert.deepEqual(values.slice(0, 2), [xss, '<script>alert(2)</script>']);
  assert.match(values[2], /"html": "<b>x<\/b>"/);
  assert.ok(!h.doc.created.some((e) => ['img', 'script', 'b'].includes(e.tagName)), 'no element made from data');
});

test('the webview sources never use an HTML parser', () => {
  for (const f of readdirSync('media/src')) {
    const src = readFileSync(join('media/src', f), 'utf8');
    assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/, f);
  }
});

test('first page of a 1,000,000-item list, the total, and paging', async () => {
  const h = await started({ length: 1_000_000, at: (i) => `v${i}` });
  assert.equal(h.rows().length, 50);
  assert.equal(h.byId('total').textContent, (1_000_000).toLocaleString() + ' items');
  assert.equal(h.byId('prev').hasAttribute('disabled'), true);
  h.byId('next').click();
  await settle();
  assert.equal(h.rows()[0].byClass('value')[0].textContent, 'v50');
  assert.equal(h.rows()[0].byClass('pos')[0].textContent, '#51');
  h.byId('more').click();
  await settle();
  assert.equal(h.rows().length, 100);
  assert.equal(h.state().offset, 50);
});

test('keyboard: arrows move the selection, Enter expands a truncated value', async () => {
  const long = 'L'.repeat(3000);
  const h = await started(arrayList(['a', long, 'c']));
  const table = h.byId('results-table');
  const key = (k: string) => table.dispatch('keydown', { key: k });
  assert.equal(h.rows()[0].getAttribute('aria-selected'), 'true');
  key('ArrowDown');
  assert.equal(h.rows()[1].getAttribute('aria-selected'), 'true');
  assert.equal(h.rows()[1].getAttribute('tabindex'), '0');
  assert.equal(h.doc.activeElement, h.rows()[1]);
  const value = h.rows()[1].byClass('value')[0];
  assert.equal(value.textContent.length, 2001, 'preview plus an ellipsis');
  key('Enter');
  await settle();
  assert.equal(value.textContent, long);
  assert.deepEqual(h.state().expanded, [1]);
  key('Enter');
  await settle();
  assert.equal(value.textContent.length, 2001);
  key('End');
  assert.equal(h.rows()[2].getAttribute('aria-selected'), 'true');
  key('Home');
  assert.equal(h.state().selected, 0);
});

test('filter within loaded rows, then a server-side search through the whole list', async () => {
  const h = await started({ length: 500, at: (i) => (i === 420 ? 'needle-far' : i === 3 ? 'needle-near' : `hay ${i}`) });
  const search = h.byId('search');
  search.value = 'needle';
  search.dispatch('input');
  assert.deepEqual(h.rows().map((r) => r.byClass('value')[0].textContent), ['needle-near']);
  search.dispatch('keydown', { key: 'Enter' });
  await settle();
  assert.deepEqual(h.rows().map((r) => r.byClass('value')[0].textContent), ['needle-near', 'needle-far']);
  assert.equal(h.rows()[1].byClass('pos')[0].textContent, '#421');
});

test('copy asks the host for the whole value; live count shows a notice', async () => {
  const long = 'C'.repeat(4000);
  const h = await started(arrayList([long]));
  h.rows()[0].byClass('copy')[0].click();
  await settle();
  assert.deepEqual(h.copied, [long]);
  await h.send({ type: 'count', total: 3, running: true });
  assert.equal(h.byId('total').textContent, '3 items');
  assert.equal(h.byId('notice').classList.contains('hidden'), false);
  assert.equal(h.byId('live').classList.contains('hidden'), false);
});

test('no "list changed" notice on open: counts polled before the page was read, or while it loads, say nothing', async () => {
  // A 50,000-item list; the host's poll posts its count while the first page loads.
  const items = Array.from({ length: 50_000 }, (_, i) => `r${i}`);
  const h = harness(arrayList(items));
  h.view.start();
  await h.send({ type: 'count', total: 50_000, running: false, at: 1 });
  const init = h.send({ type: 'init', state: { cluster: 'local', queue: 'out', pageSize: 50, strings } });
  await h.send({ type: 'count', total: 50_000, running: false, at: 20 }); // while the page loads
  await init;
  await settle();
  assert.equal(h.byId('total').textContent, '50,000 items');
  assert.equal(h.byId('notice').classList.contains('hidden'), true, 'no "changed by 50,000" on open');
  // a stale count (polled before the page's read) changes nothing either
  await h.send({ type: 'count', total: 49_000, running: false, at: PAGE_READ_AT - 1 });
  assert.equal(h.byId('notice').classList.contains('hidden'), true);
  assert.equal(h.byId('total').textContent, '50,000 items');
  // a real change after the page: the notice, with the difference
  await h.send({ type: 'count', total: 50_010, running: true, at: PAGE_READ_AT + 5 });
  assert.equal(h.byId('notice').classList.contains('hidden'), false);
  assert.equal(h.byId('notice').textContent, 'newItems');
});

test('state comes back after the webview is recreated', async () => {
  const h = await started({ length: 1000, at: (i) => `v${i}` }, { cluster: 'local', queue: 'out', order: 'oldest', offset: 100, filter: '', selected: 2, expanded: [] });
  assert.equal(h.rows()[0].byClass('value')[0].textContent, 'v899');
  assert.equal(h.rows()[2].getAttribute('aria-selected'), 'true');
  const req = h.sent.find((m) => m.type === 'request');
  assert.deepEqual(req && req.type === 'request' && req.request, { kind: 'page', order: 'oldest', offset: 100, count: 50 });
});

test('the saved state names the list and keeps order, page and filter: what a reload restores', async () => {
  const h = harness({ length: 1000, at: (i) => `v${i}` });
  h.view.start();
  await h.send({ type: 'init', state: { cluster: 'local', queue: 'out', inputQueue: 'in', pageSize: 50, strings } });
  await settle();
  h.byId('order').value = 'oldest';
  h.byId('order').dispatch('change');
  await settle();
  h.byId('next').click();
  await settle();
  const search = h.byId('search');
  search.value = 'v9';
  search.dispatch('input');
  assert.deepEqual(
    { ...h.state(), selected: undefined, expanded: undefined },
    { cluster: 'local', queue: 'out', inputQueue: 'in', order: 'oldest', offset: 50, filter: 'v9', selected: undefined, expanded: undefined },
  );
});

test('the list is saved before its first page, so a panel whose list failed still comes back', async () => {
  const h = harness({ length: 1, at: () => 'x' }, { cluster: 'old', queue: 'q', order: 'oldest', offset: 200, filter: 'f', selected: 0, expanded: [] });
  h.view.start();
  const init = h.send({ type: 'init', state: { cluster: 'c', queue: 'out', pageSize: 10, strings } });
  assert.equal(h.state().cluster, 'c');
  assert.equal(h.state().queue, 'out');
  assert.equal(h.state().offset, 200, 'the page offset to restore is kept');
  const req = h.sent.at(-1)!;
  await h.send({ type: 'response', id: req.type === 'request' ? req.id : 0, ok: false, error: 'down' });
  await init;
  assert.equal(h.state().offset, 200);
});

test('errors from the host are shown, as text', async () => {
  const h = harness({ length: 1, at: () => 'x' });
  h.view.start();
  const init = h.send({ type: 'init', state: { cluster: 'c', queue: 'out', pageSize: 10, strings } });
  const req = h.sent.at(-1)!;
  await h.send({ type: 'response', id: req.type === 'request' ? req.id : 0, ok: false, error: '<b>down</b>' });
  await init;
  assert.equal(h.byId('error').textContent, 'E: <b>down</b>');
  assert.equal(h.byId('error').classList.contains('hidden'), false);
  assert.equal(fill('{a} {b}', { a: 1 }), '1 {b}');
});

test('a count that arrives before init (the host polls as the panel opens) throws nothing and shows once built', async () => {
  const h = harness(arrayList(['a', 'b']));
  h.view.start();
  await h.send({ type: 'count', total: 2, running: false });
  await h.send({ type: 'searchProgress', id: 1, scanned: 1, total: 2 });
  await h.send({ type: 'init', state: { cluster: 'local', queue: 'out', pageSize: 50, strings } });
  await settle();
  assert.equal(h.byId('total').textContent, '2 items');
  assert.equal(h.rows().length, 2);
});

test('the whole-list search marks its matches with <mark> nodes built from text; the filter too', async () => {
  const h = await started({ length: 300, at: (i) => (i === 250 ? 'x<b>needle</b>y needle' : i === 3 ? 'needle-near' : `hay ${i}`) });
  const search = h.byId('search');
  search.value = 'needle';
  search.dispatch('input');
  const marks = (r: FakeElement) => r.byClass('value')[0].children.filter((c) => c.tagName === 'mark').map((m) => m.textContent);
  assert.deepEqual(h.rows().map(marks), [['needle']], 'the filter marks what it matched');
  search.dispatch('keydown', { key: 'Enter' });
  await settle();
  const rows = h.rows();
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map(marks), [['needle'], ['needle', 'needle']]);
  assert.equal(rows[1].byClass('value')[0].textContent, 'x<b>needle</b>y needle', 'the text reads whole');
  assert.ok(!h.doc.created.some((e) => e.tagName === 'b'), 'no element made from data');
});

test('Copy confirms on its button, then reads Copy again; one item reads "1 item"', async () => {
  const h = await started(arrayList(['only']));
  assert.equal(h.byId('total').textContent, 'totalOne');
  const button = h.rows()[0].byClass('copy')[0];
  button.click();
  await settle();
  assert.equal(button.textContent, 'copiedShort');
  assert.equal(h.byId('search-status').textContent, 'copied');
  await new Promise((r) => setTimeout(r, 1600));
  assert.equal(button.textContent, 'copy');
});

test('highlightParts cuts text at every match, case-sensitive for the server search', async () => {
  const { highlightParts } = await import('../../media/src/results-view');
  assert.deepEqual(highlightParts('aXbxc', 'x', false), [{ text: 'aXb', match: false }, { text: 'x', match: true }, { text: 'c', match: false }]);
  assert.deepEqual(highlightParts('aXbxc', 'x', true).filter((p) => p.match).length, 2);
  assert.deepEqual(highlightParts('abc', '', false), [{ text: 'abc', match: false }]);
  assert.deepEqual(highlightParts('xx', 'x', false), [{ text: 'x', match: true }, { text: 'x', match: true }]);
});
