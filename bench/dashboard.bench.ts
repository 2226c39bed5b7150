// The task dashboard's cost.
// 1. Traffic: one cluster watched by the tree and the status bar (their watch requests as the
//    extension makes them), polled 20 times through its ClusterMonitor, against our hub behind
//    a counting proxy and the bench's redis-server (round trips from INFO stats); then the
//    same with a dashboard open on the running task (the extension's monitor feed and panel
//    maths). Goal: +0 hub requests and +0 Redis round trips per interval.
// 2. Update cost per sample with a one-hour history (720 samples at the default 5 s poll,
//    3,600 at 1 s): the host's part (sample, series, model, message size) and the webview's
//    (series, chart series for the range, DOM through the fake DOM, state), in plain Node.
//    uPlot's canvas drawing is not in it (the chart is a no-op here).
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../src/core/ports';
import { createGridCoreService } from '../src/core/service';
import { startHub } from '../src/local/hub/server';
import { ClusterMonitors } from '../src/ui-model/cluster-monitor';
import { saveSeries, TaskSeries, gapFor, type TaskSample } from '../src/ui-model/task-series';
import { dashboardModel, sampleOf, type DashboardSnapshot } from '../src/views/dashboard/model';
import { monitorSnapshotFeed } from '../src/views/dashboard/monitor-feed';
import type { DashboardModel, DashboardStrings, HostMessage } from '../src/views/dashboard/protocol';
import { DashboardView, type MiniDocument } from '../media/src/dashboard-view';
import { FakeDocument } from '../test/support/fake-dom';
import { redisUrl, settings } from './support/redis';
import type { Result } from './support/result';

const TOKEN = 'bench-dashboard-token';
const POLLS = 20;
const IN = 'bench-dash:input';
const OUT = 'bench-dash:output';

async function countingProxy(target: string) {
  const to = new URL(target);
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function redisReads(raw: Redis): Promise<number> {
  return Number(/^total_reads_processed:(\d+)/m.exec(await raw.info('stats'))?.[1] ?? 0);
}

async function traffic(): Promise<Result[]> {
  const hub = await startHub({ port: 0, token: TOKEN });
  const proxy = await countingProxy(hub.url);
  const raw = new Redis(redisUrl);
  const post = (path: string, body: unknown) =>
    fetch(hub.url + path, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  for (const n of [{ hostname: 'a', architecture: 'x86_64', cpu_count: 8 }, { hostname: 'b', architecture: 'aarch64', cpu_count: 4 }]) await post('/gridnode/register', n);
  await post('/api/tasks', { name: 'bench-dash', image: 'x:1', input_redis: redisUrl, output_redis: redisUrl, input_queue: IN, output_queue: OUT });
  await raw.del(IN, OUT);
  await raw.lpush(IN, ...Array.from({ length: 1000 }, (_, i) => String(i)));

  const service = createGridCoreService({ secrets: new MemorySecretStore(), state: new MemoryKeyValueStore(), logger: silentLogger, settings: () => settings });
  await service.profiles.save({ name: 'bench', computehubUrl: proxy.url, redisUrl, token: TOKEN });
  // Unfocused: nothing polls on its own; each refresh is one interval's poll.
  const monitors = new ClusterMonitors(service, { intervalMs: () => 5000, focused: () => false });
  const monitor = monitors.get('bench');
  const tree = monitor.watch({ nodes: true, current: true, queues: [] });
  const statusBar = monitor.watch({ current: true });

  const measure = async () => {
    await monitor.refresh(); // warm: connections open, the node route asked once for the current task
    const h0 = proxy.count();
    const r0 = await redisReads(raw);
    for (let i = 0; i < POLLS; i++) {
      await raw.rpoplpush(IN, OUT); // progress between polls, as a consumer would make
      await monitor.refresh();
    }
    const h1 = proxy.count();
    const r1 = await redisReads(raw);
    // Between the two INFO reads: our POLLS RPOPLPUSH and the first INFO itself.
    return { hub: (h1 - h0) / POLLS, redis: (r1 - r0 - POLLS - 1) / POLLS };
  };
  const before = await measure();

  // The dashboard as the extension opens it: the monitor feed and the panel's per-snapshot work.
  const feed = monitorSnapshotFeed(monitors, () => 5000);
  const series = new TaskSeries();
  let updates = 0;
  const dashboard = feed.watch('bench', { nodes: true, queues: [IN, OUT] }, (snap) => {
    const s = sampleOf(snap, 'bench-dash');
    if (s) series.add(s);
    dashboardModel({ snap, task: 'bench-dash', history: series.samples, canRequeue: false });
    updates++;
  });
  const after = await measure();
  dashboard.dispose();
  tree.dispose();
  statusBar.dispose();
  monitors.dispose();
  await service.dispose();
  raw.disconnect();
  await proxy.close();
  await hub.close();
  const note = `tree + status bar, ${POLLS} polls; the dashboard got ${updates} snapshots`;
  return [
    { name: 'dashboard open: hub requests per interval', ours: after.hub, peer: before.hub, peerName: 'tree + status bar without it', unit: 'requests', higherIsBetter: false, note },
    { name: 'dashboard open: Redis round trips per interval', ours: after.redis, peer: before.redis, peerName: 'tree + status bar without it', unit: 'round trips', higherIsBetter: false, note },
    { name: 'dashboard open: added hub requests per interval', ours: after.hub - before.hub, unit: 'requests', higherIsBetter: false, note: 'goal +0' },
    { name: 'dashboard open: added Redis round trips per interval', ours: after.redis - before.redis, unit: 'round trips', higherIsBetter: false, note: 'goal +0' },
  ];
}

const strings = new Proxy({} as DashboardStrings, { get: (_t, k) => String(k) });

function snapshotAt(at: number, i: number): DashboardSnapshot {
  return {
    at,
    hub: { ok: true },
    token: { ok: true },
    redis: { ok: true },
    tasks: [{ name: 'job', state: 'running', index: 0, record: { cluster: 'c', name: 'job', inputQueue: 'in', outputQueue: 'out', pushed: 10_000_000, inputRedis: 'redis://:pw@h:6379' } }],
    nodes: Array.from({ length: 8 }, (_, n) => ({ id: `n${n}`, hostname: `node-${n}`, architecture: 'x86_64', cpu_count: 16, last_seen: new Date(at).toISOString(), status: 'Online' as const, runtime_status: 'Running' as const, active_containers: 16 })),
    lengths: { in: 10_000_000 - i * 100, out: i * 100 },
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function updateCost(intervalMs: number): Result[] {
  const hourSamples = 3_600_000 / intervalMs;
  const T0 = 1_800_000_000_000;
  const hostSeries = new TaskSeries();
  for (let i = 0; i < hourSamples; i++) hostSeries.add(sampleOf(snapshotAt(T0 + i * intervalMs, i), 'job')!);
  let clock = T0 + hourSamples * intervalMs;
  let state: unknown;
  const view = new DashboardView(new FakeDocument() as unknown as MiniDocument, { postMessage() {}, getState: () => state, setState: (s) => (state = structuredClone(s)) }, () => ({ setData() {}, destroy() {} }), () => clock);
  view.start();
  view.onMessage({ type: 'init', state: { cluster: 'c', task: 'job', strings, gapMs: gapFor(intervalMs), series: saveSeries(hostSeries.samples) } });
  const host: number[] = [];
  const web: number[] = [];
  let bytes = 0;
  const N = 300;
  const WARM = 50; // the first updates pay for JIT compilation: not the steady state
  for (let k = 0; k < N; k++) {
    const i = hourSamples + k;
    const snap = snapshotAt(clock, i);
    const t0 = performance.now();
    const sample = sampleOf(snap, 'job') as TaskSample;
    hostSeries.add(sample);
    const model: DashboardModel = dashboardModel({ snap, task: 'job', history: hostSeries.samples, canRequeue: false });
    const msg: HostMessage = { type: 'update', sample, model };
    const wire = JSON.stringify(msg); // postMessage serialises it
    const t1 = performance.now();
    view.onMessage(JSON.parse(wire) as HostMessage);
    const t2 = performance.now();
    if (k >= WARM) {
      host.push(t1 - t0);
      web.push(t2 - t1);
    }
    bytes = wire.length;
    clock += intervalMs;
  }
  const label = `${hourSamples.toLocaleString('en-US')} samples (1 h at ${intervalMs / 1000} s)`;
  return [
    { name: `update per sample, host, ${label}: p50`, ours: percentile(host, 50), unit: 'ms', higherIsBetter: false },
    { name: `update per sample, webview, ${label}: p50`, ours: percentile(web, 50), unit: 'ms', higherIsBetter: false, note: 'series + chart data + DOM (fake) + setState; canvas drawing not included' },
    { name: `update per sample, webview, ${label}: p90`, ours: percentile(web, 90), unit: 'ms', higherIsBetter: false },
    { name: `update per sample, webview, ${label}: p99`, ours: percentile(web, 99), unit: 'ms', higherIsBetter: false, note: 'on a shared 2-core machine: GC and other processes' },
    { name: `update message size, ${label}`, ours: bytes, unit: 'bytes', higherIsBetter: false, note: 'one sample + the model (8 nodes), never the history' },
    { name: `webview state size, ${label}`, ours: JSON.stringify(state).length, unit: 'bytes', higherIsBetter: false, note: 'the history kept for a reload' },
  ];
}

export async function run(): Promise<Result[]> {
  return [...(await traffic()), ...updateCost(5000), ...updateCost(1000)];
}
