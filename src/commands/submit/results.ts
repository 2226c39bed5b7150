// gridcore.openResults: the results panel for a task's output queue (or any queue), and the
// serializer that brings results panels back after a window reload. The panel module is its
// own bundle, loaded on the first open or restore.
import * as vscode from 'vscode';
import { RESULTS_VIEW_TYPE } from '../../views/results/protocol';
import type { QueueService } from '../../core/service-api';
import type { ResultsPanels, ResultsPanelSnapshot, ResultsTarget } from '../../views/results/panel';
import type { CommandContext, CommandRegistry } from '../registry';
import { resolveQueue } from './pick-queue';

export interface ResultsPanelsHandle {
  snapshot(): ResultsPanelSnapshot[];
  /** Opens a list kept in memory (a trial's results) in the results view. */
  openList(target: ResultsTarget, queues: QueueService): Promise<void>;
  /** Opens the failed list of an input queue in the results view, each item with its error. */
  openFailed(cluster: string, input: string): Promise<void>;
}

export function registerResultsCommand(registry: CommandRegistry, ctx: CommandContext): ResultsPanelsHandle {
  let loaded: ResultsPanels | undefined;
  let loading: Promise<ResultsPanels> | undefined;
  const panels = () =>
    (loading ??= import('../../views/results/panel').then((m) => {
      loaded = new m.ResultsPanels(ctx.extension.extensionUri, ctx.service, ctx.monitors);
      ctx.extension.subscriptions.push(loaded);
      return loaded;
    }));
  registry.register('gridcore.openResults', async (arg?: unknown) => {
    const target = await resolveQueue(ctx.service, arg, 'output', vscode.l10n.t('Show the results of which task?'));
    if (target) await (await panels()).open({ cluster: target.cluster, queue: target.queue, inputQueue: target.inputQueue });
  });
  ctx.extension.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await panels()).restore(panel, state),
    }),
  );
  return {
    snapshot: () => loaded?.snapshot() ?? [],
    openList: async (target, queues) => (await panels()).openList(target, queues),
    openFailed: async (cluster, input) => (await panels()).openFailed(cluster, input),
  };
}
