// The local cluster's wait for its node: a hub that rejects the token is said at once, with
// the hub client's error, instead of waiting out the registration timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/core/errors';
import { waitForNode } from '../../src/local/cluster';
import { startHub } from '../../src/local/hub/server';

test('waitForNode reports a rejected token instead of waiting for a node', async () => {
  const hub = await startHub({ port: 0, token: 'right-token' });
  try {
    // A minute to wait: a timeout would end in "did not register", not in this error.
    await assert.rejects(waitForNode(hub.url, 'wrong-token', undefined, 60_000), (e: unknown) => {
      assert.ok(e instanceof HubError, String(e));
      assert.equal(e.code, 'unauthorized');
      assert.doesNotMatch(e.message, /wrong-token/);
      return true;
    });
  } finally {
    await hub.close();
  }
});

test('waitForNode returns the node once it registered', async () => {
  const hub = await startHub({ port: 0, token: 't' });
  try {
    const waiting = waitForNode(hub.url, 't', 'n-1', 60_000);
    await fetch(`${hub.url}/gridnode/register`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: JSON.stringify({ node_id: 'n-1', hostname: 'h', architecture: 'x86_64', cpu_count: 1 }),
    });
    assert.equal(await waiting, 'n-1');
  } finally {
    await hub.close();
  }
});
