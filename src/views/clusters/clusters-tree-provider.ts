// Maps the model's plain elements to TreeItems; the model decides what changed.
import * as vscode from 'vscode';
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

  constructor(private readonly model: ClusterTreeModel) {}

  /** Fires only the elements the model reported; 'all' when the roots changed. */
  fire(changes: TreeElement[] | 'all'): void {
    if (changes === 'all') this.changed.fire(undefined);
    else if (changes.length) this.changed.fire(changes);
  }

  getTreeItem(el: TreeElement): vscode.TreeItem {
    const item = new vscode.TreeItem(el.label, COLLAPSIBLE[el.collapsible]);
    item.id = el.id;
    item.description = el.description;
    item.tooltip = el.tooltip;
    item.contextValue = el.contextValue;
    if (el.icon) item.iconPath = new vscode.ThemeIcon(el.icon.id, el.icon.color ? new vscode.ThemeColor(el.icon.color) : undefined);
    if (el.command) item.command = { command: el.command.id, title: el.command.title, arguments: el.command.args ?? [el] };
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
