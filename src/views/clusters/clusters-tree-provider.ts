// Maps the model's plain elements to TreeItems; the model decides what changed.
import * as vscode from 'vscode';
import { ERROR_CLEARS, lastFailure } from '../../core/diagnose';
import type { NodeExit } from '../../core/node-exits';
import type { TreeElement } from '../../ui-model/cluster-tree-model';
import type { ClusterTreeModel } from '../../ui-model/cluster-tree-model';

const COLLAPSIBLE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

export class ClustersTreeProvider implements vscode.TreeDataProvider<TreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeElement | TreeElement[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** `keptExits`: the last lines of a local node's failed containers, read on hover only. */
  constructor(
    private readonly model: ClusterTreeModel,
    private readonly keptExits?: (nodeId: string) => NodeExit[],
  ) {}

  /** Fires only the elements the model reported; 'all' when the roots changed. */
  fire(changes: TreeElement[] | 'all'): void {
    if (changes === 'all') this.changed.fire(undefined);
    else if (changes.length) this.changed.fire(changes);
  }

  getTreeItem(el: TreeElement): vscode.TreeItem {
    const item = new vscode.TreeItem(el.label, COLLAPSIBLE[el.collapsible]);
    item.id = el.id;
    item.description = el.description;
    // A node's tooltip is made when shown (resolveTreeItem): it carries the last heartbeat,
    // which changes every poll, so the row itself never has to.
    if (el.kind !== 'node') item.tooltip = el.tooltip;
    item.contextValue = el.contextValue;
    if (el.icon) item.iconPath = new vscode.ThemeIcon(el.icon.id, el.icon.color ? new vscode.ThemeColor(el.icon.color) : undefined);
    if (el.command) item.command = { command: el.command.id, title: el.command.title, arguments: el.command.args ?? [el] };
    return item;
  }

  /** A node's tooltip, when first shown: its last heartbeat as of the last poll and, for a
   *  local node in Error, the last failed container's cause and lines. VS Code keeps it until
   *  the row changes (and takes it only when getTreeItem left the tooltip unset). */
  resolveTreeItem(item: vscode.TreeItem, el: TreeElement): vscode.TreeItem {
    if (el.kind !== 'node' || !el.nodeId) return item;
    item.tooltip = this.model.nodeTooltip(el);
    const local = this.model.profiles().find((p) => p.name === el.cluster)?.local;
    const node = this.model.snapshotOf(el.cluster)?.nodes?.find((n) => n.id === el.nodeId);
    if (!local || !this.keptExits || node?.runtime_status !== 'Error') return item;
    const failure = lastFailure(node, this.keptExits(node.id));
    if (failure) item.tooltip = `${item.tooltip ?? ''}${failure}\n\n${ERROR_CLEARS()}`;
    return item;
  }

  getChildren(el?: TreeElement): TreeElement[] {
    return el ? el.children ?? [] : this.model.roots();
  }

  getParent(el: TreeElement): TreeElement | undefined {
    const cut = el.id.lastIndexOf('/');
    return cut < 0 ? undefined : this.model.get(el.id.slice(0, cut));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
