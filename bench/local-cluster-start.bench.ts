// Start Local Cluster to healthy (the hub answers and lists every node), warm state folder
// (password, node id and Redis's files from an earlier start): the detached cluster (its own
// supervisor process tree, dist/local-cluster.js, what the commands start now) beside the
// in-process start it replaced (startLocalCluster, still the engine the supervisor runs), in
// the same invocation, rounds alternating. And a Reload Window: the new window attaches to the
// running detached cluster (findRunningLocalCluster: its lock, its hub's /health), where before
// the reload had taken the cluster with it and Start Local Cluster started it again.
// Real Docker from DOCKER_HOST, redis-server from PATH. Needs `node esbuild.mjs` (the bundles).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRunningLocalCluster, startDetachedLocalCluster, startLocalCluster, stopAnyLocalCluster, stopLocalCluster } from '../src/local/local-cluster-api';
import { healthOk } from '../src/local/cluster/hub';
import type { Result } from './support/result';

const ROUNDS = 3;
const socketPath = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : undefined;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The cluster's process tree as `ps` shows it (the watchdog's inline script shortened). */
function processTree(pid: number, depth = 0): string[] {
  let args = '';
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return [];
  }
  if (args.includes(' -e ') && args.includes('GRIDCORE_WATCH_PARENT')) args = 'node -e <watchdog>';
  args = args.replace(/--options \{.*\}$/, '--options {...}').replace(/\/\S*\/dist\//g, 'dist/');
  return [`${'  '.repeat(depth)}${args}`, ...children(pid).flatMap((c) => processTree(c, depth + 1))];
}

export async function run(): Promise<Result[]> {
  const skillDir = mkdtempSync(join(tmpdir(), 'gc-bench-start-'));
  const hubPort = await freePort();
  const redisPort = await freePort();
  const opts = { skillDir, dockerSocket: socketPath, hubPort, redisPort };
  const inProcess: number[] = [];
  const detached: number[] = [];
  const attach: number[] = [];
  let tree: string[] = [];
  const load = [loadavg()[0]];
  try {
    // Warm the state folder: password, node id, Redis's files, the remembered ports.
    await startLocalCluster(opts);
    await stopLocalCluster();
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      await startLocalCluster(opts);
      inProcess.push(performance.now() - t);
      await stopLocalCluster();

      t = performance.now();
      const info = await startDetachedLocalCluster({ ...opts, startedBy: 'terminal' });
      detached.push(performance.now() - t);
      // A reloaded window: find the running cluster, see its hub healthy.
      t = performance.now();
      const found = await findRunningLocalCluster({ skillDir });
      if (!found || !(await healthOk(found.profile.computehubUrl))) throw new Error('the detached cluster was not found');
      attach.push(performance.now() - t);
      if (round === 0) tree = processTree(info.pid);
      await stopAnyLocalCluster({ skillDir });
    }
    load.push(loadavg()[0]);
  } finally {
    await stopLocalCluster().catch(() => undefined);
    await stopAnyLocalCluster({ skillDir }).catch(() => undefined);
    rmSync(skillDir, { recursive: true, force: true });
  }
  const note = `median of ${ROUNDS}, warm state folder, 1 node; 1-min load ${load.map((l) => l.toFixed(1)).join(' / ')}`;
  process.stderr.write(`processes of the detached local cluster:\n${tree.map((l) => `  ${l}`).join('\n')}\n`);
  return [
    { name: 'Start Local Cluster to healthy: detached (own process tree)', ours: median(detached), peer: median(inProcess), peerName: 'in-process start (before)', unit: 'ms', higherIsBetter: false, note },
    { name: 'Reload Window to healthy: attach to the running cluster', ours: median(attach), peer: median(inProcess), peerName: 'start again after the reload took it (before)', unit: 'ms', higherIsBetter: false, note: `processes: ${tree.join(' | ')}` },
  ];
}
