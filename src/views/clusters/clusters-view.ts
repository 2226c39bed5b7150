// The Clusters view: owns the model, the provider and the poll loop. Polls only while the
// view is visible and the window focused; clusters that are neither active nor expanded get
// a health check only.
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { GridCoreService } from '../../core/service-api';
import type { TaskRecord, TaskView } from '../../core/types';
import { fetchClusterSnapshot } from '../../ui-model/cluster-snapshot';
import { ClusterTreeModel, type TreeElement } from '../../ui-model/cluster-tree-model';
import { ForgottenTasksWatch } from '../../ui-model/hub-restart';
import { Poller } from '../../ui-model/poller';
import { Disposable } from '../../ui/lifecycle';
import { pollIntervalMs } from '../../ui/settings';
import { ClustersTreeProvider } from './clusters-tree-provider';
import { nodeExitsFile, readNodeExits } from '../../core/nodeExits';
import { defaultSkillDir } from '../../core/skillFiles';

export const CLUSTERS_VIEW_ID = 'gridcore.clusters';

export class ClustersView extends Disposable {
  readonly model = new ClusterTreeModel();
  private readonly provider: ClustersTreeProvider;
  private readonly treeView: vscode.TreeView<TreeElement>;
  private readonly poller: Poller;
  private readonly expanded = new Set<string>();
  private readonly changedEmitter = this._register(new vscode.EventEmitter<void>());
  /** After every poll or profile change: the status bar and tests listen. */
  readonly onDidUpdate = this.changedEmitter.event;
  private readonly forgottenWatch = new ForgottenTasksWatch();
  private readonly forgottenEmitter = this._register(new vscode.EventEmitter<{ cluster: string; records: TaskRecord[] }>());
  /** Once per cluster and outage: the hub no longer lists tasks registered from this editor. */
  readonly onDidFindForgottenTasks = this.forgottenEmitter.event;

  constructor(private readonly service: GridCoreService, private readonly logger: Logger) {
    super();
    const exitsFile = nodeExitsFile(defaultSkillDir());
    this.provider = this._register(new ClustersTreeProvider(this.model, (id) => readNodeExits(exitsFile, id)));
    this.treeView = this._register(vscode.window.createTreeView(CLUSTERS_VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: true }));
    this.poller = this._register(
      new Poller({
        run: () => this.poll(),
        intervalMs: pollIntervalMs,
        isActive: () => this.treeView.visible && vscode.window.state.focused,
      }),
    );
    this._register(this.treeView.onDidChangeVisibility(() => this.poller.wake()));
    this._register(vscode.window.onDidChangeWindowState(() => this.poller.wake()));
    this._register(
      this.treeView.onDidExpandElement((e) => {
        if (e.element.kind !== 'cluster') return;
        this.expanded.add(e.element.cluster);
        void this.poller.pollNow();
      }),
    );
    this._register(
      this.treeView.onDidCollapseElement((e) => {
        if (e.element.kind === 'cluster') this.expanded.delete(e.element.cluster);
      }),
    );
    this._register(service.profiles.onDidChange(() => void this.refresh()));
    // Profiles (no network) at once, so the welcome view and `when` clauses are right even
    // before the view is shown.
    void this.loadProfiles().catch((e) => logger.error(e instanceof Error ? e : String(e)));
    this.poller.wake();
  }

  /** Reload profiles and poll every cluster now (the refresh button, after any command). */
  refresh(): Promise<void> {
    return this.poller.pollNow();
  }

  markStopRequested(cluster: string, nodeId: string): void {
    this.provider.fire(this.model.markStopRequested(cluster, nodeId));
    this.changedEmitter.fire();
  }

  /** Shows a task's queues under it (or hides them); their lengths come with the poll it starts. */
  showTaskQueues(cluster: string, task: TaskView, show: boolean): Promise<void> {
    this.provider.fire(this.model.showTaskQueues(cluster, task, show));
    return show ? this.poller.pollNow() : Promise.resolve();
  }

  loadMore(cluster: string): void {
    this.provider.fire(this.model.loadMoreCompleted(cluster));
  }

  private async loadProfiles() {
    const profiles = await this.service.profiles.list();
    const active = await this.service.profiles.getActive();
    this.provider.fire(this.model.setProfiles(profiles, active));
    void vscode.commands.executeCommand('setContext', 'gridcore.hasClusters', profiles.length > 0);
    void vscode.commands.executeCommand('setContext', 'gridcore.activeCluster', active ?? '');
    return { profiles, active };
  }

  private async poll(): Promise<void> {
    const { profiles, active } = await this.loadProfiles();
    const results = await Promise.all(
      profiles.map(async (p) => {
        const details = p.name === active || this.expanded.has(p.name);
        const snap = await fetchClusterSnapshot(this.service, p.name, { details, extraQueues: (tasks) => this.model.extraQueues(p.name, tasks) });
        this.provider.fire(this.model.applySnapshot(p.name, snap));
        if (this.forgottenWatch.observe(p.name, snap)) this.forgottenEmitter.fire({ cluster: p.name, records: snap.forgotten ?? [] });
        const failed = (snap.hub && !snap.hub.ok) || (snap.redis && !snap.redis.ok) || (snap.token && !snap.token.ok);
        if (failed) this.logger.trace(`poll ${p.name}: ${[snap.hub, snap.token, snap.redis].filter((c) => c && !c.ok).map((c) => (c as { message: string }).message).join('; ')}`);
        return !failed;
      }),
    );
    const running = active ? this.model.snapshotOf(active)?.tasks?.some((t) => t.state === 'running') ?? false : false;
    void vscode.commands.executeCommand('setContext', 'gridcore.hasRunningTask', running);
    this.changedEmitter.fire();
    // Back off only when every cluster failed: one dead cluster must not slow the others.
    if (results.length && results.every((ok) => !ok)) throw new Error('all clusters failed');
  }
}
