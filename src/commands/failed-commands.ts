// The failed list (README, "Reliable consumers") in the editor: Open Failed Items shows it in
// the results view with each item's error; Retry Failed Items moves items back into the input
// (all, or a search's matches) and Clear Failed Items drops entries, each after a
// confirmation that counts what it acts on. Invoked from the tree's input queue rows, the
// failed-list panel's buttons ({ cluster, inputQueue, match? }), other commands or the palette.
import * as vscode from 'vscode';
import type { FailedActionResult } from '../core/failed-items';
import { clearOutcome, clearQuestion, retryOutcome, retryQuestion } from '../ui-model/failed-format';
import { formatCount } from '../ui-model/format';
import { resolveCluster } from './args';
import type { CommandContext, CommandModule } from './registry';
import { resultsPanels } from './submit/index';
import { resolveQueue } from './submit/pick-queue';

interface FailedTarget {
  cluster: string;
  input: string;
  match?: string;
}

async function failedTarget(ctx: CommandContext, arg: unknown, placeHolder: string): Promise<FailedTarget | undefined> {
  const a = (arg && typeof arg === 'object' ? arg : {}) as { inputQueue?: unknown; match?: unknown };
  const match = typeof a.match === 'string' && a.match ? a.match : undefined;
  if (typeof a.inputQueue === 'string' && a.inputQueue) {
    const cluster = await resolveCluster(ctx.service, arg);
    return cluster ? { cluster, input: a.inputQueue, match } : undefined;
  }
  const q = await resolveQueue(ctx.service, arg, 'input', placeHolder);
  return q ? { cluster: q.cluster, input: q.queue, match } : undefined;
}

async function openFailed(ctx: CommandContext, arg: unknown): Promise<void> {
  const t = await failedTarget(ctx, arg, vscode.l10n.t('Show the failed items of which task?'));
  if (!t) return;
  const panels = resultsPanels();
  if (!panels) throw new Error('the results view is not registered');
  await panels.openFailed(t.cluster, t.input);
}

async function settle(ctx: CommandContext, arg: unknown, action: 'retry' | 'clear'): Promise<FailedActionResult | undefined> {
  const t = await failedTarget(ctx, arg, action === 'retry' ? vscode.l10n.t('Retry the failed items of which task?') : vscode.l10n.t('Clear the failed items of which task?'));
  if (!t) return undefined;
  // Counted afresh (a search's matches need a scan), cancellable on a long list.
  const count = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Counting the failed items of {0}…', t.input), cancellable: true },
    (_p, token) => ctx.service.countFailedItems(t.cluster, t.input, { match: t.match, signal: token }),
  );
  const n = action === 'retry' ? count.retryable : count.matching;
  if (n === 0) {
    void vscode.window.showInformationMessage(
      t.match
        ? vscode.l10n.t('No failed item of {0} matches "{1}".', t.input, t.match)
        : action === 'retry'
          ? vscode.l10n.t('The failed list of {0} holds no item to retry.', t.input)
          : vscode.l10n.t('The failed list of {0} is empty.', t.input),
    );
    return undefined;
  }
  const ask = action === 'retry' ? retryQuestion(t.input, count, t.match) : clearQuestion(t.input, count, t.match);
  const go = action === 'retry' ? vscode.l10n.t('Retry') : vscode.l10n.t('Delete');
  if ((await vscode.window.showWarningMessage(ask.message, { modal: true, detail: ask.detail }, go)) !== go) return undefined;
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: action === 'retry' ? vscode.l10n.t('Retrying failed items of {0}', t.input) : vscode.l10n.t('Clearing failed items of {0}', t.input),
      cancellable: true,
    },
    async (progress, token) => {
      let reported = 0;
      const opts = {
        match: t.match,
        // At most what the user confirmed: entries that fail meanwhile are not touched.
        limit: n,
        signal: token,
        onProgress(examined: number, total: number) {
          const pct = total > 0 ? (examined / total) * 100 : 100;
          progress.report({ increment: pct - reported, message: vscode.l10n.t('{0} of {1} entries', formatCount(examined), formatCount(total)) });
          reported = pct;
        },
      };
      return action === 'retry' ? ctx.service.retryFailedItems(t.cluster, t.input, opts) : ctx.service.clearFailedItems(t.cluster, t.input, opts);
    },
  );
  ctx.logger.info(`${action} failed items of ${t.input} on ${t.cluster}: ${result.moved} moved`);
  void vscode.window.showInformationMessage(action === 'retry' ? retryOutcome(result, t.input) : clearOutcome(result, t.input));
  await ctx.monitors.refresh(t.cluster);
  return result;
}

export const failedCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.openFailedItems', (arg?: unknown) => openFailed(ctx, arg));
  registry.register('gridcore.retryFailedItems', (arg?: unknown) => settle(ctx, arg, 'retry'));
  registry.register('gridcore.clearFailedItems', (arg?: unknown) => settle(ctx, arg, 'clear'));
};
