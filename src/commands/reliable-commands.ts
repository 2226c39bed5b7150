// Requeue Stranded Items: a task's stranded processing lists (README, "Reliable consumers")
// back into its input, after a confirmation that says how many items move. Any task: the
// running one, or a finished one whose stopped consumers left batches behind (then it offers
// to run that task again, since nobody reads a finished task's input).
// The lists are read afresh (one probe) and judged by the service, whose memory of how long
// each list sat still the cluster's monitor has been feeding.
import * as vscode from 'vscode';
import { ConfigError } from '../core/errors';
import type { TaskView } from '../core/types';
import { requeueOutcome, requeueQuestion, runAgainQuestion } from '../ui-model/in-flight-format';
import { recordedQueues, taskQueueNames } from '../ui-model/task-queues';
import { strandedAfterMs } from '../ui/settings';
import { pickTask, resolveCluster, targetOf } from './args';
import type { CommandContext, CommandModule } from './registry';

/** The task whose batches to requeue: the one named (a notice, a queue's menu), else the running
 *  task when it has stranded batches or nothing else left any, else one the user picks. */
async function requeueTarget(ctx: CommandContext, cluster: string, arg: unknown): Promise<TaskView | undefined> {
  const tasks = await ctx.service.listTasks(cluster);
  const named = targetOf(arg).taskName;
  const fromTree = arg && typeof arg === 'object' && 'task' in arg ? (arg as { task?: TaskView }).task : undefined;
  if (fromTree) return fromTree;
  if (named) return tasks.find((t) => t.name === named && t.state === 'running') ?? tasks.find((t) => t.name === named);
  const running = tasks.find((t) => t.state === 'running');
  const snap = ctx.monitors.get(cluster).snapshot;
  const left = snap?.leftBehind ?? [];
  if (running && (snap?.inFlight?.task !== running.name || snap.inFlight.stranded.length || !left.length)) return running;
  if (!running && left.length === 1) return tasks.find((t) => t.name === left[0].task && t.state === 'completed');
  const pick = await pickTask(ctx.service, cluster, { placeHolder: vscode.l10n.t('Requeue the stranded items of which task?'), tasks: tasks.filter((t) => recordedQueues(t)?.input || t.state === 'running') });
  return pick && 'task' in pick ? pick.task : undefined;
}

async function requeueStranded(ctx: CommandContext, arg: unknown) {
  const cluster = await resolveCluster(ctx.service, arg);
  if (!cluster) return undefined;
  const task = await requeueTarget(ctx, cluster, arg);
  const input = task ? (await taskQueueNames(ctx.service, cluster, task)).input : undefined;
  if (!task || !input) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No task with a known input queue on {0}: there is nothing to requeue.', cluster));
    return undefined;
  }
  const { inFlight } = await (await ctx.service.queues(cluster)).probe([], [input]);
  const lists = inFlight?.[input] ?? [];
  // A task that is not the current one has no consumer to commit its batches: the service's
  // taskNotCurrent rule calls them all stranded.
  const stranded = await ctx.service.stranded(cluster, { name: task.name, inputQueue: input }, lists, { staleMs: strandedAfterMs() });
  const movable = stranded.filter((s) => s.reason !== 'notAList');
  const items = movable.reduce((n, s) => n + s.length, 0);
  if (!movable.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No stranded items in the processing lists of {0} ({1} lists in flight).', input, lists.length));
    return undefined;
  }
  const ask = requeueQuestion(task.name, input, { stranded: movable, strandedItems: items });
  const requeue = vscode.l10n.t('Requeue');
  if ((await vscode.window.showWarningMessage(ask.message, { modal: true, detail: ask.detail }, requeue)) !== requeue) return undefined;
  const result = await ctx.service.requeueStranded(cluster, input, movable);
  ctx.logger.info(`requeued ${result.moved} stranded item(s) of ${task.name} on ${cluster}`);
  await ctx.monitors.refresh(cluster);
  if (task.state === 'completed' && result.moved > 0) void offerRunAgain(ctx, cluster, task, input, result.moved);
  else void vscode.window.showInformationMessage(requeueOutcome(result, input));
  return result;
}

/** The requeued items of a finished task wait in an input nobody reads: offer to register the
 *  task again (same image, queues and Redis URLs) so nodes process them. */
async function offerRunAgain(ctx: CommandContext, cluster: string, task: TaskView, input: string, moved: number): Promise<void> {
  const again = vscode.l10n.t('Run Task Again');
  const pick = await vscode.window.showInformationMessage(runAgainQuestion(task.name, input, moved, !!task.record), ...(task.record ? [again] : []));
  if (pick !== again || !task.record) return;
  const r = await ctx.service.reregisterTasks(cluster, [task.record]);
  if (r.skipped.length) throw new ConfigError('badInput', r.skipped[0].reason);
  const running = r.view.find((t) => t.state === 'running');
  void vscode.window.showInformationMessage(
    running?.name === task.name
      ? vscode.l10n.t('Task {0} registered again and started.', task.name)
      : vscode.l10n.t('Task {0} registered again; it waits behind the pending tasks.', task.name),
  );
  await ctx.monitors.refresh(cluster);
}

export const reliableCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.requeueStranded', (arg?: unknown) => requeueStranded(ctx, arg));
};
