// gridcore_cluster_status: health, nodes, tasks and the running task's queues of one cluster,
// from the same snapshot the Clusters view polls.
import { fetchClusterSnapshot } from '../../ui-model/cluster-snapshot';
import { statusText } from '../format';
import { toolCluster } from '../targets';
import type { ToolSpec } from './kit';

export const statusTool: ToolSpec<{ cluster?: string }> = {
  name: 'gridcore_cluster_status',
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
