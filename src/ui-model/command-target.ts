// What a command was invoked on: a tree element (cluster, node, task or queue item), an
// object `{ cluster, taskName?, nodeId?, queue?, role? }` from another command, the status
// bar or tests, a cluster name, or nothing (palette). One reader for every command; no `vscode`.
import type { TaskRecord } from '../core/types';

export type QueueRole = 'input' | 'output';

export interface CommandTarget {
  cluster?: string;
  taskName?: string;
  nodeId?: string;
  queue?: string;
  role?: QueueRole;
  record?: TaskRecord;
  /** when the named task was registered: tells apart two registrations of one name */
  registeredAt?: string;
}

interface Loose {
  kind?: unknown;
  cluster?: unknown;
  label?: unknown;
  contextValue?: unknown;
  taskName?: unknown;
  nodeId?: unknown;
  queue?: unknown;
  role?: unknown;
  registeredAt?: unknown;
  task?: { name?: unknown; record?: TaskRecord };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export function targetOf(arg: unknown): CommandTarget {
  if (typeof arg === 'string') return { cluster: arg };
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Loose;
  const out: CommandTarget = { cluster: str(a.cluster) };
  if (a.kind === 'queue') {
    // A queue item: its label is the list's name, its context value says which side it is.
    out.queue = str(a.label);
    const ctx = str(a.contextValue) ?? '';
    out.role = /\boutput\b/.test(ctx) ? 'output' : /\binput\b/.test(ctx) ? 'input' : undefined;
    return out;
  }
  out.taskName = str(a.task?.name) ?? str(a.taskName);
  out.record = a.task?.record;
  const registeredAt = str(a.registeredAt) ?? str(a.task?.record?.registeredAt);
  if (registeredAt) out.registeredAt = registeredAt;
  out.queue = str(a.queue);
  out.role = a.role === 'input' || a.role === 'output' ? a.role : undefined;
  const nodeId = str(a.nodeId);
  if (nodeId) out.nodeId = nodeId;
  return out;
}
