// What the extension remembers about the tasks it registered: the hub returns only names,
// so image, queues, Redis URLs and pushed counts live here, per cluster.
import { maskUrl } from './redact';
import type { KeyValueStore } from './ports';
import type { TaskRecordStore } from './service-api';
import type { HubTaskList, TaskRecord, TaskView } from './types';

/** Oldest records are dropped past this, per cluster, so the store cannot grow forever. */
export const MAX_RECORDS_PER_CLUSTER = 200;

const recordsKey = (cluster: string) => `gridcore.tasks.${cluster}`;

export class KeyValueTaskRecordStore implements TaskRecordStore {
  constructor(private readonly state: KeyValueStore) {}

  list(cluster: string): TaskRecord[] {
    return this.state.get<TaskRecord[]>(recordsKey(cluster)) ?? [];
  }

  get(cluster: string, name: string): TaskRecord | undefined {
    const all = this.list(cluster);
    const i = lastIndexOf(all, name);
    return i < 0 ? undefined : all[i];
  }

  async put(record: TaskRecord): Promise<void> {
    const all = [...this.list(record.cluster), withoutPassword(record)];
    await this.state.update(recordsKey(record.cluster), all.slice(-MAX_RECORDS_PER_CLUSTER));
  }

  async replace(previous: TaskRecord, next: TaskRecord): Promise<void> {
    const all = this.list(next.cluster);
    let i = -1;
    for (let j = all.length - 1; j >= 0 && i < 0; j--) if (sameRegistration(all[j], previous)) i = j;
    if (i < 0) return this.put(next);
    all.splice(i, 1);
    // Same place among the other names (re-registration keeps the first order), but never
    // before a newer record of its name: mergeTasks pairs a name's records newest-to-newest.
    const at = Math.max(i, lastIndexOf(all, next.name) + 1);
    all.splice(at, 0, withoutPassword(next));
    await this.state.update(recordsKey(next.cluster), all.slice(-MAX_RECORDS_PER_CLUSTER));
  }

  async addPushed(cluster: string, name: string, count: number): Promise<void> {
    const all = this.list(cluster);
    const i = lastIndexOf(all, name);
    // Pushing to a task registered elsewhere still gives it a record to count in.
    if (i < 0) all.push({ cluster, name, pushed: count });
    else all[i] = { ...all[i], pushed: (all[i].pushed ?? 0) + count };
    await this.state.update(recordsKey(cluster), all.slice(-MAX_RECORDS_PER_CLUSTER));
  }

  async resetPushed(cluster: string, name: string): Promise<void> {
    const all = this.list(cluster);
    if (!all.some((r) => r.name === name && r.pushed !== undefined)) return;
    await this.state.update(
      recordsKey(cluster),
      all.map((r) => {
        if (r.name !== name || r.pushed === undefined) return r;
        const { pushed: _pushed, ...rest } = r;
        return rest;
      }),
    );
  }

  async remove(cluster: string, name: string): Promise<void> {
    await this.state.update(
      recordsKey(cluster),
      this.list(cluster).filter((r) => r.name !== name),
    );
  }
}

/** Never keep a password, whatever the caller passed. */
function withoutPassword(record: TaskRecord): TaskRecord {
  const clean: TaskRecord = { ...record };
  if (clean.inputRedis) clean.inputRedis = maskUrl(clean.inputRedis);
  if (clean.outputRedis) clean.outputRedis = maskUrl(clean.outputRedis);
  return clean;
}

/** The same registration, whatever was pushed to it since (records are copies, not shared objects). */
function sameRegistration(a: TaskRecord, b: TaskRecord): boolean {
  const key = (r: TaskRecord) =>
    JSON.stringify([r.cluster, r.name, r.registeredAt, r.image, r.images && Object.entries(r.images).sort(), r.inputRedis && maskUrl(r.inputRedis), r.outputRedis && maskUrl(r.outputRedis), r.inputQueue, r.outputQueue, r.folder]);
  return key(a) === key(b);
}

function lastIndexOf(records: readonly TaskRecord[], name: string): number {
  for (let i = records.length - 1; i >= 0; i--) if (records[i].name === name) return i;
  return -1;
}

/**
 * One view per hub entry: running, then pending in hub order, then completed newest first.
 * Names repeat, so the k-th-from-last hub entry of a name gets the k-th-from-last record of
 * that name (a re-register after a hub restart leaves an older record unmatched).
 */
export function mergeTasks(list: HubTaskList, records: readonly TaskRecord[]): TaskView[] {
  // One pass, no intermediate lists: a hub with 10,000 tasks is merged on every poll.
  const running: TaskView[] = list.current !== null ? [{ name: list.current, state: 'running', index: 0 }] : [];
  const pending: TaskView[] = list.pending.map((name, index) => ({ name, state: 'pending', index }));
  const completed: TaskView[] = new Array(list.completed.length);
  for (let i = 0; i < list.completed.length; i++) completed[list.completed.length - 1 - i] = { name: list.completed[i], state: 'completed', index: i };
  if (records.length) {
    const byName = new Map<string, TaskRecord[]>();
    for (const r of records) {
      const recs = byName.get(r.name);
      if (recs) recs.push(r);
      else byName.set(r.name, [r]);
    }
    // Hub registration order is completed (oldest first), the running one, then pending; walk
    // it from the newest end, so the k-th-from-last entry of a name meets its k-th-from-last record.
    const seen = new Map<string, number>();
    const match = (v: TaskView) => {
      const recs = byName.get(v.name);
      if (!recs) return;
      const k = seen.get(v.name) ?? 0;
      seen.set(v.name, k + 1);
      const rec = recs[recs.length - 1 - k];
      if (rec) v.record = rec;
    };
    for (let i = pending.length - 1; i >= 0; i--) match(pending[i]);
    for (const v of running) match(v);
    for (const v of completed) match(v);
  }
  // After the last finish the hub reports no current task yet keeps handing the last
  // completed one to nodes until a new task is registered (contract: finish semantics).
  if (list.current === null && completed.length > 0) completed[0].stillHandedToNodes = true;
  return [...running, ...pending, ...completed];
}

/** Records whose name the hub no longer lists at all (e.g. after a hub restart); newest per name. */
export function forgottenRecords(list: HubTaskList, records: readonly TaskRecord[]): TaskRecord[] {
  const known = new Set([...list.completed, ...list.pending, ...(list.current !== null ? [list.current] : [])]);
  const newest = new Map<string, TaskRecord>();
  for (const r of records) if (!known.has(r.name)) newest.set(r.name, r);
  return [...newest.values()];
}
