// The build splits the extension into sibling bundles (esbuild.mjs), and each holds its own
// copy of src/core/errors.ts and src/core/l10n.ts. Here the queues bundle is built as
// packaged (minified) and loaded next to the source modules: two copies in one process,
// as in the extension host. Its errors must pass `instanceof` against the source's classes,
// and its messages must go through the translator the source's setTranslator installed.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { ConfigError, DockerError, GridCoreError, HubError, isGridCoreError, RedisError } from '../../src/core/errors';
import { formatMessage, setTranslator } from '../../src/core/l10n';
import { silentLogger } from '../../src/core/ports';
import type { ServiceSettings } from '../../src/core/service-api';

type QueuesBundle = typeof import('../../src/core/queues/index');

const repoRoot = resolve(__dirname, '..', '..');
let dir: string;
let queues: QueuesBundle;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridcore-bundle-copies-'));
  const { extensionBuilds } = (await import(pathToFileURL(join(repoRoot, 'esbuild.mjs')).href)) as {
    extensionBuilds(o: { production: boolean; outdir: string }): BuildOptions[];
  };
  const options = extensionBuilds({ production: true, outdir: dir }).find((b) => JSON.stringify(b.entryPoints).includes('"queues"'));
  assert.ok(options, 'esbuild.mjs has no queues bundle');
  await build({ ...options, logLevel: 'warning' });
  queues = createRequire(__filename)(join(dir, 'queues.js')) as QueuesBundle;
});

after(() => {
  setTranslator(formatMessage);
  rmSync(dir, { recursive: true, force: true });
});

const settings = { redisTimeoutMs: 1000, pushBatchSize: 10 } as ServiceSettings;

/** The queues bundle throws a RedisError from its own copy of errors.ts for a URL that is not redis://. */
function bundleError(): unknown {
  try {
    queues.createQueueService('c', 'http://not-redis', settings, silentLogger);
  } catch (e) {
    return e;
  }
  assert.fail('the bundle accepted a non-redis URL');
}

test('an error from another bundle passes instanceof for its own class chain only', () => {
  const e = bundleError();
  assert.ok(!Object.is(Object.getPrototypeOf(e), RedisError.prototype), 'the bundle should hold its own copy of errors.ts');
  assert.ok(e instanceof RedisError);
  assert.ok(e instanceof GridCoreError);
  assert.ok(e instanceof Error);
  assert.ok(isGridCoreError(e));
  assert.equal(e instanceof HubError, false);
  assert.equal(e instanceof DockerError, false);
  assert.equal(e instanceof ConfigError, false);
  // Minified class names do not leak: `name` comes from the literal kind.
  assert.equal((e as RedisError).name, 'RedisError');
  assert.equal((e as RedisError).code, 'badurl');
});

test('instanceof keeps telling the classes apart within one copy', () => {
  const hub = new HubError('timeout', 'x', 504);
  assert.ok(hub instanceof HubError && hub instanceof GridCoreError);
  assert.equal(hub instanceof RedisError, false);
  assert.equal(hub.name, 'HubError');
  const local = new GridCoreError('local', 'x', 'y');
  assert.ok(local instanceof GridCoreError);
  assert.equal(local instanceof HubError, false);
  assert.equal(local.name, 'GridCoreError');
  assert.equal(new Error('plain') instanceof GridCoreError, false);
  assert.equal(isGridCoreError({ message: 'look-alike', code: 'x' }), false);
  assert.equal(isGridCoreError(null), false);
});

test('the translator set through one copy of l10n.ts translates messages of another bundle', () => {
  setTranslator((message, args) => `zh:${formatMessage(message, args)}`);
  const e = bundleError() as RedisError;
  assert.match(e.message, /^zh:The Redis URL http:\/\/not-redis\/? is not a redis:\/\//);
  setTranslator(formatMessage);
  assert.match((bundleError() as RedisError).message, /^The Redis URL/);
});
