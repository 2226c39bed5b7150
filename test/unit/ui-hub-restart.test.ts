import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRecord, TaskView } from '../../src/core/types';
import type { ClusterSnapshot } from '../../src/ui-model/cluster-snapshot';
import { forgetReport, forgetTasksQuestion, forgottenTasksMarkdown, forgottenTasksQuestion, ForgottenTasksWatch, namesToForget, recordsToForget, reregisterReport } from '../../src/ui-model/hub-restart';

const ok = { ok: true } as const;
const rec = (name: string, patch: Partial<TaskRecord> = {}): TaskRecord => ({ cluster: 'c', name, image: `${name}:1`, ...patch });
const tasks = (...names: string[]): TaskView[] => names.map((name, index) => ({ name, state: 'completed', index }));
const up = (t: TaskView[], forgotten: TaskRecord[] = []): ClusterSnapshot => ({ at: 0, hub: ok, token: ok, tasks: t, forgotten });
const down: ClusterSnapshot = { at: 0, hub: { ok: false, message: 'refused', code: 'unreachable' } };

test('one question per cluster and outage, not one per poll', () => {
  const w = new ForgottenTasksWatch();
  assert.equal(w.observe('c', up(tasks('a', 'b'))), false, 'nothing forgotten');
  assert.equal(w.observe('c', down), false);
  assert.equal(w.observe('c', down), false);
  assert.equal(w.observe('c', up([], [rec('a'), rec('b')])), true, 'back up, and it forgot: ask');
  assert.equal(w.observe('c', up([], [rec('a'), rec('b')])), false, 'next poll: asked already');
  assert.equal(w.observe('c', up(tasks('x'), [rec('a'), rec('b')])), false, 'a new task on the new hub is no reason to ask again');
  assert.equal(w.observe('other', up([], [rec('z')])), true, 'clusters are apart');

  assert.equal(w.observe('c', down), false, 'a second outage');
  assert.equal(w.observe('c', up([], [rec('a'), rec('b')])), true, 'asks again after it');
});

test('a restart between two polls (the list shrank) counts as an outage; the first poll asks at once', () => {
  const w = new ForgottenTasksWatch();
  assert.equal(w.observe('c', up(tasks('a', 'b', 'x'), [rec('gone')])), true, 'first poll after activation');
  assert.equal(w.observe('c', up(tasks('a', 'b', 'x'), [rec('gone')])), false);
  assert.equal(w.observe('c', up(tasks('a'), [rec('gone'), rec('b')])), true, 'fewer entries: the hub restarted');
});

test('once nothing is forgotten (registered again), a later loss asks again; token failures change nothing', () => {
  const w = new ForgottenTasksWatch();
  assert.equal(w.observe('c', up([], [rec('a')])), true);
  assert.equal(w.observe('c', up(tasks('a'))), false);
  assert.equal(w.observe('c', { at: 0, hub: ok, token: { ok: false, message: '401' } }), false);
  assert.equal(w.observe('c', up(tasks('a', 'b'), [rec('c')])), true);
  w.forget('c');
  assert.equal(w.observe('c', up(tasks('a', 'b'), [rec('c')])), true, 'forget starts over');
});

test('the question, the list and the report', () => {
  assert.equal(
    forgottenTasksQuestion('lab', 3),
    'The ComputeHub of lab no longer knows 3 tasks the extension registered (it was probably restarted). Register them again?',
  );
  const md = forgottenTasksMarkdown('lab', [
    rec('sq', { inputQueue: 'sq:in', outputQueue: 'sq:out', inputRedis: 'redis://:pw@h:6379', pushed: 10 }),
    { cluster: 'lab', name: 'multi', images: { 'linux/amd64': 'm:amd64' } },
  ]);
  assert.match(md, /\| sq \| sq:1 \| sq:in \| sq:out \| redis:\/\/:\*\*\*\*@h:6379 \| 10 \|/);
  assert.match(md, /\| multi \| linux\/amd64: m:amd64 \|/);
  assert.doesNotMatch(md, /pw@/);

  assert.deepEqual(reregisterReport('lab', { registered: ['a', 'b'], skipped: [] }), { summary: 'Registered again on lab: a, b.', skipped: [] });
  const partial = reregisterReport('lab', { registered: ['a'], skipped: [{ record: rec('e'), reason: 'Task "e" cannot be registered again: ...' }] });
  assert.equal(partial.summary, 'Registered again on lab: a. 1 task was skipped, for the reason below.');
  assert.deepEqual(partial.skipped, ['Task "e" cannot be registered again: ...']);
  assert.match(reregisterReport('lab', { registered: [], skipped: [{ record: rec('e'), reason: 'r' }] }).summary, /^No task was registered again on lab: 1 task was skipped/);
  assert.equal(forgottenTasksQuestion('lab', 1), 'The ComputeHub of lab no longer knows 1 task the extension registered (it was probably restarted). Register it again?');
  assert.equal(reregisterReport('lab', { registered: [], skipped: [] }).summary, 'No task was registered again on lab.');
});

test('forget: all forgotten records, or the names a re-registration skipped; the question says nothing leaves the hub or Redis', () => {
  const forgotten = [rec('elsewhere', { inputRedis: 'redis://:pw@10.0.0.7:6379' }), rec('noimage', { image: undefined }), rec('later')];
  assert.equal(namesToForget({ cluster: 'lab' }), undefined);
  assert.equal(namesToForget(undefined), undefined);
  assert.equal(namesToForget({ cluster: 'lab', names: [1] }), undefined, 'not a list of names: all');
  assert.deepEqual(recordsToForget(forgotten, namesToForget({ cluster: 'lab' })).map((r) => r.name), ['elsewhere', 'noimage', 'later']);
  const skipped = namesToForget({ cluster: 'lab', names: ['noimage', 'elsewhere', 'registered-meanwhile'] });
  assert.deepEqual(recordsToForget(forgotten, skipped).map((r) => r.name), ['elsewhere', 'noimage'], 'a name the hub lists again is not forgotten');

  const q = forgetTasksQuestion('lab', recordsToForget(forgotten, skipped));
  assert.equal(q.message, 'Forget 2 tasks the hub of lab no longer knows?');
  assert.match(q.detail, /^The extension drops its records of: elsewhere, noimage\. Nothing changes on the hub or in Redis: queues and results stay\./);
  assert.doesNotMatch(q.detail, /pw/);
  assert.equal(forgetReport('lab', ['elsewhere', 'noimage']), 'Forgot the records of elsewhere, noimage (cluster lab).');
});
