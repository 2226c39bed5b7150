// Docker's JSON-lines answers cut anywhere: each line comes out whole, once.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { readJsonLines } from '../../src/core/images/json-lines';

test('lines split across chunks, inside a UTF-8 character, blank lines and a last line without newline', async () => {
  const res = new PassThrough();
  const lines: string[] = [];
  const done = readJsonLines(res, (l) => lines.push(l), (e) => e);
  const text = Buffer.from('{"stream":"é1"}\r\n\n  {"status":"两"}\n{"aux":{"ID":"x"}}');
  // cut in the middle of 'é' and of '两'
  for (const [a, b] of [[0, 12], [12, 33], [33, text.length]]) res.write(text.subarray(a, b));
  res.end();
  await done;
  assert.deepEqual(lines, ['{"stream":"é1"}', '{"status":"两"}', '{"aux":{"ID":"x"}}']);
});

test('a stream error rejects with the mapped error', async () => {
  const res = new PassThrough();
  const done = readJsonLines(res, () => undefined, (e) => new Error(`mapped: ${e.message}`));
  res.destroy(new Error('socket hang up'));
  await assert.rejects(done, /mapped: socket hang up/);
});
