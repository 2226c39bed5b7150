// Imports go one way (README, Layout): no file reaches itself through its imports. The issue
// that added this found core/ and local/ importing each other in a circle of ten files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { importCycles, importGraph } from '../support/import-graph';

const root = join(__dirname, '..', '..');

test('no import cycle in src/ or media/src/', () => {
  const graph = importGraph(root, ['src', 'media/src']);
  assert.ok(graph.size > 100, `read only ${graph.size} files`);
  assert.ok(graph.get(join('src', 'core', 'trial', 'run.ts'))?.includes(join('src', 'core', 'docker', 'containers.ts')), 'the graph follows relative imports');
  assert.deepEqual(importCycles(graph), []);
});

test('a cycle is found, and a chain is not one', () => {
  const chain = new Map([['a', ['b']], ['b', ['c']], ['c', []]]);
  assert.deepEqual(importCycles(chain), []);
  const circle = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e']]]);
  assert.deepEqual(importCycles(circle).sort(), [['a', 'b', 'c'], ['e']]);
});
