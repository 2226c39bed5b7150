// Start / stop the embedded local cluster with a cancellable progress notification. The local
// cluster module (src/local, the layer above the core's service, so the service does not
// hand it out) and dockerode with it load only when one of these commands runs.
import * as vscode from 'vscode';
import { localClusterSettings } from '../ui/settings';
import { reloadAndRefresh } from './refresh';
import type { CommandContext, CommandModule } from './registry';

/** The local cluster's own bundle (dist/local.js), loaded by the first local-cluster command,
 *  not at activation. */
function loadLocalCluster(): Promise<typeof import('../local/local-cluster-api')> {
  return import('../local/local-cluster-api.js');
}

async function saveAndSelect(ctx: CommandContext, profile: { name: string; computehubUrl: string; redisUrl: string; token: string }): Promise<void> {
  await ctx.service.profiles.save({ ...profile, source: 'local' });
  await ctx.service.profiles.setActive(profile.name);
  await reloadAndRefresh(ctx, profile.name);
}

export interface LocalClusterStart {
  name: string;
  computehubUrl: string;
  /** it was running already (this or another window) and is now the active cluster */
  alreadyRunning: boolean;
  /** a default port was taken, so another was chosen */
  movedPorts: boolean;
  /** what its persistent Redis brought back from earlier runs, said on start (else undefined) */
  kept?: string;
  /** who started the running cluster and since when (when it ran already) */
  owner?: string;
}

/** "started from a terminal (npm run start:local) on 5 Dec 21:04, process 123". */
export function localClusterOwner(found: { startedBy?: string; startedAt?: string; pid: number }): string {
  const since = found.startedAt ? new Date(found.startedAt).toLocaleString(vscode.env.language) : '?';
  switch (found.startedBy) {
    case 'terminal':
      return vscode.l10n.t('started from a terminal (npm run start:local) at {since}, process {pid}', { since, pid: found.pid });
    case 'chat':
      return vscode.l10n.t('started by a chat tool at {since}, process {pid}', { since, pid: found.pid });
    case 'window':
      return vscode.l10n.t('started from a VS Code window at {since}, process {pid}', { since, pid: found.pid });
    default:
      return vscode.l10n.t('started by process {pid}', { pid: found.pid });
  }
}

/** The skill's 从零启动: finds the running local cluster or starts one, saves its profile and
 *  makes it active. Shared by the command and the chat tool. */
export async function startOrFindLocalCluster(
  ctx: CommandContext,
  onStep: (text: string) => void,
  signal?: vscode.CancellationToken,
  /** written to the lock: other windows and `npm run status:local` name who started it */
  startedBy: 'window' | 'chat' = 'window',
): Promise<LocalClusterStart> {
  const local = await loadLocalCluster();
  const found = await local.findRunningLocalCluster();
  if (found) {
    await saveAndSelect(ctx, found.profile);
    return { name: found.profile.name, computehubUrl: found.profile.computehubUrl, alreadyRunning: true, movedPorts: false, owner: localClusterOwner(found) };
  }
  const s = localClusterSettings();
  // Its own process tree (a reload or a closed window leaves it and its job alone); its log
  // is a file in the state folder, named in the log here.
  const info = await local.startDetachedLocalCluster({
    hubPort: s.hubPort || undefined,
    redisPort: s.redisPort || undefined,
    computehubBinary: s.computehubPath || undefined,
    gridnodeBinary: s.gridnodePath || undefined,
    redisServer: s.redisServerPath || undefined,
    node: s.parallelism ? { parallelism: s.parallelism } : undefined,
    nodes: s.nodes,
    startedBy,
    onStep: (step, text) => {
      ctx.logger.info(`local cluster: ${step}`);
      onStep(text);
    },
    signal,
    logger: ctx.logger,
  });
  ctx.logger.info(`local cluster: process ${info.pid}, log ${info.logFile ?? ''}`);
  await saveAndSelect(ctx, info.profile);
  if (!info.startedHere) {
    // another start (a terminal, another window) made it meanwhile: this one attached to it
    return { name: info.profile.name, computehubUrl: info.profile.computehubUrl, alreadyRunning: true, movedPorts: false, owner: localClusterOwner(info) };
  }
  // Its Redis persists: queues from earlier runs are back, and the user should not be surprised by them.
  const kept = local.keptOnStart(await local.localClusterHoldings(info).catch(() => undefined));
  return { name: info.profile.name, computehubUrl: info.profile.computehubUrl, alreadyRunning: false, movedPorts: !!(info.movedPorts.hub || info.movedPorts.redis), kept };
}

export function localClusterStartedMessage(s: LocalClusterStart): string {
  if (s.alreadyRunning && s.owner) return vscode.l10n.t('A local cluster is already running at {0} ({1}); it is now the active cluster.', s.computehubUrl, s.owner);
  if (s.alreadyRunning) return vscode.l10n.t('A local cluster is already running at {0}; it is now the active cluster.', s.computehubUrl);
  const started = s.movedPorts
    ? vscode.l10n.t('Local cluster started at {0} (a default port was taken, so another was chosen).', s.computehubUrl)
    : vscode.l10n.t('Local cluster started at {0}.', s.computehubUrl);
  return s.kept ? `${started} ${s.kept}` : started;
}

export const localClusterCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.startLocalCluster', async () => {
    const local = await loadLocalCluster();
    const found = await local.findRunningLocalCluster();
    // Its nodes may have been stopped (Stop Node): starting the cluster brings them back.
    const node = found?.ownedHere || found?.detached ? local.localNodeState() : undefined;
    if (found && node?.stopped) {
      await saveAndSelect(ctx, found.profile);
      const id = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the node of the local cluster…') },
        () => local.startLocalClusterNode({ logger: ctx.logger }),
      );
      if (node.nodeId) ctx.clusters.markStarted(found.profile.name, node.nodeId);
      await ctx.monitors.refresh(found.profile.name);
      void vscode.window.showInformationMessage(vscode.l10n.t('The local cluster was running without its node; node {0} runs again.', id ?? ''));
      return found.profile.name;
    }
    const started = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the local cluster'), cancellable: true },
      (progress, token) => startOrFindLocalCluster(ctx, (text) => progress.report({ message: text }), token),
    );
    void vscode.window.showInformationMessage(localClusterStartedMessage(started));
    return started.name;
  });

  registry.register('gridcore.stopLocalCluster', async () => {
    const local = await loadLocalCluster();
    const found = await local.findRunningLocalCluster();
    if (found?.detached) {
      // Any window stops it: asking first, as for one of its own, when its queues hold items.
      const held = await local.localClusterHoldings(found).catch((e: Error) => e);
      if (held instanceof Error) ctx.logger.warn(`counting the local cluster's items: ${held.message}`);
      const ask = local.stopConfirmation(held, found.dataDir);
      const stop = vscode.l10n.t('Stop Local Cluster');
      if (ask && (await vscode.window.showWarningMessage(ask.message, { modal: true, detail: `${ask.detail ?? ''}\n\n${vscode.l10n.t('It was {owner}.', { owner: localClusterOwner(found) })}`.trim() }, stop)) !== stop) return false;
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the local cluster…') },
        () => local.stopAnyLocalCluster({ logger: ctx.logger }),
      );
      void vscode.window.showInformationMessage(vscode.l10n.t('Local cluster stopped.'));
      await ctx.monitors.refresh(found.profile.name);
      return true;
    }
    if (found && !found.ownedHere) {
      // Name the real owner and offer what works: asking it to stop the cluster.
      const anyway = vscode.l10n.t('Stop It Anyway');
      const owner =
        found.startedBy === 'terminal'
          ? vscode.l10n.t('The local cluster was started in a terminal by npm run start:local (process {0}).', found.pid)
          : found.startedBy === 'window'
            ? vscode.l10n.t('The local cluster was started by another VS Code window (process {0}).', found.pid)
            : vscode.l10n.t('The local cluster was started by another process ({0}).', found.pid);
      const pick = await vscode.window.showWarningMessage(
        owner,
        { modal: true, detail: vscode.l10n.t('Stopping it here stops its node (and its containers), its hub and its Redis for everyone using it. A VS Code that start:local opened keeps running.') },
        anyway,
      );
      if (pick !== anyway) return false;
      const stopped = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the local cluster…') },
        () => local.requestStopLocalCluster(),
      );
      if (!stopped) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Process {0} did not stop the local cluster within a minute. Stop it where it was started (Ctrl+C in its terminal, or Stop Local Cluster in its window).', found.pid));
        return false;
      }
      void vscode.window.showInformationMessage(vscode.l10n.t('Local cluster stopped.'));
      await ctx.monitors.refresh(found.profile.name);
      return true;
    }
    if (found) {
      // Its queues survive the stop (Redis persists), but the user hears how much and where first.
      const held = await local.localClusterHoldings(found).catch((e: Error) => e);
      if (held instanceof Error) ctx.logger.warn(`counting the local cluster's items: ${held.message}`);
      const ask = local.stopConfirmation(held, found.dataDir);
      const stop = vscode.l10n.t('Stop Local Cluster');
      if (ask && (await vscode.window.showWarningMessage(ask.message, { modal: true, detail: ask.detail }, stop)) !== stop) return false;
    }
    const stopped = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the local cluster…') },
      () => local.stopLocalCluster({ logger: ctx.logger }),
    );
    void vscode.window.showInformationMessage(stopped ? vscode.l10n.t('Local cluster stopped.') : vscode.l10n.t('No local cluster is running in this window.'));
    await ctx.monitors.refresh(found?.profile.name);
    return stopped;
  });
};
