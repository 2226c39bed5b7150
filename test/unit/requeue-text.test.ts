// The Requeue Stranded Items dialog and toast count lists and items plural-safe ("1 processing
// list", not "1 processing lists"), in English and Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requeueOutcome, requeueQuestion } from '../../src/ui-model/in-flight-format';
import { inChinese } from '../support/zh';

const list = (name: string, length: number) => ({ list: name, length, token: 't', reason: 'deadNode' as const });

test('one list, one item: singular words in the dialog and the toast', () => {
  const q = requeueQuestion('sq', 'sq:in', { stranded: [list('sq:in:processing:n1:0', 1)] as never, strandedItems: 1 });
  assert.equal(q.message, 'Move 1 stranded item of task sq back to its input queue sq:in?');
  assert.match(q.detail, /^1 processing list:\n/);
  assert.equal(requeueOutcome({ moved: 1, lists: 1, skipped: [{ list: 'x', reason: 'movedOn' }, { list: 'y', reason: 'notAList' }] }, 'sq:in'), 'Moved 1 item from 1 processing list back to sq:in. 1 list was left: its consumer took another batch meanwhile. 1 key is not a list and was left alone.');
});

test('many: plural words, thousands separators', () => {
  const q = requeueQuestion('sq', 'sq:in', { stranded: [list('a', 1000), list('b', 1500)] as never, strandedItems: 2500 });
  assert.equal(q.message, 'Move 2,500 stranded items of task sq back to its input queue sq:in?');
  assert.match(q.detail, /^2 processing lists:\n/);
  assert.equal(requeueOutcome({ moved: 2500, lists: 2, skipped: [] }, 'sq:in'), 'Moved 2,500 items from 2 processing lists back to sq:in.');
});

test('zh-cn: the toast in Chinese, with 项', () => {
  inChinese(() => {
    assert.equal(requeueOutcome({ moved: 2500, lists: 2, skipped: [] }, 'sq:in'), '已将 2 个处理列表中的 2,500 项移回 sq:in。');
  });
});
