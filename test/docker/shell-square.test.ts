// The offline sample end to end: the shell-square template built on the local base image,
// run as GridNode runs it (host network, the env it sets) against a real Redis with a
// password: 1,000 numbers in, 1,000 correct results out; it keeps waiting until `docker stop`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import Redis from 'ioredis';
import { ensureDocker, type DockerHandle } from '../support/docker';
import { startRedis, type TestRedis } from '../support/redis';
import { demux, runContainer } from '../support/container';
import { until } from '../support/until';
import { createImageService } from '../../src/core/images';
import { ensureBaseImage } from '../../src/local/base-image';
import { createFromTemplate, listTemplates } from '../../src/core/templates';
import { silentLogger } from '../../src/core/ports';

let handle: DockerHandle;
let docker: Dockerode;
let redis: TestRedis;
let client: Redis;
let work: string;
const tag = `gridcore-test/shell-square:${process.pid}`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'gc-square-'));
  [handle, redis] = await Promise.all([ensureDocker(), startRedis({ password: 's3cret-pw' })]);
  docker = new Dockerode({ socketPath: handle.socketPath });
  client = new Redis(redis.url, { lazyConnect: true });
  await client.connect();
  await ensureBaseImage(docker);
});

after(async () => {
  client?.disconnect();
  await docker?.getImage(tag).remove({ force: true }).catch(() => {});
  await redis?.stop();
  await handle?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('shell-square: 1,000 numbers in, 1,000 squares out', async () => {
  const templates = await listTemplates();
  assert.equal(templates[0].id, 'shell-square');
  const dir = join(work, 'square');
  await createFromTemplate('shell-square', dir, { taskName: 'square-test' });

  const images = createImageService({ hubTimeoutMs: 5000, redisTimeoutMs: 5000, dockerTimeoutMs: 10_000, pushBatchSize: 1000 }, silentLogger, { socketPath: handle.socketPath });
  await images.build({ context: dir, tag });

  const numbers = Array.from({ length: 1000 }, (_, i) => String(i + 1));
  numbers.push('-7', '2.5');
  await client.lpush('square-test:input', ...numbers);
  // It waits for work for as long as it runs; `docker stop` (SIGTERM) ends it with status 0.
  const c = await docker.createContainer({
    Image: tag,
    Env: [
      'TASK_NAME=square-test',
      `INPUT_REDIS_URL=${redis.url}`,
      `OUTPUT_REDIS_URL=${redis.url}`,
      'INPUT_QUEUE=square-test:input',
      'OUTPUT_QUEUE=square-test:output',
    ],
    HostConfig: { NetworkMode: 'host' },
  });
  let run: { exitCode: number; stdout: string; stderr: string };
  try {
    await c.start();
    await until('all results', async () => (await client.llen('square-test:output')) === numbers.length, 120_000, 100);
    await new Promise((ok) => setTimeout(ok, 1000));
    assert.equal((await c.inspect()).State.Running, true, 'still running with its input empty');
    await c.stop({ t: 20 });
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    run = { exitCode: StatusCode, ...demux((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer) };
  } finally {
    await c.remove({ force: true }).catch(() => {});
  }
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /stopping \(SIGTERM\)/);
  assert.equal(await client.llen('square-test:input'), 0);
  const results = await client.lrange('square-test:output', 0, -1);
  assert.equal(results.length, numbers.length);
  const expected = new Set(numbers.map((n) => `${n}:${Number(n) * Number(n)}`));
  assert.deepEqual(new Set(results), expected);
  assert.doesNotMatch(run.stdout + run.stderr, /s3cret-pw/);
});

test('shell-square: a wrong password makes the consumer fail loudly, not spin', async () => {
  const bad = redis.url.replace('s3cret-pw', 'wrong');
  const run = await runContainer(
    docker,
    { Image: tag, Env: [`INPUT_REDIS_URL=${bad}`, 'INPUT_QUEUE=q'], HostConfig: { NetworkMode: 'host' } },
    { timeoutMs: 60_000 },
  );
  assert.notEqual(run.exitCode, 0);
  assert.match(run.stderr, /WRONGPASS|NOAUTH|AUTH/);
});
