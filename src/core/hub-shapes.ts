// Cheap hand-written guards for the hub's JSON replies (see computehub-api.md): a reply
// that fails them is a protocol error, never a crash further down in the UI.
import type { FinishResult, HubNode, HubTaskList, NextResult, TaskConfig } from './types';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function isHubTaskList(v: unknown): v is HubTaskList {
  return isObj(v) && isStrOrNull(v.current) && isStrList(v.pending) && isStrList(v.completed);
}

export function isFinishResult(v: unknown): v is FinishResult {
  return isObj(v) && isStr(v.completed) && isStrOrNull(v.started) && isStr(v.message);
}

export function isNextResult(v: unknown): v is NextResult {
  return isObj(v) && isStrOrNull(v.previous) && isStrOrNull(v.current);
}

export function isHubNode(v: unknown): v is HubNode {
  return (
    isObj(v) &&
    isStr(v.id) &&
    isStr(v.hostname) &&
    isStr(v.architecture) &&
    isCount(v.cpu_count) &&
    isStr(v.last_seen) &&
    (v.status === 'Online' || v.status === 'Offline') &&
    (v.runtime_status === null || v.runtime_status === 'Running' || v.runtime_status === 'Idle' || v.runtime_status === 'Error') &&
    isCount(v.active_containers)
  );
}

export function isHubNodeList(v: unknown): v is HubNode[] {
  return Array.isArray(v) && v.every(isHubNode);
}

/** Optional fields may be null or, from a lenient hub, missing. */
export function isTaskConfigOrNull(v: unknown): v is (Pick<TaskConfig, 'task_name' | 'image'> & Partial<TaskConfig>) | null {
  if (v === null) return true;
  if (!isObj(v) || !isStr(v.task_name) || !isStr(v.image)) return false;
  return (['redis_url', 'input_redis', 'output_redis', 'input_queue', 'output_queue'] as const).every(
    (k) => v[k] === undefined || isStrOrNull(v[k]),
  );
}
