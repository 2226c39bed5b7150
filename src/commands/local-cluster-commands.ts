// Start / stop the embedded local cluster with a cancellable progress notification. The
// local cluster module (and dockerode with it) loads only when one of these commands runs.
import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import { localClusterSettings } from '../ui/settings';
import type { CommandContext, CommandModule } from './registry';

/** One output channel per part of the cluster, created on first use. */
function partLoggers(ctx: CommandContext): (part: string) => Logger {
  const channels = new Map<string, vscode.LogOutputChannel>();
  return (part) => {
    let ch = channels.get(part);
    if (!ch) {
      ch = vscode.window.createOutputChannel(vscode.l10n.t('GridCore Local {0}', part), { log: true });
      ctx.extension.subscriptions.push(ch);
      channels.set(part, ch);
    }
    return ctx.loggerFor(ch);
  };
}

async function saveAndSelect(ctx: CommandContext, profile: { name: string; computehubUrl: string; redisUrl: string; token: string }): Promise<void> {
  await ctx.service.profiles.save({ ...profile, source: 'local' });
  await ctx.service.profiles.setActive(profile.name);
  await ctx.service.invalidate(profile.name);
  await ctx.refreshAll();
}

export interface LocalClusterStart {
  name: string;
  computehubUrl: string;
  /** it was running already (this or another window) and is now the active cluster */
  alreadyRunning: boolean;
  /** a default port was taken, so another was chosen */
  movedPorts: boolean;
}

const loggersOf = new WeakMap<CommandContext, (part: string) => Logger>();

/** The skill's 从零启动: finds the running local cluster or starts one, saves its profile and
 *  makes it active. Shared by the command and the chat tool. */
export async function startOrFindLocalCluster(ctx: CommandContext, onStep: (text: string) => void, signal?: vscode.CancellationToken): Promise<LocalClusterStart> {
  const local = await import('../local/cluster.js');
  const found = await local.findRunningLocalCluster();
  if (found) {
    await saveAndSelect(ctx, found.profile);
    return { name: found.profile.name, computehubUrl: found.profile.computehubUrl, alreadyRunning: true, movedPorts: false };
  }
  let loggers = loggersOf.get(ctx);
  if (!loggers) loggersOf.set(ctx, (loggers = partLoggers(ctx)));
  const s = localClusterSettings();
  const info = await local.startLocalCluster({
    hubPort: s.hubPort || undefined,
    redisPort: s.redisPort || undefined,
    computehubBinary: s.computehubPath || undefined,
    gridnodeBinary: s.gridnodePath || undefined,
    redisServer: s.redisServerPath || undefined,
    node: s.parallelism ? { parallelism: s.parallelism } : undefined,
    onStep: (step, text) => {
      ctx.logger.info(`local cluster: ${step}`);
      onStep(text);
    },
    signal,
    logger: (part) => loggers(part),
  });
  await saveAndSelect(ctx, info.profile);
  return { name: info.profile.name, computehubUrl: info.profile.computehubUrl, alreadyRunning: false, movedPorts: !!(info.movedPorts.hub || info.movedPorts.redis) };
}

export function localClusterStartedMessage(s: LocalClusterStart): string {
  if (s.alreadyRunning) return vscode.l10n.t('A local cluster is already running at {0}; it is now the active cluster.', s.computehubUrl);
  return s.movedPorts
    ? vscode.l10n.t('Local cluster started at {0} (a default port was taken, so another was chosen).', s.computehubUrl)
    : vscode.l10n.t('Local cluster started at {0}.', s.computehubUrl);
}

export const localClusterCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.startLocalCluster', async () => {
    const started = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the local cluster'), cancellable: true },
      (progress, token) => startOrFindLocalCluster(ctx, (text) => progress.report({ message: text }), token),
    );
    void vscode.window.showInformationMessage(localClusterStartedMessage(started));
    return started.name;
  });

  registry.register('gridcore.stopLocalCluster', async () => {
    const local = await import('../local/cluster.js');
    const found = await local.findRunningLocalCluster();
    if (found && !found.ownedHere) {
      void vscode.window.showWarningMessage(vscode.l10n.t('The local cluster was started by another window (process {0}); stop it there.', found.pid));
      return false;
    }
    const stopped = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the local cluster…') },
      () => local.stopLocalCluster({ logger: ctx.logger }),
    );
    void vscode.window.showInformationMessage(stopped ? vscode.l10n.t('Local cluster stopped.') : vscode.l10n.t('No local cluster is running in this window.'));
    await ctx.refreshAll();
    return stopped;
  });
};
