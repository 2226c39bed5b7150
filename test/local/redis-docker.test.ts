// The local cluster's Redis fallback: with no redis-server to run, Redis comes from the
// redis:7-alpine image through Docker. Nothing can be pulled here, so the test makes an image
// of that name from this machine's redis-server and its libraries (as the base image does
// for redis-cli); it is removed afterwards so that other tests still see "no such image".
// Its data persists to a bind-mounted folder of this machine, like redis-server's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import type Docker from 'dockerode';
import Redis from 'ioredis';
import { runBuild } from '../../src/core/images/build-run';
import { silentLogger } from '../../src/core/ports';
import { binaryWithLibraries, findHostBinary, rootfsContext } from '../../src/local/base-image';
import { startLocalCluster, stopLocalCluster } from '../../src/local/cluster';
import { portFree } from '../../src/core/machine/free-ports';
import { REDIS_IMAGE, startLocalRedis } from '../../src/core/machine/redis-server';
import { freePort } from '../support/redis';
import { hubCall, nodeContainers, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const run = promisify(execFile);
const MADE_HERE = 'gridcore.test';
let madeImage = false;

const env = useLocalTestEnv({
  tempDir: 'gridcore-redis-docker-',
  setup: async (e) => {
    madeImage = await redisImageFromHost(e.docker);
  },
  stopFirst: async () => {
    await stopLocalCluster();
    if (madeImage) await env.docker.getImage(REDIS_IMAGE).remove({ force: true }).catch(() => undefined);
  },
});

/** Builds redis:7-alpine from the host's redis-server unless a real one is there; true when built. */
async function redisImageFromHost(docker: Docker): Promise<boolean> {
  try {
    const existing = await docker.getImage(REDIS_IMAGE).inspect();
    // one we made and left behind (a killed run) is rebuilt; a real one is used as it is
    if (!existing.Config?.Labels?.[MADE_HERE]) return false;
  } catch {
    // not there: made below
  }
  const server = await findHostBinary('redis-server', ['/usr/bin/redis-server']);
  assert.ok(server, 'redis-server is installed on this machine (apt-get install redis-server)');
  const dockerfile = `FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\nLABEL ${MADE_HERE}=redis-from-host\nCMD ["redis-server"]\n`;
  await runBuild(docker, rootfsContext(dockerfile, await binaryWithLibraries(server, 'usr/bin/redis-server')), { t: REDIS_IMAGE }, { where: 'test docker', dockerfileText: dockerfile });
  return true;
}

/** redis-cli on the host; the password goes through the environment, not the command line. */
async function cli(port: number, password: string | undefined, ...args: string[]): Promise<string> {
  const r = await run('redis-cli', ['-p', String(port), ...args], { env: { ...process.env, REDISCLI_AUTH: password ?? '' } }).catch((e: { stdout?: string; stderr?: string }) => e);
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

function redisContainers(docker: Docker): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: ['gridcore.local=redis'] } });
}

/** Runs `fn` with no redis-server on PATH (nothing else in the cluster start looks there). */
async function withoutRedisOnPath<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = ['/nonexistent-bin', join(env.dir, 'empty')].join(delimiter);
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

test('redis-server not found: the cluster runs Redis in a container, with a password, a job runs, stop removes it', async () => {
  const redisPort = await freePort();
  const hubPort = await freePort();
  const info = await withoutRedisOnPath(() =>
    startLocalCluster({
      hubPort,
      redisPort,
      skillDir: join(env.dir, 'skill'),
      dockerSocket: env.dockerd.socketPath,
      node: { parallelism: 1, heartbeatIntervalMs: 300, taskPollIntervalMs: 300, stopTimeoutMs: 1000, containerMemoryMb: 128 },
    }),
  );
  const password = decodeURIComponent(new URL(info.profile.redisUrl).password);
  const r = new Redis(info.profile.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    assert.equal(info.redisPort, redisPort);
    const containers = await redisContainers(env.docker);
    assert.equal(containers.length, 1, JSON.stringify(containers.map((c) => c.Names)));
    assert.equal(containers[0].Image, REDIS_IMAGE);
    assert.equal(containers[0].State, 'running');
    assert.deepEqual(containers[0].Names, [`/gridcore-local-redis-${redisPort}`]);

    // a password is required, and only the right one is taken
    assert.match(await cli(redisPort, undefined, 'PING'), /NOAUTH/);
    assert.match(await cli(redisPort, `not-${password}`, 'PING'), /WRONGPASS|invalid/i);
    assert.equal(await cli(redisPort, password, 'PING'), 'PONG');
    // the server answering is PID 1 of a container, not a process of this machine
    assert.match(await cli(redisPort, password, 'INFO', 'server'), /^process_id:1\r?$/m);

    // a job through it: the sample task squares a few numbers
    const task = { name: 'redis-docker-square', image: SQUARE_IMAGE, input_redis: info.profile.redisUrl, output_redis: info.profile.redisUrl, input_queue: 'rd:in', output_queue: 'rd:out' };
    assert.equal((await hubCall(info.profile.computehubUrl, info.profile.token, 'POST', '/api/tasks', task)).status, 201);
    await r.lpush('rd:in', ...Array.from({ length: 20 }, (_, i) => String(i + 1)));
    await until('20 results', async () => (await r.llen('rd:out')) === 20, 90_000, 300);
    const results = (await r.lrange('rd:out', 0, -1)).sort((a, b) => parseInt(a) - parseInt(b));
    assert.deepEqual(results.slice(0, 3), ['1:1', '2:4', '3:9']);
    assert.equal(results[19], '20:400');
  } finally {
    r.disconnect();
    assert.equal(await stopLocalCluster(), true);
  }
  assert.deepEqual(await redisContainers(env.docker), [], 'stop removed the Redis container');
  assert.deepEqual(await nodeContainers(env.docker, info.nodeId!), []);
  assert.equal(await portFree(redisPort), true);
});

test('the redis-server setting pointed at a file that is not there: the start fails naming the setting, no image is used', async () => {
  const hubPort = await freePort();
  const redisPort = await freePort();
  const missing = join(env.dir, 'no-such-redis-server');
  await assert.rejects(
    startLocalCluster({ hubPort, redisPort, skillDir: join(env.dir, 'skill-missing'), dockerSocket: env.dockerd.socketPath, redisServer: missing }),
    (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /failed at step "Starting Redis"/);
      assert.ok(e.message.includes(`redis-server not found at ${missing} (setting gridcore.localCluster.redisServerPath)`), e.message);
      return true;
    },
  );
  assert.deepEqual(await redisContainers(env.docker), [], 'no Redis container was started');
  assert.equal(await portFree(redisPort), true);
  assert.equal(await portFree(hubPort), true);
});

test('no redis-server on PATH: startLocalRedis uses the image, and stop removes the container', async () => {
  const port = await freePort();
  const saved = process.env.PATH;
  // PATH is read before the first await, so it can be put back at once
  process.env.PATH = ['/nonexistent-bin', join(env.dir, 'empty')].join(delimiter);
  let started: ReturnType<typeof startLocalRedis>;
  try {
    started = startLocalRedis({ port, password: 'pw-docker-fallback', dataDir: join(env.dir, 'redis-data'), docker: () => env.docker, logger: silentLogger });
  } finally {
    process.env.PATH = saved;
  }
  const redis = await started;
  try {
    assert.equal(redis.kind, 'docker');
    assert.ok(redis.containerId);
    assert.equal(redis.url, `redis://:pw-docker-fallback@127.0.0.1:${port}`);
    assert.equal(await cli(port, 'pw-docker-fallback', 'PING'), 'PONG');
  } finally {
    await redis.stop();
  }
  await assert.rejects(env.docker.getContainer(redis.containerId!).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  assert.equal(await portFree(port), true);
});

test('Redis in a container persists to the data folder as our user, and a container a killed owner left on it is stopped first', async () => {
  const dataDir = join(env.dir, 'docker-data');
  const first = await withoutRedisOnPath(async () => startLocalRedis({ port: await freePort(), password: 'pw-persist', dataDir, docker: () => env.docker, logger: silentLogger }));
  assert.equal(first.kind, 'docker');
  const r1 = new Redis(first.url, { maxRetriesPerRequest: 1 });
  await r1.lpush('kept', ...Array.from({ length: 1000 }, (_, i) => String(i)));
  r1.disconnect();
  // No stop: as when the owning process died by SIGKILL with the container still running.
  const second = await withoutRedisOnPath(async () => startLocalRedis({ port: await freePort(), password: 'pw-persist', dataDir, docker: () => env.docker, logger: silentLogger }));
  const r2 = new Redis(second.url, { maxRetriesPerRequest: 1 });
  try {
    await assert.rejects(env.docker.getContainer(first.containerId!).inspect(), (e: { statusCode?: number }) => e.statusCode === 404, 'the leftover was removed');
    assert.equal(await r2.llen('kept'), 1000, 'written by the first container, flushed by its graceful stop, read by the second');
    const files = readdirSync(join(dataDir, 'appendonlydir'));
    assert.ok(files.length > 0);
    for (const f of files) assert.equal(statSync(join(dataDir, 'appendonlydir', f)).uid, process.getuid!(), `${f} is ours, not the image's redis user's`);
  } finally {
    r2.disconnect();
    await second.stop();
  }
  assert.deepEqual(await redisContainers(env.docker), []);
});

test('Redis in a container on a damaged append-only file: the start fails at once saying how to repair it', async () => {
  const dataDir = join(env.dir, 'docker-damaged');
  const first = await withoutRedisOnPath(async () => startLocalRedis({ port: await freePort(), password: 'pw-damaged', dataDir, docker: () => env.docker, logger: silentLogger }));
  const r = new Redis(first.url, { maxRetriesPerRequest: 1 });
  await r.lpush('q', 'a', 'b', 'c');
  r.disconnect();
  await first.stop();
  const dir = join(dataDir, 'appendonlydir');
  const incr = join(dir, readdirSync(dir).find((f) => f.endsWith('.incr.aof'))!);
  const bytes = readFileSync(incr);
  writeFileSync(incr, Buffer.concat([bytes.subarray(0, 10), Buffer.from('GARBAGE'), bytes.subarray(10)]));
  await assert.rejects(
    withoutRedisOnPath(async () => startLocalRedis({ port: await freePort(), password: 'pw-damaged', dataDir, docker: () => env.docker, logger: silentLogger })),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'redisData', e.message);
      assert.ok(e.message.includes(`redis-check-aof --fix ${join(dir, 'appendonly.aof.manifest')}`), e.message);
      return true;
    },
  );
  assert.deepEqual(await redisContainers(env.docker), [], 'the failed container was removed');
});
