// gridcore_start_local_cluster: the skill's 从零启动 (Redis with a password, the hub, one
// node), through the same code as the Start Local Cluster command.
import { l10n } from '../core/l10n';
import type { ToolSpec } from './kit';

export const startLocalClusterTool: ToolSpec<Record<string, never>> = {
  name: 'gridcore_start_local_cluster',
  title: 'Start Local Cluster',
  description:
    "Starts a GridCore cluster on this machine (Redis with a generated password, the ComputeHub and one compute node running Docker containers) and makes it the active cluster; if one is running already, selects it. Needs Docker. Use it when the user has no cluster, instead of downloading binaries and writing configuration by hand (the skill's 从零启动).",
  inputSchema: {
    type: 'object',
    properties: {
  
    },
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: false, idempotent: true },
  async prepare() {
    return { invocationMessage: l10n.t('Starting the local cluster') };
  },
  async run(_input, deps, signal) {
    const started = await deps.startLocalCluster(signal);
    const profile = await deps.service.profiles.get(started.name);
    return [
      started.message,
      l10n.t('Cluster {0}: hub {1}, Redis {2} (its password is kept in the editor\'s secret storage).', started.name, started.computehubUrl, profile?.redisUrl ?? '?'),
      l10n.t('Next: build and register a task folder with gridcore_build_and_register, then push data with gridcore_push_data.'),
    ].join('\n');
  },
};
