// A stalled task: the running task has items waiting (in its input, or stranded) and no
// container of it runs on any node, for longer than a short grace. Upstream's nodes start a
// task's containers only when the task changes: once every consumer of a task has exited
// (killed, crashed, idled out), nothing takes its items again until the task changes. The
// monitor decides it once per poll (one fact every view reads: tree, status bar, dashboard,
// Diagnose, the chat's progress text); Restart Task on Nodes is the remedy.
import { l10n } from '../core/l10n';
import { formatCount } from './format';

/** How long no container may run while items wait before the task counts as stalled. */
export const DEFAULT_STALL_GRACE_MS = 15_000;

export interface StalledTask {
  task: string;
  /** ms since epoch: when the monitor first saw no container running while items waited */
  since: number;
  /** items waiting: input plus stranded */
  items: number;
  /** 'noContainers': nodes are there, none runs a container of it; 'noNodes': no node at all */
  reason: 'noContainers' | 'noNodes';
}

/** What one poll saw of the running task. */
export interface StallObservation {
  task: string;
  now: number;
  /** input + stranded items; 0: nothing waits */
  waiting: number;
  /** results grew, or the input shrank, since the last poll: something consumes */
  moving: boolean;
  /** containers of it running, and nodes known; undefined: not asked (or no answer) */
  containers?: { running: number; nodes: number };
}

/** Carried from poll to poll: since when nothing ran while items waited. */
export interface StallState {
  task: string;
  since: number;
}

/** The next state and, once the grace is over, the fact to show. Unknown container counts
 *  keep the state as it was and show nothing new (numbers on screen are true or absent). */
export function observeStall(prev: StallState | undefined, o: StallObservation, graceMs = DEFAULT_STALL_GRACE_MS): { state?: StallState; stalled?: StalledTask } {
  if (o.waiting <= 0 || o.moving) return {};
  if (!o.containers) return { state: prev?.task === o.task ? prev : undefined };
  if (o.containers.running > 0) return {};
  const state = prev?.task === o.task ? prev : { task: o.task, since: o.now };
  if (o.now - state.since < graceMs) return { state };
  return { state, stalled: { task: o.task, since: state.since, items: o.waiting, reason: o.containers.nodes ? 'noContainers' : 'noNodes' } };
}

/** Short form: the status bar and the tree's description. */
export function stalledLabel(): string {
  return l10n.t('stalled: no container runs');
}

/** The sentence every view shows, with the reason and the remedy. */
export function stalledText(s: StalledTask): string {
  return s.reason === 'noNodes'
    ? l10n.t('Task {0} is stalled: {1} items wait and no node is connected to run them.', s.task, formatCount(s.items))
    : l10n.t(
        'Task {0} is stalled: {1} items wait and no container of it runs on any node. Upstream\'s nodes start a task\'s containers only when the task changes: run Restart Task on Nodes.',
        s.task,
        formatCount(s.items),
      );
}
