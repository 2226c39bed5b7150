// gridcore_finish_task: completes the running task so the next pending one starts. The model
// names the task it means; the confirmation is the Finish command's own text (input queue
// length, results so far, what happens when nothing is pending).
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { GridCoreService } from '../core/service-api';
import { finishConfirmation, finishOutcome, nextPending, nothingRunningMessage } from '../ui-model/finish-flow';
import { queueFacts } from '../ui-model/queue-facts';
import { taskQueueNames } from '../ui-model/task-queues';
import { toolCluster } from './targets';
import { CLUSTER_INPUT, type ToolSpec } from './kit';

async function runningTask(service: GridCoreService, clusterName: string | undefined, task: string) {
  const cluster = await toolCluster(service, clusterName);
  const tasks = await service.listTasks(cluster);
  const running = tasks.find((t) => t.state === 'running');
  if (!running) throw new ConfigError('unknownTask', nothingRunningMessage(cluster, tasks));
  if (running.name !== task) throw new ConfigError('unknownTask', l10n.t('Task {0} is not the running task of {1}: {2} is. Only the running task can be finished.', task, cluster, running.name));
  return { cluster, tasks, running };
}

export const finishTool: ToolSpec<{ cluster?: string; task: string }> = {
  name: 'gridcore_finish_task',
  title: 'Finish Current Task',
  description:
    "Marks the running GridCore task completed so that the next pending task starts (POST /api/tasks/finish). Destructive: the user is asked to confirm, with the input queue's length and the results so far. Name the running task. With no pending task, nodes keep running the finished one until a new task is registered. Use it when the task's items are all done.",
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
      task: { type: 'string', minLength: 1, description: "The running task's name (it must be the running task)." },
    },
    required: ["task"],
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: true, idempotent: false },
  async prepare(input, { service, logger }) {
    const { cluster, tasks, running } = await runningTask(service, input.cluster, input.task);
    const q = await taskQueueNames(service, cluster, running);
    const facts = await queueFacts(service, cluster, q, (m) => logger.warn(m), { inFlight: true });
    const ask = finishConfirmation(running.name, cluster, facts, nextPending(tasks));
    return { confirmation: { title: ask.message, message: ask.detail } };
  },
  async run(input, deps) {
    const { cluster } = await runningTask(deps.service, input.cluster, input.task);
    const result = await (await deps.service.hub(cluster)).finish();
    deps.logger.info(`chat tool: finished ${result.completed} on ${cluster}; started ${result.started ?? 'nothing'}`);
    await deps.refresh(cluster);
    return finishOutcome(result);
  },
};
