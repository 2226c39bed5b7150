import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubNode, ProgressReport } from '../../src/core/types';
import { formatCompact, formatCount, formatDuration, formatRelativeTime, nodeDescription, statusBarText, statusBarTooltip } from '../../src/ui-model/format';

const report = (r: Partial<ProgressReport>): ProgressReport => ({ total: 0, done: 0, inFlight: 0, remaining: 0, percent: 0, rate: 0, finished: false, ...r });

test('status bar text matches the issue example', () => {
  const text = statusBarText('sqrt-calc', report({ total: 10_000, done: 6512, percent: 65.12, rate: 1234, etaSeconds: 2.8 }));
  assert.equal(text, '$(sync~spin) sqrt-calc 6,512/10,000 65% · 1.2k/s · ETA 3s');
});

test('status bar text leaves out rate and ETA when unknown', () => {
  assert.equal(statusBarText('t', report({ total: 5, done: 0 })), '$(sync~spin) t 0/5 0%');
});

test('tooltip names in-flight and where the total comes from', () => {
  const tip = statusBarTooltip('t', 'c', report({ total: 10, done: 4, inFlight: 2 }), { input: 4, output: 4, inputQueue: 't:in', outputQueue: 't:out' }, true);
  assert.match(tip, /In flight: 2/);
  assert.match(tip, /Input queue t:in: 4/);
  assert.match(tip, /items pushed/);
});

test('numbers, rates and durations', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCompact(999), '999');
  assert.equal(formatCompact(1000), '1k');
  assert.equal(formatCompact(1_500_000), '1.5M');
  assert.equal(formatCompact(0.25), '0.3');
  assert.equal(formatDuration(59.6), '1m');
  assert.equal(formatDuration(125), '2m 5s');
  assert.equal(formatDuration(7322), '2h 2m');
});

test('relative time', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(formatRelativeTime('2024-05-01T11:59:58Z', now), 'just now');
  assert.equal(formatRelativeTime('2024-05-01T12:00:10Z', now), 'just now');
  assert.equal(formatRelativeTime('2024-05-01T11:59:30Z', now), '30s ago');
  assert.equal(formatRelativeTime('2024-05-01T11:57:00Z', now), '3 min ago');
  assert.equal(formatRelativeTime('2024-05-01T09:00:00Z', now), '3 h ago');
  assert.equal(formatRelativeTime('2024-04-28T12:00:00Z', now), '3 d ago');
  assert.equal(formatRelativeTime('garbage', now), 'garbage');
});

test('node description carries live values and the stop request', () => {
  const node: HubNode = { id: 'n1', hostname: 'h', architecture: 'x86_64', cpu_count: 4, last_seen: '2024-05-01T11:59:50Z', status: 'Online', runtime_status: 'Running', active_containers: 4 };
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(nodeDescription(node, now, false), 'x86_64 · 4 CPUs · Running · 4 containers · 10s ago');
  assert.match(nodeDescription({ ...node, runtime_status: null }, now, true), /^stop requested · .*No heartbeat yet/);
});
