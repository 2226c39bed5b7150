// What a submission command was invoked on: a tree queue or task, `{ cluster, taskName }`
// from the status bar or tests, `{ cluster, queue }`, or nothing (palette). No `vscode`.
import type { TaskRecord } from '../../core/types';

export type QueueRole = 'input' | 'output';

export interface QueueTarget {
  cluster?: string;
  taskName?: string;
  queue?: string;
  role?: QueueRole;
  record?: TaskRecord;
}

interface Loose {
  kind?: unknown;
  cluster?: unknown;
  label?: unknown;
  contextValue?: unknown;
  taskName?: unknown;
  queue?: unknown;
  role?: unknown;
  task?: { name?: unknown; record?: TaskRecord };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export function queueTargetOf(arg: unknown): QueueTarget {
  if (typeof arg === 'string') return { cluster: arg };
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Loose;
  const out: QueueTarget = { cluster: str(a.cluster) };
  if (a.kind === 'queue') {
    out.queue = str(a.label);
    const ctx = str(a.contextValue) ?? '';
    out.role = /\boutput\b/.test(ctx) ? 'output' : /\binput\b/.test(ctx) ? 'input' : undefined;
    return out;
  }
  out.taskName = str(a.task?.name) ?? str(a.taskName);
  out.record = a.task?.record;
  out.queue = str(a.queue);
  out.role = a.role === 'input' || a.role === 'output' ? a.role : undefined;
  return out;
}

/** The queue of a task for a role: the recorded one, else the naming pattern's. */
export function taskQueue(role: QueueRole, record: TaskRecord | undefined, naming: { input: string; output: string }): string {
  return (role === 'input' ? record?.inputQueue : record?.outputQueue) ?? naming[role];
}
