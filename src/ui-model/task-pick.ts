// The items of "choose a task" quick picks (task details, push, results, clear queue):
// running first, then pending in hub order, then completed newest first.
import type { TaskView } from '../core/types';
import { taskStateLabel } from './format';
import { recordedQueues } from './task-queues';

export interface TaskPickItem {
  label: string;
  description: string;
  detail?: string;
  task: TaskView;
}

const ORDER = { running: 0, pending: 1, completed: 2 } as const;

/** `distinctNames`: one item per name (its most current entry), for pickers that want a queue. */
export function taskPickItems(tasks: readonly TaskView[], opts: { distinctNames?: boolean } = {}): TaskPickItem[] {
  const sorted = [...tasks].sort((a, b) => ORDER[a.state] - ORDER[b.state] || (a.state === 'completed' ? b.index - a.index : a.index - b.index));
  const seen = new Set<string>();
  const items: TaskPickItem[] = [];
  for (const t of sorted) {
    if (opts.distinctNames) {
      if (seen.has(t.name)) continue;
      seen.add(t.name);
    }
    const q = recordedQueues(t);
    items.push({ label: t.name, description: taskStateLabel(t.state), detail: q ? `${q.input ?? ''} → ${q.output ?? ''}` : undefined, task: t });
  }
  return items;
}
