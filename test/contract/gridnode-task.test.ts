// Contract: GET /gridnode/task (the full TaskConfig), platform choice, and the oddity that
// the last completed task is still handed to nodes. Needs a fresh hub (skipped otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEmpty, assertJson, call, skipUnlessFresh, useHub, type TestHub } from '../support/hub';
import type { TaskConfig } from '../../src/core/types';

const register = async (hub: TestHub, body: object) => assertEmpty(await call(hub, 'POST', '/api/tasks', { body }), 201);
const taskFor = async (hub: TestHub, platform?: string) =>
  assertJson<TaskConfig | null>(await call(hub, 'GET', '/gridnode/task' + (platform ? `?platform=${encodeURIComponent(platform)}` : '')));

test('[fresh hub] no task: 200 null', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  const r = await call(hub, 'GET', '/gridnode/task?platform=linux/amd64');
  assert.equal(r.text, 'null');
  assert.equal(assertJson(r), null);
});

test('[fresh hub] the running task with every field, unset ones null, redis_url null, keys in TaskConfig field order', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'full', image: 'img:1', input_redis: 'redis://:pw@r:6379/2', output_redis: 'rediss://r2:6380', input_queue: 'q:in', output_queue: 'q:out' });
  assert.deepEqual(await taskFor(hub, 'linux/amd64'), {
    image: 'img:1',
    input_queue: 'q:in',
    input_redis: 'redis://:pw@r:6379/2',
    output_queue: 'q:out',
    output_redis: 'rediss://r2:6380',
    redis_url: null,
    task_name: 'full',
  });
  const r = await call(hub, 'GET', '/gridnode/task');
  assert.equal(
    r.text,
    '{"task_name":"full","image":"img:1","redis_url":null,"input_redis":"redis://:pw@r:6379/2","output_redis":"rediss://r2:6380","input_queue":"q:in","output_queue":"q:out"}',
  );
});

test('[fresh hub] optional fields left out come back null', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'min', image: 'img' });
  assert.deepEqual(await taskFor(hub), {
    image: 'img', input_queue: null, input_redis: null, output_queue: null, output_redis: null, redis_url: null, task_name: 'min',
  });
});

test('[fresh hub] images: each platform gets its entry, else `image`', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'multi', image: 'img:any', images: { 'linux/amd64': 'img:amd64', 'linux/arm64': 'img:arm64' } });
  assert.equal((await taskFor(hub, 'linux/amd64'))?.image, 'img:amd64');
  assert.equal((await taskFor(hub, 'linux/arm64'))?.image, 'img:arm64');
  assert.equal((await taskFor(hub, 'linux/arm/v7'))?.image, 'img:any');
  assert.equal((await taskFor(hub))?.image, 'img:amd64', 'no platform means linux/amd64');
});

test('[fresh hub] images without `image`: a platform with no entry gets null', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'armonly', images: { 'linux/arm64': 'img:arm64' } });
  assert.equal(await taskFor(hub, 'linux/amd64'), null);
  assert.equal((await taskFor(hub, 'linux/arm64'))?.task_name, 'armonly');
});

test('[fresh hub] a task with neither image nor images gives nodes no task (yet it runs)', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'noimage' });
  assert.equal(await taskFor(hub, 'linux/amd64'), null);
  assert.equal(assertJson<{ current: string }>(await call(hub, 'GET', '/api/tasks')).current, 'noimage');
});

test('[fresh hub] oddity: the last completed task is still handed to nodes until a new one is registered', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'img:a' });
  await register(hub, { name: 'b', image: 'img:b' });
  await call(hub, 'POST', '/api/tasks/finish');
  assert.equal((await taskFor(hub))?.task_name, 'b');
  await call(hub, 'POST', '/api/tasks/finish');
  assert.equal(assertJson<{ current: string | null }>(await call(hub, 'GET', '/api/tasks')).current, null);
  assert.equal((await taskFor(hub))?.task_name, 'b', 'completed b still handed out');
  await register(hub, { name: 'c', image: 'img:c' });
  assert.equal((await taskFor(hub))?.task_name, 'c');
});

test('[fresh hub] a pending task is not handed out; finish switches what nodes get', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'img:a' });
  await register(hub, { name: 'b', image: 'img:b' });
  assert.equal((await taskFor(hub))?.task_name, 'a');
  await call(hub, 'POST', '/api/tasks/finish');
  assert.deepEqual([(await taskFor(hub))?.task_name, (await taskFor(hub))?.image], ['b', 'img:b']);
});
