// Task operations: finish the running task (confirming with the input queue's length),
// show a task's record, and the status bar's quick pick of actions.
import * as vscode from 'vscode';
import type { FinishResult, TaskView } from '../core/types';
import { finishConfirmation, finishOutcome, nextPending, nothingRunningMessage } from '../ui-model/finish-flow';
import { queueFacts } from '../ui-model/queue-facts';
import { taskDetailsMarkdown } from '../ui-model/task-details';
import { handedConfig, handedQueues, recordedQueues, taskQueueNames } from '../ui-model/task-queues';
import { pickTask, resolveCluster, runningTaskTarget, targetOf } from './args';
import type { CommandContext, CommandModule } from './registry';

async function finishTask(ctx: CommandContext, arg: unknown): Promise<FinishResult | undefined> {
  const target = await runningTaskTarget(ctx.service, arg);
  if (!target) return undefined;
  const { cluster, tasks, running } = target;
  if (!running) {
    void vscode.window.showInformationMessage(nothingRunningMessage(cluster, tasks));
    return undefined;
  }
  const q = await taskQueueNames(ctx.service, cluster, running);
  const facts = await queueFacts(ctx.service, cluster, q, (m) => ctx.logger.warn(m), { inFlight: true });
  const finish = vscode.l10n.t('Finish Task');
  const ask = finishConfirmation(running.name, cluster, facts, nextPending(tasks));
  const show = ask.warn ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const pick = await show(ask.message, { modal: true, detail: ask.detail }, finish);
  if (pick !== finish) return undefined;
  const result = await (await ctx.service.hub(cluster)).finish();
  ctx.logger.info(`finished ${result.completed} on ${cluster}; started ${result.started ?? 'nothing'}`);
  void vscode.window.showInformationMessage(finishOutcome(result));
  await ctx.monitors.refresh(cluster);
  return result;
}

async function findTask(ctx: CommandContext, arg: unknown): Promise<{ cluster: string; task: TaskView } | undefined> {
  const target = targetOf(arg);
  const cluster = await resolveCluster(ctx.service, arg);
  if (!cluster) return undefined;
  const fromTree = arg && typeof arg === 'object' && 'task' in arg ? (arg as { task?: TaskView }).task : undefined;
  if (fromTree) return { cluster, task: fromTree };
  const tasks = await ctx.service.listTasks(cluster);
  if (target.taskName) {
    const task = tasks.find((t) => t.name === target.taskName && t.state === 'running') ?? tasks.find((t) => t.name === target.taskName);
    return task ? { cluster, task } : undefined;
  }
  const running = tasks.find((t) => t.state === 'running');
  if (running) return { cluster, task: running };
  const pick = await pickTask(ctx.service, cluster, { placeHolder: vscode.l10n.t('Choose a task'), tasks });
  return pick && 'task' in pick ? { cluster, task: pick.task } : undefined;
}

export const taskCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.finishTask', (arg?: unknown) => finishTask(ctx, arg));

  registry.register('gridcore.showTaskDetails', async (arg?: unknown) => {
    const found = await findTask(ctx, arg);
    if (!found) return undefined;
    const { cluster, task } = found;
    // A task registered elsewhere has no record: the hub's node-facing config describes it
    // when it is the one handed to nodes (one hub call for the page and the queue lengths).
    const handed = task.record ? undefined : await handedConfig(ctx.service, cluster, task);
    const lengths = await queueFacts(ctx.service, cluster, recordedQueues(task) ?? handedQueues(handed), (m) => ctx.logger.warn(m));
    // In flight and unaccounted come from the cluster monitor's last poll, for the running task.
    const snap = ctx.monitors.get(cluster).snapshot;
    // A finished task shows what its stopped consumers left behind, until it is empty.
    const inFlight =
      task.state === 'running' && snap?.inFlight?.task === task.name
        ? snap.inFlight
        : task.state === 'completed'
          ? snap?.leftBehind?.find((f) => f.task === task.name && f.input === recordedQueues(task)?.input)
          : undefined;
    const unaccounted = task.state === 'running' && snap?.unaccounted?.task === task.name ? snap.unaccounted.items : undefined;
    const markdown = taskDetailsMarkdown(cluster, task, lengths, handed, undefined, inFlight, unaccounted);
    await ctx.docs.show(`tasks/${cluster}/${task.name}-${task.state}-${task.index}`, markdown);
    return markdown;
  });

  // A task's own queues under it in the tree, measured in the tree's one lengths() per poll.
  for (const [id, show] of [['gridcore.showTaskQueues', true], ['gridcore.hideTaskQueues', false]] as const) {
    registry.register(id, async (arg?: unknown) => {
      const found = await findTask(ctx, arg);
      if (!found) return false;
      if (show && !recordedQueues(found.task)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('The queues of task {0} are not known: the hub lists names only, and it was not registered from this editor.', found.task.name));
        return false;
      }
      await ctx.clusters.showTaskQueues(found.cluster, found.task, show);
      return true;
    });
  }

  registry.register('gridcore.taskActions', async () => {
    const running = ctx.statusBar.running;
    const cluster = running?.cluster ?? (await ctx.service.profiles.getActive());
    if (!cluster) return undefined;
    const target = { cluster, taskName: running?.task };
    const items: Array<vscode.QuickPickItem & { command: string }> = [];
    if ((await vscode.commands.getCommands(true)).includes('gridcore.openResults')) {
      items.push({ label: `$(output) ${vscode.l10n.t('Open Results')}`, command: 'gridcore.openResults' });
    }
    items.push(
      { label: `$(graph) ${vscode.l10n.t('Open Task Dashboard')}`, command: 'gridcore.openDashboard' },
      { label: `$(pass) ${vscode.l10n.t('Finish Current Task')}`, command: 'gridcore.finishTask' },
      { label: `$(info) ${vscode.l10n.t('Show Task Details')}`, command: 'gridcore.showTaskDetails' },
      { label: `$(refresh) ${vscode.l10n.t('Refresh')}`, command: 'gridcore.refresh' },
    );
    const pick = await vscode.window.showQuickPick(items, { placeHolder: running ? vscode.l10n.t('Task {0} on {1}', running.task, cluster) : cluster });
    if (pick) await vscode.commands.executeCommand(pick.command, target);
    return pick?.command;
  });
};
