// The dashboard as one more watcher of its cluster's monitor: it asks for nodes, the current
// task and its queues (folded into the one poll), hears every snapshot, lets go on dispose,
// and starts from what the monitor already sampled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterMonitor, ClusterMonitors, WatchRequest } from '../../src/ui-model/cluster-monitor';
import type { ClusterSnapshot } from '../../src/ui-model/cluster-snapshot';
import { Emitter } from '../../src/ui-model/emitter';
import { monitorSnapshotFeed } from '../../src/views/dashboard/monitor-feed';

function fakeMonitors(snapshot?: ClusterSnapshot) {
  const changed = new Emitter<ClusterSnapshot>();
  const watches = new Set<WatchRequest>();
  const asked: string[] = [];
  const monitor = {
    snapshot,
    onDidChange: changed.event,
    watch(request: WatchRequest) {
      watches.add(request);
      return { update() {}, setLive() {}, dispose: () => void watches.delete(request) };
    },
    history: (t: { name: string }) => (t.name === 'sq' ? [{ at: 1, input: 5, output: 0 }, { at: 2, input: 3, output: 2 }] : []),
  } as unknown as ClusterMonitor;
  const monitors: Pick<ClusterMonitors, 'get'> = { get: (c: string) => (asked.push(c), monitor) };
  return { monitors, watches, changed, asked };
}

test('watching asks the monitor for nodes, the current task and the queues, and hears its snapshots', () => {
  const f = fakeMonitors();
  const feed = monitorSnapshotFeed(f.monitors, () => 5000);
  const heard: number[] = [];
  const w = feed.watch('local', { nodes: true, queues: ['sq:in', 'sq:out'] }, (s) => heard.push(s.at));
  assert.deepEqual([...f.watches], [{ nodes: true, current: true, queues: ['sq:in', 'sq:out'] }]);
  f.changed.fire({ at: 42 });
  assert.deepEqual(heard, [42]);
  w.dispose();
  assert.equal(f.watches.size, 0, 'the watch is dropped: nothing polls for a closed or hidden dashboard');
  f.changed.fire({ at: 43 });
  assert.deepEqual(heard, [42]);
  assert.deepEqual(f.asked, ['local']);
  assert.equal(feed.pollIntervalMs(), 5000);
});

test('the history the monitor kept for the task, and the latest snapshot', () => {
  const snap: ClusterSnapshot = { at: 7, tasks: [{ name: 'sq', state: 'running', index: 0 }] };
  const feed = monitorSnapshotFeed(fakeMonitors(snap).monitors, () => 5000);
  assert.equal(feed.current('local'), snap);
  assert.deepEqual(feed.history!('local', 'sq').map((s) => s.at), [1, 2]);
  assert.deepEqual(feed.history!('local', 'other'), []);
  assert.deepEqual(monitorSnapshotFeed(fakeMonitors().monitors, () => 5000).history!('local', 'sq'), [], 'no snapshot yet: no task to look up');
});
