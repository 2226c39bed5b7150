// gridcore_push_data: a number range, a file (lines, JSON array, JSON Lines, CSV) or a few
// items, streamed into a task's input queue and counted on its record, as Push Data does.
import { existsSync } from 'node:fs';
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import { pushAndRecord } from '../core/push-task';
import type { PushSource } from '../core/service-api';
import { fileSource, guessFileKind, itemsPerSecond, parseRange, rangeCount, type FileKind } from '../ui-model/push-input';
import { formatCount } from '../ui-model/format';
import { toolCluster, toolQueue } from './targets';
import { toolPath } from './build';
import { CLUSTER_INPUT, type ToolDeps, type ToolSpec } from './kit';

export interface PushInput {
  cluster?: string;
  task?: string;
  queue?: string;
  range?: string;
  file?: string;
  format?: FileKind;
  items?: string[];
}

function sourceOf(input: PushInput, deps: ToolDeps): PushSource {
  const given = [input.range, input.file, input.items].filter((v) => v !== undefined).length;
  if (given !== 1) throw new ConfigError('badInput', l10n.t('Give exactly one of `range`, `file` or `items`.'));
  if (input.range !== undefined) {
    const r = parseRange(input.range);
    if (!r) throw new ConfigError('badInput', l10n.t('Write a range like 1..10000 (from ≤ to, step ≥ 1)'));
    return { kind: 'range', from: r.from, to: r.to, step: r.step };
  }
  if (input.file !== undefined) {
    const file = toolPath(deps, input.file);
    if (!existsSync(file)) throw new ConfigError('io', l10n.t('There is no file {0}.', file));
    return fileSource(input.format ?? guessFileKind(file), file);
  }
  return { kind: 'array', items: input.items! };
}

export const pushTool: ToolSpec<PushInput> = {
  name: 'gridcore_push_data',
  title: 'Push Data',
  description:
    "Pushes items to a GridCore task's input queue: a number range (e.g. 1..10000), a file (one item per line, JSON Lines, a JSON array or CSV rows; streamed in batches, any size) or a few inline items. Give exactly one of range, file or items. The items are counted as the task's progress total. Use it instead of redis-cli or Python LPUSH loops.",
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
      task: { type: 'string', minLength: 1, description: 'Task whose input queue receives the items. Default: the running task.' },
      queue: { type: 'string', minLength: 1, description: "A Redis list to push to instead of a task's input queue." },
      range: { type: 'string', minLength: 1, description: 'Numbers from..to or from..to..step, e.g. 1..10000.' },
      file: { type: 'string', minLength: 1, description: 'File to push, absolute or relative to the workspace folder; streamed, any size.' },
      format: { type: 'string', enum: ['lines', 'jsonLines', 'jsonArray', 'csv'], description: 'How the file splits into items. Default: from its extension (.jsonl: jsonLines, .json: jsonArray, .csv: csv, else lines).' },
      items: { type: 'array', items: { type: 'string' }, maxItems: 10000, description: 'A few items given inline, each one string.' },
    },
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: false, idempotent: false },
  async run(input, deps, signal, progress) {
    const { service } = deps;
    const source = sourceOf(input, deps);
    // How many items, when known up front (a range, inline items): progress gets a total.
    const total = source.kind === 'range' ? rangeCount({ from: source.from, to: source.to, step: source.step ?? 1 }) : source.kind === 'array' ? input.items?.length : undefined;
    const cluster = await toolCluster(service, input.cluster);
    const target = await toolQueue(service, cluster, input, 'input', deps.naming);
    const queues = await service.queues(cluster);
    const before = (await queues.lengths([target.queue]))[target.queue] ?? 0;
    const started = deps.now();
    const { result, added } = await pushAndRecord(service, target, source, {
      signal,
      onProgress: (pushed) => progress?.(pushed, total, l10n.t('{0} items pushed', formatCount(pushed))),
    });
    const n = formatCount(result.pushed);
    if (result.error) throw new ConfigError('io', l10n.t('Push to {queue} stopped by an error after exactly {n} items: {error}', { queue: target.queue, n, error: result.error.message }));
    if (result.cancelled) return l10n.t('Push to {queue} cancelled: exactly {n} items were pushed.', { queue: target.queue, n });
    void deps.refresh(cluster);
    const after = (await queues.lengths([target.queue]))[target.queue] ?? 0;
    const lines = [
      l10n.t('Pushed {n} items to {queue} ({rate} items/s).', { n, queue: target.queue, rate: formatCount(itemsPerSecond(added, deps.now() - started)) }),
      l10n.t('The queue held {0} items before and holds {1} now (workers may have taken some already).', formatCount(before), formatCount(after)),
    ];
    const pushed = target.taskName ? service.tasks.get(cluster, target.taskName)?.pushed : undefined;
    if (target.taskName && pushed !== undefined) lines.push(l10n.t('Task {0} has {1} items pushed through the extension in all: its progress total.', target.taskName, formatCount(pushed)));
    return lines.join('\n');
  },
};
