// Node operations: copy the id, request a stop (the node stops on its next heartbeat); from
// the palette, stop offers the active cluster's nodes.
import * as vscode from 'vscode';
import { ConfigError } from '../core/errors';
import { containersText } from '../ui-model/format';
import { nodePickItems, noNodeMessage } from '../ui-model/node-pick';
import { resolveCluster, targetOf } from './args';
import type { CommandContext, CommandModule } from './registry';

export const nodeCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.copyNodeId', async (arg?: unknown) => {
    const { nodeId } = targetOf(arg);
    if (!nodeId) return undefined;
    await vscode.env.clipboard.writeText(nodeId);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied node id {0}', nodeId), 3000);
    return nodeId;
  });

  registry.register('gridcore.stopNode', async (arg?: unknown) => {
    const target = targetOf(arg);
    const cluster = await resolveCluster(ctx.service, arg);
    if (!cluster) return false;
    // The dialog describes the node as the tree shows it: one source for both.
    let node = target.nodeId ? ctx.clusters.model.shownNode(cluster, target.nodeId) : undefined;
    if (!node) {
      const nodes = await (await ctx.service.hub(cluster)).listNodes();
      node = nodes.find((n) => n.id === target.nodeId);
      if (!node && !target.nodeId) {
        if (!nodes.length) {
          const tasks = await ctx.service.listTasks(cluster).catch(() => []);
          void vscode.window.showInformationMessage(noNodeMessage(cluster, tasks.length > 0, !!ctx.clusters.model.snapshotOf(cluster)?.forgotten?.length));
          return false;
        }
        const pick = await vscode.window.showQuickPick(nodePickItems(nodes, Date.now()), {
          placeHolder: vscode.l10n.t('Choose the node of {0} to stop', cluster),
          matchOnDescription: true,
          matchOnDetail: true,
        });
        node = pick?.node;
        if (!pick) return false;
      }
    }
    if (!node) throw new ConfigError('missingField', vscode.l10n.t('Node {0} is no longer registered on {1}. Refresh the Clusters view.', target.nodeId ?? '', cluster));
    const own = await ownLocalNode(ctx, cluster, node.id);
    // The local cluster's node seen from a window that did not start it: not "its own machine".
    const localElsewhere = !own && (await ctx.service.profiles.list()).find((p) => p.name === cluster)?.source === 'local';
    const stop = vscode.l10n.t('Stop Node');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Stop node {0} ({1})?', node.hostname, node.id),
      {
        modal: true,
        detail: own
          ? vscode.l10n.t('The node of the local cluster stops its containers ({0}) on its next heartbeat. The cluster keeps running; Start Node starts the node again with the same id.', containersText(node.active_containers))
          : localElsewhere
            ? vscode.l10n.t('The node of the local cluster stops its containers ({0}) on its next heartbeat. The cluster keeps running; Start Node in the window that started the local cluster starts the node again.', containersText(node.active_containers))
            : vscode.l10n.t('The node receives the request on its next heartbeat, stops its containers ({0}) and exits. Start it again on its machine to bring it back.', containersText(node.active_containers)),
      },
      stop,
    );
    if (pick !== stop) return false;
    await (await ctx.service.hub(cluster)).stopNode(node.id);
    ctx.logger.info(`stop requested for node ${node.id} on ${cluster}`);
    ctx.clusters.markStopRequested(cluster, node.id);
    if (own) {
      // This process runs that node: it knows when it has stopped, long before the hub drops it.
      const stoppedNode = node;
      const stopped = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping node {0}…', node.hostname) },
        () => own.waitStopped(120_000),
      );
      if (stopped) {
        ctx.clusters.markStopped(cluster, stoppedNode);
        const start = vscode.l10n.t('Start Node');
        void vscode.window.showInformationMessage(vscode.l10n.t('Node {0} of the local cluster stopped; its containers are gone.', node.hostname), start).then((p) =>
          p === start ? vscode.commands.executeCommand('gridcore.startNode', { cluster, nodeId: stoppedNode.id }) : undefined,
        );
        return true;
      }
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Stop requested for node {0}. It leaves the list once it has stopped.', node.hostname));
    return true;
  });

  registry.register('gridcore.startNode', async (arg?: unknown) => {
    const cluster = await resolveCluster(ctx.service, arg);
    if (!cluster) return undefined;
    const profile = (await ctx.service.profiles.list()).find((p) => p.name === cluster);
    const local = profile?.source === 'local' ? await import('../local/local-cluster-api.js') : undefined;
    const state = local?.localNodeState();
    if (!local || !state || !(await isLocalClusterHere(ctx, cluster))) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Nodes of {0} start on their own machines (run gridnode there, pointed at this hub). Start Node starts the node of the local cluster this window runs.', cluster),
      );
      return undefined;
    }
    if (!state.stopped) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Node {0} of the local cluster is running.', state.nodeId ?? ''));
      return state.nodeId;
    }
    const nodeId = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the node of the local cluster…') },
      () => local.startLocalClusterNode({ logger: ctx.logger }),
    );
    if (state.nodeId) ctx.clusters.markStarted(cluster, state.nodeId);
    if (nodeId && nodeId !== state.nodeId) ctx.clusters.markStarted(cluster, nodeId);
    await ctx.monitors.refresh(cluster);
    void vscode.window.showInformationMessage(vscode.l10n.t('Node {0} of the local cluster runs again.', nodeId ?? ''));
    return nodeId;
  });
};

/** True when `cluster` is the local cluster this window runs (its hub URL is ours). */
async function isLocalClusterHere(ctx: CommandContext, cluster: string): Promise<boolean> {
  const local = await import('../local/local-cluster-api.js');
  const found = await local.findRunningLocalCluster();
  // this window's, or the detached one every window shares
  if (!found?.ownedHere && !found?.detached) return false;
  const resolved = await ctx.service.profiles.resolve(cluster).catch(() => undefined);
  return resolved?.profile.computehubUrl === found.profile.computehubUrl;
}

/** The node `nodeId` of `cluster` when it is the node of the local cluster this window runs:
 *  then this process sees it stop. Loads the local cluster module only for the local profile. */
async function ownLocalNode(ctx: CommandContext, cluster: string, nodeId: string): Promise<{ waitStopped(ms: number): Promise<boolean> } | undefined> {
  const profile = (await ctx.service.profiles.list()).find((p) => p.name === cluster);
  if (profile?.source !== 'local' || !(await isLocalClusterHere(ctx, cluster))) return undefined;
  const local = await import('../local/local-cluster-api.js');
  const state = local.localNodeState(nodeId);
  if (!state || state.nodeId !== nodeId || state.stopped) return undefined;
  return {
    waitStopped: (ms) =>
      new Promise<boolean>((resolve) => {
        if (local.localNodeState(nodeId)?.stopped) return resolve(true);
        const timer = setTimeout(() => (sub.dispose(), resolve(false)), ms);
        const sub = local.onLocalNodeStopped((id) => {
          if (id !== nodeId) return;
          clearTimeout(timer);
          sub.dispose();
          resolve(true);
        });
      }),
  };
}
