// The local cluster's redis-server setting: a configured path that is not there fails with an
// error naming the path and the setting, before anything is started and without falling back to
// Docker; an empty setting still means "redis-server on PATH, else the image".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGridCoreError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/ports';
import { stepFailed } from '../../src/local/cluster';
import { REDIS_IMAGE, redisServerBinary, startLocalRedis } from '../../src/core/machine/redis-server';

const dir = mkdtempSync(join(tmpdir(), 'gridcore-redis-path-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function missingPathError(path: string) {
  return (e: unknown) => {
    assert.ok(isGridCoreError(e), String(e));
    assert.equal(e.boundary, 'local');
    assert.equal(e.code, 'redisServerMissing');
    assert.ok(e.message.includes(`redis-server not found at ${path}`), e.message);
    assert.match(e.message, /gridcore\.localCluster\.redisServerPath/, 'names the setting');
    assert.match(e.message, /Correct the path, or clear the setting/, 'says what to do');
    return true;
  };
}

test('a configured redis-server that is not there is an error naming the path and the setting', () => {
  const path = join(dir, 'no-such-redis-server');
  assert.throws(() => redisServerBinary(path), missingPathError(path));
  // a bare name that is on no PATH directory either
  assert.throws(() => redisServerBinary('redis-server-9', () => undefined), missingPathError('redis-server-9'));
});

test('a configured redis-server that is there is used, never the one on PATH', () => {
  const path = join(dir, 'my-redis-server');
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  const asked: string[] = [];
  assert.equal(redisServerBinary(path, (b) => (asked.push(b), b)), path);
  assert.deepEqual(asked, [path]);
  assert.equal(redisServerBinary(path), path, 'found by the real lookup');
});

test('no setting: redis-server on PATH, else undefined (the image)', () => {
  const asked: string[] = [];
  assert.equal(redisServerBinary(undefined, (b) => (asked.push(b), `/usr/bin/${b}`)), '/usr/bin/redis-server');
  assert.equal(redisServerBinary('', (b) => (asked.push(b), undefined)), undefined);
  assert.deepEqual(asked, ['redis-server', 'redis-server']);
});

test('startLocalRedis with a wrong configured path rejects before touching Docker', async () => {
  const path = join(dir, 'gone', 'redis-server');
  let dockerAsked = false;
  await assert.rejects(
    startLocalRedis({
      port: 1,
      password: 'pw-not-used',
      dataDir: join(dir, 'data'),
      redisServer: path,
      docker: () => {
        dockerAsked = true;
        throw new Error(`the ${REDIS_IMAGE} fallback was tried`);
      },
      logger: silentLogger,
    }),
    missingPathError(path),
  );
  assert.equal(dockerAsked, false, 'no silent fallback to the image');
});

test('the Redis step error: a missing configured path gets no "install redis-server" hint; other causes keep it', () => {
  const path = join(dir, 'gone', 'redis-server');
  let cause: unknown;
  try {
    redisServerBinary(path);
  } catch (e) {
    cause = e;
  }
  const missing = stepFailed('redis', cause);
  assert.equal(missing.code, 'step.redis');
  assert.equal(missing.cause, cause);
  assert.ok(missing.message.includes(`failed at step "Starting Redis": redis-server not found at ${path} (setting gridcore.localCluster.redisServerPath). Correct the path`), missing.message);
  assert.doesNotMatch(missing.message, /Install redis-server/);
  assert.match(missing.message, /else the redis:7-alpine image through Docker\. Everything it had started was stopped\.$/);

  const other = stepFailed('redis', new Error('Redis did not answer on port 6390 within 10 s.'));
  assert.match(other.message, /within 10 s\. Install redis-server \(or make the redis:7-alpine image available to Docker\), then try again\. Everything it had started/);
});
