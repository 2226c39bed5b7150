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

/** POST to our hub as a node or a client would. */
async function post(url: string, token: string, body?: unknown): Promise<{ status: number; body: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

test('a node started again counts once it registered again, not while the hub still lists the stopped one (a stop sent to that entry is lost)', async () => {
  const hub = await startHub({ port: 0, token: 't' });
  const node = { node_id: 'n-1', hostname: 'h', architecture: 'x86_64', cpu_count: 1 };
  const beat = () => post(`${hub.url}/gridnode/heartbeat`, 't', { node_id: 'n-1', status: 'Idle', active_containers: 0 });
  try {
    // The node ran, was told to stop, and exited: the hub lists it until it has been silent a minute.
    await post(`${hub.url}/gridnode/register`, 't', node);
    assert.equal((await post(`${hub.url}/api/nodes/n-1/stop`, 't')).status, 200);
    assert.equal(JSON.parse((await beat()).body).stop_requested, true);
    const stoppedAt = Date.now();
    while (Date.now() === stoppedAt) await new Promise((r) => setImmediate(r));
    const since = Date.now();

    // Start Node: until the new process registers, only the stale entry is listed.
    await assert.rejects(waitForNode(hub.url, 't', 'n-1', 1000, undefined, since), /did not register/);
    // What went wrong when Start Node took the stale entry for the new node: a Stop Node sent
    // then is lost, since the registration rewrites the entry (upstream's hub does the same).
    assert.equal((await post(`${hub.url}/api/nodes/n-1/stop`, 't')).status, 200);
    const waiting = waitForNode(hub.url, 't', 'n-1', 60_000, undefined, since);
    await post(`${hub.url}/gridnode/register`, 't', node);
    assert.equal(await waiting, 'n-1');
    assert.equal(JSON.parse((await beat()).body).stop_requested, false, 'the hub kept a stop sent before the registration');
    // A stop sent once the wait said "registered" reaches the node.
    assert.equal((await post(`${hub.url}/api/nodes/n-1/stop`, 't')).status, 200);
    assert.equal(JSON.parse((await beat()).body).stop_requested, true);
  } finally {
    await hub.close();
  }
});
