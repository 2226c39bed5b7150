// A minimal DOM for driving webview scripts in unit tests. It has no HTML parser at all:
// setting innerHTML throws, so a test passes only if the script builds nodes with textContent.

type Listener = (ev: unknown) => void;

class FakeClassList {
  private readonly set = new Set<string>();
  constructor(private readonly owner: FakeElement) {}
  add(...c: string[]) { for (const x of c) this.set.add(x); this.sync(); }
  remove(...c: string[]) { for (const x of c) this.set.delete(x); this.sync(); }
  contains(c: string) { return this.set.has(c); }
  toggle(c: string, force?: boolean) {
    const on = force ?? !this.set.has(c);
    if (on) this.set.add(c); else this.set.delete(c);
    this.sync();
    return on;
  }
  fromString(s: string) { this.set.clear(); for (const x of s.split(/\s+/).filter(Boolean)) this.set.add(x); }
  private sync() { this.owner.attrs.set('class', [...this.set].join(' ')); }
  toString() { return [...this.set].join(' '); }
}

export class FakeElement {
  readonly attrs = new Map<string, string>();
  readonly children: FakeElement[] = [];
  readonly classList = new FakeClassList(this);
  parent?: FakeElement;
  value = '';
  /** CSSOM styles (what a CSP without inline styles still allows). */
  readonly style: Record<string, string> = {};
  private text = '';
  private readonly listeners = new Map<string, Listener[]>();
  constructor(readonly tagName: string, private readonly doc: FakeDocument) {}

  get id() { return this.attrs.get('id') ?? ''; }
  set id(v: string) { this.attrs.set('id', v); }
  get className() { return this.classList.toString(); }
  set className(v: string) { this.doc.mutations++; this.classList.fromString(v); this.attrs.set('class', v); }
  get textContent(): string { return this.text + this.children.map((c) => c.textContent).join(''); }
  set textContent(v: string | null) { this.doc.mutations++; this.detachAll(); this.text = v ?? ''; }
  set innerHTML(_v: string) { throw new Error('innerHTML used'); }
  set outerHTML(_v: string) { throw new Error('outerHTML used'); }
  insertAdjacentHTML() { throw new Error('insertAdjacentHTML used'); }

  setAttribute(k: string, v: string) { this.doc.mutations++; if (k === 'class') this.className = v; else this.attrs.set(k, String(v)); }
  getAttribute(k: string) { return this.attrs.get(k) ?? null; }
  removeAttribute(k: string) { this.attrs.delete(k); }
  hasAttribute(k: string) { return this.attrs.has(k); }
  append(...nodes: FakeElement[]) { this.doc.mutations++; for (const n of nodes) { n.parent?.children.splice(n.parent.children.indexOf(n), 1); n.parent = this; this.children.push(n); } }
  replaceChildren(...nodes: FakeElement[]) { this.detachAll(); this.text = ''; this.append(...nodes); }
  private detachAll() { for (const c of this.children) c.parent = undefined; this.children.length = 0; }
  addEventListener(type: string, fn: Listener) { this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]); }
  dispatch(type: string, ev: Record<string, unknown> = {}) {
    const event = { type, target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...ev };
    for (const fn of this.listeners.get(type) ?? []) fn(event);
    return event;
  }
  click() { return this.dispatch('click'); }
  focus() { this.doc.activeElement = this; }
  scrollIntoView() {}

  /** Depth-first list of this element and its descendants. */
  all(): FakeElement[] { return [this, ...this.children.flatMap((c) => c.all())]; }
  byClass(c: string) { return this.all().filter((e) => e.classList.contains(c)); }
}

export class FakeDocument {
  activeElement: FakeElement | null = null;
  /** Changes made to elements (text, attributes, children), as a MutationObserver would see them. */
  mutations = 0;
  readonly body = new FakeElement('body', this);
  readonly created: FakeElement[] = [];
  constructor() {
    const app = this.createElement('div');
    app.id = 'app';
    this.body.append(app);
  }
  createElement(tag: string) { const e = new FakeElement(tag.toLowerCase(), this); this.created.push(e); return e; }
  getElementById(id: string) { return this.body.all().find((e) => e.id === id) ?? null; }
}
