// Messages between the results panel (extension host) and its webview script
// (media/src/results.ts). Both sides import this file, so a renamed field breaks the build,
// not the panel. Requests carry an id and get exactly one `response` with that id.

export type Order = 'newest' | 'oldest';

/** The panel's view type: activation registers its serializer, the panel module is loaded later. */
export const RESULTS_VIEW_TYPE = 'gridcore.results';

/** Which list a panel shows; kept in the webview state so the panel comes back after a reload. */
export interface ResultsTarget {
  cluster: string;
  queue: string;
  /** The task's input queue, to tell whether it is still running. */
  inputQueue?: string;
  /** Set when the panel shows the failed list of this input queue (`queue` is that list):
   *  rows are its entries, each item with its error (README, "Reliable consumers"). */
  failedOf?: string;
}

/** Why an item failed, as its failed-list entry says; every field as the consumer wrote it. */
export interface FailureView {
  error?: string;
  /** the error was longer than shown */
  errorClipped?: boolean;
  attempts?: number;
  reason?: string;
  nodeId?: string;
  instanceId?: string;
  time?: string;
  task?: string;
  /** the item is not valid UTF-8 (item_b64): shown as text, retried as its exact bytes */
  binary?: boolean;
  /** the entry is not one of the convention's (shown raw, nothing to retry) */
  raw?: boolean;
}

/** One list item as the webview shows it. `index` is the Redis list index (0 = newest). */
export interface ResultRow {
  index: number;
  /** Position shown to the user (1-based, in the chosen order). */
  position: number;
  /** Value (a preview when `truncated`). */
  value: string;
  /** Pretty-printed JSON when the whole value parses as an object or array. */
  pretty?: string;
  /** Byte length of the full value. */
  length: number;
  truncated: boolean;
  /** A failed-list panel's row: why the item failed. */
  failure?: FailureView;
}

export interface PageResult {
  total: number;
  offset: number;
  rows: ResultRow[];
  /** host clock (ms) when the page was read: a count measured before says nothing new */
  at?: number;
}

export interface ItemResult {
  value: string;
  pretty?: string;
  length: number;
  /** The full value was longer than the panel shows even when expanded. */
  clipped: boolean;
  /** The item at that position changed since the page was loaded (list rewritten). */
  missing: boolean;
}

export interface SearchResult {
  rows: ResultRow[];
  scanned: number;
  complete: boolean;
}

// `totalAtLoad` is the list length when the row was loaded: the host uses it to follow
// LPUSH growth; `prefix` is the start of the row's value, to check it found the same item.
export type ResultsRequest =
  | { kind: 'page'; order: Order; offset: number; count: number }
  | { kind: 'item'; index: number; totalAtLoad: number; prefix: string }
  | { kind: 'search'; needle: string }
  | { kind: 'copy'; index: number; totalAtLoad: number; prefix: string }
  | { kind: 'export' }
  /** failed-list panels: Retry / Clear Failed Items, for all entries or the search's matches */
  | { kind: 'retry' | 'clear'; needle?: string };

export type ResultsResponseBody = PageResult | ItemResult | SearchResult | { done: true };

/** Webview strings, localized on the extension side and sent once in `init`. */
export interface ResultsStrings {
  title: string;
  total: string;
  /** the total when it is 1 */
  totalOne: string;
  newest: string;
  oldest: string;
  filterPlaceholder: string;
  searchServer: string;
  cancel: string;
  searching: string;
  searchDone: string;
  /** searchDone when one item matched */
  searchDoneOne: string;
  searchPartial: string;
  expand: string;
  collapse: string;
  copy: string;
  copied: string;
  /** the Copy button's label for a moment after it copied */
  copiedShort: string;
  export: string;
  refresh: string;
  newItems: string;
  loadMore: string;
  empty: string;
  loading: string;
  bytes: string;
  clipped: string;
  changed: string;
  live: string;
  error: string;
  noMatches: string;
  filterCount: string;
  previous: string;
  next: string;
  range: string;
  /** failed-list panels only */
  failedTitle?: string;
  errorLabel?: string;
  attempts?: string;
  retryAll?: string;
  retryMatches?: string;
  clearAll?: string;
  clearMatches?: string;
  rawEntry?: string;
  binaryItem?: string;
  emptyFailed?: string;
}

export interface InitState extends ResultsTarget {
  pageSize: number;
  strings: ResultsStrings;
}

export type HostMessage =
  | { type: 'init'; state: InitState }
  | { type: 'response'; id: number; ok: true; body: ResultsResponseBody }
  | { type: 'response'; id: number; ok: false; error: string }
  /** `at`: host clock (ms) of the poll that measured it */
  | { type: 'count'; total: number; input?: number; running: boolean; at?: number }
  | { type: 'searchProgress'; id: number; scanned: number; total: number };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'request'; id: number; request: ResultsRequest }
  | { type: 'cancel'; id: number };

/** What the webview keeps with setState, so a hidden-then-shown panel, or one VS Code
 *  restores after a reload, comes back as it was. */
export interface WebviewState extends ResultsTarget {
  order: Order;
  offset: number;
  filter: string;
  selected: number;
  expanded: number[];
}
