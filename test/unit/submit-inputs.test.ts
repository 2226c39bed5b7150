import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileSource, guessFileKind, itemsPerSecond, parseRange, rangeCount, selectionItems } from '../../src/ui-model/push-input';
import { queueTargetOf, taskQueue } from '../../src/commands/submit/targets';
import { defaultTag, defaultTaskName, isValidTag, platformTag, registryHost, registryTag } from '../../src/ui-model/build-plan';

test('parseRange reads from..to and from..to..step, rejects the rest', () => {
  assert.deepEqual(parseRange('1..10000'), { from: 1, to: 10000, step: 1 });
  assert.deepEqual(parseRange(' 0 .. 100 .. 5 '), { from: 0, to: 100, step: 5 });
  assert.deepEqual(parseRange('-5..5'), { from: -5, to: 5, step: 1 });
  for (const bad of ['', '1..', '..5', '10..1', '1..10..0', '1-10', 'a..b', '1.5..3']) assert.equal(parseRange(bad), undefined, bad);
  assert.equal(rangeCount({ from: 1, to: 10000, step: 1 }), 10000);
  assert.equal(rangeCount({ from: 0, to: 100, step: 5 }), 21);
});

test('file kinds follow the extension; CSV keeps its header choice', () => {
  assert.equal(guessFileKind('/a/b.JSONL'), 'jsonLines');
  assert.equal(guessFileKind('x.ndjson'), 'jsonLines');
  assert.equal(guessFileKind('x.json'), 'jsonArray');
  assert.equal(guessFileKind('x.csv'), 'csv');
  assert.equal(guessFileKind('x.txt'), 'lines');
  assert.deepEqual(fileSource('csv', 'f.csv', true), { kind: 'csv', file: 'f.csv', skipHeader: true });
  assert.deepEqual(fileSource('lines', 'f'), { kind: 'lines', file: 'f' });
});

test('a selection is one item per line, without a trailing empty item', () => {
  assert.deepEqual(selectionItems('a\nb\r\nc\n'), ['a', 'b', 'c']);
  assert.deepEqual(selectionItems('a\n\nb'), ['a', '', 'b']);
  assert.equal(itemsPerSecond(5000, 2000), 2500);
  assert.equal(itemsPerSecond(5, 0), 0);
});

test('command arguments from the tree, the status bar and tests', () => {
  assert.deepEqual(queueTargetOf({ kind: 'queue', cluster: 'c', label: 'sq:output', contextValue: 'queue output' }), { cluster: 'c', queue: 'sq:output', role: 'output' });
  const record = { cluster: 'c', name: 't', inputQueue: 'in', outputQueue: 'out' };
  assert.deepEqual(queueTargetOf({ kind: 'task', cluster: 'c', task: { name: 't', record } }), { cluster: 'c', taskName: 't', record, queue: undefined, role: undefined });
  assert.deepEqual(queueTargetOf({ cluster: 'c', taskName: 't' }).taskName, 't');
  assert.deepEqual(queueTargetOf('c'), { cluster: 'c' });
  assert.deepEqual(queueTargetOf(undefined), {});
  const naming = { input: 't:input', output: 't:output' };
  assert.equal(taskQueue('output', record, naming), 'out');
  assert.equal(taskQueue('input', undefined, naming), 't:input');
});

test('build names: task from folder, tags, registry and platform names', () => {
  assert.equal(defaultTaskName('/home/u/My Task/'), 'My-Task');
  assert.equal(defaultTaskName('C:\\work\\_sqrt'), 'sqrt');
  assert.equal(defaultTaskName('/'), 'task');
  assert.equal(defaultTag('My-Task'), 'gridcore-task/my-task:latest');
  assert.ok(isValidTag('gridcore-task/sqrt:latest'));
  assert.ok(isValidTag('registry.example.com:5000/team/sqrt:1.0'));
  assert.ok(!isValidTag('Upper/Case'));
  assert.ok(!isValidTag('a b'));
  assert.equal(registryTag('registry.example.com:5000/team', 'gridcore-task/sqrt:latest'), 'registry.example.com:5000/team/gridcore-task/sqrt:latest');
  assert.equal(registryTag('https://reg.io/', 'reg.io/x:1'), 'reg.io/x:1');
  assert.equal(registryTag('reg.io', 'other.io:5000/x:1'), 'reg.io/x:1');
  assert.equal(registryHost('https://reg.io:5000/team'), 'reg.io:5000');
  assert.equal(platformTag('x/y:1', 'linux/arm64'), 'x/y:1-arm64');
  assert.equal(platformTag('host:5000/y', 'linux/amd64'), 'host:5000/y:latest-amd64');
  assert.equal(platformTag('y:1', 'linux/arm/v7'), 'y:1-armv7');
});
