// Words for reliable consumers' batches in flight, stranded batches and items nobody holds:
// the tree, the status bar, Task Details and the requeue command say them the same way.
import { l10n } from '../core/l10n';
import type { RequeueResult, StrandedReason } from '../core/types';
import type { InFlightSnapshot } from './cluster-snapshot';
import { formatCount, itemsText } from './format';

/** "1 processing list" / "3 processing lists" */
function processingListsText(n: number): string {
  return n === 1 ? l10n.t('1 processing list') : l10n.t('{0} processing lists', formatCount(n));
}

/** The input queue's description after its length: `· 2,000 in flight · 500 stranded`. */
export function inFlightSuffix(f: InFlightSnapshot | undefined): string {
  if (!f || !f.lists.length) return '';
  const parts = [l10n.t('{0} in flight', formatCount(f.items))];
  if (f.strandedItems > 0 || f.stranded.length) parts.push(l10n.t('{0} stranded', formatCount(f.strandedItems)));
  return parts.map((p) => ` · ${p}`).join('');
}

export function strandedReasonLabel(r: StrandedReason): string {
  switch (r) {
    case 'containerGone':
      return l10n.t('its container is gone');
    case 'nodeGone':
      return l10n.t('its node left the cluster');
    case 'taskNotCurrent':
      return l10n.t('the task is no longer current');
    case 'containerCount':
      return l10n.t('its node reports no running container left for it (a container died)');
    case 'unchanged':
      return l10n.t('unchanged for too long (a paused or hung consumer)');
    case 'notAList':
      return l10n.t('the key is not a list (left alone)');
  }
}

/** Tooltip lines about the processing lists. */
export function inFlightLines(f: InFlightSnapshot | undefined): string[] {
  if (!f || !f.lists.length) return [];
  const lines = [l10n.t('In processing lists (reliable consumers): {0} items in {1} lists', formatCount(f.items), f.lists.length)];
  if (f.stranded.length) {
    lines.push(l10n.t('Stranded: {0} items in {1} lists. Run Requeue Stranded Items to move them back to the input.', formatCount(f.strandedItems), f.stranded.length));
  }
  return lines;
}

/** A finished task's batches left in processing lists (snapshot.leftBehind), short form. */
export function leftBehindLabel(f: Pick<InFlightSnapshot, 'task' | 'items'>): string {
  return l10n.t('{0} items left in finished task {1}', formatCount(f.items), f.task);
}

export function leftBehindTooltip(f: Pick<InFlightSnapshot, 'task' | 'items' | 'lists'>): string {
  return l10n.t(
    'Finished task {0} left {1} items in {2} processing lists: its consumers were stopped while they held them, and no consumer of a finished task commits them. Requeue Stranded Items moves them back to its input queue; then run the task again to process them.',
    f.task,
    formatCount(f.items),
    formatCount(f.lists.length),
  );
}

/** After requeueing a finished task's batches: they wait in an input no node reads. */
export function runAgainQuestion(task: string, input: string, moved: number, canRegister: boolean): string {
  return canRegister
    ? l10n.t('Moved {0} items back to {1}. Task {2} is finished, so no node reads that queue: run the task again to process them?', formatCount(moved), input, task)
    : l10n.t('Moved {0} items back to {1}. Task {2} is finished and was not registered from this editor: register it again (same queues) to process them.', formatCount(moved), input, task);
}

/** Status bar text and tooltip when pushed items are nowhere. */
export function unaccountedText(n: number): string {
  return l10n.t('{0} items unaccounted for', formatCount(n));
}

export function unaccountedTooltip(n: number): string {
  return l10n.t(
    '{0} pushed items are neither in the input, nor in a processing list, nor in the output: a consumer most likely died holding them (killed, out of memory, or stopped past its stop timeout). Consumers that follow the reliable convention (README, "Reliable consumers") keep such items in a processing list, where Requeue Stranded Items finds them, and put an item that fails or keeps killing them in the failed list with its error, where Open Failed Items shows it.',
    formatCount(n),
  );
}

export function requeueQuestion(task: string, input: string, f: Pick<InFlightSnapshot, 'stranded' | 'strandedItems'>): { message: string; detail: string } {
  const movable = f.stranded.filter((s) => s.reason !== 'notAList');
  return {
    message:
      f.strandedItems === 1
        ? l10n.t('Move 1 stranded item of task {0} back to its input queue {1}?', task, input)
        : l10n.t('Move {0} stranded items of task {1} back to its input queue {2}?', formatCount(f.strandedItems), task, input),
    detail: [
      movable.length === 1 ? l10n.t('1 processing list:') : l10n.t('{0} processing lists:', formatCount(movable.length)),
      ...movable.slice(0, 10).map((s) => `• ${s.list} (${formatCount(s.length)}): ${strandedReasonLabel(s.reason)}`),
      movable.length > 10 ? '…' : '',
      l10n.t('Each list moves at once or not at all; a consumer that wakes up later finds its batch gone and pushes nothing.'),
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

export function requeueOutcome(r: RequeueResult, input: string): string {
  const base = l10n.t('Moved {items} from {lists} back to {input}.', { items: itemsText(r.moved), lists: processingListsText(r.lists), input });
  const notLists = r.skipped.filter((s) => s.reason === 'notAList').length;
  const movedOn = r.skipped.length - notLists;
  const extra = [
    movedOn === 1 ? l10n.t('1 list was left: its consumer took another batch meanwhile.') : movedOn ? l10n.t('{0} lists were left: their consumers took another batch meanwhile.', movedOn) : '',
    notLists === 1 ? l10n.t('1 key is not a list and was left alone.') : notLists ? l10n.t('{0} keys are not lists and were left alone.', notLists) : '',
  ];
  return [base, ...extra].filter(Boolean).join(' ');
}
