// Which Redis lists a task reads and writes. The hub's list carries names only, so the
// answer is the task's record, else, for the task the hub hands to nodes (the running one,
// or the last completed one it keeps handing), the node-facing route's config. One helper
// for the tree, the status bar and the task commands.
import type { GridCoreService } from '../core/service-api';
import type { Platform, TaskConfig, TaskView } from '../core/types';

export interface QueueNames {
  input?: string;
  output?: string;
}

/** The record's queues, without asking anyone. */
export function recordedQueues(task: Pick<TaskView, 'record'>): QueueNames | undefined {
  const r = task.record;
  return r?.inputQueue || r?.outputQueue ? { input: r.inputQueue, output: r.outputQueue } : undefined;
}

/** A task entry's identity across polls and state changes: its record (names repeat). */
export function taskKey(t: Pick<TaskView, 'name' | 'record'>): string | undefined {
  return t.record ? `${t.name}\u0000${t.record.registeredAt ?? ''}` : undefined;
}

/** True when the hub hands this task to nodes, so `/gridnode/task` describes it. */
export function handedToNodes(task: Pick<TaskView, 'state' | 'stillHandedToNodes'>): boolean {
  return task.state === 'running' || !!task.stillHandedToNodes;
}

/**
 * Queue names of a task: its record, else what the hub hands nodes (when it hands them this
 * task). `cache`, keyed by cluster and task, keeps one hub call per task for pollers.
 */
export async function taskQueueNames(
  service: Pick<GridCoreService, 'hub'>,
  cluster: string,
  task: TaskView,
  cache?: Map<string, QueueNames>,
): Promise<QueueNames> {
  const recorded = recordedQueues(task);
  if (recorded) return recorded;
  if (!handedToNodes(task)) return {};
  const key = `${cluster}\u0000${task.name}`;
  const cached = cache?.get(key);
  if (cached) return cached;
  const names = handedQueues(await handedConfig(service, cluster, task));
  cache?.set(key, names);
  return names;
}

/** The platform whose config `handedConfig` reads: upstream's nodes ask for this one. */
export const HANDED_PLATFORM: Platform = 'linux/amd64';

/** What the hub hands nodes, when that is this task; undefined for any other task, or when
 *  the hub does not answer (the caller then shows what it knows without it). */
export async function handedConfig(service: Pick<GridCoreService, 'hub'>, cluster: string, task: TaskView): Promise<TaskConfig | undefined> {
  if (!handedToNodes(task)) return undefined;
  const config = await service
    .hub(cluster)
    .then((hub) => hub.currentTaskConfig(HANDED_PLATFORM))
    .catch(() => null);
  return config?.task_name === task.name ? config : undefined;
}

export function handedQueues(config: TaskConfig | undefined): QueueNames {
  return config ? { input: config.input_queue ?? undefined, output: config.output_queue ?? undefined } : {};
}
