// What Restart Task on Nodes asks and says. Upstream's hub has no "restart": its nodes start a
// task's containers only when the task changes, so the running task is registered again under
// a new name and then finished. With tasks pending, finishing starts the first of them, and the
// new registration waits behind them all: the question says so, and agreeing is explicit.
import { l10n } from '../core/l10n';
import type { RestartTaskPlan, RestartTaskResult } from '../core/service-api';
import { formatCount } from './format';

export interface RestartQuestion {
  message: string;
  detail: string;
  /** the one button that goes ahead */
  confirm: string;
  /** pending tasks start first: agreeing to it is what `confirm` means */
  pendingFirst: boolean;
}

export function restartQuestion(plan: RestartTaskPlan, waiting?: number): RestartQuestion {
  const how = l10n.t(
    'Upstream\'s nodes start a task\'s containers only when the task changes. {0} is registered again as {1} (same image, queues and Redis URLs), then finished: the nodes stop its containers and start fresh ones of {1}, which take what its input queue holds. Batches the old containers held go back to the input when the new ones start (or with Requeue Stranded Items).',
    plan.task,
    plan.newName,
  );
  const items = waiting !== undefined ? l10n.t('{0} items wait in its input queue.', formatCount(waiting)) : '';
  if (!plan.pendingFirst.length) {
    return {
      message: l10n.t('Restart task {0} on the nodes of {1}?', plan.task, plan.cluster),
      detail: [items, how, l10n.t('No other task is pending: the order of tasks is unchanged.')].filter(Boolean).join('\n\n'),
      confirm: l10n.t('Restart Task'),
      pendingFirst: false,
    };
  }
  const names = plan.pendingFirst.slice(0, 5).join(', ') + (plan.pendingFirst.length > 5 ? ', …' : '');
  return {
    message: l10n.t('Restarting task {0} on {1} starts {2} pending tasks first.', plan.task, plan.cluster, formatCount(plan.pendingFirst.length)),
    detail: [
      items,
      how,
      l10n.t('Finishing {0} starts the first pending task ({1}), and {2} waits behind every pending task: {3}. Nodes run {0}\'s items only after those.', plan.task, plan.pendingFirst[0], plan.newName, names),
    ]
      .filter(Boolean)
      .join('\n\n'),
    confirm: l10n.t('Run Pending Tasks First'),
    pendingFirst: true,
  };
}

export function restartOutcome(plan: RestartTaskPlan, r: RestartTaskResult): string {
  return r.started
    ? l10n.t('Task {0} registered again as {1} and started: the nodes start its containers within their next task poll (10 s on upstream\'s nodes).', plan.task, r.registered)
    : l10n.t('Task {0} registered again as {1}; {2} started first, {1} waits behind the pending tasks.', plan.task, r.registered, r.finished.started ?? '–');
}
