// Contract: the hub drops a node after 60 s without a heartbeat, sweeping every 30 s.
// Waiting that long has no place in a test suite, so this runs only against our hub, with
// both times shortened through its options (skipped against an external hub).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertEmpty, assertJson, assertText, call, skipUnlessOurs, useHub, type TestHub } from '../support/hub';
import type { HubNode } from '../../src/core/types';

const ids = async (hub: TestHub) => assertJson<HubNode[]>(await call(hub, 'GET', '/api/nodes')).map((n) => n.id);

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let k = 0; k < 200; k++) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting: ${what}`);
}

test('[our hub, short timeouts] a silent node is dropped by the sweep; a heartbeating one stays', async (t) => {
  const hub = await useHub(t, { nodeTimeoutMs: 300, sweepIntervalMs: 50 });
  if (skipUnlessOurs(t, hub, 'needs nodeTimeoutMs/sweepIntervalMs shortened (upstream: 60 s / 30 s)')) return;
  for (const id of ['silent', 'alive']) {
    assertJson(await call(hub, 'POST', '/gridnode/register', { body: { node_id: id, hostname: 'h', architecture: 'x86_64', cpu_count: 1 } }));
  }
  let beating = true;
  const beat = (async () => {
    while (beating) {
      await call(hub, 'POST', '/gridnode/heartbeat', { body: { node_id: 'alive', status: 'Idle', active_containers: 0 } });
      await sleep(30);
    }
  })();
  try {
    await until(async () => !(await ids(hub)).includes('silent'), 'silent node dropped');
    assert.deepEqual(await ids(hub), ['alive']);
  } finally {
    beating = false;
    await beat;
  }
  // Once dropped, the node is unknown: heartbeat says false, stop says 404.
  await until(async () => !(await ids(hub)).includes('alive'), 'alive node dropped once silent');
  assert.deepEqual(assertJson(await call(hub, 'POST', '/gridnode/heartbeat', { body: { node_id: 'alive', status: 'Idle', active_containers: 0 } })), { stop_requested: false });
  assertText(await call(hub, 'POST', '/api/nodes/alive/stop'), 404, 'Node alive not found');
});

test('[our hub, short timeouts] a stopped node that stops heartbeating disappears', async (t) => {
  const hub = await useHub(t, { nodeTimeoutMs: 200, sweepIntervalMs: 40 });
  if (skipUnlessOurs(t, hub, 'needs nodeTimeoutMs/sweepIntervalMs shortened')) return;
  assertJson(await call(hub, 'POST', '/gridnode/register', { body: { node_id: 'n', hostname: 'h', architecture: 'x86_64', cpu_count: 1 } }));
  assertEmpty(await call(hub, 'POST', '/api/nodes/n/stop'), 200);
  assert.deepEqual(assertJson(await call(hub, 'POST', '/gridnode/heartbeat', { body: { node_id: 'n', status: 'Idle', active_containers: 0 } })), { stop_requested: true });
  await until(async () => (await ids(hub)).length === 0, 'stopped node dropped');
});
