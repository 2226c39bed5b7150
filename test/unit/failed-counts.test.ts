// Failed counts beside done, in flight and stranded: the progress maths (failed items ended,
// so done + failed = total when complete), the status bar's text and tooltip, the tree's
// input row and Queues group, Task Details and the chat's progress lines, in English and
// Chinese. A job whose input and processing lists are empty reads "completed, N failed".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progress } from '../../src/core/progress';
import type { ClusterProfile } from '../../src/core/types';
import type { ClusterSnapshot } from '../../src/ui-model/cluster-snapshot';
import { ClusterTreeModel } from '../../src/ui-model/cluster-tree-model';
import { clearQuestion, progressFailedLines, retryOutcome, retryQuestion } from '../../src/ui-model/failed-format';
import { statusBarText, statusBarTooltip } from '../../src/ui-model/format';
import { unaccountedTooltip } from '../../src/ui-model/in-flight-format';
import { taskDetailsMarkdown } from '../../src/ui-model/task-details';
import { inChinese } from '../support/zh';

const NOW = Date.parse('2026-12-05T21:00:00Z');

test('progress: failed items ended; complete when input and processing lists are empty', () => {
  const running = progress(20_000, [{ at: 1, input: 5000, output: 14_000, processing: 990, failed: 2 }]);
  assert.equal(running.finished, false);
  assert.equal(running.failed, 2);
  assert.equal(running.inFlight, 998);
  assert.equal(running.remaining, 5998);
  const done = progress(20_000, [{ at: 1, input: 0, output: 19_992, processing: 0, failed: 8 }]);
  assert.equal(done.finished, true);
  assert.equal(done.done + done.failed!, done.total);
  assert.equal(done.percent, 100);
  assert.equal(done.unaccounted, undefined);
  // Unknown total: the estimate counts failed items; items in processing lists keep it running.
  const est = progress(undefined, [{ at: 1, input: 0, output: 92, failed: 8, processing: 10 }]);
  assert.equal(est.total, 100);
  assert.equal(est.finished, false);
  assert.equal(progress(undefined, [{ at: 1, input: 0, output: 92, failed: 8, processing: 0 }]).finished, true);
  // Unaccounted: what is in no queue and not failed.
  const lost = progress(100, [{ at: 0, input: 0, output: 90, failed: 5, processing: 0 }, { at: 20_000, input: 0, output: 90, failed: 5, processing: 0 }]);
  assert.equal(lost.unaccounted, 5);
});

test('status bar: "N failed" while running, "completed, N failed" when complete', () => {
  const running = progress(20_000, [{ at: 1, input: 5000, output: 14_000, processing: 990, failed: 2 }]);
  assert.equal(statusBarText('sq', running), '$(sync~spin) sq 14,000/20,000 70% · 2 failed');
  const done = progress(20_000, [{ at: 1, input: 0, output: 19_992, processing: 0, failed: 8 }]);
  assert.equal(statusBarText('sq', done), '$(warning) sq 19,992/20,000 100% · completed, 8 failed');
  const tip = statusBarTooltip('sq', 'lab', done, { input: 0, output: 19_992, inputQueue: 'sq:in', outputQueue: 'sq:out' }, true);
  assert.match(tip, /Completed, 8 failed/);
  assert.match(tip, /Failed: 8/);
  assert.equal(statusBarText('sq', progress(10, [{ at: 1, input: 0, output: 10, failed: 0 }])), '$(check) sq 10/10 100%');
  assert.deepEqual(progressFailedLines(done).length, 2);
  assert.match(progressFailedLines(done)[1], /complete, 8 failed/);
});

test('tree: failed beside in flight on the input row, Retry/Clear offered, the job "completed, N failed"', () => {
  const m = new ClusterTreeModel(() => NOW);
  const profile: ClusterProfile = { name: 'a', computehubUrl: 'http://a', redisUrl: 'redis://a', source: 'extension' };
  m.setProfiles([profile], 'a');
  const base = (p: Partial<ClusterSnapshot>): ClusterSnapshot => ({ at: NOW, hub: { ok: true }, token: { ok: true }, redis: { ok: true }, tasks: [{ name: 'r', state: 'running', index: 0 }], ...p });
  m.applySnapshot('a', base({
    queues: { task: 'r', input: { name: 'r: in', length: 10 }, output: { name: 'r:out', length: 5 } },
    inFlight: { task: 'r', input: 'r: in', lists: [{ list: 'x', token: 't', length: 100 }], items: 100, stranded: [], strandedItems: 0 },
    failed: { 'r: in': 1234 },
  }));
  const group = m.get('cluster:a/queues')!;
  const input = group.children![0];
  assert.equal(input.description, 'input · 10 items · 100 in flight · 1,234 failed');
  assert.match(input.contextValue ?? '', /\bfailed\b/);
  assert.match(input.tooltip ?? '', /r: in:failed/);
  assert.equal(group.description, 'r');
  m.applySnapshot('a', base({
    queues: { task: 'r', input: { name: 'r: in', length: 0 }, output: { name: 'r:out', length: 92 } },
    inFlight: { task: 'r', input: 'r: in', lists: [], items: 0, stranded: [], strandedItems: 0 },
    failed: { 'r: in': 8 },
  }));
  assert.equal(m.get('cluster:a/queues')!.description, 'r (completed, 8 failed)');
  // a failed key that is not a list: said, no Retry
  m.applySnapshot('a', base({ queues: { task: 'r', input: { name: 'r: in', length: 3 }, output: { name: 'r:out', length: 1 } }, failed: { 'r: in': -1 } }));
  const odd = m.get('cluster:a/queues')!.children![0];
  assert.match(odd.description ?? '', /not a list/);
  assert.doesNotMatch(odd.contextValue ?? '', /\bfailed\b/);
});

test('Task Details: failed items and the completed state', () => {
  const md = taskDetailsMarkdown('lab', { name: 'sq', state: 'running', index: 0, record: { cluster: 'lab', name: 'sq', inputQueue: 'sq:in', outputQueue: 'sq:out', pushed: 100 } }, { input: 0, output: 92, failed: 8 }, undefined, NOW);
  assert.match(md, /\| State \| completed, 8 failed/);
  assert.match(md, /\| Failed items \| 8 \|/);
  const still = taskDetailsMarkdown('lab', { name: 'sq', state: 'running', index: 0, record: { cluster: 'lab', name: 'sq', inputQueue: 'sq:in', outputQueue: 'sq:out', pushed: 100 } }, { input: 0, output: 90, failed: 8 }, undefined, NOW);
  assert.match(still, /\| State \| running \|/, 'two items still out: not complete');
});

test('upstream-style losses: the tooltip says the convention would have kept the item with its error', () => {
  assert.match(unaccountedTooltip(3), /failed list with its error/);
});

test('confirmations count what they act on', () => {
  const q = retryQuestion('sq:in', { total: 10, matching: 4, retryable: 3 }, 'HTTP 429');
  assert.match(q.message, /Retry the 3 failed items that match "HTTP 429"\? They go back into sq:in\./);
  assert.match(q.detail, /1 entries hold no item/);
  assert.match(clearQuestion('sq:in', { total: 1200, matching: 1200, retryable: 1200 }).message, /Delete all 1,200 failed entries of sq:in\?/);
  assert.equal(retryOutcome({ moved: 8, gone: 0, noItem: 0, examined: 8, cancelled: false }, 'sq:in'), '8 failed items are back in sq:in.');
});

test('zh-cn: the counts and questions in Chinese, with Chinese punctuation', () => {
  inChinese(() => {
    const done = progress(20_000, [{ at: 1, input: 0, output: 19_992, processing: 0, failed: 8 }]);
    const text = statusBarText('sq', done);
    assert.match(text, /已完成，8 项失败/);
    assert.match(retryQuestion('sq:in', { total: 8, matching: 8, retryable: 8 }).message, /[\u4e00-\u9fff]/);
    assert.match(clearQuestion('sq:in', { total: 8, matching: 8, retryable: 8 }).message, /[\u4e00-\u9fff]/);
    assert.match(unaccountedTooltip(3), /失败列表/);
  });
});

test('dashboard: failed beside done in the progress bar, "completed, N failed", a failed series', async () => {
  const { dashboardModel } = await import('../../src/views/dashboard/model');
  const { chartSeries, loadSeries, saveSeries } = await import('../../src/ui-model/task-series');
  const tasks = [{ name: 'sq', state: 'running' as const, index: 0, record: { cluster: 'lab', name: 'sq', inputQueue: 'sq:in', outputQueue: 'sq:out', pushed: 100 } }];
  const snap = { at: NOW, hub: { ok: true } as const, token: { ok: true } as const, redis: { ok: true } as const, tasks, lengths: { 'sq:in': 0, 'sq:out': 92 }, failed: { 'sq:in': 8 } };
  const model = dashboardModel({ snap, task: 'sq', history: [{ at: NOW, input: 0, output: 92, failed: 8 }], canRequeue: false });
  assert.equal(model.progress?.failed, 8);
  assert.equal(model.progress?.finished, true);
  assert.equal(model.progress?.percent, 100);
  assert.equal(model.state, 'completed, 8 failed');
  const samples = [{ at: NOW - 5000, input: 10, output: 85, failed: 5 }, { at: NOW, input: 0, output: 92, failed: 8 }];
  assert.deepEqual(chartSeries(samples, { now: NOW, rangeMs: 60_000, gapMs: 15_000 }).failed, [5, 8]);
  assert.deepEqual(loadSeries(saveSeries(samples)), samples, 'kept across a reload');
});

test('Diagnose names a task whose containers keep dying, with the last error', async () => {
  const { crashingTask, lastFailure } = await import('../../src/core/diagnose');
  const nodes = [{ id: 'n1', hostname: 'box-1' }, { id: 'n2', hostname: 'box-2' }];
  const exit = (nodeId: string, task: string, at: string, line: string) => ({ nodeId, task, instance: 0, code: 4, at, lines: [line] });
  const exits: Record<string, ReturnType<typeof exit>[]> = {
    n1: [exit('n1', 'sq', '2026-12-05T20:50:00Z', 'item 4999 ok'), exit('n1', 'sq', '2026-12-05T20:55:00Z', 'ValueError on item 5000')],
    n2: [exit('n2', 'sq', '2026-12-05T20:58:00Z', 'ValueError on item 5000: <b>bad</b>'), exit('n2', 'old', '2026-12-05T20:00:00Z', 'x')],
  };
  const found = crashingTask(nodes, (id) => exits[id] ?? [], NOW);
  assert.equal(found?.task, 'sq');
  assert.equal(found?.exits.length, 3);
  assert.equal(found?.node.hostname, 'box-2');
  assert.match(lastFailure(found!.node, found!.exits), /ValueError on item 5000: <b>bad<\/b>/);
  // Old or few exits are no crash loop.
  assert.equal(crashingTask(nodes, (id) => exits[id] ?? [], NOW + 3_600_000), undefined);
  assert.equal(crashingTask(nodes, (id) => (exits[id] ?? []).slice(0, 1), NOW), undefined);
});

test("the poll measures the failed lists in its one probe: the current task's input and those a panel watches", async () => {
  const { fetchClusterSnapshot } = await import('../../src/ui-model/cluster-snapshot');
  const { ClusterMonitor } = await import('../../src/ui-model/cluster-monitor');
  const { watchRequests } = await import('../../src/ui-model/watch-requests');
  const calls: string[] = [];
  const record = { cluster: 'c', name: 'r', inputQueue: 'r: in', outputQueue: 'r:out', pushed: 10 };
  const service = {
    hub: async () => ({ listNodes: async () => [] }),
    queues: async () => ({
      probe: async (names: string[], inputs: string[] = [], failedOf: string[] = []) => {
        calls.push(`probe:${names.join(',')}|${inputs.join(',')}|${failedOf.join(',')}`);
        return { lengths: { 'r: in': 0, 'r:out': 7 }, inFlight: { 'r: in': [] }, failed: Object.fromEntries(failedOf.map((q) => [q, q === 'r: in' ? 3 : -1])) };
      },
    }),
    listTasks: async () => [{ name: 'r', state: 'running', index: 0, record }],
    tasks: { list: () => [record] },
    stranded: async () => [],
    progress,
  } as unknown as import('../../src/core/service-api').GridCoreService;
  const s = await fetchClusterSnapshot(service, 'c', { current: true, failedOf: ['other q'] });
  assert.deepEqual(calls, ['probe:r: in,r:out|r: in|r: in,other q']);
  assert.deepEqual(s.failed, { 'r: in': 3, 'other q': -1 });
  // The monitor unions what its watchers ask for, and its samples carry the failed count.
  calls.length = 0;
  const m = new ClusterMonitor(service, 'c', { intervalMs: () => 60_000, focused: () => true, now: () => NOW });
  m.watch(watchRequests.statusBar());
  m.watch(watchRequests.failedPanel('p: in'));
  await m.refresh();
  assert.match(calls[calls.length - 1], /\|r: in,p: in$/);
  assert.equal(m.history({ name: 'r', record })[0].failed, 3);
  const report = progress(10, m.history({ name: 'r', record }));
  assert.equal(report.finished, true);
  assert.equal(statusBarText('r', report), '$(warning) r 7/10 100% · completed, 3 failed');
  m.dispose();
});
