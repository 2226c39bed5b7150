// The record of a task as read-only markdown (Redis URLs masked). A task registered elsewhere
// has no record; when it is the task the hub hands to nodes, the hub's node-facing config
// (`/gridnode/task`) fills image, Redis and queues instead, and the page says so.
import { l10n } from '../core/l10n';
import { maskUrl } from '../core/redact';
import type { TaskConfig, TaskRecord, TaskView } from '../core/types';
import { formatCount, formatWhen, taskStateLabel } from './format';
import type { InFlightSnapshot } from './cluster-snapshot';
import { inFlightLines, unaccountedTooltip } from './in-flight-format';
import { completedText, failedLines } from './failed-format';
import { HANDED_PLATFORM } from './task-queues';

type Shown = Pick<TaskRecord, 'image' | 'images' | 'inputRedis' | 'outputRedis' | 'inputQueue' | 'outputQueue' | 'pushed' | 'registeredAt' | 'folder'>;

function fromHandedConfig(c: TaskConfig): Shown {
  return {
    image: c.image,
    inputRedis: c.input_redis ?? c.redis_url ?? undefined,
    outputRedis: c.output_redis ?? c.redis_url ?? undefined,
    inputQueue: c.input_queue ?? undefined,
    outputQueue: c.output_queue ?? undefined,
  };
}

/** `handed`: what the hub hands nodes now, used only for a task without a record and only
 *  when it names this task. */
/** `lengths.failed`: the input's failed list (README, "Reliable consumers"), -1 when that key is not a list. */
export function taskDetailsMarkdown(cluster: string, t: TaskView, lengths?: { input?: number; output?: number; failed?: number }, handed?: TaskConfig, now = Date.now(), inFlight?: InFlightSnapshot, unaccounted?: number): string {
  const fromHub = !t.record && handed?.task_name === t.name;
  const r: Shown | undefined = t.record ?? (fromHub && handed ? fromHandedConfig(handed) : undefined);
  const failed = lengths?.failed;
  const ended = (lengths?.output ?? 0) + Math.max(0, failed ?? 0);
  // A running task whose input and processing lists are empty (and whose pushed items all
  // ended, when known) is complete: the hub calls it running until it is finished.
  const complete =
    t.state === 'running' && lengths?.input === 0 && !(inFlight?.items ?? 0) && ended > 0 && (r?.pushed === undefined || ended >= r.pushed);
  const state = complete ? l10n.t('{0} (the hub lists it as running until it is finished)', completedText(Math.max(0, failed ?? 0))) : taskStateLabel(t.state);
  const row = (k: string, v: string | undefined) => `| ${k} | ${v === undefined || v === '' ? '–' : v.replace(/\|/g, '\\|')} |`;
  const lines = [
    `# ${l10n.t('Task {0}', t.name)}`,
    '',
    `| ${l10n.t('Field')} | ${l10n.t('Value')} |`,
    '|---|---|',
    row(l10n.t('Cluster'), cluster),
    row(l10n.t('State'), state),
    row(fromHub ? l10n.t('Image for {0}', HANDED_PLATFORM) : l10n.t('Image'), r?.image),
    ...Object.entries(r?.images ?? {}).map(([p, img]) => row(l10n.t('Image for {0}', p), img)),
    row(l10n.t('Input Redis'), r?.inputRedis ? maskUrl(r.inputRedis) : undefined),
    row(l10n.t('Output Redis'), r?.outputRedis ? maskUrl(r.outputRedis) : undefined),
    row(l10n.t('Input queue'), r?.inputQueue && lengths?.input !== undefined ? `${r.inputQueue} (${formatCount(lengths.input)})` : r?.inputQueue),
    row(l10n.t('Output queue'), r?.outputQueue && lengths?.output !== undefined ? `${r.outputQueue} (${formatCount(lengths.output)})` : r?.outputQueue),
    row(l10n.t('Pushed'), r?.pushed !== undefined ? formatCount(r.pushed) : undefined),
    ...(inFlight?.lists.length
      ? [
          row(l10n.t('In flight (processing lists)'), l10n.t('{0} items in {1} lists', formatCount(inFlight.items), inFlight.lists.length)),
          row(l10n.t('Stranded'), l10n.t('{0} items in {1} lists', formatCount(inFlight.strandedItems), inFlight.stranded.length)),
        ]
      : []),
    ...(failed !== undefined && failed !== 0 ? [row(l10n.t('Failed items'), failed < 0 ? l10n.t('failed list is not a list') : formatCount(failed))] : []),
    ...(unaccounted ? [row(l10n.t('Unaccounted for'), formatCount(unaccounted))] : []),
    row(l10n.t('Registered at'), r?.registeredAt ? formatWhen(r.registeredAt, now) : undefined),
    row(l10n.t('Build folder'), r?.folder),
    '',
  ];
  if (fromHub) {
    lines.push(
      l10n.t('This task was not registered from this editor: its image, Redis and queues are what the hub hands to {platform} nodes (GET /gridnode/task).', { platform: HANDED_PLATFORM }),
      '',
    );
  } else if (!t.record) {
    lines.push(l10n.t('This task was not registered from this editor: the hub returns names only, so image and queues are unknown.'), '');
  }
  if (inFlight?.stranded.length) lines.push(inFlightLines(inFlight).slice(1).join(' '), '');
  if (failed && r?.inputQueue) lines.push(...failedLines(failed, r.inputQueue), '');
  if (unaccounted) lines.push(unaccountedTooltip(unaccounted), '');
  if (t.stillHandedToNodes) lines.push(l10n.t('The hub still hands this completed task to nodes: their containers keep running it until a new task is registered.'), '');
  return lines.join('\n');
}
