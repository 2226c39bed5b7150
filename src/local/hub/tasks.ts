// The hub's ordered task list, with upstream's pointer semantics: `current` is an index that
// keeps pointing at the last task after it completes, which is why a repeated finish answers
// the same name again and why nodes keep getting the completed task.

import type { FinishResult, HubTaskList, NextResult, RegisterTaskRequest, TaskConfig } from '../../core/types';

type Status = 'Pending' | 'Running' | 'Completed';

interface Entry {
  task: RegisterTaskRequest;
  status: Status;
}

export class TaskList {
  private readonly entries: Entry[] = [];
  private current: number | undefined;
  /** GET /api/tasks is read far more often than tasks change: keep its body until the next change. */
  private listBody: Buffer | undefined;
  private readonly configBodies = new Map<string, string>();

  get size(): number {
    return this.entries.length;
  }

  private changed(): void {
    this.listBody = undefined;
    this.configBodies.clear();
  }

  /** Appends; starts it at once when nothing runs (first task ever, or all earlier ones completed). */
  add(task: RegisterTaskRequest): void {
    this.entries.push({ task, status: 'Pending' });
    const cur = this.current === undefined ? undefined : this.entries[this.current];
    if (!cur || cur.status === 'Completed') {
      this.current = this.entries.length - 1;
      this.entries[this.current].status = 'Running';
    }
    this.changed();
  }

  /** The running task, then the pending ones, as registered. */
  unfinished(): RegisterTaskRequest[] {
    const running = this.entries.filter((e) => e.status === 'Running');
    return [...running, ...this.entries.filter((e) => e.status === 'Pending')].map((e) => e.task);
  }

  list(): HubTaskList {
    const out: HubTaskList = { current: null, pending: [], completed: [] };
    for (const e of this.entries) {
      if (e.status === 'Running') out.current = e.task.name;
      else if (e.status === 'Pending') out.pending.push(e.task.name);
      else out.completed.push(e.task.name);
    }
    return out;
  }

  /** Bytes, so a cached body is not encoded again on every request. */
  listJson(): Buffer {
    // list() builds its keys in upstream's field order (current, pending, completed).
    return (this.listBody ??= Buffer.from(JSON.stringify(this.list())));
  }

  /** Marks the current task completed and starts the next one; undefined before any task ran. */
  finish(): FinishResult | undefined {
    if (this.current === undefined) return undefined;
    const done = this.entries[this.current];
    done.status = 'Completed';
    const next = this.entries[this.current + 1];
    let started: string | null = null;
    if (next) {
      this.current++;
      next.status = 'Running';
      started = next.task.name;
    }
    this.changed();
    const message = started
      ? `Task '${done.task.name}' completed, '${started}' started`
      : `Task '${done.task.name}' completed, no more tasks`;
    // Upstream builds this body with serde_json's json! macro: keys come out alphabetical.
    return { completed: done.task.name, message, started };
  }

  /** Legacy switch: same as finish, but an error (undefined) when nothing follows. Like
   *  upstream it has already marked the current task completed when it reports that. */
  next(): NextResult | undefined {
    const prev = this.current === undefined ? undefined : this.entries[this.current];
    if (prev) prev.status = 'Completed';
    const idx = this.current === undefined ? 0 : this.current + 1;
    const next = this.entries[idx];
    this.changed();
    if (!next) return undefined;
    this.current = idx;
    next.status = 'Running';
    // json! macro upstream too: alphabetical keys.
    return { current: next.task.name, previous: prev ? prev.task.name : 'none' };
  }

  /** What a node on `platform` should run: the task the pointer is on, even if completed. */
  configFor(platform: string): TaskConfig | null {
    const task = this.current === undefined ? undefined : this.entries[this.current].task;
    if (!task) return null;
    const images = task.images as Record<string, string> | null | undefined;
    const image = (images && Object.hasOwn(images, platform) ? images[platform] : undefined) ?? task.image;
    if (image === undefined || image === null) return null;
    return {
      task_name: task.name,
      image,
      redis_url: null,
      input_redis: task.input_redis ?? null,
      output_redis: task.output_redis ?? null,
      input_queue: task.input_queue ?? null,
      output_queue: task.output_queue ?? null,
    };
  }

  configJson(platform: string): string {
    let body = this.configBodies.get(platform);
    if (body === undefined) {
      body = JSON.stringify(this.configFor(platform));
      if (this.configBodies.size < 16) this.configBodies.set(platform, body);
    }
    return body;
  }
}
