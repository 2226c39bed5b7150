// Restart Task on Nodes: the running task registered again under a new name and finished, the
// only task change upstream's hub allows, so that upstream's nodes start fresh containers (they
// start a task's containers only when the task changes). Confirmed first; with tasks pending it
// goes ahead only when the user agrees that they start first.
import * as vscode from 'vscode';
import type { RestartTaskResult } from '../core/service-api';
import { restartOutcome, restartQuestion } from '../ui-model/restart-flow';
import { runningTaskTarget } from './args';
import type { CommandContext, CommandModule } from './registry';

async function restartTask(ctx: CommandContext, arg: unknown): Promise<RestartTaskResult | undefined> {
  // From a notice or a tree row: never restart whatever else runs by now.
  const target = await runningTaskTarget(ctx.service, arg);
  if (!target) return undefined;
  const { cluster } = target;
  const plan = await ctx.service.restartTaskPlan(cluster);
  const snap = ctx.monitors.get(cluster).snapshot;
  const input = snap?.queues?.task === plan.task ? snap.queues.input?.length : undefined;
  const ask = restartQuestion(plan, input);
  const pick = await vscode.window.showWarningMessage(ask.message, { modal: true, detail: ask.detail }, ask.confirm);
  if (pick !== ask.confirm) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Restarting task {0} on {1}…', plan.task, cluster) },
    () => ctx.service.restartTask(plan, { allowPendingFirst: ask.pendingFirst }),
  );
  ctx.logger.info(`restarted ${plan.task} on ${cluster} as ${result.registered}; started ${result.finished.started ?? 'nothing'}`);
  void vscode.window.showInformationMessage(restartOutcome(plan, result));
  await ctx.monitors.refresh(cluster);
  return result;
}

export const restartCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.restartTask', (arg?: unknown) => restartTask(ctx, arg));
};
