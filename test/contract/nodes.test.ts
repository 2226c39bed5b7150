// Contract: node registration, heartbeats, listing and stop requests. Tests use their own
// node ids, so most run against an external hub too; the ones that read the task handed
// out at registration need a fresh hub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEmpty, assertJson, assertText, call, skipUnlessFresh, uniqueId, useHub, type TestHub } from '../support/hub';
import type { HubNode, NodeRegisterResponse } from '../../src/core/types';

// chrono's RFC 3339 (AutoSi): nanoseconds in practice, fewer digits only when they are zeros.
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d{3}|\d{6}|\d{9}))?Z$/;
const SHAPE = 'Failed to deserialize the JSON body into the target type: ';

const registerNode = async (hub: TestHub, body: object) =>
  assertJson<NodeRegisterResponse>(await call(hub, 'POST', '/gridnode/register', { body }));
const heartbeat = (hub: TestHub, body: object | string) => call(hub, 'POST', '/gridnode/heartbeat', { body });
const nodes = async (hub: TestHub) => assertJson<HubNode[]>(await call(hub, 'GET', '/api/nodes'));
const nodeById = async (hub: TestHub, id: string) => (await nodes(hub)).find((n) => n.id === id);

test('register keeps a given node_id and answers {node_id, current_task}', async (t) => {
  const hub = await useHub(t);
  const id = uniqueId();
  const r = await call(hub, 'POST', '/gridnode/register', { body: { node_id: id, hostname: 'h1', architecture: 'x86_64', cpu_count: 4 } });
  const body = assertJson<NodeRegisterResponse>(r);
  assert.deepEqual(Object.keys(body), ['node_id', 'current_task']);
  assert.ok(r.text.startsWith(`{"node_id":${JSON.stringify(id)},"current_task":`), r.text);
  assert.equal(body.node_id, id);
});

test('register without node_id (or null) gets a UUID from the hub', async (t) => {
  const hub = await useHub(t);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const a = await registerNode(hub, { hostname: 'h', architecture: 'x86_64', cpu_count: 1 });
  const b = await registerNode(hub, { node_id: null, hostname: 'h', architecture: 'x86_64', cpu_count: 1 });
  assert.match(a.node_id, uuid);
  assert.match(b.node_id, uuid);
  assert.notEqual(a.node_id, b.node_id);
  assert.ok(await nodeById(hub, a.node_id));
});

test('node JSON: exact fields in upstream order, Online, runtime_status null until the first heartbeat', async (t) => {
  const hub = await useHub(t);
  const id = uniqueId();
  await registerNode(hub, { node_id: id, hostname: 'host-a', architecture: 'aarch64', cpu_count: 3 });
  const n = await nodeById(hub, id);
  assert.ok(n);
  assert.deepEqual(Object.keys(n), ['id', 'hostname', 'architecture', 'cpu_count', 'last_seen', 'status', 'runtime_status', 'active_containers']);
  assert.equal(n.hostname, 'host-a');
  assert.equal(n.architecture, 'aarch64');
  assert.equal(n.cpu_count, 3);
  assert.equal(n.status, 'Online');
  assert.equal(n.runtime_status, null);
  assert.equal(n.active_containers, 0);
  assert.match(n.last_seen, RFC3339_UTC);
  if (hub.ours) assert.match(n.last_seen, /\.\d{9}Z$/, 'nanoseconds, as chrono::Utc::now() gives them');
  assert.ok(Math.abs(Date.parse(n.last_seen) - Date.now()) < 5 * 60_000, 'last_seen is about now');
});

test('heartbeat updates runtime_status and active_containers; answers {stop_requested:false}', async (t) => {
  const hub = await useHub(t);
  const id = uniqueId();
  await registerNode(hub, { node_id: id, hostname: 'h', architecture: 'x86_64', cpu_count: 2 });
  for (const [status, count] of [['Running', 2], ['Error', 1], ['Idle', 0]] as const) {
    const r = await heartbeat(hub, { node_id: id, status, active_containers: count });
    assert.equal(r.text, '{"stop_requested":false}');
    assertJson(r);
    const n = await nodeById(hub, id);
    assert.equal(n?.runtime_status, status);
    assert.equal(n?.active_containers, count);
    assert.equal(n?.status, 'Online');
  }
});

test('heartbeat from an unknown node: 200 {stop_requested:false}, and it is not added', async (t) => {
  const hub = await useHub(t);
  const id = uniqueId('never-registered');
  const r = await heartbeat(hub, { node_id: id, status: 'Running', active_containers: 1 });
  assert.deepEqual(assertJson(r), { stop_requested: false });
  assert.equal(await nodeById(hub, id), undefined);
});

test('heartbeat with "running" in lower case: 422 unknown variant', async (t) => {
  const hub = await useHub(t);
  const body = '{"node_id":"n","status":"running","active_containers":1}';
  assertText(await heartbeat(hub, body), 422, SHAPE + 'status: unknown variant `running`, expected one of `Running`, `Idle`, `Error` at line 1 column 33');
});

test('heartbeat and register: other wrong shapes are 422/415/400 like any JSON route', async (t) => {
  const hub = await useHub(t);
  assertText(await heartbeat(hub, '{"node_id":"n","status":"Idle"}'), 422, SHAPE + 'missing field `active_containers` at line 1 column 31');
  assertText(await heartbeat(hub, '{"node_id":"n","status":"Idle","active_containers":-1}'), 422, SHAPE + 'active_containers: invalid value: integer `-1`, expected u32 at line 1 column 53');
  assertText(await heartbeat(hub, '{"node_id":"n","status":"Idle","active_containers":1.5}'), 422, SHAPE + 'active_containers: invalid type: floating point `1.5`, expected u32 at line 1 column 54');
  assertText(await call(hub, 'POST', '/gridnode/register', { body: { hostname: 'h', architecture: 'x86_64' } }), 422, SHAPE + 'missing field `cpu_count` at line 1 column 40');
  assertText(await call(hub, 'POST', '/gridnode/register', { body: { hostname: 'h', architecture: 'x', cpu_count: 1 }, contentType: null }), 415, 'Expected request with `Content-Type: application/json`');
  assertText(await heartbeat(hub, '{"node_id":'), 400, 'Failed to parse the request body as JSON: node_id: EOF while parsing a value at line 1 column 11');
});

test('stop an unknown node: 404 Node <id> not found', async (t) => {
  const hub = await useHub(t);
  const id = uniqueId('ghost');
  assertText(await call(hub, 'POST', `/api/nodes/${id}/stop`), 404, `Node ${id} not found`);
});

test('stop request: 200 empty, delivered on the next heartbeat; the entry stays listed', async (t) => {
  const hub = await useHub(t);
  const id = uniqueId();
  await registerNode(hub, { node_id: id, hostname: 'h', architecture: 'x86_64', cpu_count: 1 });
  assert.deepEqual(assertJson(await heartbeat(hub, { node_id: id, status: 'Running', active_containers: 1 })), { stop_requested: false });
  const r = await call(hub, 'POST', `/api/nodes/${id}/stop`);
  assertEmpty(r, 200);
  assert.deepEqual(assertJson(await heartbeat(hub, { node_id: id, status: 'Running', active_containers: 1 })), { stop_requested: true });
  assert.ok(await nodeById(hub, id), 'the hub keeps the node until it falls silent');
  assertEmpty(await call(hub, 'POST', `/api/nodes/${id}/stop`), 200);
});

test('re-registering with the same id replaces the entry (one entry, fresh runtime_status)', async (t) => {
  const hub = await useHub(t);
  const id = uniqueId();
  await registerNode(hub, { node_id: id, hostname: 'old', architecture: 'x86_64', cpu_count: 1 });
  await heartbeat(hub, { node_id: id, status: 'Running', active_containers: 1 });
  await registerNode(hub, { node_id: id, hostname: 'new', architecture: 'x86_64', cpu_count: 8 });
  const all = (await nodes(hub)).filter((n) => n.id === id);
  assert.equal(all.length, 1);
  assert.equal(all[0].hostname, 'new');
  assert.equal(all[0].cpu_count, 8);
  assert.equal(all[0].runtime_status, null);
});

test('[fresh hub] register hands the current task for the node\'s architecture', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  assert.equal((await registerNode(hub, { hostname: 'h', architecture: 'x86_64', cpu_count: 1 })).current_task, null);
  assertEmpty(await call(hub, 'POST', '/api/tasks', { body: { name: 'm', image: 'img:any', images: { 'linux/arm64': 'img:arm64', 'linux/arm/v7': 'img:armv7' }, input_queue: 'in' } }), 201);
  const amd = await registerNode(hub, { hostname: 'h', architecture: 'x86_64', cpu_count: 1 });
  assert.deepEqual(amd.current_task, { image: 'img:any', input_queue: 'in', input_redis: null, output_queue: null, output_redis: null, redis_url: null, task_name: 'm' });
  assert.equal((await registerNode(hub, { hostname: 'h', architecture: 'aarch64', cpu_count: 1 })).current_task?.image, 'img:arm64');
  assert.equal((await registerNode(hub, { hostname: 'h', architecture: 'arm', cpu_count: 1 })).current_task?.image, 'img:armv7');
  assert.equal((await registerNode(hub, { hostname: 'h', architecture: 'riscv64', cpu_count: 1 })).current_task?.image, 'img:any');
});

test('[fresh hub] GET /api/nodes on a hub with no nodes: []', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  const r = await call(hub, 'GET', '/api/nodes');
  assert.equal(r.text, '[]');
  assertJson(r);
});
