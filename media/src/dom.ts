// The webviews' element builder: every value goes in as textContent or an attribute, never as
// markup (results come from user containers and are treated as hostile). Each view keeps the
// elements it gave an id in its own map, to update them without querying the page.
/** What `acquireVsCodeApi()` gives a webview, typed by its messages and saved state. */
export interface WebviewApi<Message, State> {
  postMessage(message: Message): void;
  getState(): unknown;
  setState(state: State): void;
}

/** The few DOM members the views use (a real Document satisfies it; tests pass a fake). */
export interface MiniDocument {
  createElement(tag: string): HTMLElement;
  getElementById(id: string): HTMLElement | null;
}

export interface ElementOptions {
  id?: string;
  cls?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function makeElement(doc: { createElement(tag: string): HTMLElement }, byId: Record<string, HTMLElement>, tag: string, opts: ElementOptions = {}): HTMLElement {
  const e = doc.createElement(tag);
  if (opts.id) {
    e.id = opts.id;
    byId[opts.id] = e;
  }
  if (opts.cls) e.className = opts.cls;
  if (opts.text !== undefined) e.textContent = opts.text;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) e.setAttribute(k, v);
  return e;
}
