// Node operations: copy the id, request a stop (the node stops on its next heartbeat); from
// the palette, stop offers the active cluster's nodes.
import * as vscode from 'vscode';
import { ConfigError } from '../core/errors';
import { containersText } from '../ui-model/format';
import { nodePickItems, noNodeMessage } from '../ui-model/node-pick';
import { resolveCluster, targetOf } from './args';
import type { CommandModule } from './registry';

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
    const nodes = await (await ctx.service.hub(cluster)).listNodes();
    let node = nodes.find((n) => n.id === target.nodeId);
    if (!node && !target.nodeId) {
      if (!nodes.length) {
        const tasks = await ctx.service.listTasks(cluster).catch(() => []);
        void vscode.window.showInformationMessage(noNodeMessage(cluster, tasks.length > 0));
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
    if (!node) throw new ConfigError('missingField', vscode.l10n.t('Node {0} is no longer registered on {1}. Refresh the Clusters view.', target.nodeId ?? '', cluster));
    const stop = vscode.l10n.t('Stop Node');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Stop node {0} ({1})?', node.hostname, node.id),
      {
        modal: true,
        detail: vscode.l10n.t('The node receives the request on its next heartbeat, stops its containers ({0}) and exits. Start it again on its machine to bring it back.', containersText(node.active_containers)),
      },
      stop,
    );
    if (pick !== stop) return false;
    await (await ctx.service.hub(cluster)).stopNode(node.id);
    ctx.logger.info(`stop requested for node ${node.id} on ${cluster}`);
    ctx.clusters.markStopRequested(cluster, node.id);
    void vscode.window.showInformationMessage(vscode.l10n.t('Stop requested for node {0}. It leaves the list once it has stopped.', node.hostname));
    return true;
  });
};
