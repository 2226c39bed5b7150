// gridcore_requeue_stranded: the running task's stranded processing lists (README, "Reliable
// consumers": their consumer's container or node is gone, or the task is no longer current)
// moved back into its input queue, as Requeue Stranded Items does. Destructive in the sense
// that it takes batches away from their lists: it is confirmed, with how many items move.
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { GridCoreService } from '../core/service-api';
import { requeueOutcome, requeueQuestion } from '../ui-model/in-flight-format';
import { taskQueueNames } from '../ui-model/task-queues';
import { CLUSTER_INPUT, type ToolSpec } from './kit';
import { toolCluster, toolTask } from './targets';

async function strandedOf(service: GridCoreService, clusterName: string | undefined, taskName: string | undefined) {
  const cluster = await toolCluster(service, clusterName);
  const task = await toolTask(service, cluster, taskName);
  const input = (await taskQueueNames(service, cluster, task)).input;
  if (!input) throw new ConfigError('unknownQueue', l10n.t('The input queue of task {0} is not known: the hub lists names only, and it was not registered from here.', task.name));
  const { inFlight } = await (await service.queues(cluster)).probe([], [input]);
  const lists = inFlight?.[input] ?? [];
  const stranded = await service.stranded(cluster, { name: task.name, inputQueue: input }, lists);
  const movable = stranded.filter((s) => s.reason !== 'notAList');
  return { cluster, task, input, lists, movable, items: movable.reduce((n, s) => n + s.length, 0) };
}

export const requeueStrandedTool: ToolSpec<{ cluster?: string; task?: string }> = {
  name: 'gridcore_requeue_stranded',
  title: 'Requeue Stranded Items',
  description:
    'Moves the stranded items of a GridCore task back into its input queue: the batches reliable consumers took into their processing lists (<input>:processing:<node>:<instance>) whose consumer is gone (its container or node no longer runs, or the task is no longer current). Each list moves atomically and only if its consumer has not taken another batch since, so nothing is lost or doubled. Destructive: the user is asked to confirm, with the item and list counts. Use it when progress shows items in flight that never finish.',
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
      task: { type: 'string', minLength: 1, description: 'Task whose stranded items to requeue. Default: the running task.' },
    },
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: true, idempotent: true },
  async prepare(input, { service }) {
    const s = await strandedOf(service, input.cluster, input.task);
    if (!s.movable.length) return {};
    const ask = requeueQuestion(s.task.name, s.input, { stranded: s.movable, strandedItems: s.items });
    return { confirmation: { title: ask.message, message: `${l10n.t('Cluster {0}.', s.cluster)} ${ask.detail}` } };
  },
  async run(input, deps) {
    const s = await strandedOf(deps.service, input.cluster, input.task);
    if (!s.movable.length) return l10n.t('No stranded items in the processing lists of {0} ({1} lists in flight).', s.input, s.lists.length);
    const result = await deps.service.requeueStranded(s.cluster, s.input, s.movable);
    deps.logger.info(`tool: requeued ${result.moved} stranded item(s) of ${s.task.name} on ${s.cluster}`);
    void deps.refresh(s.cluster);
    return requeueOutcome(result, s.input);
  },
};
