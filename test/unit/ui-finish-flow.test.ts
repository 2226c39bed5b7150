// The hub still hands a completed task to nodes after the last finish (contract): no text in
// the finish flow may claim the nodes stop or the cluster is idle when nothing is pending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskView } from '../../src/core/types';
import { drainedQuestion, finishConfirmation, finishOutcome, handedStatus, nextPending, nothingRunningMessage } from '../../src/ui-model/finish-flow';

const t = (name: string, state: TaskView['state'], extra: Partial<TaskView> = {}): TaskView => ({ name, state, index: 0, ...extra });

test('the next pending task is what finish starts', () => {
  assert.equal(nextPending([t('r', 'running'), t('p1', 'pending'), t('p2', 'pending', { index: 1 })]), 'p1');
  assert.equal(nextPending([t('r', 'running'), t('c', 'completed')]), undefined);
});

test('confirmation with a pending task: nodes move on, items left stay unprocessed', () => {
  const c = finishConfirmation('sq', 'lab', { input: 1200, output: 5, inputQueue: 'sq:in' }, 'next');
  assert.equal(c.message, 'Finish task sq on lab? Its input queue still holds 1,200 items.');
  assert.match(c.detail, /Nodes stop working on this task: the 1,200 items left in sq:in stay unprocessed/);
  assert.equal(c.warn, true);
  assert.match(finishConfirmation('sq', 'lab', {}, 'next').detail, /start the next pending one/);
  const empty = finishConfirmation('sq', 'lab', { input: 0, output: 9 }, 'next');
  assert.equal(empty.detail, 'Its input queue is empty; 9 results in the output queue.');
  assert.equal(empty.warn, false);
});

test('confirmation with nothing pending: never says nodes stop; says they keep running it', () => {
  for (const lengths of [{}, { input: 7, output: 1, inputQueue: 'sq:in' }, { input: 0, output: 3 }]) {
    const c = finishConfirmation('sq', 'lab', lengths, undefined);
    assert.doesNotMatch(c.detail, /stop working|stay unprocessed|next pending one/, JSON.stringify(lengths));
    assert.match(c.detail, /keeps handing sq to nodes/, JSON.stringify(lengths));
    assert.match(c.detail, /until a new task is registered/);
  }
  assert.match(finishConfirmation('sq', 'lab', { input: 7, inputQueue: 'sq:in' }, undefined).detail, /keep taking the 7 items left in sq:in/);
});

test('finish outcome, nothing running, drain question and status bar say the hub still hands the task out', () => {
  assert.equal(finishOutcome({ completed: 'a', started: 'b', message: '' }), 'Task a completed; task b started.');
  assert.equal(
    finishOutcome({ completed: 'a', started: null, message: '' }),
    'Task a completed. No task is pending: the hub keeps handing a to nodes until a new task is registered.',
  );
  assert.equal(nothingRunningMessage('lab', [t('a', 'completed', { stillHandedToNodes: true })]), 'No task is running on lab. The hub still hands completed task a to nodes until a new task is registered.');
  assert.equal(nothingRunningMessage('lab', []), 'No task is running on lab.');
  assert.equal(drainedQuestion('sq', 10000, 'next'), 'Input queue of sq is empty, 10,000 results: finish task?');
  assert.match(drainedQuestion('sq', 10000, undefined), /No task is pending, so nodes keep running sq until a new task is registered/);
  const s = handedStatus('sq', 'lab');
  assert.match(s.text, /^\$\(warning\) sq completed · nodes still run it$/);
  assert.match(s.tooltip, /No task is running on lab, but the hub still hands completed task sq to nodes/);
});
