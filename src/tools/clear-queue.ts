// gridcore_clear_queue: deletes a Redis list (a task's input or output queue, or one named
// outright); the confirmation says which list, of which task and cluster, and how many items.
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import { formatCount } from '../ui-model/format';
import { toolCluster, toolQueue, type QueueRole } from './targets';
import { CLUSTER_INPUT, type ToolDeps, type ToolSpec } from './kit';

export interface ClearInput {
  cluster?: string;
  task?: string;
  role?: QueueRole;
  queue?: string;
}

async function target(input: ClearInput, deps: ToolDeps) {
  if (input.task === undefined && input.queue === undefined) throw new ConfigError('badInput', l10n.t('Name the queue to clear: `task` (with `role`) or `queue`.'));
  const cluster = await toolCluster(deps.service, input.cluster);
  const t = await toolQueue(deps.service, cluster, input, input.role ?? 'input', deps.naming);
  const queues = await deps.service.queues(cluster);
  const held = (await queues.lengths([t.queue]))[t.queue] ?? 0;
  if (!held) throw new ConfigError('unknownQueue', l10n.t('Queue {0} on cluster {1} is empty or does not exist: there is nothing to clear.', t.queue, cluster));
  return { ...t, queues, held };
}

export const clearQueueTool: ToolSpec<ClearInput> = {
  name: 'gridcore_clear_queue',
  title: 'Clear Queue',
  description:
    "Deletes a Redis list: a task's input or output queue, or one named outright; for example old items before pushing a new batch. Destructive and final: the user is asked to confirm, with the queue's name, task, cluster and item count. Give task (with role) or queue.",
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
      task: { type: 'string', minLength: 1, description: 'Task whose queue to delete.' },
      role: { type: 'string', enum: ['input', 'output'], description: "Which of the task's queues. Default: input." },
      queue: { type: 'string', minLength: 1, description: 'A Redis list to delete, named outright.' },
    },
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: true, idempotent: true },
  async prepare(input, deps) {
    const t = await target(input, deps);
    const whose = t.taskName ? l10n.t('Cluster {0}, task {1}.', t.cluster, t.taskName) : l10n.t('Cluster {0}.', t.cluster);
    return {
      confirmation: {
        title: l10n.t('Delete queue {queue} and its {n} items?', { queue: t.queue, n: formatCount(t.held) }),
        message: `${whose} ${l10n.t('This removes the Redis list for good; it cannot be undone.')}`,
      },
    };
  },
  async run(input, deps) {
    const t = await target(input, deps);
    await deps.service.clearQueue(t.cluster, t.queue, { task: t.taskName });
    deps.logger.info(`chat tool: deleted queue ${t.queue} (${t.held} items) on ${t.cluster}`);
    void deps.refresh(t.cluster);
    return `${l10n.t('Queue {queue} deleted.', { queue: t.queue })} ${l10n.t('It held {0} items.', formatCount(t.held))}`;
  },
};
