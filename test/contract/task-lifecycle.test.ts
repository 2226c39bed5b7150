// Contract: the task list (names only), auto-start, duplicate names, finish and its
// repeated-finish oddity, legacy next. Every test here needs a fresh hub (an empty task
// list) and is skipped against an external hub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEmpty, assertJson, assertText, call, skipUnlessFresh, useHub, type TestHub } from '../support/hub';
import type { FinishResult, HubTaskList, NextResult } from '../../src/core/types';

const register = async (hub: TestHub, body: object) => assertEmpty(await call(hub, 'POST', '/api/tasks', { body }), 201);
const list = async (hub: TestHub) => assertJson<HubTaskList>(await call(hub, 'GET', '/api/tasks'));
const finish = async (hub: TestHub) => assertJson<FinishResult>(await call(hub, 'POST', '/api/tasks/finish'));

test('[fresh hub] empty list: current null, no pending, no completed', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  const r = await call(hub, 'GET', '/api/tasks');
  assert.equal(r.text, '{"current":null,"pending":[],"completed":[]}');
  assertJson(r);
});

test('[fresh hub] the first task ever starts at once; later ones wait as pending', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'img:a' });
  assert.deepEqual(await list(hub), { completed: [], current: 'a', pending: [] });
  await register(hub, { name: 'b', image: 'img:b' });
  await register(hub, { name: 'c', image: 'img:c' });
  assert.deepEqual(await list(hub), { completed: [], current: 'a', pending: ['b', 'c'] });
});

test('[fresh hub] only names come back: no image, queues or Redis URLs', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'img', input_redis: 'redis://:pw@h:6379', input_queue: 'in', output_queue: 'out' });
  const r = await call(hub, 'GET', '/api/tasks');
  assert.equal(r.text, '{"current":"a","pending":[],"completed":[]}');
});

test('[fresh hub] duplicate names append a second entry', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'dup', image: 'i' });
  await register(hub, { name: 'dup', image: 'i' });
  await register(hub, { name: 'dup', image: 'i' });
  assert.deepEqual(await list(hub), { completed: [], current: 'dup', pending: ['dup', 'dup'] });
  await finish(hub);
  assert.deepEqual(await list(hub), { completed: ['dup'], current: 'dup', pending: ['dup'] });
});

test('[fresh hub] finish before any task ever ran: 400 No current task running', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  assertText(await call(hub, 'POST', '/api/tasks/finish'), 400, 'No current task running');
});

test('[fresh hub] finish completes the running task and starts the next pending one', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'i' });
  await register(hub, { name: 'b', image: 'i' });
  const raw = await call(hub, 'POST', '/api/tasks/finish');
  // finish's body is serde_json's json! macro: alphabetical keys, unlike the structs.
  assert.equal(raw.text, `{"completed":"a","message":"Task 'a' completed, 'b' started","started":"b"}`);
  const r = assertJson<FinishResult>(raw);
  assert.deepEqual(Object.keys(r), ['completed', 'message', 'started']);
  assert.deepEqual(await list(hub), { completed: ['a'], current: 'b', pending: [] });
});

test('[fresh hub] oddity: after the last task completes, finish again answers 200 with the same name and started null', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'only', image: 'i' });
  const raw = await call(hub, 'POST', '/api/tasks/finish');
  assert.equal(raw.text, `{"completed":"only","message":"Task 'only' completed, no more tasks","started":null}`);
  const first = assertJson<FinishResult>(raw);
  assert.equal(first.completed, 'only');
  assert.equal(first.started, null);
  assert.deepEqual(await list(hub), { completed: ['only'], current: null, pending: [] });
  for (let k = 0; k < 3; k++) {
    const again = await finish(hub);
    assert.equal(again.completed, 'only');
    assert.equal(again.started, null);
    assert.equal(again.message, "Task 'only' completed, no more tasks");
  }
  assert.deepEqual(await list(hub), { completed: ['only'], current: null, pending: [] });
});

test('[fresh hub] a task registered when all earlier ones completed starts at once', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'i' });
  await finish(hub);
  await register(hub, { name: 'b', image: 'i' });
  assert.deepEqual(await list(hub), { completed: ['a'], current: 'b', pending: [] });
  await register(hub, { name: 'c', image: 'i' });
  assert.deepEqual(await list(hub), { completed: ['a'], current: 'b', pending: ['c'] });
  const r = await finish(hub);
  assert.deepEqual([r.completed, r.started], ['b', 'c']);
});

test('[fresh hub] legacy next: {previous, current} while a task follows', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'i' });
  await register(hub, { name: 'b', image: 'i' });
  const r = await call(hub, 'POST', '/api/tasks/next');
  assert.equal(r.text, '{"current":"b","previous":"a"}');
  assert.deepEqual(assertJson<NextResult>(r), { current: 'b', previous: 'a' });
  assert.deepEqual(await list(hub), { completed: ['a'], current: 'b', pending: [] });
});

test('[fresh hub] legacy next with nothing to switch to: 400 No more tasks available', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  assertText(await call(hub, 'POST', '/api/tasks/next'), 400, 'No more tasks available');
  await register(hub, { name: 'a', image: 'i' });
  assertText(await call(hub, 'POST', '/api/tasks/next'), 400, 'No more tasks available');
});

test('[fresh hub] finish and next take no body: one is ignored', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await register(hub, { name: 'a', image: 'i' });
  const r = await call(hub, 'POST', '/api/tasks/finish', { body: 'anything', contentType: 'text/plain' });
  assert.equal(assertJson<FinishResult>(r).completed, 'a');
});
