// gridcore.openResults: the results panel for a task's output queue (or any queue).
import * as vscode from 'vscode';
import { ResultsPanels } from '../../views/results/panel';
import type { CommandContext, CommandRegistry } from '../registry';
import { resolveQueue } from './pickQueue';

export function registerResultsCommand(registry: CommandRegistry, ctx: CommandContext): ResultsPanels {
  const panels = new ResultsPanels(ctx.extension.extensionUri, ctx.service);
  ctx.extension.subscriptions.push(panels);
  registry.register('gridcore.openResults', async (arg?: unknown) => {
    const target = await resolveQueue(ctx.service, arg, 'output', vscode.l10n.t('Show the results of which task?'));
    if (target) await panels.open({ cluster: target.cluster, queue: target.queue, inputQueue: target.inputQueue });
  });
  return panels;
}
