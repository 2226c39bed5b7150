// The failed list's reader (src/core/failed-items.ts): entries as the convention writes them,
// binary items, and whatever else a hostile or foreign writer put in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptsHash, failedList, parseFailedEntry } from '../../src/core/failed-items';

test('names: the input whole, with `:` and spaces', () => {
  assert.equal(failedList('jobs: batch 7:in'), 'jobs: batch 7:in:failed');
  assert.equal(attemptsHash('jobs: batch 7:in'), 'jobs: batch 7:in:attempts');
});

test('an entry as the convention writes it', () => {
  const e = parseFailedEntry(
    JSON.stringify({ item: '5000', error: 'exit status 4', attempts: 1, task: 'sq', node_id: 'n1', instance_id: '0', time: '2026-12-05T21:00:00Z', reason: 'error' }),
  );
  assert.deepEqual(
    { ...e, itemBytes: e.itemBytes?.toString() },
    { item: '5000', itemBytes: '5000', error: 'exit status 4', attempts: 1, task: 'sq', nodeId: 'n1', instanceId: '0', time: '2026-12-05T21:00:00Z', reason: 'error' },
  );
});

test('item_b64: the exact bytes, shown as text', () => {
  const bytes = Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x80]);
  const e = parseFailedEntry(JSON.stringify({ item_b64: bytes.toString('base64'), error: 'bad utf-8' }));
  assert.ok(e.binary);
  assert.deepEqual(e.itemBytes, bytes);
  assert.equal(typeof e.item, 'string');
});

test('missing and extra keys are tolerated; odd types read as text', () => {
  const e = parseFailedEntry(JSON.stringify({ item: 12, error: { code: 500 }, attempts: '3', extra: [1, 2], node_id: null }));
  assert.equal(e.item, '12');
  assert.equal(e.error, '{"code":500}');
  assert.equal(e.attempts, 3);
  assert.equal(e.nodeId, undefined);
  assert.equal(parseFailedEntry(JSON.stringify({ error: 'only an error' })).itemBytes, undefined);
  assert.equal(parseFailedEntry(JSON.stringify({ item: '' })).item, '', 'an empty item is an item');
});

test('hostile and foreign entries are shown raw, never thrown on', () => {
  for (const raw of ['not json', '', '[1,2]', '"a string"', '42', 'null', '{"item": "cut', '{"other": "object"}', '<script>alert(1)</script>', '{"item_b64": "!!notbase64"}']) {
    const e = parseFailedEntry(raw);
    assert.equal(e.raw, raw, raw);
    assert.equal(e.itemBytes, undefined, raw);
  }
  // markup inside the fields is kept as text (the views escape it)
  const e = parseFailedEntry(JSON.stringify({ item: '<img src=x onerror=alert(1)>', error: '</pre><script>x()</script>' }));
  assert.equal(e.item, '<img src=x onerror=alert(1)>');
  assert.equal(e.error, '</pre><script>x()</script>');
  // bytes that are not UTF-8 around the JSON
  assert.ok(parseFailedEntry(Buffer.from([0x7b, 0xff, 0x7d])).raw !== undefined);
});
