// gridcore_start_local_cluster: the skill's 从零启动 (Redis with a password, the hub, one
// node), through the same code as the Start Local Cluster command.
import { l10n } from '../../core/l10n';
import type { ToolSpec } from './kit';

export const startLocalClusterTool: ToolSpec<Record<string, never>> = {
  name: 'gridcore_start_local_cluster',
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
