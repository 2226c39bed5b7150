// gridcore_read_results: a page of a task's output queue (newest or oldest first) or a
// search through all of it, read without removing anything; values as quoted text, cut.
import { ConfigError } from '../../core/errors';
import { l10n } from '../../core/l10n';
import { RESULT_LIMITS, resultsText } from '../format';
import { toolCluster, toolQueue } from '../targets';
import type { ToolSpec } from './kit';

export interface ResultsInput {
  cluster?: string;
  task?: string;
  queue?: string;
  from?: 'newest' | 'oldest';
  offset?: number;
  count?: number;
  search?: string;
  maxValueChars?: number;
}

export const resultsTool: ToolSpec<ResultsInput> = {
  name: 'gridcore_read_results',
  async run(input, deps, signal) {
    const { service } = deps;
    const cluster = await toolCluster(service, input.cluster);
    const target = await toolQueue(service, cluster, input, 'output', deps.naming);
    const queues = await service.queues(cluster);
    const total = (await queues.lengths([target.queue]))[target.queue] ?? 0;
    if (!total && !target.taskName) {
      throw new ConfigError('unknownQueue', l10n.t('There is no list named {0} in the Redis of cluster {1} (or it is empty).', target.queue, cluster));
    }
    const count = input.count ?? RESULT_LIMITS.defaultCount;
    const maxValueChars = input.maxValueChars ?? RESULT_LIMITS.defaultValueChars;
    if (input.search !== undefined) {
      const found = await queues.search(target.queue, input.search, { limit: count, signal });
      return resultsText({ cluster, queue: target.queue, total, items: found.matches, maxValueChars, mode: { kind: 'search', needle: input.search, scanned: found.scanned, complete: found.complete } });
    }
    const from = input.from ?? 'newest';
    const offset = input.offset ?? 0;
    // Bytes enough for maxValueChars characters of any UTF-8.
    const page = await queues.page(target.queue, { from, offset, count, maxValueBytes: maxValueChars * 4 });
    return resultsText({ cluster, queue: target.queue, total: page.total, items: page.items, maxValueChars, mode: { kind: 'page', from, offset } });
  },
};
