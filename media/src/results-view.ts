// The results webview's behaviour, with the DOM and the VS Code API passed in so unit tests
// can drive it with a small fake DOM. Every value from Redis goes into the page through
// `textContent` only: results are written by user containers and may hold markup.
import type {
  HostMessage,
  InitState,
  ItemResult,
  PageResult,
  ResultRow,
  ResultsRequest,
  ResultsResponseBody,
  ResultsStrings,
  SearchResult,
  WebviewMessage,
  WebviewState,
} from '../../src/views/results/protocol';
import { makeElement, type ElementOptions, type MiniDocument as BaseDocument, type WebviewApi } from './dom';

export type VsCodeApi = WebviewApi<WebviewMessage, WebviewState>;

/** The few DOM members this view uses (a real Document satisfies it). */
export interface MiniDocument extends BaseDocument {
  activeElement: Element | null;
}

/** `text` cut into the runs that match `needle` and those between; one unmatched run when
 *  the needle is empty or absent (e.g. a JSON value shown pretty-printed). */
export function highlightParts(text: string, needle: string, ignoreCase: boolean): Array<{ text: string; match: boolean }> {
  if (!needle) return [{ text, match: false }];
  const hay = ignoreCase ? text.toLowerCase() : text;
  const n = ignoreCase ? needle.toLowerCase() : needle;
  const out: Array<{ text: string; match: boolean }> = [];
  let from = 0;
  for (let at = hay.indexOf(n); at >= 0 && out.length < 200; at = hay.indexOf(n, at + n.length)) {
    if (at > from) out.push({ text: text.slice(from, at), match: false });
    out.push({ text: text.slice(at, at + n.length), match: true });
    from = at + n.length;
  }
  if (from < text.length || !out.length) out.push({ text: text.slice(from), match: false });
  return out;
}

/** `{name}` placeholders of the already-localized strings the host sent. */
export function fill(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, k: string) => (args[k] === undefined ? whole : String(args[k])));
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

interface Pending {
  resolve(body: ResultsResponseBody): void;
  reject(err: Error): void;
}

interface Shown {
  row: ResultRow;
  /** List length when the row was loaded (to follow LPUSH growth on expand/copy). */
  totalAtLoad: number;
  el: HTMLElement;
  valueEl: HTMLElement;
  expandBtn?: HTMLElement;
  copyBtn?: HTMLElement;
  expanded?: ItemResult;
}

export class ResultsView {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private init?: InitState;
  private s!: ResultsStrings;
  private state: WebviewState;
  private total = 0;
  private loadedTotal = 0;
  private offset = 0;
  private shown: Shown[] = [];
  private searchId?: number;
  private searchMode = false;
  /** what the whole-list search matched (case-sensitive, as Redis bytes are compared) */
  private searchNeedle = '';
  /** a count that came before `init` (the host polls as the panel opens): shown once built */
  private early?: { total: number; running: boolean; at?: number };
  /** host time of the shown page's read; undefined until the first page is in */
  private loadedAt?: number;
  private loading = false;
  private els: Record<string, HTMLElement> = {};

  constructor(
    private readonly doc: MiniDocument,
    private readonly api: VsCodeApi,
  ) {
    const saved = api.getState() as Partial<WebviewState> | undefined;
    this.state = {
      cluster: '',
      queue: '',
      order: saved?.order === 'oldest' ? 'oldest' : 'newest',
      offset: typeof saved?.offset === 'number' ? saved.offset : 0,
      filter: typeof saved?.filter === 'string' ? saved.filter : '',
      selected: typeof saved?.selected === 'number' ? saved.selected : 0,
      expanded: Array.isArray(saved?.expanded) ? saved!.expanded.filter((n) => typeof n === 'number').slice(0, 20) : [],
    };
  }

  start(): void {
    this.api.postMessage({ type: 'ready' });
  }

  async onMessage(msg: HostMessage): Promise<void> {
    switch (msg.type) {
      case 'init':
        this.init = msg.state;
        this.s = msg.state.strings;
        this.state.cluster = msg.state.cluster;
        this.state.queue = msg.state.queue;
        this.state.inputQueue = msg.state.inputQueue;
        if (msg.state.failedOf !== undefined) this.state.failedOf = msg.state.failedOf;
        this.offset = this.state.offset;
        this.build();
        if (this.early) this.onCount(this.early.total, this.early.running, this.early.at);
        this.early = undefined;
        // Saved before the first page: a panel whose list cannot be read still comes back after a reload.
        this.save();
        await this.load(this.state.offset, false, true);
        return;
      case 'response': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.body);
        else p.reject(new Error(msg.error));
        return;
      }
      case 'count':
        if (!this.s) this.early = { total: msg.total, running: msg.running, at: msg.at };
        else this.onCount(msg.total, msg.running, msg.at);
        return;
      case 'searchProgress':
        if (this.s && msg.id === this.searchId) {
          this.text('search-status', fill(this.s.searching, { scanned: num(msg.scanned), total: num(msg.total) }));
        }
        return;
    }
  }

  private request(request: ResultsRequest): { id: number; done: Promise<ResultsResponseBody> } {
    const id = this.nextId++;
    const done = new Promise<ResultsResponseBody>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.api.postMessage({ type: 'request', id, request });
    return { id, done };
  }

  private el(tag: string, opts: ElementOptions = {}): HTMLElement {
    return makeElement(this.doc, this.els, tag, opts);
  }

  private text(id: string, value: string): void {
    const e = this.els[id];
    if (e) e.textContent = value;
  }

  private button(id: string, label: string, onClick: () => void): HTMLElement {
    const b = this.el('button', { id, text: label, attrs: { type: 'button' } });
    b.addEventListener('click', onClick);
    return b;
  }

  private build(): void {
    const s = this.s;
    const app = this.doc.getElementById('app')!;
    const header = this.el('header', { cls: 'toolbar' });
    const failedOf = this.init!.failedOf;
    const heading = failedOf !== undefined && s.failedTitle ? fill(s.failedTitle, { queue: failedOf }) : this.init!.queue;
    header.append(
      this.el('span', { id: 'title', text: `${this.init!.cluster} · ${heading}` }),
      this.el('span', { id: 'total', attrs: { 'aria-live': 'polite' } }),
      this.el('span', { id: 'live', cls: 'badge hidden', text: s.live }),
    );
    const order = this.el('select', { id: 'order', attrs: { 'aria-label': s.newest + ' / ' + s.oldest } }) as HTMLSelectElement;
    for (const [value, label] of [['newest', s.newest], ['oldest', s.oldest]] as const) {
      const o = this.el('option', { text: label, attrs: { value } });
      if (value === this.state.order) o.setAttribute('selected', '');
      order.append(o);
    }
    order.addEventListener('change', () => {
      this.state.order = order.value === 'oldest' ? 'oldest' : 'newest';
      this.state.expanded = [];
      void this.load(0);
    });
    const search = this.el('input', { id: 'search', attrs: { type: 'search', placeholder: s.filterPlaceholder, 'aria-label': s.filterPlaceholder } }) as HTMLInputElement;
    search.value = this.state.filter;
    search.addEventListener('input', () => {
      this.state.filter = search.value;
      if (this.searchMode && !search.value) void this.load(this.offset);
      else this.applyFilter();
      this.save();
    });
    search.addEventListener('keydown', (ev: Event) => {
      if ((ev as KeyboardEvent).key === 'Enter') void this.serverSearch();
    });
    const tools = this.el('div', { cls: 'tools' });
    tools.append(
      order,
      search,
      this.button('search-server', s.searchServer, () => void this.serverSearch()),
      this.button('search-cancel', s.cancel, () => this.cancelSearch()),
      this.el('span', { id: 'search-status', attrs: { 'aria-live': 'polite' } }),
      this.button('refresh', s.refresh, () => void this.load(this.searchMode ? 0 : this.offset)),
      this.button('export', s.export, () => void this.request({ kind: 'export' }).done.catch((e) => this.showError(e))),
    );
    if (failedOf !== undefined) {
      // Retry / Clear act on every entry, or on the whole-list search's matches while one is shown;
      // the host asks first, with the count.
      tools.append(
        this.button('retry', s.retryAll ?? '', () => void this.settle('retry')),
        this.button('clear', s.clearAll ?? '', () => void this.settle('clear')),
      );
    }
    this.els['search-cancel'].classList.add('hidden');
    header.append(tools);

    const notice = this.el('div', { id: 'notice', cls: 'notice hidden', attrs: { role: 'status' } });
    const table = this.el('div', { id: 'results-table', attrs: { role: 'grid', 'aria-label': s.title } });
    table.addEventListener('keydown', (ev: Event) => this.onKey(ev as KeyboardEvent));
    const pager = this.el('footer', { id: 'pager' });
    pager.append(
      this.button('prev', s.previous, () => void this.load(Math.max(0, this.offset - this.pageSize()))),
      this.el('span', { id: 'range' }),
      this.button('next', s.next, () => void this.load(this.offset + this.pageSize())),
      this.button('more', s.loadMore, () => void this.load(this.offset + this.shown.length, true)),
    );
    const error = this.el('div', { id: 'error', cls: 'error hidden', attrs: { role: 'alert' } });
    app.replaceChildren(header, notice, error, table, pager);
    app.setAttribute('aria-busy', 'false');
  }

  private pageSize(): number {
    return this.init?.pageSize ?? 200;
  }

  private save(): void {
    this.state.offset = this.offset;
    this.api.setState({ ...this.state, expanded: [...this.state.expanded] });
  }

  /** Load one page at `offset`; `append` adds it below the rows already shown. */
  async load(offset: number, append = false, restoring = false): Promise<void> {
    this.searchMode = false;
    this.hide('notice');
    this.hide('error');
    if (!append) this.text('range', this.s.loading);
    this.loading = true;
    try {
      const body = (await this.request({ kind: 'page', order: this.state.order, offset, count: this.pageSize() }).done) as PageResult;
      this.total = body.total;
      this.loadedTotal = body.total;
      this.loadedAt = body.at ?? 0;
      if (!append) {
        this.offset = body.offset;
        this.shown = [];
        this.els['results-table'].replaceChildren();
        if (!restoring) {
          this.state.selected = 0;
          this.state.expanded = [];
        }
      }
      for (const row of body.rows) this.addRow(row, body.total);
      this.showTotal();
      this.applyFilter();
      this.updatePager();
      if (restoring) await this.restoreExpanded();
      this.save();
    } catch (e) {
      this.showError(e);
    } finally {
      this.loading = false;
    }
  }

  private async restoreExpanded(): Promise<void> {
    for (const index of this.state.expanded) {
      const shown = this.shown.find((x) => x.row.index === index);
      if (shown && !shown.expanded) await this.toggle(shown, true);
    }
  }

  private addRow(row: ResultRow, totalAtLoad: number): void {
    const el = this.el('div', { cls: 'row', attrs: { role: 'row', tabindex: '-1', 'aria-selected': 'false' } });
    el.append(this.el('span', { cls: 'pos', text: '#' + num(row.position) }));
    const valueEl = this.el('pre', { cls: 'value' });
    el.append(valueEl);
    if (row.failure) el.append(this.failureElement(row));
    const meta = this.el('span', { cls: 'meta', text: fill(this.s.bytes, { n: num(row.length) }) });
    el.append(meta);
    const shown: Shown = { row, totalAtLoad, el, valueEl };
    if (row.truncated) {
      shown.expandBtn = this.el('button', { cls: 'expand', text: this.s.expand, attrs: { type: 'button', tabindex: '-1' } });
      shown.expandBtn.addEventListener('click', () => void this.toggle(shown));
      el.append(shown.expandBtn);
    }
    const copy = this.el('button', { cls: 'copy', text: this.s.copy, attrs: { type: 'button', tabindex: '-1' } });
    shown.copyBtn = copy;
    copy.addEventListener('click', () => void this.copy(shown));
    el.append(copy);
    el.addEventListener('click', () => this.select(this.shown.indexOf(shown), false));
    this.renderValue(shown);
    this.shown.push(shown);
    this.els['results-table'].append(el);
  }

  /** The error beside a failed item, and what else its entry says; text only (hostile data). */
  private failureElement(row: ResultRow): HTMLElement {
    const f = row.failure!;
    const box = this.el('div', { cls: 'failure' });
    if (f.raw) {
      box.append(this.el('span', { cls: 'note', text: this.s.rawEntry ?? '' }));
      return box;
    }
    if (f.error !== undefined) {
      box.append(this.el('span', { cls: 'label', text: (this.s.errorLabel ?? '') + ': ' }), this.el('pre', { cls: 'error-text', text: f.error + (f.errorClipped ? '…' : '') }));
    }
    const facts = [
      f.attempts !== undefined ? fill(this.s.attempts ?? '{n}', { n: num(f.attempts) }) : '',
      f.reason ?? '',
      f.nodeId !== undefined ? `${f.nodeId}${f.instanceId !== undefined ? '/' + f.instanceId : ''}` : '',
      f.time ?? '',
      f.binary ? (this.s.binaryItem ?? '') : '',
    ].filter(Boolean);
    if (facts.length) box.append(this.el('span', { cls: 'facts', text: facts.join(' · ') }));
    return box;
  }

  /** Retry or Clear (failed-list panels): the search's matches while they are shown, else all. */
  private async settle(kind: 'retry' | 'clear'): Promise<void> {
    try {
      await this.request({ kind, ...(this.searchMode ? { needle: this.searchNeedle } : {}) }).done;
      await this.load(0);
    } catch (e) {
      this.showError(e);
    }
  }

  private updateFailedButtons(): void {
    if (this.init?.failedOf === undefined) return;
    this.text('retry', (this.searchMode ? this.s.retryMatches : this.s.retryAll) ?? '');
    this.text('clear', (this.searchMode ? this.s.clearMatches : this.s.clearAll) ?? '');
  }

  private renderValue(x: Shown): void {
    if (x.expanded) {
      const v = x.expanded.pretty ?? x.expanded.value;
      this.fillHighlighted(x.valueEl, v, x.expanded.clipped ? '…\n' + this.s.clipped : '');
    } else {
      const v = x.row.pretty ?? x.row.value;
      this.fillHighlighted(x.valueEl, v, x.row.truncated ? '…' : '');
    }
    x.el.classList.toggle('expanded', !!x.expanded);
    if (x.expandBtn) x.expandBtn.textContent = x.expanded ? this.s.collapse : this.s.expand;
  }

  /** `text` with what the search (or the filter) matched in <mark> elements, then `tail`.
   *  Built from text-only nodes: the data is never parsed as markup. */
  private fillHighlighted(el: HTMLElement, text: string, tail: string): void {
    const parts = highlightParts(text, this.searchMode ? this.searchNeedle : this.state.filter, !this.searchMode);
    if (parts.length === 1 && !parts[0].match) {
      el.textContent = text + tail;
      return;
    }
    el.replaceChildren(
      ...parts.map((p) => this.el(p.match ? 'mark' : 'span', { text: p.text })),
      ...(tail ? [this.el('span', { text: tail })] : []),
    );
  }

  async toggle(x: Shown, force?: boolean): Promise<void> {
    if (!x.row.truncated) return;
    const open = force ?? !x.expanded;
    if (!open) {
      x.expanded = undefined;
      this.state.expanded = this.state.expanded.filter((i) => i !== x.row.index);
    } else {
      try {
        const body = (await this.request({ kind: 'item', index: x.row.index, totalAtLoad: x.totalAtLoad, prefix: x.row.value.slice(0, 200) }).done) as ItemResult;
        if (body.missing) {
          this.showError(new Error(this.s.changed));
          return;
        }
        x.expanded = body;
        if (!this.state.expanded.includes(x.row.index)) this.state.expanded.push(x.row.index);
      } catch (e) {
        this.showError(e);
        return;
      }
    }
    this.renderValue(x);
    this.save();
  }

  private async copy(x: Shown): Promise<void> {
    try {
      await this.request({ kind: 'copy', index: x.row.index, totalAtLoad: x.totalAtLoad, prefix: x.row.value.slice(0, 200) }).done;
      this.text('search-status', this.s.copied);
      const button = x.copyBtn;
      if (button) {
        button.textContent = this.s.copiedShort;
        button.classList.add('copied');
        setTimeout(() => {
          button.textContent = this.s.copy;
          button.classList.remove('copied');
        }, 1500);
      }
    } catch (e) {
      this.showError(e);
    }
  }

  private visible(): Shown[] {
    return this.shown.filter((x) => !x.el.classList.contains('hidden'));
  }

  applyFilter(): void {
    const needle = this.searchMode ? '' : this.state.filter.toLowerCase();
    let count = 0;
    for (const x of this.shown) {
      const hay = ((x.expanded?.value ?? x.row.value) + (x.row.failure?.error ? '\n' + x.row.failure.error : '')).toLowerCase();
      const match = !needle || hay.includes(needle);
      x.el.classList.toggle('hidden', !match);
      if (match) count++;
      if (!this.searchMode) this.renderValue(x);
    }
    if (needle) this.text('search-status', count ? fill(this.s.filterCount, { shown: num(count), loaded: num(this.shown.length) }) : this.s.noMatches);
    else if (!this.searchMode) this.text('search-status', '');
    if (!this.shown.length) this.showEmpty();
    this.select(Math.min(this.state.selected, Math.max(0, this.visible().length - 1)), false);
  }

  private showEmpty(): void {
    const table = this.els['results-table'];
    table.replaceChildren(this.el('div', { cls: 'empty', text: this.searchMode ? this.s.noMatches : this.s.empty }));
  }

  private select(i: number, focus: boolean): void {
    const vis = this.visible();
    for (const x of this.shown) {
      x.el.setAttribute('aria-selected', 'false');
      x.el.setAttribute('tabindex', '-1');
    }
    if (!vis.length || i < 0) return;
    const target = vis[Math.min(i, vis.length - 1)];
    target.el.setAttribute('aria-selected', 'true');
    target.el.setAttribute('tabindex', '0');
    this.state.selected = vis.indexOf(target);
    if (focus) {
      target.el.focus();
      target.el.scrollIntoView?.({ block: 'nearest' });
    }
  }

  onKey(ev: KeyboardEvent): void {
    const vis = this.visible();
    if (!vis.length) return;
    const i = this.state.selected;
    let handled = true;
    switch (ev.key) {
      case 'ArrowDown':
        if (i < vis.length - 1) this.select(i + 1, true);
        else if (!this.searchMode && this.offset + this.shown.length < this.total) void this.load(this.offset + this.shown.length, true);
        break;
      case 'ArrowUp':
        this.select(Math.max(0, i - 1), true);
        break;
      case 'Home':
        this.select(0, true);
        break;
      case 'End':
        this.select(vis.length - 1, true);
        break;
      case 'Enter':
      case ' ':
        void this.toggle(vis[i]);
        break;
      case 'c':
        if (ev.ctrlKey || ev.metaKey) void this.copy(vis[i]);
        else handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) {
      ev.preventDefault();
      this.save();
    }
  }

  private async serverSearch(): Promise<void> {
    const needle = this.state.filter;
    if (!needle || this.searchId !== undefined) return;
    const { id, done } = this.request({ kind: 'search', needle });
    this.searchId = id;
    this.show('search-cancel');
    this.text('search-status', fill(this.s.searching, { scanned: 0, total: num(this.total) }));
    try {
      const body = (await done) as SearchResult;
      this.searchMode = true;
      this.searchNeedle = needle;
      this.shown = [];
      this.els['results-table'].replaceChildren();
      for (const row of body.rows) this.addRow(row, this.total);
      this.applyFilter();
      const finished = body.rows.length === 1 ? this.s.searchDoneOne : this.s.searchDone;
      this.text('search-status', fill(body.complete ? finished : this.s.searchPartial, { found: num(body.rows.length), scanned: num(body.scanned) }));
      this.updatePager();
    } catch (e) {
      this.showError(e);
    } finally {
      this.searchId = undefined;
      this.hide('search-cancel');
    }
  }

  cancelSearch(): void {
    if (this.searchId !== undefined) this.api.postMessage({ type: 'cancel', id: this.searchId });
  }

  private onCount(total: number, running: boolean, at?: number): void {
    this.els['live']?.classList.toggle('hidden', !running);
    // A count measured before the shown page was read, or while it loads (every open: the
    // host polls as the panel opens), says nothing about changes since: the page's stands.
    if (this.loadedAt === undefined || this.loading || (at !== undefined && at < this.loadedAt)) return;
    this.total = total;
    this.showTotal();
    if (total !== this.loadedTotal && !this.searchMode) {
      const diff = total - this.loadedTotal;
      this.text('notice', fill(this.s.newItems, { n: num(Math.abs(diff)) }));
      this.show('notice');
    }
  }

  private showTotal(): void {
    this.text('total', this.total === 1 ? this.s.totalOne : fill(this.s.total, { n: num(this.total) }));
  }

  private updatePager(): void {
    this.updateFailedButtons();
    const from = this.shown.length ? this.offset + 1 : 0;
    const to = this.offset + this.shown.length;
    this.text('range', this.searchMode ? '' : fill(this.s.range, { from: num(from), to: num(to), total: num(this.loadedTotal) }));
    this.setDisabled('prev', this.searchMode || this.offset === 0);
    this.setDisabled('next', this.searchMode || to >= this.loadedTotal);
    this.setDisabled('more', this.searchMode || to >= this.loadedTotal);
  }

  private setDisabled(id: string, disabled: boolean): void {
    const e = this.els[id];
    if (!e) return;
    if (disabled) e.setAttribute('disabled', '');
    else e.removeAttribute('disabled');
  }

  private show(id: string): void {
    this.els[id]?.classList.remove('hidden');
  }
  private hide(id: string): void {
    this.els[id]?.classList.add('hidden');
  }

  private showError(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.text('error', fill(this.s.error, { message }));
    this.show('error');
    if (!this.searchMode) this.text('range', '');
  }

  /** For tests: the rows as the user reads them. */
  rowsText(): string[] {
    return this.visible().map((x) => x.valueEl.textContent ?? '');
  }
}
