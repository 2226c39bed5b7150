// After a hub restart (upstream's hub forgets its tasks): the question the tree's poll raises
// once per cluster and outage, and gridcore.reregisterTasks, which registers the forgotten
// task records again and says which it skipped and why, and gridcore.forgetTasks, which drops
// the records of tasks that cannot be registered again (only the extension's records).
import * as vscode from 'vscode';
import type { TaskRecord } from '../core/types';
import { forgetReport, forgetTasksQuestion, namesToForget, forgottenTasksMarkdown, forgottenTasksQuestion, recordsToForget, reregisterReport } from '../ui-model/hub-restart';
import { formatCount } from '../core/numbers';
import { resolveCluster } from './args';
import type { CommandContext, CommandModule } from './registry';

async function offer(ctx: CommandContext, cluster: string, records: TaskRecord[], withShow = true): Promise<void> {
  const again = vscode.l10n.t('Register Again');
  const show = vscode.l10n.t('Show Tasks');
  const later = vscode.l10n.t('Not Now');
  ctx.logger.warn(`cluster ${cluster}: the hub no longer lists ${records.length} recorded tasks (${records.map((r) => r.name).join(', ')})`);
  const pick = await vscode.window.showWarningMessage(forgottenTasksQuestion(cluster, records.length), ...(withShow ? [again, show, later] : [again, later]));
  if (pick === again) await vscode.commands.executeCommand('gridcore.reregisterTasks', { cluster, confirmed: true });
  else if (pick === show) {
    await ctx.docs.show(`forgotten/${cluster}`, forgottenTasksMarkdown(cluster, records));
    // The user looked at the list to decide: ask once more, beside it.
    await offer(ctx, cluster, records, false);
  }
}

export const hubRestartCommands: CommandModule = (registry, ctx) => {
  ctx.extension.subscriptions.push(ctx.clusters.onDidFindForgottenTasks(({ cluster, records }) => void offer(ctx, cluster, records)));

  registry.register('gridcore.reregisterTasks', async (arg?: unknown) => {
    const cluster = await resolveCluster(ctx.service, arg, vscode.l10n.t('Register forgotten tasks again on which cluster?'));
    if (!cluster) return undefined;
    const records = await ctx.service.forgottenTasks(cluster);
    if (!records.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The ComputeHub of {0} knows every task registered from this editor.', cluster));
      return undefined;
    }
    const confirmed = !!(arg && typeof arg === 'object' && (arg as { confirmed?: unknown }).confirmed === true);
    if (!confirmed) {
      const again = vscode.l10n.t('Register Again');
      const pick = await vscode.window.showWarningMessage(
        records.length === 1 ? vscode.l10n.t('Register 1 task again on {0}?', cluster) : vscode.l10n.t('Register {0} tasks again on {1}?', formatCount(records.length), cluster),
        { modal: true, detail: vscode.l10n.t('The hub no longer lists: {0}. They are registered again in their first order, so the first one starts when nothing runs.', records.map((r) => r.name).join(', ')) },
        again,
      );
      if (pick !== again) return undefined;
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Registering tasks again on {0}…', cluster) },
      () => ctx.service.reregisterTasks(cluster, records),
    );
    ctx.logger.info(`cluster ${cluster}: registered again ${result.registered.join(', ') || 'nothing'}; skipped ${result.skipped.length}`);
    await ctx.monitors.refresh(cluster);
    const report = reregisterReport(cluster, result);
    if (report.skipped.length) {
      const forget = vscode.l10n.t('Forget These Tasks');
      const names = result.skipped.map((s) => s.record.name);
      void vscode.window.showWarningMessage(report.summary, { modal: true, detail: report.skipped.join('\n\n') }, forget).then((pick) => {
        if (pick === forget) void vscode.commands.executeCommand('gridcore.forgetTasks', { cluster, names });
      });
    } else void vscode.window.showInformationMessage(report.summary);
    return result;
  });

  registry.register('gridcore.forgetTasks', async (arg?: unknown) => {
    const cluster = await resolveCluster(ctx.service, arg, vscode.l10n.t('Forget the forgotten tasks of which cluster?'));
    if (!cluster) return undefined;
    const names = namesToForget(arg);
    const records = recordsToForget(await ctx.service.forgottenTasks(cluster), names);
    if (!records.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The ComputeHub of {0} knows every task registered from this editor.', cluster));
      return undefined;
    }
    const question = forgetTasksQuestion(cluster, records);
    const forget = vscode.l10n.t('Forget');
    if ((await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, forget)) !== forget) return undefined;
    // Asked again after the dialog: a name the hub lists by now (registered meanwhile) keeps its records.
    const still = recordsToForget(await ctx.service.forgottenTasks(cluster), records.map((r) => r.name));
    // The hub lists none of these names, so every record of each is stale, not only the newest.
    for (const r of still) await ctx.service.tasks.remove(cluster, r.name);
    const forgotten = still.map((r) => r.name);
    ctx.logger.info(`cluster ${cluster}: forgot the records of ${forgotten.join(', ') || 'nothing'}`);
    await ctx.monitors.refresh(cluster);
    if (forgotten.length) void vscode.window.showInformationMessage(forgetReport(cluster, forgotten));
    return { forgotten };
  });
};
