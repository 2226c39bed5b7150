// Activation: wiring only. The core gets the editor's secret storage, global state, a log
// channel and settings through its ports; views and commands are registered through one
// registry; everything is disposed with the extension. Nothing here loads ioredis or
// dockerode: the service does on first use.
import * as vscode from 'vscode';
import { setDisplayLocale, setTranslator } from './core/l10n';
import type { GridCoreService } from './core/service-api';
import { createGridCoreService } from './core/service';
import { registerChatTools } from './chat/register';
import { commandModules } from './commands/index';
import { resultsPanelSnapshots } from './commands/submit/index';
import { dashboardPanelSnapshots } from './commands/dashboard-commands';
import type { DashboardPanelSnapshot } from './views/dashboard/panel';
import { recordedChannelLines } from './commands/trial/index';
import type { ResultsPanelSnapshot } from './views/results/panel';
import { CommandRegistry, type CommandContext } from './commands/registry';
import { DockerfileDiagnostics } from './diagnostics/dockerfile-diagnostics';
import { createEditorPorts } from './ui/editor-ports';
import { pollIntervalMs, serviceSettings, strandedAfterMs } from './ui/settings';
import { ClusterMonitors } from './ui-model/cluster-monitor';
import { ClustersView } from './views/clusters/clusters-view';
import { MarkdownDocuments } from './views/markdown-documents';
import { TaskStatusBar } from './views/task-status-bar';

/** What `vscode.extensions.getExtension(id).exports` gives tests in the extension host. */
export interface GridCoreExtensionApi {
  /** The Clusters tree as loaded now, depth-first. */
  treeItems(): ReturnType<ClustersView['model']['flatten']>;
  statusBar(): { text?: string; tooltip?: string };
  commands(): readonly string[];
  /** Reload the profiles and poll every cluster now, for every view watching it; resolves when done. */
  refresh(): Promise<void>;
  /** Only when GRIDCORE_TEST is set: the service, to seed profiles in tests. */
  service?: GridCoreService;
  /** Only when GRIDCORE_TEST is set: each results panel's posted and received messages. */
  resultsPanels?(): ResultsPanelSnapshot[];
  /** Only when GRIDCORE_TEST is set: each task dashboard's posted and received messages. */
  dashboards?(): DashboardPanelSnapshot[];
  /** Only when GRIDCORE_TEST is set: lines written to the trial and container-log channels, by channel name. */
  channelLines?(): Record<string, string[]>;
  /** Only when GRIDCORE_TEST is set: the chat tools' implementations, to call prepareInvocation. */
  chatTools?(): Promise<Map<string, vscode.LanguageModelTool<object>>>;
}

export function activate(context: vscode.ExtensionContext): GridCoreExtensionApi {
  setTranslator((message, args) => (Array.isArray(args) ? vscode.l10n.t(message, ...(args as Array<string | number | boolean>)) : vscode.l10n.t(message, args as Record<string, unknown>)));
  setDisplayLocale(vscode.env.language);

  const channel = vscode.window.createOutputChannel('GridCore', { log: true });
  context.subscriptions.push(channel);
  const ports = createEditorPorts(context, channel);
  const service = createGridCoreService({
    secrets: ports.secrets,
    state: ports.state,
    logger: ports.logger,
    settings: serviceSettings,
  });
  context.subscriptions.push({ dispose: () => void service.dispose() });

  // One poller per cluster for every view: nothing polls while no view watches or the window is unfocused.
  const monitors = new ClusterMonitors(service, { intervalMs: pollIntervalMs, focused: () => vscode.window.state.focused, logger: ports.logger, strandedAfterMs });
  const clusters = new ClustersView(service, monitors);
  const statusBar = new TaskStatusBar(service, monitors, ports.logger);
  const docs = new MarkdownDocuments();
  const registry = new CommandRegistry(ports.logger);
  context.subscriptions.push(monitors, vscode.window.onDidChangeWindowState(() => monitors.wake()), clusters, statusBar, docs, registry);

  const ctx: CommandContext = {
    extension: context,
    service,
    logger: ports.logger,
    channel,
    clusters,
    statusBar,
    docs,
    monitors,
    loggerFor: ports.loggerFor,
  };
  const refresh = async () => {
    await Promise.all([clusters.reload(), statusBar.follow()]);
    await monitors.refresh();
  };
  for (const register of commandModules) register(registry, ctx);
  const chatTools = registerChatTools(ctx, ports.mask);
  context.subscriptions.push(...chatTools.disposables);

  // Only the providers now; the rules load with the first Dockerfile opened.
  context.subscriptions.push(
    new DockerfileDiagnostics(
      () => import('./diagnostics/dockerfile-rules-adapter').then((m) => m.analyzeForEditor),
      (e) => ports.logger.error(e instanceof Error ? e : String(e)),
    ),
  );

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gridcore')) void refresh();
    }),
  );

  return {
    treeItems: () => clusters.model.flatten(),
    statusBar: () => ({ text: statusBar.text, tooltip: statusBar.tooltip }),
    commands: () => registry.registered,
    refresh,
    service: process.env.GRIDCORE_TEST ? service : undefined,
    resultsPanels: process.env.GRIDCORE_TEST ? resultsPanelSnapshots : undefined,
    dashboards: process.env.GRIDCORE_TEST ? dashboardPanelSnapshots : undefined,
    channelLines: process.env.GRIDCORE_TEST ? recordedChannelLines : undefined,
    chatTools: process.env.GRIDCORE_TEST ? chatTools.implementations : undefined,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the local cluster stops through its own exit hook.
}
