// gridcore_cluster_status: health, nodes, tasks and the running task's queues of one cluster,
// from the same snapshot the Clusters view polls.
import { fetchClusterSnapshot } from '../ui-model/cluster-snapshot';
import { statusText } from './format';
import { toolCluster } from './targets';
import { CLUSTER_INPUT, type ToolSpec } from './kit';

export const statusTool: ToolSpec<{ cluster?: string }> = {
  name: 'gridcore_cluster_status',
  title: 'Cluster Status',
  description:
    "Shows a GridCore cluster: whether the ComputeHub answers, the token is accepted and Redis is reachable; its compute nodes (hostname, id, runtime status, containers, last heartbeat); its tasks (running, pending, completed) and the running task's queue lengths; and the names of the other configured clusters. Use it first, to see which clusters exist and what runs, and after any change.",
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
    },
    additionalProperties: false,
  },
  effects: { readOnly: true, destructive: false, idempotent: true },
  async run(input, deps) {
    const { service } = deps;
    const cluster = await toolCluster(service, input.cluster);
    const [profiles, active] = await Promise.all([service.profiles.list(), service.profiles.getActive()]);
    const profile = profiles.find((p) => p.name === cluster)!;
    const snapshot = await fetchClusterSnapshot(service, cluster, { nodes: true, current: true, now: deps.now });
    return statusText({
      cluster,
      computehubUrl: profile.computehubUrl,
      redisUrl: profile.redisUrl,
      active: active === cluster,
      local: !!profile.local || profile.source === 'local',
      snapshot,
      now: deps.now(),
      others: profiles.map((p) => p.name).filter((n) => n !== cluster),
    });
  },
};
