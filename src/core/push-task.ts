// One push to a queue, counted on its task's record (the progress total): what the Push Data
// command and the chat tool share, so both count a resumed push only once.
import type { GridCoreService, PushOptions, PushResult, PushSource } from './service-api';

export interface PushTarget {
  cluster: string;
  queue: string;
  /** the task whose input this is: its record counts the items */
  taskName?: string;
}

export interface RecordedPush {
  result: PushResult;
  /** items this call added (a resumed push's earlier batches are not counted again) */
  added: number;
}

export async function pushAndRecord(service: GridCoreService, target: PushTarget, source: PushSource, opts?: PushOptions): Promise<RecordedPush> {
  const queues = await service.queues(target.cluster);
  const result = await queues.push(target.queue, source, opts);
  const added = result.pushed - (result.previouslyPushed ?? 0);
  if (target.taskName && added > 0) await service.tasks.addPushed(target.cluster, target.taskName, added);
  return { result, added };
}
