// gridcore.showContainerLogs: a node's containers, live, in one output channel per node: the
// kept last lines of its failed containers first, then every container it runs (restarts and
// task switches included). Only a node on this machine (the local cluster's) can be followed;
// for a remote node the command says where its logs are.
import * as vscode from 'vscode';
import { ConfigError } from '../../core/errors';
import { nodeExitsFile, readNodeExits } from '../../core/node-exits';
import { defaultSkillDir } from '../../core/skill-files';
import type { HubNode } from '../../core/types';
import { nodePickItems, noNodeMessage } from '../../ui-model/node-pick';
import { resolveCluster, targetOf } from '../args';
import type { CommandContext, CommandRegistry } from '../registry';
import type { RecordedChannels } from './recorded-channel';

interface Following {
  channel: vscode.OutputChannel;
  dispose(): void;
}

export function registerContainerLogsCommand(registry: CommandRegistry, ctx: CommandContext, channels: RecordedChannels): void {
  const following = new Map<string, Following>();
  ctx.extension.subscriptions.push({ dispose: () => following.forEach((f) => f.dispose()) });

  registry.register('gridcore.showContainerLogs', async (arg?: unknown) => {
    const cluster = await resolveCluster(ctx.service, arg, vscode.l10n.t('Containers of a node of which cluster?'));
    if (!cluster) return undefined;
    const node = await pickNode(ctx, cluster, targetOf(arg).nodeId);
    if (!node) return undefined;
    const profile = await ctx.service.profiles.get(cluster);
    if (!profile?.local) {
      const text = vscode.l10n.t(
        'The containers of node {host} run on that machine, and so do their logs. On {host}: docker ps -a --filter name=idm- lists them (upstream nodes name them idm-<task>-<node id>-<instance>), docker logs -f <name> follows one. Upstream nodes remove a failed container, and its logs with it.',
        { host: node.hostname },
      );
      void vscode.window.showInformationMessage(text);
      return { remote: true, message: text };
    }
    const key = `${cluster}\u0000${node.id}`;
    const existing = following.get(key);
    if (existing) {
      existing.channel.show(true);
      return { nodeId: node.id, following: true };
    }
    const channel = channels.create(vscode.l10n.t('GridCore Containers: {node}', { node: node.hostname }));
    channel.show(true);
    const kept = readNodeExits(nodeExitsFile(defaultSkillDir()), node.id);
    if (kept.length) {
      channel.appendLine(vscode.l10n.t('── last lines of containers that failed (kept by the node after removing them) ──'));
      for (const e of kept) {
        channel.appendLine(vscode.l10n.t('[{task}#{instance}] exited with code {code} at {at}', { task: e.task, instance: e.instance, code: e.code, at: e.at }));
        for (const l of e.lines) channel.appendLine(`[${e.task}#${e.instance}] ${l}`);
      }
    }
    channel.appendLine(vscode.l10n.t('── following the containers of node {node} ({id}) ──', { node: node.hostname, id: node.id }));
    const local = await import('../../local/local-cluster-api.js');
    const s = await ctx.service.profiles.secrets(cluster);
    const follower = await local.followNodeContainers(local.dockerFrom({}), node.id, (line) => channel.appendLine(line), {
      secrets: [s.token, s.redisPassword].filter((x): x is string => !!x),
    });
    following.set(key, { channel, dispose: () => follower.dispose() });
    return { nodeId: node.id, following: true, containers: follower.followed };
  });
}

async function pickNode(ctx: CommandContext, cluster: string, nodeId: string | undefined): Promise<HubNode | undefined> {
  const nodes = await (await ctx.service.hub(cluster)).listNodes();
  if (nodeId) {
    const found = nodes.find((n) => n.id === nodeId);
    if (!found) throw new ConfigError('missingField', vscode.l10n.t('Node {0} is no longer registered on {1}. Refresh the Clusters view.', nodeId, cluster));
    return found;
  }
  if (!nodes.length) {
    void vscode.window.showInformationMessage(noNodeMessage(cluster, false));
    return undefined;
  }
  if (nodes.length === 1) return nodes[0];
  const pick = await vscode.window.showQuickPick(nodePickItems(nodes, Date.now()), { placeHolder: vscode.l10n.t('Show the container logs of which node?'), matchOnDescription: true });
  return pick?.node;
}
