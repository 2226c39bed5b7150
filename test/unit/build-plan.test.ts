// Build and Register for a cluster whose nodes are elsewhere: the names it pushes to the
// cluster's registry (one per platform), and which refusals make it ask for a new login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTag, isRegistryAuthFailure, isValidTag, platformTag, registryHost, registryTag } from '../../src/ui-model/build-plan';

/** As the command does: build one tag per platform (or one), then push each under the registry. */
function pushed(registry: string, tag: string, platforms: Array<'linux/amd64' | 'linux/arm64'>): string[] {
  const built = platforms.length ? platforms.map((p) => platformTag(tag, p)) : [tag];
  return built.map((t) => registryTag(registry, t));
}

test('a loopback registry with a port and a namespace', () => {
  const names = pushed('127.0.0.1:5000/team', defaultTag('sqrt'), []);
  assert.deepEqual(names, ['127.0.0.1:5000/team/gridcore-task/sqrt:latest']);
  assert.ok(isValidTag(names[0]));
  assert.equal(registryHost('127.0.0.1:5000/team'), '127.0.0.1:5000');
});

test('one pushed name per platform, all valid references under the registry', () => {
  const names = pushed('https://registry.example.com:5000/team/', 'team-task:2', ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(names, ['registry.example.com:5000/team/team-task:2-amd64', 'registry.example.com:5000/team/team-task:2-arm64']);
  for (const n of names) assert.ok(isValidTag(n), n);
});

test('a tag that already names the registry is pushed as is; another registry is replaced', () => {
  assert.deepEqual(pushed('127.0.0.1:5000/team', '127.0.0.1:5000/team/task:1', []), ['127.0.0.1:5000/team/task:1']);
  assert.deepEqual(pushed('127.0.0.1:5000', 'localhost/task:1', []), ['127.0.0.1:5000/task:1']);
  assert.deepEqual(pushed('http://127.0.0.1:5000', 'task', []), ['127.0.0.1:5000/task']);
});

test('login problems (texts a real registry gives through the engine) ask for a new login; the rest do not', () => {
  for (const m of ['unauthorized: authentication required', 'no basic auth credentials', 'denied: requested access to the resource is denied', 'received unexpected HTTP status: 403 Forbidden']) {
    assert.ok(isRegistryAuthFailure(`The registry refused the push of r/x:1: ${m}. Check the registry address`), m);
  }
  for (const m of ['connection refused', 'name unknown: repository name not known to registry', 'blob upload unknown']) {
    assert.ok(!isRegistryAuthFailure(m), m);
  }
});
