// Turns a command's argument into (cluster, task, queue), asking only for what is missing.
import type { GridCoreService } from '../../core/service-api';
import { queueNaming } from '../../ui/settings';
import { pickTask, resolveCluster } from '../args';
import { queueTargetOf, taskQueue, type QueueRole } from './targets';

export interface ResolvedQueue {
  cluster: string;
  queue: string;
  taskName?: string;
  /** the task's other queue, when known */
  inputQueue?: string;
}

export async function resolveQueue(service: GridCoreService, arg: unknown, role: QueueRole, placeHolder: string): Promise<ResolvedQueue | undefined> {
  const t = queueTargetOf(arg);
  const cluster = await resolveCluster(service, t.cluster ? { cluster: t.cluster } : undefined);
  if (!cluster) return undefined;
  if (t.queue && (!t.role || t.role === role)) {
    const record = service.tasks.list(cluster).find((r) => (role === 'input' ? r.inputQueue : r.outputQueue) === t.queue);
    return { cluster, queue: t.queue, taskName: t.taskName ?? record?.name, inputQueue: record?.inputQueue };
  }
  let taskName = t.taskName;
  if (!taskName) {
    const picked = await pickTask(service, cluster, { placeHolder, distinctNames: true, otherQueue: true });
    if (!picked) return undefined;
    if ('queue' in picked) return { cluster, queue: picked.queue };
    taskName = picked.task.name;
  }
  const record = t.record ?? service.tasks.get(cluster, taskName);
  const naming = queueNaming(taskName);
  return { cluster, taskName, queue: taskQueue(role, record, naming), inputQueue: taskQueue('input', record, naming) };
}
