// What the finish confirmation, its outcome and the drain notification say. After the last
// task finishes the hub reports no current task yet keeps handing that task to nodes until a
// new one is registered (contract: finish semantics), so with nothing pending "finish" does
// not stop the containers, and the texts must say so instead of promising an idle cluster.
import { l10n } from '../core/l10n';
import type { FinishResult, TaskView } from '../core/types';
import { formatCount } from './format';

export interface FinishConfirmation {
  message: string;
  detail: string;
  /** Items would be left behind: a warning rather than a question. */
  warn: boolean;
}

/**
 * A finish aimed at a named task (a notification left in the notification centre, the tree)
 * must not finish whatever runs now: when the named task (and registration) is not the running
 * one, this says it is already finished; undefined when the finish may go ahead.
 */
export function alreadyFinished(cluster: string, target: { taskName?: string; registeredAt?: string }, running: TaskView | undefined): string | undefined {
  if (!target.taskName) return undefined;
  const same = running && running.name === target.taskName && (!target.registeredAt || !running.record?.registeredAt || running.record.registeredAt === target.registeredAt);
  if (same) return undefined;
  return running
    ? l10n.t('Task {task} on {cluster} is already finished; {running} runs now and was left as it is.', { task: target.taskName, cluster, running: running.name })
    : l10n.t('Task {task} on {cluster} is already finished.', { task: target.taskName, cluster });
}

/** The first pending task: what starts when the running one finishes. */
export function nextPending(tasks: readonly TaskView[]): string | undefined {
  return tasks.find((t) => t.state === 'pending')?.name;
}

/** What happens to items in reliable consumers' processing lists when the task finishes: the
 *  nodes stop the containers; the finished task keeps showing what they leave behind. */
export function inFlightAtFinish(items: number, lists: number): string {
  return l10n.t(
    '{0} items are in flight in {1} consumers\' processing lists. The nodes stop the containers (SIGTERM, then SIGKILL after their stop timeout): a consumer that finishes its batch commits it; a batch a killed consumer leaves stays in its processing list, and the finished task keeps showing it as stranded until Requeue Stranded Items moves it back to the input (then run the task again).',
    formatCount(items),
    formatCount(lists),
  );
}

export function finishConfirmation(
  task: string,
  cluster: string,
  lengths: { input?: number; output?: number; inputQueue?: string; inFlight?: { items: number; lists: number } },
  next: string | undefined,
): FinishConfirmation {
  const ask = finishConfirmationBase(task, cluster, lengths, next);
  const f = lengths.inFlight;
  if (!f || f.items <= 0) return ask;
  return { ...ask, detail: `${ask.detail}\n\n${inFlightAtFinish(f.items, f.lists)}`, warn: true };
}

function finishConfirmationBase(
  task: string,
  cluster: string,
  lengths: { input?: number; output?: number; inputQueue?: string },
  next: string | undefined,
): FinishConfirmation {
  const output = formatCount(lengths.output ?? 0);
  if (lengths.input === undefined) {
    return {
      message: l10n.t('Finish task {0} on {1}?', task, cluster),
      detail: next
        ? l10n.t('The length of its input queue is not known. Nodes stop working on this task and start the next pending one.')
        : l10n.t('The length of its input queue is not known. No task is pending, so the hub keeps handing {0} to nodes after it finishes: their containers keep running it until a new task is registered.', task),
      warn: true,
    };
  }
  if (lengths.input > 0) {
    const left = formatCount(lengths.input);
    return {
      message: l10n.t('Finish task {0} on {1}? Its input queue still holds {2} items.', task, cluster, left),
      detail: next
        ? l10n.t('Nodes stop working on this task: the {0} items left in {1} stay unprocessed. Output so far: {2} results.', left, lengths.inputQueue ?? '', output)
        : l10n.t('No task is pending, so the hub keeps handing {0} to nodes after it finishes: their containers keep taking the {1} items left in {2} until a new task is registered. Output so far: {3} results.', task, left, lengths.inputQueue ?? '', output),
      warn: true,
    };
  }
  return {
    message: l10n.t('Finish task {0} on {1}?', task, cluster),
    detail: next
      ? l10n.t('Its input queue is empty; {0} results in the output queue.', output)
      : l10n.t('Its input queue is empty; {0} results in the output queue. No task is pending, so the hub keeps handing {1} to nodes after it finishes, until a new task is registered.', output, task),
    warn: false,
  };
}

export function finishOutcome(result: FinishResult): string {
  return result.started
    ? l10n.t('Task {0} completed; task {1} started.', result.completed, result.started)
    : l10n.t('Task {0} completed. No task is pending: the hub keeps handing {0} to nodes until a new task is registered.', result.completed);
}

/** "Finish" asked with nothing running: never "idle" while the hub still hands a task out. */
export function nothingRunningMessage(cluster: string, tasks: readonly TaskView[]): string {
  const handed = tasks.find((t) => t.stillHandedToNodes);
  return handed
    ? l10n.t('No task is running on {0}. The hub still hands completed task {1} to nodes until a new task is registered.', cluster, handed.name)
    : l10n.t('No task is running on {0}.', cluster);
}

/** The status bar's question once the running task's input has drained. */
export function drainedQuestion(task: string, results: number, next: string | undefined): string {
  return next
    ? l10n.t('Input queue of {0} is empty, {1} results: finish task?', task, formatCount(results))
    : l10n.t('Input queue of {0} is empty, {1} results: finish task? No task is pending, so nodes keep running {0} until a new task is registered.', task, formatCount(results));
}

/** The status bar when nothing runs but the hub still hands a completed task to nodes. */
export function handedStatus(task: string, cluster: string): { text: string; tooltip: string } {
  return {
    text: `$(warning) ${l10n.t('{0} completed · nodes still run it', task)}`,
    tooltip: l10n.t('No task is running on {0}, but the hub still hands completed task {1} to nodes: their containers keep running it until a new task is registered.', cluster, task),
  };
}
