// startLocalCluster end to end on a real Docker engine: a taken hub port is moved, the
// skill's state file is written (mode 600), a second caller (another process, as a second
// VS Code window) finds the running cluster, stop leaves nothing running; with Docker down
// the error names the step and nothing is left behind.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { isGridCoreError } from '../../src/core/errors';
import { findRunningLocalCluster, startLocalCluster, stopLocalCluster, type ClusterStep } from '../../src/local/cluster';
import { healthOk } from '../../src/local/cluster/hub';
import { portFree } from '../../src/core/machine/free-ports';
import { redisAnswers } from '../../src/core/machine/redis-server';
import { pidAlive } from '../../src/local/cluster/state';
import { freePort } from '../support/redis';
import { nodeContainers, useLocalTestEnv } from './fixtures';

const run = promisify(execFile);
// the temp folder is the skill folder of these clusters
const env = useLocalTestEnv({ images: false, tempDir: 'gridcore-skill-', stopFirst: stopLocalCluster });

function occupy(port: number): Promise<Server> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(port, '127.0.0.1', () => res(s));
  });
}

test('starts with a taken hub port, is found by a second process, stops with nothing left', async () => {
  const takenPort = await freePort();
  const blocker = await occupy(takenPort);
  const steps: ClusterStep[] = [];
  try {
    const info = await startLocalCluster({
      hubPort: takenPort,
      redisPort: await freePort(),
      skillDir: env.dir,
      dockerSocket: env.dockerd.socketPath,
      node: { parallelism: 1, heartbeatIntervalMs: 300, taskPollIntervalMs: 300, stopTimeoutMs: 1000, containerMemoryMb: 128 },
      onStep: (s) => steps.push(s),
    });
    assert.deepEqual(steps, ['docker', 'ports', 'secrets', 'redis', 'hub', 'node', 'register', 'state']);
    assert.notEqual(info.hubPort, takenPort);
    assert.equal(info.movedPorts.hub, true);
    assert.equal(info.profile.name, 'local');
    assert.ok(await healthOk(info.profile.computehubUrl));
    const password = decodeURIComponent(new URL(info.profile.redisUrl).password);
    assert.ok(password.length >= 16);
    assert.ok(await redisAnswers(info.redisPort, password));
    assert.ok(info.nodeId);

    const stateFile = join(env.dir, 'state', 'local_cluster.json');
    assert.equal(statSync(stateFile).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(stateFile, 'utf8')), {
      computehub: { url: info.profile.computehubUrl },
      token: info.profile.token,
      redis: { url: info.profile.redisUrl },
    });

    assert.deepEqual(await startLocalCluster({ skillDir: env.dir }), info, 'a second call in this process gets the same cluster');
    const script = `require(${JSON.stringify(resolve(__dirname, '../../src/local/cluster.ts'))}).findRunningLocalCluster({ skillDir: ${JSON.stringify(env.dir)} }).then((c) => console.log(JSON.stringify(c)))`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script]);
    const other = JSON.parse(stdout);
    assert.equal(other.ownedHere, false);
    assert.equal(other.pid, process.pid);
    assert.equal(other.profile.computehubUrl, info.profile.computehubUrl);
    assert.equal(other.profile.token, info.profile.token);

    assert.equal(await stopLocalCluster(), true);
    assert.equal(await healthOk(info.profile.computehubUrl), false);
    assert.equal(await portFree(info.redisPort), true, 'Redis stopped');
    assert.deepEqual(await nodeContainers(env.docker, info.nodeId!), []);
    assert.equal(existsSync(stateFile), false);
    assert.equal(await findRunningLocalCluster({ skillDir: env.dir }), undefined);
  } finally {
    blocker.close();
    await stopLocalCluster();
  }
});

test('Docker down: the error names the step and nothing is left running', async () => {
  const hubPort = await freePort();
  const redisPort = await freePort();
  const err = await startLocalCluster({ hubPort, redisPort, skillDir: env.dir, dockerSocket: join(env.dir, 'no-docker.sock') }).then(
    () => assert.fail('should fail'),
    (e: unknown) => e,
  );
  assert.ok(isGridCoreError(err));
  assert.equal(err.boundary, 'local');
  assert.equal(err.code, 'step.docker');
  assert.match(err.message, /Checking Docker/);
  assert.match(err.message, /Start Docker/);
  assert.equal(await portFree(hubPort), true);
  assert.equal(await portFree(redisPort), true);
  assert.equal(existsSync(join(env.dir, 'state', 'gridcore-local.lock.json')), false);
  assert.equal(await findRunningLocalCluster({ skillDir: env.dir }), undefined);
});

test('a failing later step (redis-server missing and no image) stops what it had started', async () => {
  const err = await startLocalCluster({
    hubPort: await freePort(),
    redisPort: await freePort(),
    skillDir: env.dir,
    dockerSocket: env.dockerd.socketPath,
    redisServer: '/nonexistent/redis-server',
  }).then(
    () => assert.fail('should fail'),
    (e: unknown) => e,
  );
  assert.ok(isGridCoreError(err));
  assert.equal(err.code, 'step.redis');
  assert.match(err.message, /redis-server/);
});

test('a child started through the watchdog dies with its parent', async () => {
  const script = `
    const { spawnWatched } = require(${JSON.stringify(resolve(__dirname, '../../src/core/machine/watchdog.ts'))});
    const p = spawnWatched('sleep', ['60']);
    setTimeout(() => { console.log(p.pid); }, 300);`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const watchdogPid = Number(await new Promise<string>((res) => parent.stdout.once('data', (d: Buffer) => res(d.toString()))));
  assert.ok(pidAlive(watchdogPid));
  parent.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (pidAlive(watchdogPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(pidAlive(watchdogPid), false);
  assert.ok(pidAlive(process.pid));
});

test('another process learns who started the cluster (a terminal) and can ask it to stop', async () => {
  let stoppedByRequest = 0;
  try {
    const info = await startLocalCluster({
      redisPort: await freePort(),
      hubPort: await freePort(),
      skillDir: env.dir,
      dockerSocket: env.dockerd.socketPath,
      node: { parallelism: 1, heartbeatIntervalMs: 300, taskPollIntervalMs: 300, stopTimeoutMs: 1000, containerMemoryMb: 128 },
      startedBy: 'terminal',
      onStoppedByRequest: () => stoppedByRequest++,
    });
    const cluster = JSON.stringify(resolve(__dirname, '../../src/local/cluster.ts'));
    const dir = JSON.stringify(env.dir);
    // The other process (a VS Code window) sees the owner, then asks it to stop, as "Stop It Anyway" does.
    const script = `const c = require(${cluster});
      c.findRunningLocalCluster({ skillDir: ${dir} }).then(async (found) => {
        const stopped = await c.requestStopLocalCluster({ skillDir: ${dir}, timeoutMs: 30000 });
        console.log(JSON.stringify({ found, stopped }));
      })`;
    const child = run(process.execPath, ['--import', 'tsx', '-e', script]);
    const { stdout } = await child;
    const { found, stopped } = JSON.parse(stdout);
    assert.equal(found.ownedHere, false);
    assert.equal(found.startedBy, 'terminal');
    assert.equal(found.pid, process.pid);
    assert.equal(stopped, true);
    assert.equal(stoppedByRequest, 1);
    assert.equal(await healthOk(info.profile.computehubUrl), false);
    assert.deepEqual(await nodeContainers(env.docker, info.nodeId!), []);
    assert.equal(await findRunningLocalCluster({ skillDir: env.dir }), undefined);
  } finally {
    await stopLocalCluster();
  }
});

test('npm run start:local --keep: returns with the cluster running detached; a VS Code window names the terminal as the owner and stops it', async () => {
  const home = join(env.dir, 'home');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../src/local/mainjob-main.ts'), '--keep', '--count', '200'], {
    env: { ...process.env, HOME: home, DOCKER_HOST: `unix://${env.dockerd.socketPath}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const skillDir = join(home, '.config', 'agents', 'skills', 'agent-idm-gridcore');
  try {
    // --keep returns once the job is done; the cluster goes on in its own process
    assert.equal(await exited, 0, out);
    assert.match(out, /keeps running in the background/, out);
    const found = await findRunningLocalCluster({ skillDir });
    assert.equal(found?.ownedHere, false);
    assert.equal(found?.detached, true);
    assert.equal(found?.startedBy, 'terminal');
    assert.notEqual(found?.pid, child.pid);
    assert.equal(await healthOk(found!.profile.computehubUrl), true);
    // What Stop Local Cluster does in any window.
    const { stopAnyLocalCluster } = await import('../../src/local/local-cluster-api');
    assert.equal(await stopAnyLocalCluster({ skillDir, timeoutMs: 60_000 }), true);
    assert.equal(await healthOk(found!.profile.computehubUrl), false);
    assert.equal(pidAlive(found!.pid), false);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const { stopAnyLocalCluster } = await import('../../src/local/local-cluster-api');
    await stopAnyLocalCluster({ skillDir }).catch(() => undefined);
  }
});
