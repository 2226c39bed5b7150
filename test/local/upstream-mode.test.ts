// The local cluster running upstream `computehub` / `gridnode` binaries instead of our
// in-process hub and node. Upstream's binaries cannot be downloaded here, so wrapper scripts
// of those names run our standalone builds (dist/computehub.js, dist/gridnode.js): they start
// from the config files the cluster writes, exactly as the binaries would. End to end: found
// on PATH ('auto'), health, node registered, a task squared through the cluster's Redis,
// node_id written back into gridnode.toml, and stop leaves no process and no container.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { test } from 'node:test';
import Redis from 'ioredis';
import type { HubNode } from '../../src/core/types';
import { runningLocalNode, startLocalCluster, stopLocalCluster } from '../../src/local/cluster';
import { healthOk } from '../../src/local/cluster/hub';
import { portFree } from '../../src/local/cluster/ports';
import { pidAlive } from '../../src/local/cluster/state';
import { freePort } from '../support/redis';
import { hubCall, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const DIST = resolve(__dirname, '../../dist');
let binDir: string;
const env = useLocalTestEnv({
  tempDir: 'gridcore-upstream-',
  setup: (e) => {
    for (const f of ['computehub.js', 'gridnode.js']) assert.ok(existsSync(join(DIST, f)), `${f} is built (node test/run.mjs local builds it)`);
    binDir = join(e.dir, 'bin');
    mkdirSync(binDir);
    wrapper('computehub', 'computehub.js');
    wrapper('gridnode', 'gridnode.js');
  },
  stopFirst: stopLocalCluster,
});

function wrapper(name: string, script: string): string {
  const file = join(binDir, name);
  writeFileSync(file, `#!/bin/bash\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(DIST, script))} "$@"\n`);
  chmodSync(file, 0o755);
  return file;
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

test('upstream binaries found on PATH: health, node registered, a task runs, stop leaves nothing', async () => {
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
    assert.match(nodeToml, /^network_mode = "host"$/m);

    // The containers reach the cluster's Redis on 127.0.0.1: the gridnode.toml we wrote works.
    const task = { name: 'up-square', image: SQUARE_IMAGE, input_redis: info.profile.redisUrl, output_redis: info.profile.redisUrl, input_queue: 'up:in', output_queue: 'up:out' };
    assert.equal((await hubCall(hubUrl, token, 'POST', '/api/tasks', task)).status, 201);
    await r.lpush('up:in', ...Array.from({ length: 200 }, (_, i) => String(i)));
    await until('200 results', async () => (await r.llen('up:out')) === 200, 90_000, 300);
    assert.equal((await nodeContainers(env.docker, info.nodeId!)).length, 1);
  } finally {
    r.disconnect();
    assert.equal(await stopLocalCluster(), true);
  }
  assert.equal(await healthOk(hubUrl), false);
  assert.equal(await portFree(info.hubPort), true);
  assert.equal(await portFree(info.redisPort), true);
  assert.deepEqual(await nodeContainers(env.docker, info.nodeId!), [], 'the node removed its containers before it exited');
  const left = [...descendants()].filter(([pid]) => !before.has(pid) && pidAlive(pid));
  assert.deepEqual(left, [], 'no process of the cluster is left');
});

test('explicit binary paths are used as given; a hub binary that exits is reported with its stderr', async () => {
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
