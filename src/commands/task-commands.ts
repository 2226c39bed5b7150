// Task operations: finish the running task (confirming with the input queue's length),
// show a task's record, and the status bar's quick pick of actions.
import * as vscode from 'vscode';
import type { FinishResult, TaskView } from '../core/types';
import { formatCount } from '../ui-model/format';
import { taskDetailsMarkdown } from '../ui-model/task-details';
import { resolveCluster, targetOf } from './args';
import type { CommandContext, CommandModule } from './registry';

/** Queue names of a task: its record, else (for the running one) what the hub hands nodes. */
async function queueNames(ctx: CommandContext, cluster: string, task: TaskView): Promise<{ input?: string; output?: string }> {
  if (task.record?.inputQueue || task.record?.outputQueue) return { input: task.record.inputQueue, output: task.record.outputQueue };
  if (task.state !== 'running') return {};
  const config = await (await ctx.service.hub(cluster)).currentTaskConfig().catch(() => null);
  return config?.task_name === task.name ? { input: config.input_queue ?? undefined, output: config.output_queue ?? undefined } : {};
}

async function queueLengths(ctx: CommandContext, cluster: string, q: { input?: string; output?: string }) {
  const names = [q.input, q.output].filter((n): n is string => !!n);
  if (!names.length) return {};
  try {
    const l = await (await ctx.service.queues(cluster)).lengths(names);
    return { input: q.input ? l[q.input] : undefined, output: q.output ? l[q.output] : undefined };
  } catch (e) {
    ctx.logger.warn(`queue lengths on ${cluster}: ${e instanceof Error ? e.message : String(e)}`);
    return {};
  }
}

async function finishTask(ctx: CommandContext, arg: unknown): Promise<FinishResult | undefined> {
  const cluster = await resolveCluster(ctx.service, arg);
  if (!cluster) return undefined;
  const tasks = await ctx.service.listTasks(cluster);
  const running = tasks.find((t) => t.state === 'running');
  if (!running) {
    const handed = tasks.find((t) => t.stillHandedToNodes);
    void vscode.window.showInformationMessage(
      handed
        ? vscode.l10n.t('No task is running on {0}. The hub still hands completed task {1} to nodes until a new task is registered.', cluster, handed.name)
        : vscode.l10n.t('No task is running on {0}.', cluster),
    );
    return undefined;
  }
  const q = await queueNames(ctx, cluster, running);
  const lengths = await queueLengths(ctx, cluster, q);
  const finish = vscode.l10n.t('Finish Task');
  let pick: string | undefined;
  if (lengths.input === undefined) {
    pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Finish task {0} on {1}?', running.name, cluster),
      { modal: true, detail: vscode.l10n.t('The length of its input queue is not known. Nodes stop working on this task and start the next pending one.') },
      finish,
    );
  } else if (lengths.input > 0) {
    pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Finish task {0} on {1}? Its input queue still holds {2} items.', running.name, cluster, formatCount(lengths.input)),
      {
        modal: true,
        detail: vscode.l10n.t('Nodes stop working on this task: the {0} items left in {1} stay unprocessed. Output so far: {2} results.', formatCount(lengths.input), q.input ?? '', formatCount(lengths.output ?? 0)),
      },
      finish,
    );
  } else {
    pick = await vscode.window.showInformationMessage(
      vscode.l10n.t('Finish task {0} on {1}?', running.name, cluster),
      { modal: true, detail: vscode.l10n.t('Its input queue is empty; {0} results in the output queue.', formatCount(lengths.output ?? 0)) },
      finish,
    );
  }
  if (pick !== finish) return undefined;
  const result = await (await ctx.service.hub(cluster)).finish();
  ctx.logger.info(`finished ${result.completed} on ${cluster}; started ${result.started ?? 'nothing'}`);
  void vscode.window.showInformationMessage(
    result.started
      ? vscode.l10n.t('Task {0} completed; task {1} started.', result.completed, result.started)
      : vscode.l10n.t('Task {0} completed. No task is pending: the hub keeps handing {0} to nodes until a new task is registered.', result.completed),
  );
  await ctx.refreshAll();
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
  if (!tasks.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No task is registered on {0}.', cluster));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    tasks.map((t) => ({ label: t.name, description: t.state, task: t })),
    { placeHolder: vscode.l10n.t('Choose a task') },
  );
  return pick ? { cluster, task: pick.task } : undefined;
}

export const taskCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.finishTask', (arg?: unknown) => finishTask(ctx, arg));

  registry.register('gridcore.showTaskDetails', async (arg?: unknown) => {
    const found = await findTask(ctx, arg);
    if (!found) return undefined;
    const { cluster, task } = found;
    const lengths = await queueLengths(ctx, cluster, await queueNames(ctx, cluster, task));
    const markdown = taskDetailsMarkdown(cluster, task, lengths);
    await ctx.docs.show(`tasks/${cluster}/${task.name}-${task.state}-${task.index}`, markdown);
    return markdown;
  });

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
      { label: `$(pass) ${vscode.l10n.t('Finish Current Task')}`, command: 'gridcore.finishTask' },
      { label: `$(info) ${vscode.l10n.t('Show Task Details')}`, command: 'gridcore.showTaskDetails' },
      { label: `$(refresh) ${vscode.l10n.t('Refresh')}`, command: 'gridcore.refresh' },
    );
    const pick = await vscode.window.showQuickPick(items, { placeHolder: running ? vscode.l10n.t('Task {0} on {1}', running.task, cluster) : cluster });
    if (pick) await vscode.commands.executeCommand(pick.command, target);
    return pick?.command;
  });
};
