// Requeue Stranded Items: the running task's stranded processing lists (README, "Reliable
// consumers") back into its input, after a confirmation that says how many items move.
// The lists are read afresh (one probe) and judged by the service, whose memory of how long
// each list sat still the cluster's monitor has been feeding.
import * as vscode from 'vscode';
import { requeueOutcome, requeueQuestion } from '../ui-model/in-flight-format';
import { taskQueueNames } from '../ui-model/task-queues';
import { strandedAfterMs } from '../ui/settings';
import { resolveCluster } from './args';
import type { CommandContext, CommandModule } from './registry';

async function requeueStranded(ctx: CommandContext, arg: unknown) {
  const cluster = await resolveCluster(ctx.service, arg);
  if (!cluster) return undefined;
  const tasks = await ctx.service.listTasks(cluster);
  const running = tasks.find((t) => t.state === 'running');
  const input = running ? (await taskQueueNames(ctx.service, cluster, running)).input : undefined;
  if (!running || !input) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No running task with a known input queue on {0}: there is nothing to requeue.', cluster));
    return undefined;
  }
  const { inFlight } = await (await ctx.service.queues(cluster)).probe([], [input]);
  const lists = inFlight?.[input] ?? [];
  const stranded = await ctx.service.stranded(cluster, { name: running.name, inputQueue: input }, lists, { staleMs: strandedAfterMs() });
  const movable = stranded.filter((s) => s.reason !== 'notAList');
  const items = movable.reduce((n, s) => n + s.length, 0);
  if (!movable.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No stranded items in the processing lists of {0} ({1} lists in flight).', input, lists.length));
    return undefined;
  }
  const ask = requeueQuestion(running.name, input, { stranded: movable, strandedItems: items });
  const requeue = vscode.l10n.t('Requeue');
  if ((await vscode.window.showWarningMessage(ask.message, { modal: true, detail: ask.detail }, requeue)) !== requeue) return undefined;
  const result = await ctx.service.requeueStranded(cluster, input, movable);
  ctx.logger.info(`requeued ${result.moved} stranded item(s) of ${running.name} on ${cluster}`);
  void vscode.window.showInformationMessage(requeueOutcome(result, input));
  await ctx.monitors.refresh(cluster);
  return result;
}

export const reliableCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.requeueStranded', (arg?: unknown) => requeueStranded(ctx, arg));
};
