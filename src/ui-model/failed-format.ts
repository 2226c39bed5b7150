// Words for the failed list (README, "Reliable consumers"): items that ended without a result,
// each with its error. The tree, the status bar, Task Details, the dashboard, the chat's
// progress tool and the Retry / Clear commands say them the same way.
import { l10n } from '../core/l10n';
import type { FailedActionResult, FailedCount } from '../core/failed-items';
import type { ProgressReport } from '../core/types';
import { formatCount } from './format';

/** "8 failed" */
export function failedText(n: number): string {
  return l10n.t('{0} failed', formatCount(n));
}

/** What a job whose input and processing lists are empty is: "completed" or "completed, 8 failed". */
export function completedText(failed: number | undefined): string {
  return failed ? l10n.t('completed, {0} failed', formatCount(failed)) : l10n.t('completed');
}

/** The input queue's description after its length: ` · 8 failed` (nothing when none). */
export function failedSuffix(n: number | undefined): string {
  if (n === undefined || n === 0) return '';
  return n < 0 ? ` · ${l10n.t('failed list is not a list')}` : ` · ${failedText(n)}`;
}

/** Tooltip lines about the failed list of `input`. */
export function failedLines(n: number | undefined, input: string): string[] {
  if (n === undefined || n === 0) return [];
  if (n < 0) return [l10n.t('The Redis key {0} is not a list, so it holds no failed items: check what else writes that key.', `${input}:failed`)];
  return [l10n.t('Failed: {0} items ended with an error, kept in {1}. Open Failed Items shows each with its error; Retry Failed Items puts them back into the input.', formatCount(n), `${input}:failed`)];
}

/** The figures line that says how many items ended and how many of those failed. */
export function endedLine(r: ProgressReport): string | undefined {
  if (!r.failed) return undefined;
  return l10n.t('Ended: {0} done + {1} failed = {2} of {3}', formatCount(r.done), formatCount(r.failed), formatCount(r.done + r.failed), formatCount(r.total));
}

/** The question before Retry Failed Items, counting what will move. */
export function retryQuestion(input: string, c: FailedCount, match?: string): { message: string; detail: string } {
  const message = match
    ? l10n.t('Retry the {0} failed items that match "{1}"? They go back into {2}.', formatCount(c.retryable), match, input)
    : l10n.t('Retry all {0} failed items? They go back into {1}.', formatCount(c.retryable), input);
  const noItem = c.matching - c.retryable;
  return {
    message,
    detail: [
      l10n.t('Each item leaves the failed list and enters the input at once, with its attempts reset; the consumers take it next.'),
      noItem > 0 ? l10n.t('{0} entries hold no item (not written by the convention) and stay in the list.', formatCount(noItem)) : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

/** The question before Clear Failed Items, with how many entries go. */
export function clearQuestion(input: string, c: FailedCount, match?: string): { message: string; detail: string } {
  return {
    message: match
      ? l10n.t('Delete the {0} failed entries of {1} that match "{2}"?', formatCount(c.matching), input, match)
      : l10n.t('Delete all {0} failed entries of {1}?', formatCount(c.matching), input),
    detail: l10n.t('Their items and errors are gone for good: export them first if you may need them. Entries that fail meanwhile are kept.'),
  };
}

export function retryOutcome(r: FailedActionResult, input: string): string {
  return [
    l10n.t('{0} failed items are back in {1}.', formatCount(r.moved), input),
    r.gone ? l10n.t('{0} were already gone (retried or cleared elsewhere).', formatCount(r.gone)) : '',
    r.noItem ? l10n.t('{0} entries hold no item and stay in the failed list.', formatCount(r.noItem)) : '',
    r.cancelled ? l10n.t('Stopped before the end.') : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export function clearOutcome(r: FailedActionResult, input: string): string {
  return [l10n.t('Deleted {0} failed entries of {1}.', formatCount(r.moved), input), r.cancelled ? l10n.t('Stopped before the end.') : ''].filter(Boolean).join(' ');
}

/** What the chat's progress tool adds to the status bar's figures: failed items, and what a
 *  complete job is (the same report the status bar shows). */
export function progressFailedLines(r: ProgressReport): string[] {
  const lines: string[] = [];
  if (r.failed) lines.push(l10n.t('Failed: {0} items ended with an error (in the failed list; Open Failed Items shows their errors, Retry Failed Items puts them back).', formatCount(r.failed)));
  if (r.finished) {
    lines.push(
      r.failed
        ? l10n.t('The job is complete, {0} failed: finish the task to let the next one start, or retry the failed items first.', formatCount(r.failed))
        : l10n.t('All items are done: finish the task to let the next one start.'),
    );
  }
  return lines;
}
