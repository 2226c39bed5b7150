// Host side of the results webview: one panel per (cluster, queue). It answers the
// webview's typed requests through ResultsSession, copies and exports through VS Code, and
// watches its list's length (and its input's) through the cluster's monitor, in the same
// Redis round trip as every other view's, live only while the panel is visible. Loaded on
// first open or restore (its own bundle, dist/results.js), never at activation.
import * as vscode from 'vscode';
import type { GridCoreService, QueueService } from '../../core/service-api';
import type { ClusterSnapshot } from '../../ui-model/cluster-snapshot';
import type { ClusterMonitor, ClusterMonitors, ClusterWatch } from '../../ui-model/cluster-monitor';
import { watchRequests } from '../../ui-model/watch-requests';
import { nonce } from './format';
import { messageHtml, resultsHtml } from './html';
import { RESULTS_VIEW_TYPE, type HostMessage, type ResultsRequest, type ResultsResponseBody, type ResultsTarget, type WebviewMessage } from './protocol';
import { planRestore } from './restore';
import { ResultsSession } from './session';
import { FailedSession } from './failed-session';
import { failedStrings, resultsStrings } from './strings';
import { failedList } from '../../core/failed-items';
import { formatCount } from '../../core/numbers';

export type { ResultsTarget } from './protocol';
const PAGE_SIZE = 200;

/** What e2e tests read (through the extension's exports when GRIDCORE_TEST is set). */
export interface ResultsPanelSnapshot {
  cluster: string;
  queue: string;
  visible: boolean;
  /** Brought back by the serializer after a window reload. */
  restored: boolean;
  posted: HostMessage[];
  received: WebviewMessage[];
}

/** The same rules for a new panel and a restored one: scripts only from media/, a fresh nonce. */
function webviewOptions(extensionUri: vscode.Uri, scripts: boolean): vscode.WebviewOptions {
  return { enableScripts: scripts, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

function showMessage(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, title: string, message: string): void {
  const webview = panel.webview;
  webview.options = webviewOptions(extensionUri, false);
  panel.title = title;
  webview.html = messageHtml({
    cspSource: webview.cspSource,
    nonce: nonce(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'results.css')).toString(),
    title,
    lang: vscode.env.language,
    message,
  });
}

export class ResultsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ResultsPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly service: GridCoreService,
    private readonly monitors: ClusterMonitors,
  ) {}

  async open(target: ResultsTarget): Promise<void> {
    const existing = this.panels.get(key(target));
    if (existing) {
      existing.reveal();
      return;
    }
    const queues = await this.service.queues(target.cluster);
    const inputQueue = target.inputQueue ?? this.service.tasks.list(target.cluster).find((r) => r.outputQueue === target.queue)?.inputQueue;
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, vscode.l10n.t('Results: {queue}', { queue: target.queue }), vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri, true),
      enableFindWidget: true,
    });
    this.adopt(panel, { ...target, inputQueue }, queues, false);
  }

  /** The failed list of an input queue (README, "Reliable consumers"): each item with its error. */
  async openFailed(cluster: string, input: string): Promise<void> {
    const target: ResultsTarget = { cluster, queue: failedList(input), failedOf: input, inputQueue: input };
    const existing = this.panels.get(key(target));
    if (existing) {
      existing.reveal();
      return;
    }
    const queues = await this.service.queues(cluster);
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, panelTitle(target), vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri, true),
      enableFindWidget: true,
    });
    this.adopt(panel, target, queues, false);
  }

  /** A list kept in memory (a trial's results, copied before its scratch queues were removed). */
  openList(target: ResultsTarget, queues: QueueService): void {
    const existing = this.panels.get(key(target));
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, vscode.l10n.t('Results: {queue}', { queue: target.queue }), vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri, true),
      enableFindWidget: true,
    });
    this.adopt(panel, target, queues, false);
  }

  /** A panel VS Code brought back after a reload, with the state its webview last saved. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const plan = await planRestore(state, {
      clusterNames: async () => (await this.service.profiles.list()).map((p) => p.name),
      queues: (cluster) => this.service.queues(cluster),
    });
    if (plan.kind === 'message') {
      showMessage(panel, this.extensionUri, plan.title, plan.message);
      return;
    }
    const existing = this.panels.get(key(plan.target));
    if (existing) {
      panel.dispose();
      existing.reveal();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri, true);
    this.adopt(panel, plan.target, plan.queues, true);
  }

  private adopt(panel: vscode.WebviewPanel, target: ResultsTarget, queues: QueueService, restored: boolean): void {
    const k = key(target);
    this.panels.set(k, new ResultsPanel(this.extensionUri, panel, target, queues, this.monitors, restored, () => this.panels.delete(k)));
  }

  snapshot(): ResultsPanelSnapshot[] {
    return [...this.panels.values()].map((p) => p.snapshot());
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

function key(t: ResultsTarget): string {
  return `${t.cluster}\u0000${t.queue}`;
}

function panelTitle(t: ResultsTarget): string {
  return t.failedOf !== undefined ? vscode.l10n.t('Failed Items: {queue}', { queue: t.failedOf }) : vscode.l10n.t('Results: {queue}', { queue: t.queue });
}

class ResultsPanel {
  private readonly session: ResultsSession | FailedSession;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly searches = new Map<number, vscode.CancellationTokenSource>();
  private readonly recording = !!process.env.GRIDCORE_TEST;
  private readonly posted: HostMessage[] = [];
  private readonly received: WebviewMessage[] = [];
  private readonly watch: ClusterWatch;
  private readonly monitor: ClusterMonitor;
  private lastCount?: string;
  private unchangedPolls = 0;
  private disposed = false;
  /** The webview said `ready` and got `init`: counts before that would reach a page that has
   *  no strings yet (a hidden panel's webview is rebuilt when shown, and says ready again). */
  private webviewReady = false;

  constructor(
    extensionUri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    private readonly target: ResultsTarget,
    private readonly queues: QueueService,
    monitors: ClusterMonitors,
    private readonly restored: boolean,
    private readonly onDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel.title = panelTitle(target);
    this.session = target.failedOf !== undefined ? new FailedSession(queues, target.failedOf) : new ResultsSession(queues, target.queue);
    const webview = this.panel.webview;
    webview.html = resultsHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'results.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'results.css')).toString(),
      title: panelTitle(target),
      lang: vscode.env.language,
    });
    const monitor = (this.monitor = monitors.get(target.cluster));
    // A failed list is measured as such (a key that is not a list reads -1), never as a queue
    // whose wrong type would fail the whole poll.
    this.watch = monitor.watch(
      target.failedOf !== undefined ? watchRequests.failedPanel(target.failedOf) : watchRequests.resultsPanel(target.queue, target.inputQueue),
      this.panel.visible,
    );
    this.disposables.push(
      this.watch,
      monitor.onDidChange((snap) => this.onSnapshot(snap)),
      webview.onDidReceiveMessage((m: WebviewMessage) => void this.onMessage(m)),
      this.panel.onDidChangeViewState(() => {
        // A hidden panel's webview is gone: it says `ready` again when shown.
        if (!this.panel.visible) this.webviewReady = false;
        this.watch.setLive(this.panel.visible);
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  snapshot(): ResultsPanelSnapshot {
    return { cluster: this.target.cluster, queue: this.target.queue, visible: this.panel.visible, restored: this.restored, posted: [...this.posted], received: [...this.received] };
  }

  private post(msg: HostMessage): void {
    if (this.disposed) return;
    if (this.recording) this.posted.push(msg);
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(msg: WebviewMessage): Promise<void> {
    if (this.recording) this.received.push(msg);
    switch (msg?.type) {
      case 'ready':
        // A hidden panel's webview is destroyed and sends `ready` again when shown.
        this.lastCount = undefined;
        this.webviewReady = true;
        this.post({
          type: 'init',
          state: { ...this.target, pageSize: PAGE_SIZE, strings: this.target.failedOf !== undefined ? { ...resultsStrings(), ...failedStrings() } : resultsStrings() },
        });
        if (this.monitor.snapshot) this.onSnapshot(this.monitor.snapshot);
        return;
      case 'cancel':
        this.searches.get(msg.id)?.cancel();
        return;
      case 'request':
        try {
          const body = await this.answer(msg.id, msg.request);
          this.post({ type: 'response', id: msg.id, ok: true, body });
        } catch (e) {
          this.post({ type: 'response', id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
    }
  }

  private async answer(id: number, req: ResultsRequest): Promise<ResultsResponseBody> {
    switch (req.kind) {
      case 'page': {
        const page = await this.session.page(req.order, req.offset, req.count);
        return { ...page, at: Date.now() };
      }
      case 'item':
        return this.session.item(req.index, req.totalAtLoad, req.prefix);
      case 'copy': {
        const { value } = await this.session.fullValue(req.index, req.totalAtLoad, req.prefix);
        if (value === null) throw new Error(vscode.l10n.t('That item is no longer at its place in the list: Refresh and try again.'));
        await vscode.env.clipboard.writeText(value);
        // Confirmed where the user looks: the button (in the webview) and the status bar.
        vscode.window.setStatusBarMessage(vscode.l10n.t('Value copied to the clipboard'), 3000);
        return { done: true };
      }
      case 'search': {
        const cts = new vscode.CancellationTokenSource();
        this.searches.set(id, cts);
        try {
          return await this.session.search(req.needle, cts.token, (scanned, total) => this.post({ type: 'searchProgress', id, scanned, total }));
        } finally {
          this.searches.delete(id);
          cts.dispose();
        }
      }
      case 'export':
        // A failed list's entries are one-line JSON already: written as they are.
        await exportQueue(this.queues, this.target.queue, this.target.failedOf !== undefined);
        return { done: true };
      case 'retry':
      case 'clear':
        if (this.target.failedOf === undefined) throw new Error('not a failed-list panel');
        // The commands ask first, with the count, and refresh the monitor this panel watches.
        await vscode.commands.executeCommand(req.kind === 'retry' ? 'gridcore.retryFailedItems' : 'gridcore.clearFailedItems', {
          cluster: this.target.cluster,
          inputQueue: this.target.failedOf,
          ...(req.needle ? { match: req.needle } : {}),
        });
        return { done: true };
    }
  }

  /** The list's length from the monitor's poll: posted when it changed, and once more when it
   *  stopped changing (so the webview can say the job is no longer running). */
  private onSnapshot(snap: ClusterSnapshot): void {
    const measured = this.target.failedOf !== undefined ? snap.failed?.[this.target.failedOf] : snap.lengths?.[this.target.queue];
    const total = measured !== undefined && measured >= 0 ? measured : undefined;
    // Not measured (Redis down): the page requests report why; the count waits for the next poll.
    // Before the webview's `ready` there is no page to show it on (it would have no strings yet).
    if (total === undefined || !this.webviewReady) return;
    const input = this.target.inputQueue ? snap.lengths?.[this.target.inputQueue] : undefined;
    const key = `${total}/${input}`;
    const changed = key !== this.lastCount;
    this.unchangedPolls = changed ? 0 : this.unchangedPolls + 1;
    const running = (input ?? 0) > 0 || (this.lastCount !== undefined && changed);
    if (changed || this.unchangedPolls === 1) this.post({ type: 'count', total, input, running, at: snap.at });
    this.lastCount = key;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.searches.values()) s.cancel();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDispose();
  }
}

/** Save dialog, then the whole list streamed to the file with a cancellable progress notification. */
/** `asIs`: the values are one-line JSON already (a failed list): written one a line whatever the file's extension. */
export async function exportQueue(queues: QueueService, queue: string, asIs = false): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const safe = queue.replace(/[^\w.-]+/g, '_');
  const uri = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${safe}.jsonl`) : undefined,
    filters: { [vscode.l10n.t('JSON Lines')]: ['jsonl'], [vscode.l10n.t('Plain lines')]: ['txt'] },
    saveLabel: vscode.l10n.t('Export'),
  });
  if (!uri) return;
  const format = !asIs && uri.fsPath.toLowerCase().endsWith('.jsonl') ? 'jsonl' : 'lines';
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Exporting {queue}', { queue }), cancellable: true },
    async (progress, token) => {
      let reported = 0;
      return queues.exportToFile(queue, uri.fsPath, {
        format,
        signal: token,
        onProgress(written, total) {
          const pct = total > 0 ? (written / total) * 100 : 100;
          progress.report({ increment: pct - reported, message: vscode.l10n.t('{written} of {total} items', { written: formatCount(written), total: formatCount(total) }) });
          reported = pct;
        },
      });
    },
  );
  const open = vscode.l10n.t('Open File');
  const message = result.cancelled
    ? vscode.l10n.t('Export stopped: {n} items written to {file}.', { n: formatCount(result.written), file: uri.fsPath })
    : vscode.l10n.t('Exported {n} items to {file}.', { n: formatCount(result.written), file: uri.fsPath });
  const choice = await vscode.window.showInformationMessage(message, open);
  if (choice === open) await vscode.window.showTextDocument(uri);
}
