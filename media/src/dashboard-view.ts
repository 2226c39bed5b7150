// The task dashboard webview's behaviour, with the DOM, the VS Code API and the charts passed
// in so unit tests can drive it with a small fake DOM and fake charts. It never asks the host
// for data: the host sends the history once and one sample per snapshot. Every value goes
// into the page through `textContent` only.
import type { DashboardAction, DashboardModel, DashboardStrings, HostMessage, InitState, NodeRow, ProgressView, WebviewMessage, WebviewState } from '../../src/views/dashboard/protocol';
import { RANGES } from '../../src/views/dashboard/protocol';
import { chartSeries, loadSeries, saveSeries, TaskSeries, type ChartSeries } from '../../src/ui-model/task-series';
import { makeElement, type ElementOptions, type MiniDocument, type WebviewApi } from './dom';

export type VsCodeApi = WebviewApi<WebviewMessage, WebviewState>;
export type { MiniDocument };

/** One chart on the page (uPlot in the webview, a recorder in tests). */
export interface Chart {
  /** Data of the chosen range; [fromSec, toSec] is the x range to show whatever the data. */
  setData(data: ChartSeries, fromSec: number, toSec: number): void;
  destroy(): void;
}

export type ChartKind = 'rate' | 'lengths';
export type ChartFactory = (kind: ChartKind, parent: HTMLElement, s: DashboardStrings) => Chart;

export function fill(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, k: string) => (args[k] === undefined ? whole : String(args[k])));
}

/** A time of day in the display language ("20:50:32" in zh-cn, "8:50:32 PM" in en), not the
 *  webview's own language (a browser's, under code-server). */
export function clockTime(ms: number, locale: string | undefined, withSeconds = true): string {
  const o: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}) };
  try {
    return new Date(ms).toLocaleTimeString(locale || undefined, o);
  } catch {
    return new Date(ms).toLocaleTimeString(undefined, o);
  }
}

/** What a node's row shows (its heartbeat is in the tooltip, not here). */
function rowLook(n: NodeRow): string {
  return JSON.stringify([n.hostname, n.architecture, n.cpus, n.runtime, n.runtimeKind, n.containers, n.online]);
}

/** Counts grouped the same way as the status bar, whatever the display language. */
function num(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const DEFAULT_RANGE = 15;
const MIN_SPAN_MS = 60_000;

export class DashboardView {
  private s!: DashboardStrings;
  private init?: InitState;
  private readonly series = new TaskSeries();
  private rangeMinutes: number;
  private model?: DashboardModel;
  private els: Record<string, HTMLElement> = {};
  private charts: Partial<Record<ChartKind, Chart>> = {};
  /** The node table's rows by node id, with what each shows: an update redraws only rows
   *  whose node changed (a heartbeat alone changes none), and reorders only when the set or
   *  order of nodes changed. */
  private nodeRows = new Map<string, { tr: HTMLElement; look: string }>();
  private nodeOrder: string[] = [];
  /** Last heartbeats (ms since epoch) by node id, read when a row's tooltip is shown. */
  private heartbeats = new Map<string, number>();

  constructor(
    private readonly doc: MiniDocument,
    private readonly api: VsCodeApi,
    private readonly makeChart: ChartFactory,
    private readonly now: () => number = Date.now,
  ) {
    const saved = api.getState() as Partial<WebviewState> | undefined;
    this.rangeMinutes = RANGES.includes(saved?.rangeMinutes as (typeof RANGES)[number]) ? saved!.rangeMinutes! : DEFAULT_RANGE;
  }

  start(): void {
    this.api.postMessage({ type: 'ready' });
  }

  onMessage(msg: HostMessage): void {
    switch (msg.type) {
      case 'init':
        this.init = msg.state;
        this.s = msg.state.strings;
        // The host's history holds what this webview saved before a reload (it was merged there).
        this.series.merge(loadSeries(msg.state.series));
        this.build();
        if (msg.state.model) this.render(msg.state.model);
        this.drawCharts();
        this.save();
        return;
      case 'update':
        if (!this.init) return;
        if (msg.sample) this.series.add(msg.sample);
        this.render(msg.model);
        if (msg.sample) {
          this.drawCharts();
          this.save();
        }
        return;
    }
  }

  /** Charts follow the theme: the entry script rebuilds them when VS Code changes it. */
  rebuildCharts(): void {
    if (!this.init) return;
    for (const c of Object.values(this.charts)) c?.destroy();
    this.charts = {
      rate: this.makeChart('rate', this.els['rate-chart'], this.s),
      lengths: this.makeChart('lengths', this.els['lengths-chart'], this.s),
    };
    this.drawCharts();
  }

  private save(): void {
    if (!this.init) return;
    this.api.setState({ cluster: this.init.cluster, task: this.init.task, rangeMinutes: this.rangeMinutes, series: saveSeries(this.series.samples) });
  }

  private el(tag: string, opts: ElementOptions = {}): HTMLElement {
    return makeElement(this.doc, this.els, tag, opts);
  }

  private section(id: string, title: string): HTMLElement {
    const sec = this.el('section', { id, attrs: { 'aria-labelledby': `${id}-title` } });
    sec.append(this.el('h2', { id: `${id}-title`, text: title }));
    return sec;
  }

  private build(): void {
    const s = this.s;
    const app = this.doc.getElementById('app')!;
    const header = this.el('header', { cls: 'toolbar' });
    header.append(
      this.el('h1', { id: 'title', text: `${this.init!.task} · ${this.init!.cluster}` }),
      this.el('span', { id: 'state', cls: 'badge' }),
      this.el('span', { id: 'updated', cls: 'muted', attrs: { 'aria-live': 'off' } }),
    );
    const notice = this.el('div', { id: 'problem', cls: 'notice hidden', attrs: { role: 'status' } });

    const progress = this.section('progress', s.progress);
    const bar = this.el('div', { id: 'bar', cls: 'bar', attrs: { role: 'img' } });
    // Not a live region: it changes with every poll, and a screen reader would read it each time.
    const figures = this.el('dl', { id: 'figures', cls: 'figures' });
    progress.append(bar, figures);

    const charts = this.section('charts', s.throughput);
    const range = this.el('select', { id: 'range', attrs: { 'aria-label': s.range } }) as HTMLSelectElement;
    for (const m of RANGES) {
      const o = this.el('option', { text: m === 60 ? s.hour : fill(s.minutes, { n: m }), attrs: { value: String(m) } });
      if (m === this.rangeMinutes) o.setAttribute('selected', '');
      range.append(o);
    }
    range.addEventListener('change', () => {
      const m = Number(range.value);
      this.rangeMinutes = RANGES.includes(m as (typeof RANGES)[number]) ? m : DEFAULT_RANGE;
      this.drawCharts();
      this.save();
    });
    const rangeLabel = this.el('label', { cls: 'range', text: s.range + ' ' });
    rangeLabel.append(range);
    charts.append(
      rangeLabel,
      this.el('h3', { text: s.itemsPerSecond }),
      this.el('div', { id: 'rate-chart', cls: 'chart', attrs: { role: 'img', 'aria-label': s.throughput } }),
      this.el('h3', { text: s.lengths }),
      this.el('div', { id: 'lengths-chart', cls: 'chart', attrs: { role: 'img', 'aria-label': s.lengths } }),
      this.el('p', { id: 'chart-note', cls: 'muted' }),
    );

    const nodes = this.section('nodes', s.nodes);
    const table = this.el('table', { id: 'node-table' });
    const head = this.el('tr');
    for (const h of [s.hostname, s.architecture, s.cpus, s.runtime, s.containers]) head.append(this.el('th', { text: h, attrs: { scope: 'col' } }));
    this.nodeRows = new Map();
    this.nodeOrder = [];
    const thead = this.el('thead');
    thead.append(head);
    table.append(thead, this.el('tbody', { id: 'node-rows' }));
    nodes.append(table, this.el('p', { id: 'no-nodes', cls: 'muted hidden', text: s.noNodes }));

    const record = this.section('record', s.record);
    record.append(this.el('dl', { id: 'record-fields', cls: 'fields' }), this.el('div', { id: 'actions', cls: 'actions', attrs: { role: 'toolbar', 'aria-label': s.actions } }));

    const grid = this.el('main', { cls: 'grid' });
    grid.append(progress, nodes, charts, record);
    app.replaceChildren(header, notice, grid);
    app.setAttribute('aria-busy', 'false');
    this.charts = {
      rate: this.makeChart('rate', this.els['rate-chart'], s),
      lengths: this.makeChart('lengths', this.els['lengths-chart'], s),
    };
    this.text('updated', s.waiting);
  }

  private text(id: string, value: string): void {
    const e = this.els[id];
    // Unchanged text is left alone: a status region is not announced again for nothing.
    if (e && e.textContent !== value) e.textContent = value;
  }

  private toggle(id: string, hidden: boolean): void {
    this.els[id]?.classList.toggle('hidden', hidden);
  }

  render(model: DashboardModel): void {
    this.model = model;
    const s = this.s;
    this.text('state', model.state);
    this.els['state'].classList.toggle('running', model.running);
    this.text('updated', fill(s.updated, { time: clockTime(model.at, s.locale) }));
    this.text('problem', model.problem ?? '');
    this.toggle('problem', !model.problem);
    this.renderProgress(model.progress);
    this.renderNodes(model.nodes);
    this.renderRecord(model);
  }

  private renderProgress(p: ProgressView | undefined): void {
    const bar = this.els['bar'];
    const figures = this.els['figures'];
    bar.replaceChildren();
    figures.replaceChildren();
    if (!p) {
      bar.setAttribute('aria-label', '');
      return;
    }
    const s = this.s;
    const parts: Array<[string, string, number | undefined]> = [
      ['done', s.done, p.done],
      ['inflight', s.inFlight, p.inFlight],
      ['stranded', s.stranded, p.stranded],
      ['unaccounted', s.unaccounted, p.unaccounted],
      ['failed', s.failed, p.failed],
      ['input', s.input, p.input],
    ];
    const whole = Math.max(p.total, parts.reduce((a, [, , n]) => a + (n ?? 0), 0));
    const label: string[] = [];
    for (const [cls, name, n] of parts) {
      if (n === undefined || (cls !== 'done' && cls !== 'input' && !n)) continue;
      label.push(`${name} ${num(n)}`);
      if (!n || !whole) continue;
      const seg = this.el('div', { cls: `seg ${cls}`, attrs: { title: `${name}: ${num(n)}` } });
      // CSSOM, not a style attribute: the CSP allows it.
      seg.style.width = `${(n / whole) * 100}%`;
      bar.append(seg);
    }
    bar.setAttribute('aria-label', label.join(', '));
    const add = (cls: string, name: string, value: string, title?: string) => {
      const dt = this.el('dt', { cls, text: name });
      const dd = this.el('dd', { cls, text: value, attrs: title ? { title } : {} });
      figures.append(dt, dd);
    };
    add('done', s.done, `${num(p.done)} (${Math.floor(p.percent)}%)`);
    add('input', s.input, num(p.input));
    if (p.inFlight) add('inflight', s.inFlight, num(p.inFlight));
    if (p.stranded) add('stranded', s.stranded, num(p.stranded));
    if (p.unaccounted) add('unaccounted', s.unaccounted, num(p.unaccounted));
    if (p.failed) add('failed', s.failed, num(p.failed));
    add('total', s.total, num(p.total), p.totalFromPushed ? s.totalPushed : s.totalEstimate);
    if (p.finished) add('eta', s.eta, s.finished);
    else {
      if (p.rate) add('rate', s.rate, p.rate);
      if (p.eta) add('eta', s.eta, p.eta);
    }
  }

  private renderNodes(nodes: NodeRow[] | undefined): void {
    const body = this.els['node-rows'];
    this.toggle('no-nodes', !nodes || nodes.length > 0);
    const list = nodes ?? [];
    const listed = new Set<string>();
    this.heartbeats.clear();
    for (const n of list) {
      listed.add(n.id);
      if (n.lastSeenAt !== undefined) this.heartbeats.set(n.id, n.lastSeenAt);
      const look = rowLook(n);
      const row = this.nodeRows.get(n.id);
      if (!row) this.nodeRows.set(n.id, { tr: this.nodeRow(n), look });
      else if (row.look !== look) {
        this.fillNodeRow(row.tr, n);
        row.look = look;
      }
    }
    for (const id of [...this.nodeRows.keys()]) if (!listed.has(id)) this.nodeRows.delete(id);
    const order = list.map((n) => n.id);
    if (order.length !== this.nodeOrder.length || order.some((id, i) => id !== this.nodeOrder[i])) {
      body.replaceChildren(...order.map((id) => this.nodeRows.get(id)!.tr));
      this.nodeOrder = order;
    }
  }

  private nodeRow(n: NodeRow): HTMLElement {
    const tr = this.el('tr', { attrs: { 'data-node': n.id, tabindex: '0' } });
    for (const cls of ['', '', 'num', 'status', 'num']) tr.append(this.el('td', cls ? { cls } : {}));
    // The heartbeat's time is made when the tooltip is about to show, from the latest update.
    const title = () => {
      const at = this.heartbeats.get(n.id);
      const text = at === undefined ? '' : fill(this.s.lastHeartbeat, { time: new Date(at).toLocaleString() });
      if (tr.getAttribute('title') !== text) tr.setAttribute('title', text);
    };
    tr.addEventListener('mouseenter', title);
    tr.addEventListener('focus', title);
    this.fillNodeRow(tr, n);
    return tr;
  }

  /** Sets only the cells whose text changed. */
  private fillNodeRow(tr: HTMLElement, n: NodeRow): void {
    const cls = n.online ? 'node' : 'node offline';
    if (tr.className !== cls) tr.className = cls;
    const cells = [n.hostname, n.architecture, num(n.cpus), n.runtime, num(n.containers)];
    const tds = tr.children;
    for (let i = 0; i < cells.length; i++) {
      const td = tds[i] as HTMLElement;
      if (td.textContent !== cells[i]) td.textContent = cells[i];
    }
    const status = `status ${n.runtimeKind}`;
    const statusCell = tds[3] as HTMLElement;
    if (statusCell.className !== status) statusCell.className = status;
  }

  private renderRecord(model: DashboardModel): void {
    const s = this.s;
    const dl = this.els['record-fields'];
    dl.replaceChildren();
    const r = model.record;
    if (!r) dl.append(this.el('dd', { cls: 'muted', text: s.noRecord }));
    else {
      const rows: Array<[string, string | undefined]> = [
        [s.image, r.image],
        [s.inputQueue, r.inputQueue],
        [s.outputQueue, r.outputQueue],
        [s.inputRedis, r.inputRedis],
        [s.outputRedis, r.outputRedis],
        [s.pushed, r.pushed !== undefined ? num(r.pushed) : undefined],
      ];
      for (const [k, v] of rows) dl.append(this.el('dt', { text: k }), this.el('dd', { text: v ?? '–' }));
    }
    const actions = this.els['actions'];
    const labels: Record<DashboardAction, string> = { results: s.results, finish: s.finish, requeue: s.requeue, restart: s.restart, details: s.details };
    const want = model.actions.join(',');
    if (actions.getAttribute('data-actions') === want) return;
    // Rebuilt only when the set changes, so a focused button keeps its focus across updates.
    actions.setAttribute('data-actions', want);
    actions.replaceChildren();
    for (const a of model.actions) {
      const b = this.el('button', { id: `action-${a}`, text: labels[a], attrs: { type: 'button' } });
      b.addEventListener('click', () => this.api.postMessage({ type: 'action', action: a }));
      actions.append(b);
    }
  }

  /** Both charts for the chosen range, ending now. */
  drawCharts(): { points: number } {
    if (!this.init) return { points: 0 };
    const now = Math.max(this.now(), this.series.last?.at ?? 0);
    const rangeMs = this.rangeMinutes * 60_000;
    const data = chartSeries(this.series.samples, { now, rangeMs, gapMs: this.init.gapMs });
    // A job younger than the range fills the chart (at least a minute wide) instead of
    // being a sliver at its right edge.
    const first = this.series.samples[0]?.at ?? now;
    const from = Math.max(now - rangeMs, Math.min(first, now - MIN_SPAN_MS)) / 1000;
    const to = now / 1000;
    this.charts.rate?.setData(data, from, to);
    this.charts.lengths?.setData(data, from, to);
    // What tests in the real workbench read: uPlot draws on a canvas.
    this.els['charts']?.setAttribute('data-points', String(data.x.length));
    const gaps = data.x.length > 0 && data.input.some((v, i) => v === null && data.output[i] === null && data.rate[i] === null);
    this.text('chart-note', data.x.length ? (gaps ? this.s.gapNote : '') : this.s.noSamples);
    return { points: data.x.length };
  }

  /** For tests and the bench: the samples held. */
  get sampleCount(): number {
    return this.series.samples.length;
  }
}
