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
    // VS Code resolves (resolveTreeItem) only a tooltip left undefined: a local node in Error
    // leaves it so, and gets its generic one plus the failure's cause and lines there.
    item.tooltip = this.failureNode(el) ? undefined : el.tooltip;
    item.contextValue = el.contextValue;
    if (el.icon) item.iconPath = new vscode.ThemeIcon(el.icon.id, el.icon.color ? new vscode.ThemeColor(el.icon.color) : undefined);
    if (el.command) item.command = { command: el.command.id, title: el.command.title, arguments: el.command.args ?? [el] };
    return item;
  }

  /** A local node in Error: its tooltip gains the last failed container's cause and lines. */
  resolveTreeItem(item: vscode.TreeItem, el: TreeElement): vscode.TreeItem {
    const node = this.failureNode(el);
    if (!node || !this.keptExits) return item;
    const failure = lastFailure(node, this.keptExits(node.id));
    item.tooltip = failure ? `${el.tooltip ?? ''}${failure}\n\n${ERROR_CLEARS()}` : el.tooltip;
    return item;
  }

  /** The node of a local cluster in Error, whose kept failures can explain it. */
  private failureNode(el: TreeElement) {
    if (el.kind !== 'node' || !el.nodeId || !this.keptExits) return undefined;
    const local = this.model.profiles().find((p) => p.name === el.cluster)?.local;
    const node = this.model.snapshotOf(el.cluster)?.nodes?.find((n) => n.id === el.nodeId);
    return local && node?.runtime_status === 'Error' ? node : undefined;
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
