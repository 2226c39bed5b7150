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

/** Pending and completed tasks a picker offers before anything is typed (each). */
export const PICK_RECENT = 20;
/** Matches a picker lists for what was typed. */
export const PICK_MATCHES = 200;

export interface TaskPickPage {
  items: TaskPickItem[];
  /** Tasks not listed: typing finds them. */
  more: number;
}

/**
 * What a task picker lists: with nothing typed, the running task, the next pending ones and
 * the most recently completed (a cluster with 10,000 tasks opens at once); with text typed,
 * the tasks whose name holds it, in the same order. The rest are found by typing.
 */
export function taskPickPage(tasks: readonly TaskView[], typed: string, opts: { distinctNames?: boolean } = {}): TaskPickPage {
  const all = taskPickItems(tasks, opts);
  const needle = typed.trim().toLowerCase();
  if (needle) {
    const matches = all.filter((i) => i.label.toLowerCase().includes(needle));
    return { items: matches.slice(0, PICK_MATCHES), more: Math.max(0, matches.length - PICK_MATCHES) };
  }
  const count = { running: 0, pending: 0, completed: 0 };
  const items = all.filter((i) => i.task.state === 'running' || ++count[i.task.state] <= PICK_RECENT);
  return { items, more: all.length - items.length };
}
