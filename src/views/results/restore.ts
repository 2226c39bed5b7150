// What a results panel that VS Code restores after a reload shows: its list again, or a
// message saying why it cannot. No `vscode` here, so the decision is unit-tested; the
// panel module does the editor side.
import { failedList } from '../../core/failed-items';
import { l10n } from '../../core/l10n';
import type { ResultsTarget } from './protocol';

export interface RestoreDeps<Q> {
  clusterNames(): Promise<string[]>;
  queues(cluster: string): Promise<Q>;
}

export type RestorePlan<Q> =
  | { kind: 'open'; target: ResultsTarget; queues: Q }
  | { kind: 'message'; title: string; message: string };

/** The target kept in the webview state, or undefined when the state is not one (older panel, foreign data). */
export function savedTarget(state: unknown): ResultsTarget | undefined {
  if (!state || typeof state !== 'object') return undefined;
  const { cluster, queue, inputQueue, failedOf } = state as Record<string, unknown>;
  if (typeof cluster !== 'string' || !cluster || typeof queue !== 'string' || !queue) return undefined;
  // A failed-list panel comes back only for the list its input names (a state cannot point it elsewhere).
  const failed = typeof failedOf === 'string' && failedOf && queue === failedList(failedOf) ? { failedOf } : {};
  return { cluster, queue, ...(typeof inputQueue === 'string' && inputQueue ? { inputQueue } : {}), ...failed };
}

export async function planRestore<Q>(state: unknown, deps: RestoreDeps<Q>): Promise<RestorePlan<Q>> {
  const target = savedTarget(state);
  if (!target) {
    return {
      kind: 'message',
      title: l10n.t('Results'),
      message: l10n.t('This results panel cannot be shown again after the reload. Close it and open the results again with GridCore: Open Results.'),
    };
  }
  const title = l10n.t('Results: {queue}', { queue: target.queue });
  const names = await deps.clusterNames();
  if (!names.includes(target.cluster)) {
    return {
      kind: 'message',
      title,
      message: l10n.t('The cluster "{cluster}" no longer exists, so the results of {queue} cannot be shown. Add the cluster again, then open its results with GridCore: Open Results.', {
        cluster: target.cluster,
        queue: target.queue,
      }),
    };
  }
  try {
    return { kind: 'open', target, queues: await deps.queues(target.cluster) };
  } catch (e) {
    return {
      kind: 'message',
      title,
      message: l10n.t('Could not reopen the results of {queue} on {cluster}: {message}', {
        queue: target.queue,
        cluster: target.cluster,
        message: e instanceof Error ? e.message : String(e),
      }),
    };
  }
}
