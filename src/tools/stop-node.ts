// gridcore_stop_node: asks the hub to stop one node (by id or hostname); the confirmation
// names the node, its cluster and the containers it will stop.
import { l10n } from '../core/l10n';
import type { GridCoreService } from '../core/service-api';
import { containersText } from '../ui-model/format';
import { toolCluster, toolNode } from './targets';
import { CLUSTER_INPUT, type ToolSpec } from './kit';

async function findNode(service: GridCoreService, clusterName: string | undefined, key: string) {
  const cluster = await toolCluster(service, clusterName);
  const hub = await service.hub(cluster);
  return { cluster, hub, node: toolNode(await hub.listNodes(), cluster, key) };
}

export const stopNodeTool: ToolSpec<{ cluster?: string; node: string }> = {
  name: 'gridcore_stop_node',
  title: 'Stop Node',
  description:
    "Asks the ComputeHub to stop one compute node (by id or hostname): on its next heartbeat it stops its containers and exits. Destructive: the user is asked to confirm, with the node's hostname, id, cluster and container count. It must be started again on its machine.",
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
      node: { type: 'string', minLength: 1, description: "The node's id or hostname." },
    },
    required: ["node"],
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: true, idempotent: true },
  async prepare(input, { service }) {
    const { cluster, node } = await findNode(service, input.cluster, input.node);
    return {
      confirmation: {
        title: l10n.t('Stop node {0} ({1})?', node.hostname, node.id),
        message: `${l10n.t('Cluster {0}.', cluster)} ${l10n.t('The node receives the request on its next heartbeat, stops its containers ({0}) and exits. Start it again on its machine to bring it back.', containersText(node.active_containers))}`,
      },
    };
  },
  async run(input, deps) {
    const { cluster, hub, node } = await findNode(deps.service, input.cluster, input.node);
    await hub.stopNode(node.id);
    deps.logger.info(`chat tool: stop requested for node ${node.id} on ${cluster}`);
    deps.markStopRequested(cluster, node.id);
    return l10n.t('Stop requested for node {0}. It leaves the list once it has stopped.', node.hostname);
  },
};
