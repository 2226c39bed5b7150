// What the local cluster says about the data it keeps. Its Redis persists (see core/machine/redis-server.ts), so
// a stop deletes nothing, but the user should know how much stays and where, and is asked
// first when the queues hold anything; a start says what came back. Pure: unit-tested in
// plain Node.
import { l10n } from '../../core/l10n';
import type { QueueHoldings } from '../../core/queues/holdings';
import { formatCount } from '../../core/numbers';

export interface StopConfirmation {
  message: string;
  detail: string;
}

/**
 * The modal's text before a stop: undefined when the queues are empty (nothing to ask).
 * `held` is the count, or the error that kept it from being read: then the prompt says the
 * count is unknown rather than showing a number that may be wrong.
 */
export function stopConfirmation(held: QueueHoldings | Error, dataDir: string): StopConfirmation | undefined {
  const kept = l10n.t('Stopping keeps them: they stay in {folder} and are back when the local cluster starts again. Only Clear Queue deletes them. Containers still working are stopped now.', { folder: dataDir });
  if (held instanceof Error) {
    return {
      message: l10n.t('Stop the local cluster? How many items its queues hold is not known: {detail}', { detail: held.message }),
      detail: kept,
    };
  }
  if (held.items === 0) return undefined;
  const items = formatCount(held.items);
  return {
    message:
      held.queues === 1
        ? l10n.t('Stop the local cluster? One of its queues holds {items} items.', { items })
        : l10n.t('Stop the local cluster? Its {queues} queues hold {items} items.', { queues: formatCount(held.queues), items }),
    detail: kept,
  };
}

/** The main job's last line: what the stopped cluster keeps (no count when it could not be read). */
export function keptAfterStop(held: QueueHoldings | undefined, dataDir: string): string {
  if (!held) return l10n.t('The local cluster keeps its queues in {folder}; they are back when it starts again.', { folder: dataDir });
  if (held.items === 0) return l10n.t('The local cluster\'s queues are empty; nothing is kept.');
  if (held.queues === 1) {
    return l10n.t('The local cluster keeps {items} items in one queue in {folder}; they are back when it starts again, and only Clear Queue deletes them.', {
      items: formatCount(held.items),
      folder: dataDir,
    });
  }
  return l10n.t('The local cluster keeps {items} items in {queues} queues in {folder}; they are back when it starts again, and only Clear Queue deletes them.', {
    items: formatCount(held.items),
    queues: formatCount(held.queues),
    folder: dataDir,
  });
}

/** Appended to "Local cluster started": what came back from earlier runs (nothing when none, or unknown). */
export function keptOnStart(held: QueueHoldings | undefined): string | undefined {
  if (!held || held.items === 0) return undefined;
  return l10n.t('Its queues hold {items} items kept from earlier runs.', { items: formatCount(held.items) });
}
