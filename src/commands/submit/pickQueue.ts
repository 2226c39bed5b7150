// Turns a command's argument into (cluster, task, queue), asking only for what is missing.
import * as vscode from 'vscode';
import type { GridCoreService } from '../../core/service-api';
import { queueNaming } from '../../ui/settings';
import { resolveCluster } from '../args';
import { queueTargetOf, taskQueue, type QueueRole } from './targets';

export interface ResolvedQueue {
  cluster: string;
  queue: string;
  taskName?: string;
  /** the task's other queue, when known */
  inputQueue?: string;
}

export async function resolveQueue(service: GridCoreService, arg: unknown, role: QueueRole, placeHolder: string): Promise<ResolvedQueue | undefined> {
  const t = queueTargetOf(arg);
  const cluster = await resolveCluster(service, t.cluster ? { cluster: t.cluster } : undefined);
  if (!cluster) return undefined;
  if (t.queue && (!t.role || t.role === role)) {
    const record = service.tasks.list(cluster).find((r) => (role === 'input' ? r.inputQueue : r.outputQueue) === t.queue);
    return { cluster, queue: t.queue, taskName: t.taskName ?? record?.name, inputQueue: record?.inputQueue };
  }
  let taskName = t.taskName;
  if (!taskName) {
    const picked = await pickTask(service, cluster, placeHolder);
    if (!picked) return undefined;
    if ('queue' in picked) return { cluster, queue: picked.queue };
    taskName = picked.taskName;
  }
  const record = t.record ?? service.tasks.get(cluster, taskName);
  const naming = queueNaming(taskName);
  return { cluster, taskName, queue: taskQueue(role, record, naming), inputQueue: taskQueue('input', record, naming) };
}

/** Running task first (the default), then pending and completed ones, then "another queue". */
async function pickTask(service: GridCoreService, cluster: string, placeHolder: string): Promise<{ taskName: string } | { queue: string } | undefined> {
  const tasks = await service.listTasks(cluster);
  const order = { running: 0, pending: 1, completed: 2 } as const;
  const seen = new Set<string>();
  const items: Array<vscode.QuickPickItem & { taskName?: string }> = [];
  for (const t of [...tasks].sort((a, b) => order[a.state] - order[b.state] || b.index - a.index)) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    const state = t.state === 'running' ? vscode.l10n.t('running') : t.state === 'pending' ? vscode.l10n.t('pending') : vscode.l10n.t('completed');
    items.push({ label: t.name, description: state, detail: t.record ? `${t.record.inputQueue ?? ''} → ${t.record.outputQueue ?? ''}` : undefined, taskName: t.name });
  }
  const other: vscode.QuickPickItem & { taskName?: string } = { label: vscode.l10n.t('Another queue…'), alwaysShow: true };
  const pick = await vscode.window.showQuickPick([...items, other], { placeHolder });
  if (!pick) return undefined;
  if (pick.taskName) return { taskName: pick.taskName };
  const queue = await vscode.window.showInputBox({
    prompt: vscode.l10n.t('Name of the Redis list'),
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a queue name')),
  });
  return queue ? { queue: queue.trim() } : undefined;
}
