// The Clusters tree's Tasks group: its notices (tasks the hub forgot, a stalled task, what
// finished tasks left behind, the last task still handed to nodes), then running, pending and
// completed tasks, pending and completed a page at a time, each with its queues on request.
import { l10n } from '../core/l10n';
import type { ClusterProfile, QueueLengths, TaskView } from '../core/types';
import type { ClusterSnapshot } from './cluster-snapshot';
import { queueSpec } from './cluster-tree-queues';
import { loadMoreSpec, message, type Spec, type TreeIcon } from './cluster-tree-types';
import { formatCount, taskStateLabel } from './format';
import { leftBehindLabel, leftBehindTooltip } from './in-flight-format';
import { stalledText } from './stalled';
import { recordedQueues, taskKey } from './task-queues';

/** What the Tasks group is built from. */
export interface TasksState {
  profile: ClusterProfile;
  snapshot?: ClusterSnapshot;
  /** Tasks whose queues the user asked to see under them (by taskKey). */
  shownQueues: ReadonlySet<string>;
  pendingLimit: number;
  completedLimit: number;
}

/** The Tasks group: notices (forgotten, stalled, left behind, still handed to nodes), then
 *  running, pending and completed tasks, a page at a time. */
export function tasksSpec(c: TasksState, unavailable: Spec[] | undefined): Spec {
  const name = c.profile.name;
  const id = `cluster:${name}/tasks`;
  const tasks = c.snapshot?.tasks;
  let children = unavailable;
  let description: string | undefined;
  if (!children && tasks) {
    const { running, pending, completed } = byState(tasks);
    description = l10n.t('{0} running · {1} pending · {2} completed', formatCount(running.length), formatCount(pending.length), formatCount(completed.length));
    children = [];
    const forgotten = c.snapshot?.forgotten ?? [];
    if (forgotten.length) {
      children.push({
        ...message(
          `${id}/forgottenNote`,
          name,
          forgotten.length === 1
            ? l10n.t('The hub no longer knows 1 task registered from this editor')
            : l10n.t('The hub no longer knows {0} tasks registered from this editor', formatCount(forgotten.length)),
          'history',
          l10n.t('Probably restarted: the hub keeps tasks in memory only. Forgotten: {0}. Click to register them again; those that cannot be (no image, or another Redis password) can be forgotten from the context menu.', forgotten.map((r) => r.name).join(', ')),
          'note',
        ),
        icon: { id: 'history', color: 'charts.yellow' },
        contextValue: 'note forgotten',
        command: { id: 'gridcore.reregisterTasks', title: l10n.t('Register Forgotten Tasks Again'), args: [{ cluster: name }] },
      });
    }
    const stalled = c.snapshot?.stalled;
    if (stalled && running.some((t) => t.name === stalled.task)) {
      // The monitor's one fact (./stalled.ts); its remedy is on the notice itself.
      children.push({
        ...message(`${id}/stalledNote`, name, l10n.t('Task {0} is stalled: no container runs', stalled.task), 'warning', stalledText(stalled), 'note'),
        icon: { id: 'warning', color: 'charts.yellow' },
        contextValue: 'note stalled',
        command: { id: 'gridcore.restartTask', title: l10n.t('Restart Task on Nodes'), args: [{ cluster: name, taskName: stalled.task }] },
      });
    }
    for (const f of c.snapshot?.leftBehind ?? []) {
      // Shown until empty: requeued (then the task can run again) or committed after all.
      children.push({
        ...message(`${id}/leftBehind/${encodeURIComponent(f.task)}`, name, leftBehindLabel(f), 'warning', leftBehindTooltip(f), 'note'),
        icon: { id: 'warning', color: 'charts.yellow' },
        contextValue: 'note leftBehind stranded',
        command: { id: 'gridcore.requeueStranded', title: l10n.t('Requeue Stranded Items…'), args: [{ cluster: name, taskName: f.task }] },
      });
    }
    const handed = completed.find((t) => t.stillHandedToNodes);
    if (handed) {
      children.push(
        message(
          `${id}/handedNote`,
          name,
          l10n.t('Nodes still run completed task {0}', handed.name),
          'warning',
          l10n.t('The hub keeps handing the last completed task to nodes, so their containers keep running it until a new task is registered.'),
          'note',
        ),
      );
    }
    const ids = taskIds(name, running, pending, completed);
    const spec = (t: TaskView) => taskSpec(name, ids.get(t)!, t, c.shownQueues, c.snapshot?.lengths);
    children.push(...running.map(spec), ...pending.slice(0, c.pendingLimit).map(spec));
    if (pending.length > c.pendingLimit) {
      children.push(loadMoreSpec(`${id}/loadMorePending`, name, l10n.t('{0} more pending', formatCount(pending.length - c.pendingLimit)), [{ cluster: name, which: 'pending' }]));
    }
    children.push(...completed.slice(0, c.completedLimit).map(spec));
    if (completed.length > c.completedLimit) {
      children.push(loadMoreSpec(`${id}/loadMore`, name, l10n.t('{0} more completed', formatCount(completed.length - c.completedLimit)), [name]));
    }
    if (!tasks.length) children.push(message(`${id}/message`, name, l10n.t('No task registered yet'), 'info'));
  }
  return {
    id,
    kind: 'tasks',
    cluster: name,
    label: l10n.t('Tasks'),
    description,
    icon: { id: 'tasklist' },
    contextValue: 'tasks',
    collapsible: 'expanded',
    children: children ?? [],
  };
}

/**
 * Ids that stay with a task from pending to running to completed: its name and which
 * occurrence of that name it is in the hub's registration order (completed, running,
 * pending). Names are encoded, so a "/" in one cannot make a parent of it.
 */
function taskIds(cluster: string, running: readonly TaskView[], pending: readonly TaskView[], completed: readonly TaskView[]): Map<TaskView, string> {
  const seen = new Map<string, number>();
  const ids = new Map<TaskView, string>();
  const add = (t: TaskView) => {
    const k = seen.get(t.name) ?? 0;
    seen.set(t.name, k + 1);
    ids.set(t, `cluster:${cluster}/tasks/${encodeURIComponent(t.name)}~${k}`);
  };
  for (let i = completed.length - 1; i >= 0; i--) add(completed[i]);
  running.forEach(add);
  pending.forEach(add);
  return ids;
}

/** Running; pending in hub order; completed newest first. Placed by index, not sorted: the
 *  index is the entry's place in its hub list. */
function byState(tasks: readonly TaskView[]): { running: TaskView[]; pending: TaskView[]; completed: TaskView[] } {
  const running: TaskView[] = [];
  const pending: TaskView[] = [];
  const completedByIndex: TaskView[] = [];
  for (const t of tasks) {
    if (t.state === 'running') running.push(t);
    else if (t.state === 'pending') pending[t.index] = t;
    else completedByIndex[t.index] = t;
  }
  const completed: TaskView[] = [];
  for (let i = completedByIndex.length - 1; i >= 0; i--) if (completedByIndex[i]) completed.push(completedByIndex[i]);
  return { running, pending: pending.filter(Boolean), completed };
}

function taskSpec(cluster: string, id: string, t: TaskView, shownQueues: ReadonlySet<string>, lengths: QueueLengths | undefined): Spec {
  const r = t.record;
  const stateLabel = taskStateLabel(t.state);
  const recorded = recordedQueues(t);
  const key = taskKey(t);
  const shown = !!recorded && !!key && shownQueues.has(key);
  const image = r?.image ?? (r?.images ? Object.values(r.images)[0] : undefined);
  const queues = r?.inputQueue || r?.outputQueue ? `${r.inputQueue ?? '–'} → ${r.outputQueue ?? '–'}` : undefined;
  const icon: TreeIcon =
    t.state === 'running'
      ? { id: 'play-circle', color: 'charts.green' }
      : t.state === 'pending'
        ? { id: 'clock' }
        : t.stillHandedToNodes
          ? { id: 'warning', color: 'charts.yellow' }
          : { id: 'pass' };
  return {
    id,
    kind: 'task',
    cluster,
    label: t.name,
    description: [stateLabel, image, queues].filter(Boolean).join(' · '),
    tooltip: [
      l10n.t('Task {0} ({1})', t.name, stateLabel),
      image ? l10n.t('Image: {0}', image) : undefined,
      queues ? l10n.t('Queues: {0}', queues) : undefined,
      r?.pushed !== undefined ? l10n.t('Pushed: {0}', formatCount(r.pushed)) : undefined,
      r ? undefined : l10n.t('Not registered from this editor: image and queues unknown.'),
      t.stillHandedToNodes ? l10n.t('The hub still hands this completed task to nodes.') : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
    icon,
    contextValue: `task ${t.state}${t.stillHandedToNodes ? ' handed' : ''}${recorded ? (shown ? ' queuesShown' : ' queuesKnown') : ''}`,
    collapsible: shown ? 'expanded' : 'none',
    task: t,
    command: { id: 'gridcore.showTaskDetails', title: l10n.t('Show Task Details') },
    children: shown ? taskQueueSpecs(cluster, id, t, lengths) : undefined,
  };
}

/** A task's own queues under it, as queue items (so the queue menus work on them too). */
function taskQueueSpecs(cluster: string, parent: string, t: TaskView, lengths: QueueLengths | undefined): Spec[] {
  const out: Spec[] = [];
  const q = recordedQueues(t) ?? {};
  for (const [role, name] of [['input', q.input], ['output', q.output]] as const) {
    if (name) out.push(queueSpec(cluster, `${parent}/${role}`, role, t.name, name, lengths?.[name]));
  }
  return out;
}
