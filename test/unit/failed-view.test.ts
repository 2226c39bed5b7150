// A failed-list panel: the webview script driven through a fake DOM, answered by the real
// host-side FailedSession over entries parsed by the core's reader. Every value is hostile:
// it must arrive as text, the error beside its item; Retry/Clear ask the host with the
// search's needle when a search is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultsView, type MiniDocument } from '../../media/src/results-view';
import { parseFailedEntry } from '../../src/core/failed-items';
import type { FailedPageItem, PageRequest } from '../../src/core/service-api';
import { FailedSession } from '../../src/views/results/failed-session';
import type { ResultsResponseBody, ResultsStrings, WebviewMessage } from '../../src/views/results/protocol';
import { FakeDocument, type FakeElement } from '../support/fake-dom';

const strings = new Proxy({} as ResultsStrings, {
  get: (_t, k) => (k === 'total' ? '{n} items' : k === 'bytes' ? '{n} bytes' : k === 'attempts' ? 'attempts: {n}' : k === 'failedTitle' ? 'Failed items of {queue}' : String(k)),
});

async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** The failed list as Redis would hold it (index 0 = newest), behind the QueueService calls the session makes. */
function fakeFailed(entries: string[]) {
  const items = (idx: number[]): FailedPageItem[] => idx.map((i) => ({ index: i, length: Buffer.byteLength(entries[i]), truncated: false, entry: parseFailedEntry(entries[i]) }));
  return {
    failedPage: async (_input: string, req: PageRequest) => {
      const idx: number[] = [];
      for (let k = req.offset; k < Math.min(entries.length, req.offset + req.count); k++) idx.push(req.from === 'newest' ? k : entries.length - 1 - k);
      return { total: entries.length, items: items(idx) };
    },
    failedEntry: async (_input: string, i: number) => (entries[i] === undefined ? null : { entry: parseFailedEntry(entries[i]), length: entries[i].length }),
    searchFailed: async (_input: string, needle: string) => ({ matches: items(entries.flatMap((e, i) => (e.includes(needle) ? [i] : []))), scanned: entries.length, complete: true }),
  };
}

test('each item with its error beside it, hostile values as text, Retry/Clear with the search', async () => {
  const entries = [
    JSON.stringify({ item: '<img src=x onerror=alert(1)>', error: '</pre><script>alert(2)</script>', attempts: 3, node_id: 'n1', instance_id: '0', reason: 'killed', time: '2026-12-05T21:00:00Z' }),
    '<b>not json</b>',
    JSON.stringify({ item: '5000', error: 'exit status 4', attempts: 1, reason: 'error' }),
  ];
  const session = new FailedSession(fakeFailed(entries), 'sq: in');
  const doc = new FakeDocument();
  const sent: WebviewMessage[] = [];
  const view: ResultsView = new ResultsView(doc as unknown as MiniDocument, {
    getState: () => undefined,
    setState: () => undefined,
    postMessage(m) {
      sent.push(m);
      if (m.type !== 'request') return;
      const r = m.request;
      const answer = async (): Promise<ResultsResponseBody> => {
        if (r.kind === 'page') return session.page(r.order, r.offset, r.count);
        if (r.kind === 'search') return session.search(r.needle, { isCancellationRequested: false }, () => {});
        return { done: true };
      };
      void answer().then((body) => view.onMessage({ type: 'response', id: m.id, ok: true, body }));
    },
  });
  view.start();
  await view.onMessage({ type: 'init', state: { cluster: 'lab', queue: 'sq: in:failed', failedOf: 'sq: in', inputQueue: 'sq: in', pageSize: 50, strings } });
  await settle();
  const byId = (id: string) => doc.getElementById(id) as FakeElement;
  assert.equal(byId('title').textContent, 'lab · Failed items of sq: in');
  const rows = byId('results-table').byClass('row');
  assert.equal(rows.length, 3);
  assert.equal(rows[0].byClass('value')[0].textContent, '<img src=x onerror=alert(1)>');
  assert.equal(rows[0].byClass('error-text')[0].textContent, '</pre><script>alert(2)</script>');
  assert.equal(rows[0].byClass('facts')[0].textContent, 'attempts: 3 · killed · n1/0 · 2026-12-05T21:00:00Z');
  assert.equal(rows[1].byClass('value')[0].textContent, '<b>not json</b>');
  assert.equal(rows[1].byClass('note')[0].textContent, 'rawEntry');
  assert.equal(rows[2].byClass('error-text')[0].textContent, 'exit status 4');
  assert.ok(!doc.created.some((e) => ['img', 'script', 'b'].includes(e.tagName)), 'no element made from data');

  // Retry all, then a search and "Retry Matches" with its needle.
  assert.equal(byId('retry').textContent, 'retryAll');
  byId('retry').click();
  await settle();
  assert.deepEqual(sent.filter((m) => m.type === 'request' && m.request.kind === 'retry').map((m) => (m as { request: unknown }).request), [{ kind: 'retry' }]);
  const search = byId('search') as FakeElement & { value: string };
  search.value = 'exit status';
  search.dispatch('input');
  byId('search-server').click();
  await settle();
  assert.equal(byId('results-table').byClass('row').length, 1);
  assert.equal(byId('retry').textContent, 'retryMatches');
  byId('clear').click();
  await settle();
  assert.deepEqual(sent.filter((m) => m.type === 'request' && m.request.kind === 'clear').map((m) => (m as { request: unknown }).request), [{ kind: 'clear', needle: 'exit status' }]);
});
