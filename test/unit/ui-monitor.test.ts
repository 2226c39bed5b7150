import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GridCoreService, HubClient, QueueService } from '../../src/core/service-api';
import type { ClusterProfile, TaskView } from '../../src/core/types';
import { ClusterMonitor, ClusterMonitors, NODE_COUNT_EVERY, watchRequests } from '../../src/ui-model/cluster-monitor';
import { fakeTimers, settle } from '../support/fake-timers';

const running = (name: string, pushed?: number): TaskView => ({
  name,
  state: 'running',
  index: 0,
  record: { cluster: 'c', name, inputQueue: `${name}:in`, outputQueue: `${name}:out`, registeredAt: '1', ...(pushed !== undefined ? { pushed } : {}) },
});

/** A service that counts what a real hub and Redis would see. */
function fakeService(state: { tasks: TaskView[]; lengths?: Record<string, number>; profiles?: string[] }) {
  const calls: string[] = [];
  const hub = {
    health: async () => void calls.push('health'),
    listNodes: async () => (calls.push('nodes'), []),
    currentTaskConfig: async () => (calls.push('config'), null),
  } as unknown as HubClient;
  const queues = {
    probe: async (names: string[]) => {
      calls.push(`redis:${[...names].sort().join(',')}`);
      return { lengths: Object.fromEntries(names.map((n) => [n, state.lengths?.[n] ?? 0])) };
    },
  } as unknown as QueueService;
  const listeners = new Set<() => void>();
  const service = {
    hub: async () => hub,
    queues: async () => queues,
    listTasks: async () => (calls.push('tasks'), state.tasks),
    tasks: { list: () => [] },
    profiles: {
      list: async () => (state.profiles ?? ['c']).map((name): ClusterProfile => ({ name, computehubUrl: 'http://h', redisUrl: 'redis://r', source: 'extension' })),
      onDidChange: (l: () => void) => (listeners.add(l), { dispose: () => listeners.delete(l) }),
    },
  } as unknown as GridCoreService;
  return { service, calls, profilesChanged: () => listeners.forEach((l) => l()) };
}

test('tree, status bar and two results panels: one task list, one node list, one Redis round trip per interval', async () => {
  const { service, calls } = fakeService({ tasks: [running('t')], lengths: { 't:in': 10, 't:out': 5, 'o:out': 3 } });
  const timers = fakeTimers();
  const m = new ClusterMonitor(service, 'c', { intervalMs: () => 5000, focused: () => true, timers });
  const seen: number[] = [];
  m.onDidChange((s) => seen.push(s.at));
  m.watch({ nodes: true, current: true }); // the tree, cluster expanded
  m.watch({ current: true }); // the status bar
  m.watch({ queues: ['t:out', 't:in'] }); // a results panel
  m.watch({ queues: ['o:out'] }); // another
  await settle();
  await settle();
  calls.length = 0;
  await timers.fire();
  assert.deepEqual(calls.sort(), ['nodes', 'redis:o:out,t:in,t:out', 'tasks']);
  assert.equal(timers.pending.size, 1, 'one timer for all of them');
  assert.deepEqual(m.snapshot?.lengths, { 't:in': 10, 't:out': 5, 'o:out': 3 });
  assert.ok(seen.length >= 2, 'every watcher hears each poll');
  m.dispose();
});

test('nothing polls while nobody watches live or the window is unfocused; a refresh fetches for dormant watchers too', async () => {
  const { service, calls } = fakeService({ tasks: [] });
  const timers = fakeTimers();
  let focused = true;
  const m = new ClusterMonitor(service, 'c', { intervalMs: () => 5000, focused: () => focused, timers });
  const tree = m.watch({ nodes: true }, false); // a hidden view
  await settle();
  assert.deepEqual(calls, [], 'a dormant watch starts nothing');
  assert.equal(timers.pending.size, 0);
  await m.refresh();
  assert.deepEqual(calls.sort(), ['nodes', 'redis:', 'tasks'], 'an explicit refresh serves the hidden view as well');
  assert.equal(timers.pending.size, 0, 'and does not start the interval');
  calls.length = 0;
  const bar = m.watch({ current: true });
  await settle();
  await settle();
  assert.deepEqual(calls.sort(), ['redis:', 'tasks'], 'a live watch polls at once, without the dormant one\'s nodes');
  focused = false;
  calls.length = 0;
  await timers.fire();
  assert.deepEqual(calls, [], 'unfocused: no poll');
  assert.equal(timers.pending.size, 0, 'and the chain stops');
  focused = true;
  m.wake();
  await settle();
  assert.deepEqual(calls.sort(), ['redis:', 'tasks']);
  bar.dispose();
  tree.dispose();
  calls.length = 0;
  await timers.fire();
  assert.deepEqual(calls, [], 'everybody left');
  m.dispose();
});

test('a watcher asking for more polls at once, after the poll already running', async () => {
  const { service, calls } = fakeService({ tasks: [] });
  const timers = fakeTimers();
  const m = new ClusterMonitor(service, 'c', { intervalMs: () => 5000, focused: () => true, timers });
  const w = m.watch({});
  w.update({ nodes: true }); // while the first poll runs
  await settle();
  await settle();
  await settle();
  assert.deepEqual(calls.sort(), ['nodes', 'redis:', 'redis:', 'tasks', 'tasks'], 'the second poll has the nodes');
  calls.length = 0;
  w.update({ nodes: true });
  w.update({});
  await settle();
  assert.deepEqual(calls, [], 'asking for the same or less waits for the interval');
  m.dispose();
});

test('a short history per task, read by everyone, bounded, and dropped with the task', async () => {
  const state = { tasks: [running('t', 100)], lengths: { 't:in': 100, 't:out': 0 } as Record<string, number> };
  const { service } = fakeService(state);
  let now = 1000;
  const m = new ClusterMonitor(service, 'c', { intervalMs: () => 5000, focused: () => false, now: () => now, historyCapacity: 3 });
  m.watch({ current: true });
  for (let i = 1; i <= 4; i++) {
    state.lengths = { 't:in': 100 - i * 10, 't:out': i * 10 };
    now += 5000;
    await m.refresh();
  }
  assert.deepEqual(m.history(state.tasks[0]), [
    { at: 11000, input: 80, output: 20, pushed: 100 },
    { at: 16000, input: 70, output: 30, pushed: 100 },
    { at: 21000, input: 60, output: 40, pushed: 100 },
  ]);
  assert.equal(m.history(state.tasks[0], 1).length, 1);
  state.tasks = [];
  await m.refresh();
  assert.deepEqual(m.history(running('t', 100)), [], 'gone with the task');
  m.dispose();
});

test('one monitor per cluster, dropped when its profile goes', async () => {
  const state = { tasks: [], profiles: ['a', 'b'] };
  const { service, profilesChanged } = fakeService(state);
  const monitors = new ClusterMonitors(service, { intervalMs: () => 5000, focused: () => false });
  const a = monitors.get('a');
  assert.equal(monitors.get('a'), a);
  assert.notEqual(monitors.get('b'), a);
  state.profiles = ['b'];
  profilesChanged();
  await settle();
  assert.deepEqual(monitors.all().map((m) => m.cluster), ['b']);
  await monitors.refresh();
  assert.ok(monitors.get('b').snapshot, 'refresh() polls every monitor');
  monitors.dispose();
});

test('a collapsed Nodes group (count only): the node list every NODE_COUNT_EVERY polls, carried in between; expanded: every poll', async () => {
  const { service, calls } = fakeService({ tasks: [running('t')] });
  const timers = fakeTimers();
  const m = new ClusterMonitor(service, 'c', { intervalMs: () => 5000, focused: () => true, timers });
  const seen: Array<unknown[] | undefined> = [];
  m.onDidChange((s) => seen.push(s.nodes));
  const tree = m.watch(watchRequests.tree(true, [], false));
  await settle();
  await settle();
  for (let i = 1; i < 2 * NODE_COUNT_EVERY + 1; i++) await timers.fire();
  assert.equal(seen.length, 2 * NODE_COUNT_EVERY + 1);
  assert.equal(calls.filter((c) => c === 'nodes').length, 3, 'polls 1, 7 and 13 fetched the list');
  assert.ok(seen.every((n) => Array.isArray(n)), 'every snapshot has a list no older than NODE_COUNT_EVERY polls');
  assert.equal(seen[1], seen[0], 'carried: the same list object, so nothing downstream redraws');
  // Expanded: fetched at once, then on every poll.
  calls.length = 0;
  tree.update(watchRequests.tree(true, [], true));
  await settle();
  await settle();
  for (let i = 0; i < 3; i++) await timers.fire();
  assert.equal(calls.filter((c) => c === 'nodes').length, 4);
  // Nobody shows nodes: never fetched.
  calls.length = 0;
  tree.update(watchRequests.tree(false, []));
  for (let i = 0; i < NODE_COUNT_EVERY + 1; i++) await timers.fire();
  assert.equal(calls.filter((c) => c === 'nodes').length, 0);
  assert.equal(m.snapshot?.nodes, undefined);
  m.dispose();
});
