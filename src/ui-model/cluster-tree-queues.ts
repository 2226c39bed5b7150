// The Clusters tree's Queues group: the running task's input queue (with its reliable
// consumers' batches in flight, stranded and failed, measured in the poll's one round trip)
// and output queue; queueSpec draws a queue row for the Tasks group too.
import { l10n } from '../core/l10n';
import type { ClusterProfile } from '../core/types';
import type { ClusterSnapshot } from './cluster-snapshot';
import { message, type Built, type Spec } from './cluster-tree-types';
import { completedText, failedLines, failedSuffix } from './failed-format';
import { itemsText } from './format';
import { inFlightLines, inFlightSuffix, unaccountedText, unaccountedTooltip } from './in-flight-format';

/** What the Queues group is built from. */
export interface QueuesState {
  profile: ClusterProfile;
  snapshot?: ClusterSnapshot;
}

/** The Queues group: the running task's input (in flight, stranded, failed) and output. */
export function queuesSpec(c: QueuesState): Spec {
  const name = c.profile.name;
  const id = `cluster:${name}/queues`;
  const q = c.snapshot?.queues;
  const s = c.snapshot;
  let children: Spec[];
  if (!q) children = [message(`${id}/message`, name, l10n.t('No running task'), 'info')];
  else if (!q.input && !q.output) children = [message(`${id}/message`, name, l10n.t('Queues of {0} are not known', q.task), 'info', l10n.t('The hub lists task names only; queues are known for tasks registered from this editor.'))];
  else {
    children = [];
    const redisDown = s?.redis && !s.redis.ok ? s.redis.message : undefined;
    for (const [role, info] of [['input', q.input], ['output', q.output]] as const) {
      if (!info) continue;
      const handedNote = q.handed
        ? l10n.t('Task {0} is completed, but the hub still hands it to nodes: their containers keep taking items from its input queue until a new task is registered.', q.task)
        : undefined;
      const spec = queueSpec(name, `${id}/${role}`, role, q.task, info.name, info.length, redisDown, handedNote);
      const inFlight = role === 'input' && s?.inFlight?.task === q.task && s.inFlight.input === info.name ? s.inFlight : undefined;
      if (inFlight && !redisDown) {
        // Reliable consumers' batches, measured in the same poll as the length.
        spec.description += inFlightSuffix(inFlight);
        spec.tooltip = [spec.tooltip, ...inFlightLines(inFlight)].filter(Boolean).join('\n');
        if (inFlight.stranded.length) {
          spec.contextValue += ' stranded';
          spec.icon = { id: 'warning', color: 'charts.yellow' };
        }
      }
      const failed = role === 'input' && !redisDown ? s?.failed?.[info.name] : undefined;
      if (failed !== undefined && failed !== 0) {
        // The failed list, measured in the same poll (README, "Reliable consumers").
        spec.description += failedSuffix(failed);
        spec.tooltip = [spec.tooltip, ...failedLines(failed, info.name)].filter(Boolean).join('\n');
        if (failed > 0) spec.contextValue += ' failed';
      }
      children.push(spec);
    }
    if (s?.unaccounted?.task === q.task) {
      children.push(message(`${id}/unaccounted`, name, unaccountedText(s.unaccounted.items), 'warning', unaccountedTooltip(s.unaccounted.items)));
    }
  }
  return {
    id,
    kind: 'queues',
    cluster: name,
    label: l10n.t('Queues'),
    description: q?.handed ? l10n.t('{0} (completed, still run by nodes)', q.task) : q ? jobDescription(q.task, s) : undefined,
    icon: { id: 'database' },
    contextValue: 'queues',
    collapsible: 'expanded',
    children,
  };
}

/** The running task's name, and "(completed, N failed)" once its input and processing lists
 *  are empty and something ended: such a job is no longer running, whatever the hub says. */
function jobDescription(task: string, s: ClusterSnapshot | undefined): string {
  const input = s?.queues?.input;
  const output = s?.queues?.output;
  if (!input || input.length !== 0 || (s?.redis && !s.redis.ok)) return task;
  const inFlight = s?.inFlight?.task === task && s.inFlight.input === input.name ? s.inFlight.items : 0;
  const failed = Math.max(0, s?.failed?.[input.name] ?? 0);
  const done = output?.length ?? 0;
  if (inFlight > 0 || (done === 0 && failed === 0) || s?.unaccounted?.task === task) return task;
  // With a known total, items short of it are still being computed (or were lost): not complete.
  const pushed = s?.tasks?.find((t) => t.name === task && t.state === 'running')?.record?.pushed;
  if (pushed !== undefined && done + failed < pushed) return task;
  return l10n.t('{0} ({1})', task, completedText(failed));
}

export function queueSpec(cluster: string, id: string, role: 'input' | 'output', task: string, name: string, length: number | undefined, redisDown?: string, note?: string): Built {
  const description =
    length === undefined
      ? role === 'input' ? l10n.t('input') : l10n.t('output')
      : role === 'input' ? l10n.t('input · {0}', itemsText(length)) : l10n.t('output · {0}', itemsText(length));
  const about = role === 'input' ? l10n.t('Input queue of task {0}', task) : l10n.t('Output queue of task {0}', task);
  return {
    id,
    kind: 'queue',
    cluster,
    label: name,
    description,
    tooltip: redisDown ?? [about, note].filter(Boolean).join('\n'),
    icon: redisDown ? { id: 'warning', color: 'charts.yellow' } : { id: role === 'input' ? 'inbox' : 'output' },
    contextValue: `queue ${role}`,
    collapsible: 'none',
  };
}
