// The local cluster as its own detached process tree (dist/local-cluster.js): it outlives the
// process that started it (SIGKILLed during a running job: every result arrives, nothing is
// restarted), hides its secrets from `ps`, keeps running when started with stdin closed in the
// background, is stopped from anywhere, starts a SIGKILLed node process again, moves off a
// remembered port that is taken (naming its holder) and registers its tasks again with the new
// Redis URL, makes one cluster of two starts at once, and reads (or refuses, saying why) an
// older state folder, a damaged append-only file and a state folder of another user.
// Real Docker engine, real redis-server, the real bundles.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import Redis from 'ioredis';
import { GridCoreError } from '../../src/core/errors';
import type { TaskConfig } from '../../src/core/types';
import { startDetachedLocalCluster, stopAnyLocalCluster, type DetachedStart } from '../../src/local/local-cluster-api';
import { clusterPaths, pidAlive, readJson, type ClusterLock } from '../../src/local/cluster/state';
import { freePort } from '../support/redis';
import { hubCall, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');
const used = new Set<string>();
const env = useLocalTestEnv({
  tempDir: 'gridcore-detached-',
  // every cluster a test started goes before the engine it runs on
  stopFirst: async () => {
    for (const dir of used) await stopAnyLocalCluster({ skillDir: dir }).catch(() => undefined);
  },
});

const FAST_NODE = { parallelism: 2, heartbeatIntervalMs: 300, taskPollIntervalMs: 300, stopTimeoutMs: 1000, containerMemoryMb: 128 };

function skillDir(name: string): string {
  const dir = join(env.dir, name);
  used.add(dir);
  return dir;
}

async function start(name: string, extra: Parameters<typeof startDetachedLocalCluster>[0] = {}): Promise<DetachedStart> {
  return startDetachedLocalCluster({
    hubPort: await freePort(),
    redisPort: await freePort(),
    skillDir: skillDir(name),
    dockerSocket: env.dockerd.socketPath,
    node: FAST_NODE,
    startedBy: 'terminal',
    ...extra,
  });
}

function lockOf(dir: string): ClusterLock | undefined {
  return readJson<ClusterLock>(clusterPaths(dir).lock);
}

/** Child pids (Linux). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** A process of a Docker container (its cgroup names the container). */
function inContainer(pid: number): boolean {
  try {
    return /docker|containerd/.test(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  } catch {
    return true; // gone meanwhile
  }
}

/** The supervisor's children and grandchildren (under their watchdogs) whose command line has `marker`. */
function clusterProcesses(supervisor: number, marker: string): number[] {
  return children(supervisor)
    .flatMap((w) => [w, ...children(w)])
    .filter((p) => cmdline(p).includes(marker) && !cmdline(p).includes('GRIDCORE_WATCH_PARENT'));
}

async function squareTask(info: { profile: { computehubUrl: string; token: string; redisUrl: string } }, name: string) {
  const r = new Redis(info.profile.redisUrl, { maxRetriesPerRequest: 1 });
  const task = { name, image: SQUARE_IMAGE, input_redis: info.profile.redisUrl, output_redis: info.profile.redisUrl, input_queue: `${name}:in`, output_queue: `${name}:out` };
  assert.equal((await hubCall(info.profile.computehubUrl, info.profile.token, 'POST', '/api/tasks', task)).status, 201);
  return {
    task,
    push: (from: number, to: number) => r.lpush(task.input_queue, ...Array.from({ length: to - from + 1 }, (_, i) => String(from + i))),
    done: () => r.llen(task.output_queue),
    squared: async (from: number, to: number) => {
      const done = new Set(await r.lrange(task.output_queue, 0, -1));
      for (let n = from; n <= to; n++) if (!done.has(`${n}:${n * n}`)) return false;
      return true;
    },
    close: () => r.disconnect(),
  };
}

test('started detached by a process SIGKILLed during the job: every result arrives, nothing restarted, no secret on a command line', async () => {
  const dir = skillDir('outlives');
  const cluster = JSON.stringify(resolve(__dirname, '../../src/local/local-cluster-api.ts'));
  const fixtures = JSON.stringify(resolve(__dirname, 'fixtures.ts'));
  const [hubPort, redisPort] = [await freePort(), await freePort()];
  // The starter: what a VS Code window or a chat tool does (start, register, push), then it dies.
  const script = `const c = require(${cluster}); const f = require(${fixtures}); const Redis = require('ioredis');
    (async () => {
      const info = await c.startDetachedLocalCluster({ skillDir: ${JSON.stringify(dir)}, dockerSocket: ${JSON.stringify(env.dockerd.socketPath)}, hubPort: ${hubPort}, redisPort: ${redisPort}, node: ${JSON.stringify(FAST_NODE)}, startedBy: 'window' });
      const p = info.profile;
      const task = { name: 'outlive', image: f.SQUARE_IMAGE, input_redis: p.redisUrl, output_redis: p.redisUrl, input_queue: 'outlive:in', output_queue: 'outlive:out' };
      await f.hubCall(p.computehubUrl, p.token, 'POST', '/api/tasks', task);
      const r = new Redis(p.redisUrl);
      for (let i = 0; i < 40; i++) await r.lpush('outlive:in', ...Array.from({ length: 5000 }, (_, k) => String(i * 5000 + k + 1)));
      await f.until('the job runs', async () => (await r.llen('outlive:out')) > 0, 120000, 100);
      console.log(JSON.stringify(info));
      setInterval(() => {}, 1000);
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const starter = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((res, rej) => {
    starter.stdout.once('data', (d: Buffer) => res(d.toString()));
    starter.once('exit', (code) => rej(new Error(`starter exited with ${code}`)));
  })) as DetachedStart;
  assert.equal(info.startedHere, true);
  assert.equal(info.detached, true);
  assert.notEqual(info.pid, starter.pid, 'the cluster runs in a process of its own');
  starter.kill('SIGKILL');
  await until('the starter is gone', () => starter.exitCode !== null || starter.signalCode !== null, 10_000);

  const r = new Redis(info.profile.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    assert.ok((await r.llen('outlive:out')) < 200_000, 'the job was still running when its starter died');
    await until('all 200,000 results', async () => (await r.llen('outlive:out')) === 200_000, 600_000, 500);
    const lock = lockOf(dir)!;
    assert.equal(lock.pid, info.pid, 'the same supervisor');
    assert.deepEqual(lock.nodeRestarts, [0], 'no node restarted');
    assert.equal(lock.redisRestarts, 0, 'Redis not restarted');
    assert.equal(lock.startedBy, 'window');

    // Secrets: in no command line of the cluster's processes (redis-server reads its config file,
    // the node its toml). Processes inside the task's containers are the task's: the sample
    // consumer passes its Redis URL to redis-cli (media/templates/shell-square/consumer.sh).
    const password = decodeURIComponent(new URL(info.profile.redisUrl).password);
    const leaks = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(password) || l.includes(info.profile.token))
      .filter((l) => !inContainer(Number(l.trim().split(/\s+/)[0])));
    assert.deepEqual(leaks, [], 'a secret on a command line');
    for (const pid of [info.pid, ...children(info.pid).flatMap((c) => [c, ...children(c)])]) {
      assert.ok(!readFileSync(`/proc/${pid}/environ`, 'utf8').includes(password), `the Redis password in the environment of ${cmdline(pid)}`);
    }
    assert.equal(clusterProcesses(info.pid, 'redis-server').length, 1);
    assert.equal(clusterProcesses(info.pid, 'gridnode.js').length, 1);
    const paths = clusterPaths(dir);
    for (const f of [paths.lock, paths.skillState, paths.redisSecret, `${paths.redisDir}.conf`, join(paths.runDir, 'gridnode.toml'), paths.log]) {
      assert.equal(statSync(f).mode & 0o777, 0o600, `${f} is owner-only`);
    }
    assert.equal(statSync(paths.runDir).mode & 0o777, 0o700);
  } finally {
    r.disconnect();
  }
  // Stopped from a terminal (npm run stop:local), though a window started it.
  const stop = spawnSync(process.execPath, [join(DIST, 'mainjob.js'), '--stop'], { env: { ...process.env, HOME: join(env.dir, 'no-home') }, encoding: 'utf8' });
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, /No local cluster is running/, 'another home: another cluster');
  assert.equal(await stopAnyLocalCluster({ skillDir: dir }), true);
  assert.equal(pidAlive(info.pid), false);
  assert.equal(lockOf(dir), undefined);
});

test('npm run start:local -- --keep with stdin closed, in the background: the cluster keeps running; status says so; stop:local stops it', async () => {
  assert.ok(existsSync(join(DIST, 'mainjob.js')) && existsSync(join(DIST, 'local-cluster.js')), 'dist/mainjob.js and dist/local-cluster.js are built');
  const home = join(env.dir, 'home-keep');
  const skill = join(home, '.config', 'agents', 'skills', 'agent-idm-gridcore');
  used.add(skill);
  mkdirSync(home, { recursive: true });
  const out = join(home, 'out.txt');
  const cliEnv = { ...process.env, HOME: home, DOCKER_HOST: `unix://${env.dockerd.socketPath}` };
  // as a script would: `&`, stdin from /dev/null; the shell returns at once
  const sh = spawnSync('sh', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(join(DIST, 'mainjob.js'))} --keep --count 20 --nodes 2 < /dev/null > ${JSON.stringify(out)} 2>&1 &`], { env: cliEnv, cwd: ROOT });
  assert.equal(sh.status, 0);
  const text = () => (existsSync(out) ? readFileSync(out, 'utf8') : '');
  await until('start:local --keep is done', () => /keeps running in the background/.test(text()) || /Error/.test(text()), 300_000, 500);
  assert.match(text(), /keeps running in the background/, text());
  assert.match(text(), /20 \/ 20 results/);
  const lock = lockOf(skill)!;
  assert.equal(lock.startedBy, 'terminal');
  assert.equal(lock.nodeIds?.length, 2, '--nodes 2');
  // the command has ended; the cluster runs on
  await until('mainjob.js ended', () => !execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(`${join(DIST, 'mainjob.js')} --keep`), 30_000);
  await new Promise((r) => setTimeout(r, 2000));
  assert.ok(pidAlive(lock.pid));
  const status = spawnSync(process.execPath, [join(DIST, 'mainjob.js'), '--status'], { env: cliEnv, encoding: 'utf8' });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /The local cluster is running \(process \d+\)/);
  assert.match(status.stdout, /started from a terminal/);
  assert.match(status.stdout, /Node 2: /);
  assert.ok(!status.stdout.includes(lock.token));
  assert.match(status.stdout, /redis:\/\/:\*\*\*\*@/);

  const stop = spawnSync(process.execPath, [join(DIST, 'mainjob.js'), '--stop'], { env: cliEnv, encoding: 'utf8' });
  assert.equal(stop.status, 0, stop.stderr);
  assert.equal(pidAlive(lock.pid), false);
  const after = spawnSync(process.execPath, [join(DIST, 'mainjob.js'), '--status'], { env: cliEnv, encoding: 'utf8' });
  assert.equal(after.status, 3);
  assert.match(after.stdout, /No local cluster is running/);
});

test('a node process SIGKILLed is started again (with its id), and the job completes', async () => {
  const info = await start('node-kill');
  const task = await squareTask(info, 'nodekill');
  try {
    await task.push(1, 200);
    await until('1..200 squared', () => task.squared(1, 200), 180_000, 300);
    const [node] = clusterProcesses(info.pid, 'gridnode.js');
    assert.ok(node > 0, 'the node runs as a process of its own');
    process.kill(node, 'SIGKILL');
    await until('the node runs again', () => lockOf(skillDir('node-kill'))?.nodeRestarts?.[0] === 1 && clusterProcesses(info.pid, 'gridnode.js').length === 1, 60_000, 200);
    assert.notEqual(clusterProcesses(info.pid, 'gridnode.js')[0], node);
    const log = readFileSync(clusterPaths(skillDir('node-kill')).log, 'utf8');
    assert.match(log, new RegExp(`node ${info.nodeIds[0]} exited with code \\d+: starting it again in 1 s \\(restart 1\\)`));
    const nodes = (await hubCall<Array<{ id: string }>>(info.profile.computehubUrl, info.profile.token, 'GET', '/api/nodes')).body;
    assert.deepEqual(nodes.map((n) => n.id), info.nodeIds, 'the same node, no second one');
    await task.push(201, 400);
    await until('201..400 squared after the restart', () => task.squared(201, 400), 180_000, 300);
  } finally {
    task.close();
    await stopAnyLocalCluster({ skillDir: skillDir('node-kill') });
  }
});

test('a remembered port taken: the cluster names its holder, moves, and registers its task again with the new Redis URL', async () => {
  const dir = skillDir('moved');
  const paths = clusterPaths(dir);
  const [hubPort, redisPort] = [await freePort(), await freePort()];
  // The ports an earlier start used (no port set: the remembered ones come first).
  mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.ports, JSON.stringify({ hubPort, redisPort }), { mode: 0o600 });
  const first = await start('moved', { hubPort: undefined, redisPort: undefined });
  assert.equal(first.hubPort, hubPort);
  assert.equal(first.redisPort, redisPort);
  const task = await squareTask(first, 'movedtask');
  await task.push(1, 50);
  await until('1..50 squared', () => task.squared(1, 50), 180_000, 300);
  task.close();
  assert.equal(await stopAnyLocalCluster({ skillDir: dir }), true);

  // Another program takes the remembered Redis port meanwhile.
  const squatter = createServer();
  await new Promise<void>((r) => squatter.listen(redisPort, '127.0.0.1', r));
  try {
    const again = await start('moved', { hubPort: undefined, redisPort: undefined });
    assert.equal(again.hubPort, hubPort, 'the hub keeps its port');
    assert.notEqual(again.redisPort, redisPort);
    assert.equal(decodeURIComponent(new URL(again.profile.redisUrl).password), decodeURIComponent(new URL(first.profile.redisUrl).password), 'same password');
    const log = readFileSync(paths.log, 'utf8');
    assert.match(log, new RegExp(`port ${redisPort} is taken by process ${process.pid} \\(`));
    assert.match(log, /Redis moved from redis:\/\/:\*\*\*\*@127\.0\.0\.1:\d+ to redis:\/\/:\*\*\*\*@127\.0\.0\.1:\d+: registered 1 unfinished task\(s\) again with the new URL: movedtask/);
    const current = (await hubCall<TaskConfig>(again.profile.computehubUrl, again.profile.token, 'GET', '/gridnode/task?platform=linux/amd64')).body;
    assert.equal(current.task_name, 'movedtask');
    assert.equal(current.input_redis, again.profile.redisUrl);
    const r = new Redis(again.profile.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      assert.equal(await r.llen('movedtask:out'), 50, 'the same data');
      await r.lpush('movedtask:in', ...Array.from({ length: 50 }, (_, i) => String(51 + i)));
      await until('51..100 squared on the moved Redis', async () => (await r.llen('movedtask:out')) === 100, 180_000, 300);
    } finally {
      r.disconnect();
    }
    assert.equal(readJson<{ redisPort: number }>(paths.ports)?.redisPort, again.redisPort, 'the new port is remembered');
  } finally {
    squatter.close();
    await stopAnyLocalCluster({ skillDir: dir });
  }
});

test('two starts at once: one cluster, both told', async () => {
  const dir = skillDir('twice');
  const [hubPort, redisPort] = [await freePort(), await freePort()];
  const cluster = JSON.stringify(resolve(__dirname, '../../src/local/local-cluster-api.ts'));
  const script = `require(${cluster}).startDetachedLocalCluster({ skillDir: ${JSON.stringify(dir)}, dockerSocket: ${JSON.stringify(env.dockerd.socketPath)}, hubPort: ${hubPort}, redisPort: ${redisPort}, node: ${JSON.stringify(FAST_NODE)}, startedBy: 'terminal' })
    .then((i) => console.log(JSON.stringify({ pid: i.pid, startedHere: i.startedHere, url: i.profile.computehubUrl })), (e) => { console.log(JSON.stringify({ error: e.message })); })`;
  const run = () =>
    new Promise<{ pid?: number; startedHere?: boolean; url?: string; error?: string }>((res) => {
      const p = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.once('exit', () => res(JSON.parse(out.trim() || '{"error":"no output"}')));
    });
  try {
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.error, undefined, a.error);
    assert.equal(b.error, undefined, b.error);
    assert.equal(a.pid, b.pid, 'one supervisor');
    assert.equal(a.url, b.url);
    assert.deepEqual([a.startedHere, b.startedHere].sort(), [false, true], 'one of them started it, the other attached');
    const supervisors = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('local-cluster.js') && l.includes(dir));
    assert.equal(supervisors.length, 1, supervisors.join('\n'));
  } finally {
    await stopAnyLocalCluster({ skillDir: dir });
  }
});

test('a state folder from an older version (in-process node id, stale lock): started detached with the same node id and password', async () => {
  const dir = skillDir('older');
  const paths = clusterPaths(dir);
  mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  // Today's layout before this change: the in-process node's id file, the password, a lock of a dead owner.
  writeFileSync(join(paths.runDir, 'node.json'), JSON.stringify({ node_id: 'older-node-id-1' }), { mode: 0o600 });
  writeFileSync(paths.redisSecret, JSON.stringify({ password: 'older-password-0123456789' }), { mode: 0o600 });
  writeFileSync(paths.lock, JSON.stringify({ pid: 999_999, hubUrl: 'http://127.0.0.1:1', hubPort: 1, redisPort: 2, redisUrl: 'redis://:x@127.0.0.1:2', token: 't', startedAt: new Date().toISOString() }), { mode: 0o600 });
  try {
    const info = await start('older');
    assert.equal(info.startedHere, true);
    assert.deepEqual(info.nodeIds, ['older-node-id-1'], 'the node keeps its id');
    assert.equal(decodeURIComponent(new URL(info.profile.redisUrl).password), 'older-password-0123456789');
  } finally {
    await stopAnyLocalCluster({ skillDir: dir });
  }
});

test('a damaged append-only file: the start fails with the existing message (copy, repair or move away), nothing keeps running', async () => {
  const dir = skillDir('damaged');
  const info = await start('damaged');
  const r = new Redis(info.profile.redisUrl, { maxRetriesPerRequest: 1 });
  await r.lpush('kept', 'a', 'b');
  r.disconnect();
  await stopAnyLocalCluster({ skillDir: dir });
  const aofDir = join(clusterPaths(dir).redisDir, 'appendonlydir');
  const incr = join(aofDir, readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!);
  const bytes = readFileSync(incr);
  const damaged = Buffer.concat([bytes.subarray(0, 10), Buffer.from('GARBAGE'), bytes.subarray(10)]);
  writeFileSync(incr, damaged);
  const err = await start('damaged').then(
    () => assert.fail('started on a damaged file'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GridCoreError);
  assert.equal(err.code, 'step.redis');
  assert.match(err.message, /Redis could not read the queues saved in .*redis-check-aof --fix .*appendonly\.aof\.manifest/s);
  assert.match(err.message, /Bad file format reading the append only file/);
  assert.deepEqual(readFileSync(incr), damaged, 'nothing of the user\'s data was touched');
  assert.equal(lockOf(dir), undefined);
  assert.equal(existsSync(clusterPaths(dir).starting), false);
  await until('its supervisor ended', () => !execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').some((l) => l.includes('local-cluster.js') && l.includes(dir)), 15_000);
});

test('a state folder owned by another user: refused before anything starts, saying whose it is and what to do', async () => {
  const dir = skillDir('not-mine');
  const state = join(dir, 'state');
  mkdirSync(state, { recursive: true, mode: 0o700 });
  chownSync(state, 65534, 65534); // nobody
  const err = await start('not-mine').then(
    () => assert.fail('started in another user\'s folder'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GridCoreError);
  assert.equal(err.code, 'stateNotOurs');
  assert.match(err.message, /belongs to another user \(uid 65534\).*chown -R/s);
  assert.equal(existsSync(clusterPaths(dir).starting), false);
});

test('Stop Node and Start Node on the detached cluster from another process (as any window does): stopped said at once, back with its id', async () => {
  const dir = skillDir('stop-node');
  const info = await start('stop-node');
  const { localNodeState, onLocalNodeStopped, startLocalClusterNode } = await import('../../src/local/cluster');
  try {
    const id = info.nodeIds[0];
    assert.deepEqual(localNodeState(id, { skillDir: dir }), { nodeId: id, stopped: false });
    /** Stop Node as a window sends it; resolves with the id the lock then says stopped. */
    const stopNode = async (what: string): Promise<string | undefined> => {
      const keepAlive = setInterval(() => undefined, 1000);
      let sub: { dispose(): void } | undefined;
      try {
        const stopped = new Promise<string | undefined>((res, rej) => {
          sub = onLocalNodeStopped((n) => res(n), { skillDir: dir });
          setTimeout(() => rej(new Error(`${what}: the node was not seen stopped within 60 s`)), 60_000).unref();
        });
        assert.equal((await hubCall(info.profile.computehubUrl, info.profile.token, 'POST', `/api/nodes/${id}/stop`)).status, 200);
        return await stopped;
      } finally {
        sub?.dispose();
        clearInterval(keepAlive);
      }
    };
    assert.equal(await stopNode('the first stop'), id);
    assert.deepEqual(localNodeState(undefined, { skillDir: dir }), { nodeId: id, stopped: true });
    assert.equal(clusterProcesses(info.pid, 'gridnode.js').length, 0, 'a stopped node is not restarted');
    assert.equal(await startLocalClusterNode({ skillDir: dir }), id);
    assert.deepEqual(localNodeState(id, { skillDir: dir }), { nodeId: id, stopped: false });
    // Start Node says "running" only once the new process registered: a Stop Node at once after
    // it reaches that node (sent to the hub's stale entry of the stopped one, it was lost when
    // the new one registered, and the window waited for a stop that never came).
    assert.equal(await stopNode('a stop right after Start Node'), id);
    assert.equal(await startLocalClusterNode({ skillDir: dir }), id);
    await until('the node process runs again', () => clusterProcesses(info.pid, 'gridnode.js').length === 1, 30_000);
    assert.deepEqual(lockOf(dir)?.nodeRestarts, [0], 'a stop and a start are no restarts');
  } finally {
    await stopAnyLocalCluster({ skillDir: dir });
  }
});
