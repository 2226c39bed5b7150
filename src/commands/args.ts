// Commands are invoked from tree menus (with a tree element), from other commands and
// tests (with `{ cluster, taskName?, nodeId? }`), or from the palette (nothing): these
// helpers turn any of those into what the command needs, asking only when they must.
import * as vscode from 'vscode';
import { ConfigError } from '../core/errors';
import type { GridCoreService } from '../core/service-api';
import type { TaskView } from '../core/types';
import { targetOf } from '../ui-model/command-target';
import { alreadyFinished } from '../ui-model/finish-flow';
import { formatCount } from '../ui-model/format';
import { taskPickPage } from '../ui-model/task-pick';

export { targetOf, type CommandTarget } from '../ui-model/command-target';

/** The cluster named in `arg`, else the active one, else one the user picks. */
export async function resolveCluster(service: GridCoreService, arg: unknown, placeHolder?: string): Promise<string | undefined> {
  const t = targetOf(arg);
  if (t.cluster) return t.cluster;
  const active = await service.profiles.getActive();
  if (active) return active;
  return pickCluster(service, placeHolder);
}

export async function pickCluster(service: GridCoreService, placeHolder?: string): Promise<string | undefined> {
  const profiles = await service.profiles.list();
  if (!profiles.length) {
    throw new ConfigError('unknownCluster', vscode.l10n.t('No cluster is configured. Add one, import the skill\'s files, or start a local cluster.'));
  }
  if (profiles.length === 1) return profiles[0].name;
  const active = await service.profiles.getActive();
  const pick = await vscode.window.showQuickPick(
    profiles.map((p) => ({ label: p.name, description: p.computehubUrl, detail: p.name === active ? vscode.l10n.t('active cluster') : undefined })),
    { placeHolder: placeHolder ?? vscode.l10n.t('Choose a cluster') },
  );
  return pick?.label;
}

export interface PickTaskOptions {
  placeHolder: string;
  /** One item per task name (for pickers after a queue). */
  distinctNames?: boolean;
  /** Offer "Another queue…" and ask for a Redis list name. */
  otherQueue?: boolean;
  /** The cluster's tasks when the caller has just listed them. */
  tasks?: TaskView[];
}

/** A task of `cluster` the user picks, or with `otherQueue` a queue name they type. The list
 *  opens with the running and most recent tasks; typing finds any other. */
export async function pickTask(service: GridCoreService, cluster: string, opts: PickTaskOptions): Promise<{ task: TaskView } | { queue: string } | undefined> {
  const tasks = opts.tasks ?? (await service.listTasks(cluster));
  if (!opts.otherQueue && !tasks.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No task is registered on {0}.', cluster));
    return undefined;
  }
  type Item = vscode.QuickPickItem & { task?: TaskView; other?: true };
  const other: Item = { label: vscode.l10n.t('Another queue…'), alwaysShow: true, other: true };
  const qp = vscode.window.createQuickPick<Item>();
  qp.placeholder = opts.placeHolder;
  qp.matchOnDetail = true;
  const render = () => {
    const page = taskPickPage(tasks, qp.value, { distinctNames: opts.distinctNames });
    const items: Item[] = [...page.items];
    if (page.more) {
      const hint = qp.value.trim() ? vscode.l10n.t('{0} more match: type more of the name', formatCount(page.more)) : vscode.l10n.t('{0} more tasks: type a name to find them', formatCount(page.more));
      items.push({ label: hint, kind: vscode.QuickPickItemKind.Separator });
    }
    if (opts.otherQueue) items.push(other);
    qp.items = items;
  };
  render();
  // Re-listing on each keystroke is only needed when the first page leaves tasks out: setting
  // `items` while the user presses Enter clears the selection, and the pick would be lost.
  const paged = taskPickPage(tasks, '', { distinctNames: opts.distinctNames }).more > 0;
  const picked = await new Promise<Item | undefined>((resolve) => {
    if (paged) qp.onDidChangeValue(render);
    qp.onDidAccept(() => resolve(qp.selectedItems[0] ?? qp.activeItems[0]));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!picked) return undefined;
  if (picked.task) return { task: picked.task };
  const queue = await vscode.window.showInputBox({
    prompt: vscode.l10n.t('Name of the Redis list'),
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a queue name')),
  });
  return queue ? { queue: queue.trim() } : undefined;
}

/** The cluster a running-task command (Finish, Restart) acts on, its tasks and the running one.
 *  Undefined when no cluster was chosen, or when the command came from a row or notice of a task
 *  that is no longer the running one (said in a message): a late click never acts on another. */
export async function runningTaskTarget(service: GridCoreService, arg: unknown): Promise<{ cluster: string; tasks: TaskView[]; running: TaskView | undefined } | undefined> {
  const cluster = await resolveCluster(service, arg);
  if (!cluster) return undefined;
  const tasks = await service.listTasks(cluster);
  const running = tasks.find((t) => t.state === 'running');
  const stale = alreadyFinished(cluster, targetOf(arg), running);
  if (stale) {
    void vscode.window.showInformationMessage(stale);
    return undefined;
  }
  return { cluster, tasks, running };
}
