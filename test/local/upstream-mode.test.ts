// The local cluster running upstream `computehub` / `gridnode` binaries instead of our
// in-process hub and node. Upstream's binaries cannot be downloaded here, so wrapper scripts
// of those names run our standalone builds (dist/computehub.js, dist/gridnode.js), with no
// arguments, from the config files the cluster writes. The gridnode wrapper first rewrites
// gridnode.toml the way upstream's node does (upstream-gridnode-standin.mjs: network_mode
// dropped) and runs our node with upstream's container lifecycle (--lifecycle upstream), so its
// containers sit on Docker's default network as upstream's do, carry no labels and are never
// restarted, and the task only runs when the cluster's Redis listens at the bridge gateway
// and the task's URL names it.
// Needs an engine with its default bridge (.ci/run starts one); skipped elsewhere, with the
// reason, unless GRIDCORE_REQUIRE_BRIDGE=1 makes that a failure. End to end: found on PATH
// ('auto'), health, node registered, a task squared through the cluster's Redis, node_id
// written back into gridnode.toml, and stop leaves no process and no running container (the
// consumer exited once the input stayed empty; upstream's node leaves the exited container
// until a task change, so the test removes it).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import Redis from 'ioredis';
import type { HubNode } from '../../src/core/types';
import { runningLocalNode, startLocalCluster, stopLocalCluster } from '../../src/local/cluster';
import { bridgeGateway } from '../../src/local/cluster/bridge';
import { healthOk } from '../../src/local/cluster/hub';
import { portFree } from '../../src/core/machine/free-ports';
import { pidAlive } from '../../src/local/cluster/state';
import { freePort } from '../support/redis';
import { hubCall, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const DIST = resolve(__dirname, '../../dist');
const STANDIN = resolve(__dirname, 'upstream-gridnode-standin.mjs');
let binDir: string;
let gateway: string | undefined;
const env = useLocalTestEnv({
  tempDir: 'gridcore-upstream-',
  setup: (e) => {
    for (const f of ['computehub.js', 'gridnode.js']) assert.ok(existsSync(join(DIST, f)), `${f} is built (node test/run.mjs local builds it)`);
    binDir = join(e.dir, 'bin');
    mkdirSync(binDir);
    wrapper('computehub', 'computehub.js');
    wrapper('gridnode', 'gridnode.js', STANDIN, ['--lifecycle', 'upstream']);
  },
  stopFirst: stopLocalCluster,
});

/** An executable `name` that, called with no arguments (upstream's read none), runs `first`,
 *  then dist/`script` with `args` (the stand-in's own switches). */
function wrapper(name: string, script: string, first?: string, args: string[] = []): string {
  const file = join(binDir, name);
  const node = JSON.stringify(process.execPath);
  const pre = first ? `${node} ${JSON.stringify(first)} || exit 1\n` : '';
  const extra = args.map((a) => ` ${JSON.stringify(a)}`).join('');
  writeFileSync(file, `#!/bin/bash\n${pre}exec ${node} ${JSON.stringify(join(DIST, script))}${extra}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** True when the test must not run here: the engine has no default bridge (said why). */
async function noBridge(t: TestContext): Promise<boolean> {
  gateway = await bridgeGateway(env.docker);
  if (gateway) return false;
  const reason = 'needs a Docker engine with its default bridge (GRIDCORE_DOCKERD_BRIDGE=1 bash test/support/dockerd.sh start; .ci/run does)';
  assert.notEqual(process.env.GRIDCORE_REQUIRE_BRIDGE, '1', reason);
  t.diagnostic(reason);
  t.skip(reason);
  return true;
}

/** Every live process descending from this one (Linux /proc), with its command line. */
function descendants(): Map<number, string> {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = new Map<number, string>();
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid || out.has(child)) continue;
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        // gone meanwhile
      }
      out.set(child, cmd);
      walk(child);
    }
  };
  walk(process.pid);
  return out;
}

test('upstream binaries found on PATH: health, node registered, a task runs on the default network, stop leaves nothing', async (t) => {
  if (await noBridge(t)) return;
  const before = descendants();
  const savedPath = process.env.PATH;
  process.env.PATH = `${binDir}${delimiter}${savedPath ?? ''}`;
  const skillDir = join(env.dir, 'skill');
  let info;
  try {
    info = await startLocalCluster({
      hubPort: await freePort(),
      redisPort: await freePort(),
      skillDir,
      dockerSocket: env.dockerd.socketPath,
      computehubBinary: 'auto',
      gridnodeBinary: 'auto',
      node: { parallelism: 1, heartbeatIntervalMs: 1000, taskPollIntervalMs: 500, stopTimeoutMs: 1000, containerMemoryMb: 128 },
    });
  } finally {
    process.env.PATH = savedPath;
  }
  const hubUrl = info.profile.computehubUrl;
  const token = info.profile.token;
  const r = new Redis(info.profile.redisUrl);
  try {
    assert.ok(await healthOk(hubUrl));
    assert.equal(runningLocalNode()?.kind, 'binary');
    const started = [...descendants()].filter(([pid]) => !before.has(pid));
    assert.ok(started.some(([, cmd]) => cmd.includes(join(DIST, 'computehub.js'))), 'the hub runs as a separate process');
    assert.ok(started.some(([, cmd]) => cmd.includes(join(DIST, 'gridnode.js'))), 'the node runs as a separate process');

    const nodes = (await hubCall<HubNode[]>(hubUrl, token, 'GET', '/api/nodes')).body;
    assert.deepEqual(nodes.map((n) => n.id), [info.nodeId]);
    assert.equal(nodes[0].cpu_count, 1);
    const nodeToml = readFileSync(join(skillDir, 'state', 'gridcore-local', 'gridnode.toml'), 'utf8');
    assert.match(nodeToml, new RegExp(`^node_id = "${info.nodeId}"$`, 'm'), 'the node wrote its id back like upstream');
    assert.doesNotMatch(nodeToml, /network_mode/, 'the stand-in dropped network_mode, as upstream does');
    assert.equal(new URL(info.profile.redisUrl).hostname, gateway, 'the Redis URL names the bridge gateway');

    // The containers, on Docker's default network, reach the cluster's Redis at the gateway.
    const task = { name: 'up-square', image: SQUARE_IMAGE, input_redis: info.profile.redisUrl, output_redis: info.profile.redisUrl, input_queue: 'up:in', output_queue: 'up:out' };
    assert.equal((await hubCall(hubUrl, token, 'POST', '/api/tasks', task)).status, 201);
    await r.lpush('up:in', ...Array.from({ length: 200 }, (_, i) => String(i)));
    await until('200 results', async () => (await r.llen('up:out')) === 200, 90_000, 300);
    const containers = await nodeContainers(env.docker, info.nodeId!);
    assert.equal(containers.length, 1);
    assert.match(containers[0].HostConfig.NetworkMode, /^(default|bridge)$/, 'the container is on the default network');
    assert.deepEqual(containers[0].Labels ?? {}, {}, 'upstream puts no labels on its containers');
  } finally {
    r.disconnect();
    assert.equal(await stopLocalCluster(), true);
  }
  assert.equal(await healthOk(hubUrl), false);
  assert.equal(await portFree(info.hubPort), true);
  assert.equal(await portFree(info.redisPort), true);
  // A container still running at the stop outlives upstream's node (computehub-api.md), and
  // consumers no longer idle out: it ends only when its consumer gives up on the stopped Redis
  // (120 s). Removed here, as a user does on that machine with `docker rm -f`.
  const left = await nodeContainers(env.docker, info.nodeId!);
  for (const c of left) await env.docker.getContainer(c.Id).remove({ force: true });
  const procs = [...descendants()].filter(([pid]) => !before.has(pid) && pidAlive(pid));
  assert.deepEqual(procs, [], 'no process of the cluster is left');
});

test('explicit binary paths are used as given; a hub binary that exits is reported with its stderr', async (t) => {
  if (await noBridge(t)) return;
  const failing = join(binDir, 'computehub-broken');
  writeFileSync(failing, '#!/bin/bash\necho "Error: Address already in use (os error 98)" >&2\nexit 1\n');
  chmodSync(failing, 0o755);
  const before = descendants();
  const err = await startLocalCluster({
    hubPort: await freePort(),
    redisPort: await freePort(),
    skillDir: join(env.dir, 'skill-broken'),
    dockerSocket: env.dockerd.socketPath,
    computehubBinary: failing,
    gridnodeBinary: join(binDir, 'gridnode'),
  }).then(
    () => assert.fail('should fail'),
    (e: Error & { code?: string }) => e,
  );
  assert.equal(err.code, 'step.hub');
  assert.match(err.message, /exited with code 1: Error: Address already in use/);
  const left = [...descendants()].filter(([pid]) => !before.has(pid) && pidAlive(pid));
  assert.deepEqual(left, [], 'Redis started before the hub was stopped again');
});
