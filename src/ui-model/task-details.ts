// The record of a task as read-only markdown (Redis URLs masked).
import { l10n } from '../core/l10n';
import { maskUrl } from '../core/redact';
import type { TaskView } from '../core/types';
import { formatCount, taskStateLabel } from './format';

export function taskDetailsMarkdown(cluster: string, t: TaskView, lengths?: { input?: number; output?: number }): string {
  const r = t.record;
  const state = taskStateLabel(t.state);
  const row = (k: string, v: string | undefined) => `| ${k} | ${v === undefined || v === '' ? '–' : v.replace(/\|/g, '\\|')} |`;
  const lines = [
    `# ${l10n.t('Task {0}', t.name)}`,
    '',
    `| ${l10n.t('Field')} | ${l10n.t('Value')} |`,
    '|---|---|',
    row(l10n.t('Cluster'), cluster),
    row(l10n.t('State'), state),
    row(l10n.t('Image'), r?.image),
    ...Object.entries(r?.images ?? {}).map(([p, img]) => row(l10n.t('Image for {0}', p), img)),
    row(l10n.t('Input Redis'), r?.inputRedis ? maskUrl(r.inputRedis) : undefined),
    row(l10n.t('Output Redis'), r?.outputRedis ? maskUrl(r.outputRedis) : undefined),
    row(l10n.t('Input queue'), r?.inputQueue && lengths?.input !== undefined ? `${r.inputQueue} (${formatCount(lengths.input)})` : r?.inputQueue),
    row(l10n.t('Output queue'), r?.outputQueue && lengths?.output !== undefined ? `${r.outputQueue} (${formatCount(lengths.output)})` : r?.outputQueue),
    row(l10n.t('Pushed'), r?.pushed !== undefined ? formatCount(r.pushed) : undefined),
    row(l10n.t('Registered at'), r?.registeredAt),
    row(l10n.t('Build folder'), r?.folder),
    '',
  ];
  if (!r) lines.push(l10n.t('This task was not registered from this editor: the hub returns names only, so image and queues are unknown.'), '');
  if (t.stillHandedToNodes) lines.push(l10n.t('The hub still hands this completed task to nodes: their containers keep running it until a new task is registered.'), '');
  return lines.join('\n');
}
