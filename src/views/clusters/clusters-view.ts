// The Clusters view: owns the model and the provider, and watches each cluster's monitor for
// what it shows (nodes and the current task's queues of the active or expanded clusters, the
// queues of tasks the user opened, the task list and health of every cluster). It polls
// nothing itself; its watches are live only while the view is visible.
import * as vscode from 'vscode';
import type { GridCoreService } from '../../core/service-api';
import type { HubNode, TaskRecord, TaskView } from '../../core/types';
import type { ClusterSnapshot } from '../../ui-model/cluster-snapshot';
import { watchRequests, type ClusterMonitor, type ClusterMonitors, type ClusterWatch, type WatchRequest } from '../../ui-model/cluster-monitor';
import { ClusterTreeModel, type TreeElement } from '../../ui-model/cluster-tree-model';
import { ForgottenTasksWatch } from '../../ui-model/hub-restart';
import { Disposable } from '../../ui/lifecycle';
import { ClustersTreeProvider } from './clusters-tree-provider';
import { nodeExitsFile, readNodeExits } from '../../core/node-exits';
import { defaultSkillDir } from '../../core/skill-files';

export const CLUSTERS_VIEW_ID = 'gridcore.clusters';

interface Subscription {
  monitor: ClusterMonitor;
  watch: ClusterWatch;
  listener: vscode.Disposable;
}

export class ClustersView extends Disposable {
  readonly model = new ClusterTreeModel();
  private readonly provider: ClustersTreeProvider;
  private readonly treeView: vscode.TreeView<TreeElement>;
  private readonly expanded = new Set<string>();
  /** Clusters whose Nodes group the user collapsed: only the count is fetched, now and then. */
  private readonly nodesCollapsed = new Set<string>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly forgottenWatch = new ForgottenTasksWatch();
  private hasRunningTask: boolean | undefined;
  private readonly forgottenEmitter = this._register(new vscode.EventEmitter<{ cluster: string; records: TaskRecord[] }>());
  /** Once per cluster and outage: the hub no longer lists tasks registered from this editor. */
  readonly onDidFindForgottenTasks = this.forgottenEmitter.event;

  constructor(
    private readonly service: GridCoreService,
    private readonly monitors: ClusterMonitors,
  ) {
    super();
    const exitsFile = nodeExitsFile(defaultSkillDir());
    this.provider = this._register(new ClustersTreeProvider(this.model, (id) => readNodeExits(exitsFile, id)));
    this.treeView = this._register(vscode.window.createTreeView(CLUSTERS_VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: true }));
    this._register(
      this.treeView.onDidChangeVisibility(() => {
        for (const s of this.subscriptions.values()) s.watch.setLive(this.treeView.visible);
      }),
    );
    this._register(
      this.treeView.onDidExpandElement((e) => {
        if (e.element.kind === 'cluster') this.expanded.add(e.element.cluster);
        else if (e.element.kind === 'nodes') this.nodesCollapsed.delete(e.element.cluster);
        else return;
        this.updateWatch(e.element.cluster);
      }),
    );
    this._register(
      this.treeView.onDidCollapseElement((e) => {
        if (e.element.kind === 'cluster') this.expanded.delete(e.element.cluster);
        else if (e.element.kind === 'nodes') this.nodesCollapsed.add(e.element.cluster);
        else return;
        this.updateWatch(e.element.cluster);
      }),
    );
    this._register(service.profiles.onDidChange(() => void this.reload()));
    this._register({ dispose: () => this.unsubscribeAll() });
    // Profiles (no network) at once, so the welcome view and `when` clauses are right even
    // before the view is shown.
    void this.reload();
  }

  /** Reload the profiles and watch each cluster (the refresh button, the test API). */
  async reload(): Promise<void> {
    const profiles = await this.service.profiles.list();
    const active = await this.service.profiles.getActive();
    if (this.isDisposed) return;
    this.provider.fire(this.model.setProfiles(profiles, active));
    void vscode.commands.executeCommand('setContext', 'gridcore.hasClusters', profiles.length > 0);
    void vscode.commands.executeCommand('setContext', 'gridcore.activeCluster', active ?? '');
    const names = new Set(profiles.map((p) => p.name));
    for (const [name, s] of this.subscriptions) {
      // A cluster removed and added again has a new monitor.
      if (names.has(name) && s.monitor === this.monitors.get(name)) continue;
      s.watch.dispose();
      s.listener.dispose();
      this.subscriptions.delete(name);
    }
    for (const p of profiles) {
      if (this.subscriptions.has(p.name)) {
        this.updateWatch(p.name);
        continue;
      }
      const monitor = this.monitors.get(p.name);
      const listener = monitor.onDidChange((snap) => this.apply(p.name, snap));
      // What another watcher already fetched shows at once.
      if (monitor.snapshot) this.apply(p.name, monitor.snapshot);
      this.subscriptions.set(p.name, { monitor, listener, watch: monitor.watch(this.requestFor(p.name), this.treeView.visible) });
    }
    this.setRunningContext();
  }

  markStopRequested(cluster: string, nodeId: string): void {
    this.provider.fire(this.model.markStopRequested(cluster, nodeId));
  }

  /** A node known to have stopped (the local cluster's own): shown stopped at once. */
  markStopped(cluster: string, node: HubNode): void {
    this.provider.fire(this.model.markStopped(cluster, node));
  }

  markStarted(cluster: string, nodeId: string): void {
    this.provider.fire(this.model.markStarted(cluster, nodeId));
  }

  /** Shows a task's queues under it (or hides them); their lengths come with the poll it starts. */
  showTaskQueues(cluster: string, task: TaskView, show: boolean): Promise<void> {
    this.provider.fire(this.model.showTaskQueues(cluster, task, show));
    this.updateWatch(cluster);
    return show ? this.monitors.refresh(cluster) : Promise.resolve();
  }

  /** `which`: 'pending', 'completed' or a node status page ("nodes:Running"). */
  loadMore(cluster: string, which: string): void {
    this.provider.fire(this.model.loadMore(cluster, which));
  }

  private requestFor(cluster: string): WatchRequest {
    const details = cluster === this.model.activeCluster() || this.expanded.has(cluster);
    return watchRequests.tree(details, this.model.extraQueues(cluster, this.model.snapshotOf(cluster)?.tasks ?? []), !this.nodesCollapsed.has(cluster));
  }

  private updateWatch(cluster: string): void {
    this.subscriptions.get(cluster)?.watch.update(this.requestFor(cluster));
  }

  private apply(cluster: string, snap: ClusterSnapshot): void {
    this.provider.fire(this.model.applySnapshot(cluster, snap));
    // The task list may now hold a task whose queues are shown.
    this.updateWatch(cluster);
    if (this.forgottenWatch.observe(cluster, snap)) this.forgottenEmitter.fire({ cluster, records: snap.forgotten ?? [] });
    if (cluster === this.model.activeCluster()) this.setRunningContext();
  }

  private setRunningContext(): void {
    const active = this.model.activeCluster();
    const running = active ? this.model.snapshotOf(active)?.tasks?.some((t) => t.state === 'running') ?? false : false;
    if (running === this.hasRunningTask) return;
    this.hasRunningTask = running;
    void vscode.commands.executeCommand('setContext', 'gridcore.hasRunningTask', running);
  }

  private unsubscribeAll(): void {
    for (const s of this.subscriptions.values()) {
      s.watch.dispose();
      s.listener.dispose();
    }
    this.subscriptions.clear();
  }
}
