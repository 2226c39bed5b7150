// gridcore_export_results: a task's output queue (or any list) written to a file the user
// names, in the list's order, one item per line or as JSON Lines, streamed (any size), as the results
// view's Export does. An existing file is kept unless `overwrite` says otherwise.
import { existsSync } from 'node:fs';
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import { formatCount } from '../ui-model/format';
import { toolPath } from './build';
import { CLUSTER_INPUT, type ToolSpec } from './kit';
import { toolCluster, toolQueue } from './targets';

export interface ExportInput {
  cluster?: string;
  task?: string;
  queue?: string;
  path: string;
  format?: 'lines' | 'jsonl';
  overwrite?: boolean;
}

export const exportResultsTool: ToolSpec<ExportInput> = {
  name: 'gridcore_export_results',
  title: 'Export Results',
  description:
    "Writes all of a GridCore task's output queue (or another Redis list) to a file the user names, in the list's order (index 0, the newest, first): one item per line, or JSON Lines. Streamed, any size; nothing is removed from the queue. An existing file is left alone unless overwrite is true. Returns the number of items written and the file's path. Use it to hand results to other tools instead of redis-cli LRANGE loops.",
  inputSchema: {
    type: 'object',
    properties: {
      cluster: CLUSTER_INPUT,
      task: { type: 'string', minLength: 1, description: 'Task whose output queue to export. Default: the running task.' },
      queue: { type: 'string', minLength: 1, description: "A Redis list to export instead of a task's output queue." },
      path: { type: 'string', minLength: 1, description: 'The file to write, as the user named it: absolute, or relative to the workspace folder.' },
      format: { type: 'string', enum: ['lines', 'jsonl'], description: 'lines (default): each item as it is, one per line; jsonl: JSON Lines.' },
      overwrite: { type: 'boolean', description: 'Replace the file when it exists. Default false.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: false, idempotent: true },
  async run(input, deps, signal, progress) {
    const { service } = deps;
    const file = toolPath(deps, input.path);
    if (existsSync(file) && !input.overwrite) {
      throw new ConfigError('io', l10n.t('{0} exists already: name another file, or ask the user whether to replace it (overwrite: true).', file));
    }
    const cluster = await toolCluster(service, input.cluster);
    const target = await toolQueue(service, cluster, input, 'output', deps.naming);
    const queues = await service.queues(cluster);
    const total = (await queues.lengths([target.queue]))[target.queue] ?? 0;
    if (!total) throw new ConfigError('unknownQueue', l10n.t('Queue {0} on cluster {1} is empty or does not exist: there is nothing to export.', target.queue, cluster));
    const r = await queues.exportToFile(target.queue, file, {
      format: input.format ?? 'lines',
      signal,
      onProgress: (written, all) => progress?.(written, all, l10n.t('{0} of {1} items written', formatCount(written), formatCount(all))),
    });
    if (r.cancelled) return l10n.t('Export cancelled after {0} items: {1} holds only those.', formatCount(r.written), file);
    deps.logger.info(`tool: exported ${r.written} item(s) of ${target.queue} on ${cluster} to ${file}`);
    return l10n.t('Exported {0} items of {1} (cluster {2}) to {3}.', formatCount(r.written), target.queue, cluster, file);
  },
};
