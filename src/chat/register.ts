// Registers the language model tools package.json contributes (vscode.lm.registerTool, VS
// Code 1.95+). Activation registers light stubs only; the tools' code is a bundle of its own
// that the first call loads. The stubs give the tools what commands get: the service, the
// views to refresh, the status bar's numbers, the local cluster start.
import * as vscode from 'vscode';
import { localClusterStartedMessage, startOrFindLocalCluster } from '../commands/local-cluster-commands';
import type { CommandContext } from '../commands/registry';
import { parseLogin } from '../commands/submit/build-and-register';
import { queueNaming } from '../ui/settings';
import type { AdapterOptions } from './adapter';
import type { ToolDeps } from '../tools/kit';

interface ToolContribution {
  name: string;
}

function toolDeps(ctx: CommandContext): ToolDeps {
  return {
    service: ctx.service,
    logger: ctx.logger,
    naming: queueNaming,
    workspaceFolder: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    refresh: (cluster) => ctx.monitors.refresh(cluster),
    // The status bar polls only while the window has focus: unfocused, its figures may be old.
    statusBarProgress: () => (vscode.window.state.focused ? ctx.statusBar.running : undefined),
    samples: new Map(),
    markStopRequested: (cluster, nodeId) => ctx.clusters.markStopRequested(cluster, nodeId),
    async startLocalCluster(signal) {
      const started = await startOrFindLocalCluster(ctx, () => undefined, signal as vscode.CancellationToken, 'chat');
      return { ...started, message: localClusterStartedMessage(started) };
    },
    async registryLogin(cluster) {
      const stored = parseLogin(await ctx.extension.secrets.get(`gridcore.registryLogin/${cluster}`));
      if (stored) return stored;
      const password = (await ctx.service.profiles.secrets(cluster)).registryPassword;
      return password ? { password } : undefined;
    },
    imageTagOf: (folder) => ctx.extension.workspaceState.get<string>(`gridcore.imageTag:${folder}`),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

export interface ChatTools {
  disposables: vscode.Disposable[];
  /** The implementations behind the registrations (loads them), for the extension's tests. */
  implementations(): Promise<Map<string, vscode.LanguageModelTool<object>>>;
}

export function registerChatTools(ctx: CommandContext, mask: (text: string) => string): ChatTools {
  // An editor without the API (a fork of VS Code without it) simply has no tools.
  if (typeof vscode.lm?.registerTool !== 'function') return { disposables: [], implementations: async () => new Map() };
  const contributed = ((ctx.extension.extension.packageJSON as { contributes?: { languageModelTools?: ToolContribution[] } }).contributes?.languageModelTools ?? []);
  let tools: Promise<Map<string, vscode.LanguageModelTool<object>>> | undefined;
  const load = () =>
    (tools ??= import('./adapter').then((m) => {
      const options: AdapterOptions = { deps: toolDeps(ctx), mask, logger: ctx.logger };
      return m.createTools(options, new Set(contributed.map((c) => c.name)));
    }).catch((e: unknown) => {
      tools = undefined; // the next call tries again
      throw e;
    }));
  const tool = async (name: string) => {
    const t = (await load()).get(name);
    if (!t) throw new Error(`GridCore tool ${name} has no implementation`);
    return t;
  };
  const disposables = contributed.map((c) =>
    vscode.lm.registerTool<object>(c.name, {
      prepareInvocation: async (options, token) => (await tool(c.name)).prepareInvocation?.(options, token),
      invoke: async (options, token) => (await tool(c.name)).invoke(options, token),
    }),
  );
  return { disposables, implementations: load };
}
