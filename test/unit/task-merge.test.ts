import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKeyValueStore } from '../../src/core/ports';
import { forgottenRecords, KeyValueTaskRecordStore, mergeTasks } from '../../src/core/task-records';
import type { TaskRecord } from '../../src/core/types';

const rec = (name: string, image: string): TaskRecord => ({ cluster: 'c', name, image });

test('running, then pending in order, then completed newest first; records attached', () => {
  const v = mergeTasks({ current: 'c3', pending: ['p1', 'p2'], completed: ['c1', 'c2'] }, [rec('c1', 'i1'), rec('p2', 'ip2')]);
  assert.deepEqual(
    v.map((t) => [t.name, t.state, t.index, t.record?.image, t.stillHandedToNodes]),
    [
      ['c3', 'running', 0, undefined, undefined],
      ['p1', 'pending', 0, undefined, undefined],
      ['p2', 'pending', 1, 'ip2', undefined],
      ['c2', 'completed', 1, undefined, undefined],
      ['c1', 'completed', 0, 'i1', undefined],
    ],
  );
});

test('after the last finish the newest completed task is still handed to nodes', () => {
  const v = mergeTasks({ current: null, pending: [], completed: ['a', 'b'] }, []);
  assert.deepEqual(
    v.map((t) => [t.name, !!t.stillHandedToNodes]),
    [
      ['b', true],
      ['a', false],
    ],
  );
});

test('a fresh hub (nothing ever ran) has no task handed to nodes', () => {
  assert.deepEqual(mergeTasks({ current: null, pending: [], completed: [] }, []), []);
  const running = mergeTasks({ current: 'x', pending: [], completed: ['a'] }, []);
  assert.equal(running.some((t) => t.stillHandedToNodes), false);
});

test('repeated names: newest entries get the newest records', () => {
  const v = mergeTasks({ current: 'x', pending: ['x'], completed: ['x'] }, [rec('x', 'v1'), rec('x', 'v2')]);
  // hub order: completed x, running x, pending x -> records align from the end
  assert.deepEqual(
    v.map((t) => [t.state, t.record?.image]),
    [
      ['running', 'v1'],
      ['pending', 'v2'],
      ['completed', undefined],
    ],
  );
});

test('forgotten: records the hub no longer lists (hub restarted), newest per name', () => {
  const records = [rec('old', 'a'), rec('kept', 'b'), rec('old', 'c')];
  assert.deepEqual(forgottenRecords({ current: 'kept', pending: [], completed: [] }, records), [rec('old', 'c')]);
  assert.deepEqual(forgottenRecords({ current: null, pending: [], completed: ['old', 'kept'] }, records), []);
});

test('record store: per cluster, newest by name, pushed counts, passwords masked, remove', async () => {
  const store = new KeyValueTaskRecordStore(new MemoryKeyValueStore());
  await store.put({ cluster: 'c', name: 't', inputRedis: 'redis://:pw@h:6379', outputRedis: 'redis://h:6379' });
  await store.put({ cluster: 'c', name: 't', image: 'img:2' });
  await store.put({ cluster: 'd', name: 't', image: 'other' });
  assert.equal(store.list('c')[0].inputRedis, 'redis://:****@h:6379');
  assert.equal(store.get('c', 't')?.image, 'img:2');
  await store.addPushed('c', 't', 5);
  await store.addPushed('c', 't', 7);
  assert.equal(store.get('c', 't')?.pushed, 12);
  assert.equal(store.list('c')[0].pushed, undefined);
  await store.addPushed('c', 'elsewhere', 3);
  assert.equal(store.get('c', 'elsewhere')?.pushed, 3);
  await store.remove('c', 't');
  assert.deepEqual(store.list('c').map((r) => r.name), ['elsewhere']);
  assert.equal(store.list('d').length, 1);
});

test('record store: a re-registration replaces the record it came from; a new registration of the name adds', async () => {
  const store = new KeyValueTaskRecordStore(new MemoryKeyValueStore());
  const at = (n: number) => `2024-01-0${n}T00:00:00.000Z`;
  await store.put({ cluster: 'c', name: 'x', image: 'x:1', registeredAt: at(1) });
  await store.put({ cluster: 'c', name: 'y', image: 'y:1', registeredAt: at(2), inputRedis: 'redis://:pw@h:6379' });
  await store.put({ cluster: 'c', name: 'x', image: 'x:2', registeredAt: at(3) });
  await store.addPushed('c', 'y', 4);
  // The store hands out copies: the record to replace is found by what it says, pushed aside.
  const y = { ...store.list('c')[1], pushed: undefined };
  await store.replace(y, { cluster: 'c', name: 'y', image: 'y:1', registeredAt: at(4), inputRedis: 'redis://:pw@h:6379', pushed: 4 });
  assert.deepEqual(
    store.list('c').map((r) => [r.name, r.image, r.registeredAt]),
    [
      ['x', 'x:1', at(1)],
      ['y', 'y:1', at(4)],
      ['x', 'x:2', at(3)],
    ],
    'in place among the other names, not doubled',
  );
  assert.equal(store.get('c', 'y')?.inputRedis, 'redis://:****@h:6379');
  assert.equal(store.get('c', 'y')?.pushed, 4);

  // The older "x" registered again goes after the newer one: records of a name stay in hub order.
  await store.replace(store.list('c')[0], { cluster: 'c', name: 'x', image: 'x:1', registeredAt: at(5) });
  assert.deepEqual(
    store.list('c').map((r) => [r.name, r.image]),
    [
      ['y', 'y:1'],
      ['x', 'x:2'],
      ['x', 'x:1'],
    ],
  );

  // Nothing stored matches (removed meanwhile, or another cluster's): it is added.
  await store.replace({ cluster: 'c', name: 'z', image: 'z:1', registeredAt: at(1) }, { cluster: 'c', name: 'z', image: 'z:1', registeredAt: at(6) });
  await store.replace({ cluster: 'c', name: 'y', image: 'y:9', registeredAt: at(4) }, { cluster: 'c', name: 'y', image: 'y:9', registeredAt: at(7) });
  assert.deepEqual(store.list('c').map((r) => r.name), ['y', 'x', 'x', 'z', 'y']);
});
