// Host side of the task dashboards: one panel per (cluster, task). Each panel watches its
// cluster's shared snapshots while it is visible, feeds the task's series (kept here while
// the window is open, so closing and reopening a dashboard keeps its history) and posts one
// small `update` per snapshot. Loaded on first open or restore (its own bundle,
// dist/dashboard.js), never at activation.
import * as vscode from 'vscode';
import { gapFor, saveSeries, TaskSeries, type TaskSample } from '../../ui-model/task-series';
import { messageHtml } from '../results/html';
import { nonce } from '../results/format';
import type { SnapshotFeed, Watch } from './feed';
import { dashboardHtml } from './html';
import { dashboardModel, queuesOf, sampleOf, type DashboardSnapshot } from './model';
import { DASHBOARD_VIEW_TYPE, type DashboardAction, type DashboardTarget, type HostMessage, type WebviewMessage } from './protocol';
import { dashboardTitle, planDashboardRestore, savedDashboard } from './restore';
import { dashboardStrings } from './strings';

// The feed lives in this lazily loaded bundle too: activation pays nothing for the dashboard.
export { monitorSnapshotFeed } from './monitor-feed';

/** The command that moves stranded items back to the input, when this editor has it. */
export const REQUEUE_COMMAND = 'gridcore.requeueStranded';

/** What e2e tests read (through the extension's exports when GRIDCORE_TEST is set). */
export interface DashboardPanelSnapshot extends DashboardTarget {
  visible: boolean;
  restored: boolean;
  watching: boolean;
  samples: number;
  posted: HostMessage[];
  received: WebviewMessage[];
}

function webviewOptions(extensionUri: vscode.Uri, scripts: boolean): vscode.WebviewOptions {
  return { enableScripts: scripts, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

/** Tabs of dashboards with this title (the caller makes sure no live panel has it). */
function staleDashboardTabs(title: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(DASHBOARD_VIEW_TYPE) && t.label === title);
}

function key(t: DashboardTarget): string {
  return `${t.cluster}\u0000${t.task}`;
}

export class DashboardPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DashboardPanel>();
  /** Every task's samples seen while the window is open. */
  private readonly series = new Map<string, TaskSeries>();
  /** Panels being restored, by target: open() waits for them instead of making another. */
  private readonly restoring = new Map<string, Promise<void>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly feed: SnapshotFeed,
    private readonly clusterNames: () => Promise<string[]>,
  ) {}

  open(target: DashboardTarget): void {
    const k = key(target);
    // Being restored right now (the serializer awaits the cluster list): that panel it is.
    const pending = this.restoring.get(k);
    if (pending) {
      void pending.then(() => this.open(target));
      return;
    }
    const existing = this.panels.get(k);
    if (existing) {
      existing.reveal();
      return;
    }
    // A tab of this dashboard VS Code kept but has not revived (after an extension host
    // restart it revives a panel when shown): its place is reused, not a second tab opened.
    // (Not when a live panel of another cluster has the same title: that tab is not stale.)
    const stale = this.snapshot().some((p) => p.task === target.task) ? [] : staleDashboardTabs(dashboardTitle(target.task));
    const column = stale[0]?.group.viewColumn ?? vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, dashboardTitle(target.task), column, webviewOptions(this.extensionUri, true));
    this.adopt(panel, target, false);
    if (stale.length) void vscode.window.tabGroups.close(stale).then(undefined, () => undefined);
  }

  /** A panel VS Code brought back after a reload, with the state its webview last saved. */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = savedDashboard(state);
    const done = this.revive(panel, state);
    if (saved) {
      const k = key(saved.target);
      this.restoring.set(k, done);
      void done.finally(() => this.restoring.get(k) === done && this.restoring.delete(k)).catch(() => undefined);
    }
    return done;
  }

  private async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const plan = planDashboardRestore(state, await this.clusterNames());
    if (plan.kind === 'message') {
      panel.webview.options = webviewOptions(this.extensionUri, false);
      panel.title = plan.title;
      panel.webview.html = messageHtml({
        cspSource: panel.webview.cspSource,
        nonce: nonce(),
        styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'dist', 'dashboard.css')).toString(),
        title: plan.title,
        lang: vscode.env.language,
        message: plan.message,
      });
      return;
    }
    this.seriesOf(plan.target).merge(plan.samples);
    const existing = this.panels.get(key(plan.target));
    if (existing) {
      panel.dispose();
      existing.reveal();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri, true);
    this.adopt(panel, plan.target, true);
  }

  private seriesOf(t: DashboardTarget): TaskSeries {
    let s = this.series.get(key(t));
    if (!s) this.series.set(key(t), (s = new TaskSeries()));
    return s;
  }

  private adopt(panel: vscode.WebviewPanel, target: DashboardTarget, restored: boolean): void {
    const k = key(target);
    this.panels.set(k, new DashboardPanel(this.extensionUri, panel, target, this.seriesOf(target), this.feed, restored, () => this.panels.delete(k)));
  }

  snapshot(): DashboardPanelSnapshot[] {
    return [...this.panels.values()].map((p) => p.snapshot());
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

class DashboardPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly recording = !!process.env.GRIDCORE_TEST;
  private readonly posted: HostMessage[] = [];
  private readonly received: WebviewMessage[] = [];
  private watch?: Watch;
  /** The queues the watch asks for, to notice when the task's become known. */
  private watchedQueues = '';
  private ready = false;
  private canRequeue = false;
  private disposed = false;

  constructor(
    extensionUri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    private readonly target: DashboardTarget,
    private readonly series: TaskSeries,
    private readonly feed: SnapshotFeed,
    private readonly restored: boolean,
    private readonly onDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    const webview = panel.webview;
    panel.title = dashboardTitle(target.task);
    panel.iconPath = vscode.Uri.joinPath(media, 'icons', 'gridcore.svg');
    webview.html = dashboardHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'dashboard.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'dashboard.css')).toString(),
      title: dashboardTitle(target.task),
      lang: vscode.env.language,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: WebviewMessage) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => this.updateWatch()),
      panel.onDidDispose(() => this.dispose()),
    );
    void vscode.commands.getCommands(true).then((ids) => (this.canRequeue = ids.includes(REQUEUE_COMMAND)));
    this.updateWatch();
  }

  reveal(): void {
    this.panel.reveal();
  }

  snapshot(): DashboardPanelSnapshot {
    return {
      ...this.target,
      visible: this.panel.visible,
      restored: this.restored,
      watching: !!this.watch,
      samples: this.series.samples.length,
      posted: [...this.posted],
      received: [...this.received],
    };
  }

  /** Watch the cluster only while someone can see the panel: a hidden dashboard costs nothing. */
  private updateWatch(): void {
    if (this.disposed) return;
    if (this.panel.visible && !this.watch) {
      // What the cluster's poller sampled while this panel was closed or hidden.
      this.series.merge(this.feed.history?.(this.target.cluster, this.target.task) ?? []);
      const current = this.feed.current(this.target.cluster);
      this.startWatch(current ? this.queueNames(current) : []);
    } else if (!this.panel.visible && this.watch) {
      this.watch.dispose();
      this.watch = undefined;
      // The webview is destroyed while hidden; it says `ready` again when shown.
      this.ready = false;
    }
  }

  private queueNames(snap: DashboardSnapshot): string[] {
    const q = queuesOf(snap, this.target.task);
    return [q.input, q.output].filter((n): n is string => !!n);
  }

  private startWatch(queues: string[]): void {
    this.watchedQueues = queues.join('\u0000');
    this.watch = this.feed.watch(this.target.cluster, { nodes: true, queues }, (snap) => this.onSnapshot(snap));
  }

  private gapMs(): number {
    return gapFor(this.feed.pollIntervalMs());
  }

  private modelOf(snap: DashboardSnapshot) {
    return dashboardModel({ snap, task: this.target.task, history: this.series.samples, canRequeue: this.canRequeue });
  }

  private onSnapshot(snap: DashboardSnapshot): void {
    // The task's queues became known (first snapshot, a record written): ask for them too.
    const queues = this.queueNames(snap);
    if (this.watch && queues.join('\u0000') !== this.watchedQueues) {
      const old = this.watch;
      this.startWatch(queues);
      old.dispose();
    }
    const sample = sampleOf(snap, this.target.task);
    const added = sample ? this.series.add(sample) : false;
    if (!this.ready) return;
    const msg: HostMessage = { type: 'update', model: this.modelOf(snap) };
    if (added) msg.sample = sample as TaskSample;
    this.post(msg);
  }

  private post(msg: HostMessage): void {
    if (this.disposed) return;
    if (this.recording) this.posted.push(msg);
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(msg: WebviewMessage): Promise<void> {
    if (this.recording) this.received.push(msg);
    switch (msg?.type) {
      case 'ready': {
        // A hidden panel's webview is destroyed and sends `ready` again when shown.
        this.ready = true;
        const current = this.feed.current(this.target.cluster);
        if (current) {
          const sample = sampleOf(current, this.target.task);
          if (sample) this.series.add(sample);
        }
        this.post({
          type: 'init',
          state: {
            ...this.target,
            strings: dashboardStrings(),
            gapMs: this.gapMs(),
            series: saveSeries(this.series.samples),
            model: current ? this.modelOf(current) : undefined,
          },
        });
        return;
      }
      case 'action':
        await this.act(msg.action);
        return;
    }
  }

  private async act(action: DashboardAction): Promise<void> {
    const arg = { cluster: this.target.cluster, taskName: this.target.task };
    const command = { results: 'gridcore.openResults', finish: 'gridcore.finishTask', requeue: REQUEUE_COMMAND, restart: 'gridcore.restartTask', details: 'gridcore.showTaskDetails' }[action];
    if (command) await vscode.commands.executeCommand(command, arg);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.watch?.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDispose();
  }
}
