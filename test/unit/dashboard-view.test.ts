// The dashboard webview script driven through a fake DOM and recording charts: it builds
// everything with textContent, shows optional counts only when present, keeps its history
// and range in the webview state for a reload, and posts actions only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { clockTime, DashboardView, type Chart, type ChartKind, type MiniDocument } from '../../media/src/dashboard-view';
import type { DashboardModel, DashboardStrings, NodeRow, HostMessage, WebviewMessage, WebviewState } from '../../src/views/dashboard/protocol';
import { saveSeries, type ChartSeries } from '../../src/ui-model/task-series';
import { dashboardHtml } from '../../src/views/dashboard/html';
import { FakeDocument, type FakeElement } from '../support/fake-dom';

const T0 = 1_800_000_000_000;
const strings = new Proxy({} as DashboardStrings, { get: (_t, k) => (k === 'minutes' ? '{n} min' : k === 'updated' ? 'at {time}' : k === 'lastHeartbeat' ? 'beat {time}' : String(k)) });

function harness(saved?: Partial<WebviewState>, now = T0) {
  const doc = new FakeDocument();
  const sent: WebviewMessage[] = [];
  let state: unknown = saved;
  const drawn: Array<{ kind: ChartKind; data: ChartSeries; from: number; to: number }> = [];
  const charts = (kind: ChartKind): Chart => ({ setData: (data, from, to) => drawn.push({ kind, data, from, to }), destroy() {} });
  let clock = now;
  const view = new DashboardView(doc as unknown as MiniDocument, { postMessage: (m) => sent.push(m), getState: () => state, setState: (s) => (state = s) }, charts, () => clock);
  const byId = (id: string) => doc.getElementById(id) as FakeElement;
  return { doc, view, sent, drawn, byId, state: () => state as WebviewState, tick: (ms: number) => (clock += ms) };
}

const model = (over: Partial<DashboardModel> = {}): DashboardModel => ({
  at: T0,
  state: 'running',
  running: true,
  progress: { done: 300, input: 600, inFlight: 100, total: 1000, totalFromPushed: true, percent: 30, rate: '20 items/s', eta: '35s', finished: false },
  nodes: [{ id: 'n1', hostname: '<b>alpha</b>', architecture: 'x86_64', cpus: 8, runtime: 'Running', runtimeKind: 'running', containers: 2, lastSeenAt: T0 - 12_000, online: true }],
  record: { image: 'sq:1', inputQueue: 'sq:in', outputQueue: 'sq:out', inputRedis: 'redis://:****@h:6379', pushed: 1000 },
  actions: ['results', 'finish', 'details'],
  ...over,
});

function init(h: ReturnType<typeof harness>, samples: Array<[number, number, number]> = [], m: DashboardModel | undefined = model()) {
  h.view.start();
  assert.deepEqual(h.sent[0], { type: 'ready' });
  const series = saveSeries(samples.map(([s, input, output]) => ({ at: T0 + s * 1000, input, output })));
  h.view.onMessage({ type: 'init', state: { cluster: 'local', task: 'sq', strings, gapMs: 15_000, series, model: m } });
}

test('progress, nodes and record as text; stranded and unaccounted absent when not counted', () => {
  const h = harness();
  init(h, [[-5, 700, 200], [0, 600, 300]]);
  const figures = h.byId('figures').children.map((e) => e.textContent);
  assert.deepEqual(figures, ['done', '300 (30%)', 'input', '600', 'inFlight', '100', 'total', '1,000', 'rate', '20 items/s', 'eta', '35s']);
  assert.deepEqual(h.byId('bar').children.map((e) => [e.className, e.style.width]), [['seg done', '30%'], ['seg inflight', '10%'], ['seg input', '60%']]);
  const row = h.byId('node-rows').children[0];
  assert.deepEqual(row.children.map((c) => c.textContent), ['<b>alpha</b>', 'x86_64', '8', 'Running', '2']);
  assert.ok(!h.doc.created.some((e) => e.tagName === 'b'), 'no element made from data');
  assert.match(h.byId('record-fields').textContent, /redis:\/\/:\*\*\*\*@h:6379/);
  assert.deepEqual(h.byId('actions').children.map((b) => b.id), ['action-results', 'action-finish', 'action-details']);
});

test('stranded and unaccounted appear when the model has them', () => {
  const h = harness();
  init(h, [], model({ progress: { done: 900, input: 0, stranded: 40, unaccounted: 10, total: 1000, totalFromPushed: true, percent: 90, finished: false } }));
  const dts = h.byId('figures').children.filter((e) => e.tagName === 'dt').map((e) => e.textContent);
  assert.deepEqual(dts, ['done', 'input', 'stranded', 'unaccounted', 'total']);
});

test('each sample adds a chart point; the range select redraws and is kept in the state', () => {
  const h = harness();
  init(h, [[-5, 700, 200], [0, 600, 300]]);
  const before = h.drawn.filter((d) => d.kind === 'rate').at(-1)!;
  assert.equal(before.data.x.length, 2);
  assert.equal(before.to - before.from, 60, 'a job younger than the range fills the chart, a minute at least');
  h.tick(5000);
  h.view.onMessage({ type: 'update', sample: { at: T0 + 5000, input: 500, output: 400 }, model: model() });
  const after = h.drawn.filter((d) => d.kind === 'rate').at(-1)!;
  assert.equal(after.data.x.length, 3);
  assert.deepEqual(after.data.rate, [null, 20, 20]);
  assert.equal(h.state().series.at.length, 3);
  const range = h.byId('range');
  range.value = '60';
  range.dispatch('change');
  assert.equal(h.state().rangeMinutes, 60);
  const wide = h.drawn.at(-1)!;
  assert.equal(wide.to - wide.from, 60);
  // With a history older than the range, the range is the whole width.
  const old = harness();
  init(old, [[-1800, 900, 0], [-5, 700, 200], [0, 600, 300]]);
  assert.equal(old.drawn.at(-1)!.to - old.drawn.at(-1)!.from, 15 * 60);
});

test('an update without a sample (nodes changed) redraws no chart', () => {
  const h = harness();
  init(h, [[0, 600, 300]]);
  const n = h.drawn.length;
  h.view.onMessage({ type: 'update', model: model({ nodes: [] }) });
  assert.equal(h.drawn.length, n);
  assert.ok(!h.byId('no-nodes').classList.contains('hidden'));
});

test('node table: heartbeats alone change nothing; a changed node redraws its own cells only; the heartbeat shows when hovered', () => {
  const h = harness();
  const rows = (beat: number, patch: (i: number) => Partial<NodeRow> = () => ({})): NodeRow[] =>
    Array.from({ length: 1000 }, (_, i) => ({ id: `n${i}`, hostname: `host-${i}`, architecture: 'x86_64', cpus: 4, runtime: 'Running', runtimeKind: 'running' as const, containers: 4, lastSeenAt: T0 + beat * 1000 + i, online: true, ...patch(i) }));
  init(h, [], model({ nodes: rows(0) }));
  const body = h.byId('node-rows');
  assert.equal(body.children.length, 1000);
  const before = [...body.children];
  const mutations = h.doc.mutations;
  const made = h.doc.created.length;
  h.view.onMessage({ type: 'update', model: model({ nodes: rows(5) }) });
  const madePerUpdate = h.doc.created.length - made;
  // The progress and record parts are redrawn each update; the node table not at all.
  const figuresOnly = h.doc.mutations - mutations;
  h.view.onMessage({ type: 'update', model: model({ nodes: rows(10) }) });
  assert.equal(h.doc.mutations - mutations, 2 * figuresOnly, 'a second heartbeat-only update costs the same: no row');
  assert.ok(body.children.every((tr, i) => tr === before[i]), 'same row elements, same order');
  const created = h.doc.created.length;
  const at = h.doc.mutations;
  h.view.onMessage({ type: 'update', model: model({ nodes: rows(15, (i) => (i === 7 ? { runtime: 'Error', runtimeKind: 'error', containers: 0 } : {})) }) });
  assert.equal(h.doc.mutations - at - figuresOnly, 3, 'one row: its status text and class, its containers');
  assert.equal(h.doc.created.length - created, madePerUpdate, 'no row element made');
  assert.deepEqual(body.children[7].children.map((c) => c.textContent), ['host-7', 'x86_64', '4', 'Error', '0']);
  assert.equal(body.children[7].children[3].className, 'status error');
  // Hovered: the tooltip gives the latest heartbeat.
  body.children[7].dispatch('mouseenter');
  assert.equal(body.children[7].getAttribute('title'), `beat ${new Date(T0 + 15_000 + 7).toLocaleString()}`);
  // A node gone and one new: rows follow, the others kept.
  const next = rows(20).filter((r) => r.id !== 'n3');
  next.push({ ...next[0], id: 'n1000', hostname: 'host-1000' });
  h.view.onMessage({ type: 'update', model: model({ nodes: next }) });
  assert.equal(body.children.length, 1000);
  assert.equal(body.children[0], before[0]);
  assert.ok(!body.children.includes(before[3]));
  assert.equal(body.children.at(-1)!.children[0].textContent, 'host-1000');
});

test('a problem replaces the figures; the range comes back from the saved state', () => {
  const h = harness({ cluster: 'local', task: 'sq', rangeMinutes: 5, series: { at: [], input: [], output: [] } });
  init(h, [], model({ progress: undefined, problem: 'No figures: ECONNREFUSED' }));
  assert.equal(h.byId('figures').children.length, 0);
  assert.equal(h.byId('problem').textContent, 'No figures: ECONNREFUSED');
  assert.ok(!h.byId('problem').classList.contains('hidden'));
  assert.equal(h.byId('range').children.find((o) => o.hasAttribute('selected'))?.getAttribute('value'), '5');
  assert.equal(h.byId('chart-note').textContent, 'noSamples');
});

test('actions are messages to the host, and the buttons survive updates with the same set', () => {
  const h = harness();
  init(h);
  const finish = h.byId('action-finish');
  finish.click();
  assert.deepEqual(h.sent.at(-1), { type: 'action', action: 'finish' });
  h.view.onMessage({ type: 'update', model: model() });
  assert.equal(h.byId('action-finish'), finish, 'not rebuilt, so keyboard focus stays');
});

test('the shell: nonce script, no inline script or style, CSP without unsafe-inline', () => {
  const html = dashboardHtml({ cspSource: 'vscode-webview://x', nonce: 'N0nce', scriptUri: 's.js', styleUri: 's.css', title: '<t>', lang: 'zh-cn' });
  assert.match(html, /script-src &#39;nonce-N0nce&#39;;/);
  assert.match(html, /style-src vscode-webview:\/\/x;/);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|<style|style=/);
  assert.match(html, /<script nonce="N0nce" src="s.js"><\/script>/);
  assert.match(html, /&lt;t&gt;/);
  for (const f of ['media/src/dashboard.ts', 'media/src/dashboard-view.ts', 'media/src/dashboard-charts.ts']) {
    assert.doesNotMatch(readFileSync(f, 'utf8'), /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|setAttribute\('style'/, f);
  }
});

test('one hour of samples at a 1 s poll: an update stays small and quick', () => {
  const h = harness();
  const rows: Array<[number, number, number]> = [];
  for (let s = -3599; s <= 0; s++) rows.push([s, 1_000_000 - (s + 3600) * 100, (s + 3600) * 100]);
  init(h, rows);
  const msg: HostMessage = { type: 'update', sample: { at: T0 + 1000, input: 600_000, output: 400_000 }, model: model() };
  assert.ok(JSON.stringify(msg).length < 2000, 'one sample per message, not the history');
  h.tick(1000);
  h.view.onMessage(msg);
  assert.equal(h.view.sampleCount, 3600, 'trimmed to one hour');
});

test('zh-cn: times in the display language ("20:50:32", not "8:50:32 PM"), whatever the webview\'s own', () => {
  const at = new Date(2026, 11, 5, 20, 50, 32).getTime();
  assert.equal(clockTime(at, 'zh-cn'), '20:50:32');
  assert.equal(clockTime(at, 'zh-cn', false), '20:50');
  assert.match(clockTime(at, 'en'), /^8:50:32\sPM$/);
  assert.equal(clockTime(at, 'not a locale!'), new Date(at).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' }));
});
