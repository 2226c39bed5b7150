// Contract: POST /api/tasks request bodies, with axum's exact rejection texts.
// Tests that register a task need a fresh hub (they change the task list) and are skipped
// against an external hub; rejections leave no trace and always run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEmpty, assertJson, assertText, call, skipUnlessFresh, useHub } from '../support/hub';
import type { HubTaskList } from '../../src/core/types';

const PARSE = 'Failed to parse the request body as JSON: ';
const SHAPE = 'Failed to deserialize the JSON body into the target type: ';
const NO_JSON = 'Expected request with `Content-Type: application/json`';

test('[fresh hub] POST /api/tasks: 201, empty body, no Content-Type', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  const r = await call(hub, 'POST', '/api/tasks', { body: { name: 'sq', image: 'img:1' } });
  assertEmpty(r, 201);
  assert.equal(r.headers['content-length'], '0');
});

test('415 without Content-Type: application/json', async (t) => {
  const hub = await useHub(t);
  assertText(await call(hub, 'POST', '/api/tasks', { body: { name: 'x' }, contentType: null }), 415, NO_JSON);
  assertText(await call(hub, 'POST', '/api/tasks', { body: { name: 'x' }, contentType: 'text/plain' }), 415, NO_JSON);
  assertText(await call(hub, 'POST', '/api/tasks', { body: { name: 'x' }, contentType: 'application/xml' }), 415, NO_JSON);
  assertText(await call(hub, 'POST', '/api/tasks', { contentType: null }), 415, NO_JSON);
});

test('[fresh hub] Content-Type variants axum accepts: charset parameter, +json suffix', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  assertEmpty(await call(hub, 'POST', '/api/tasks', { body: { name: 'a' }, contentType: 'application/json; charset=utf-8' }), 201);
  assertEmpty(await call(hub, 'POST', '/api/tasks', { body: { name: 'b' }, contentType: 'application/vnd.api+json' }), 201);
  assert.deepEqual(assertJson<HubTaskList>(await call(hub, 'GET', '/api/tasks')), { completed: [], current: 'a', pending: ['b'] });
});

test('400 for bad JSON, with serde_json\'s message and position', async (t) => {
  const hub = await useHub(t);
  const cases: Array<[string, string]> = [
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['{', 'EOF while parsing an object at line 1 column 1'],
    ['x', 'expected value at line 1 column 1'],
    ['not json', 'expected ident at line 1 column 2'],
    ['{"name":"a",}', 'trailing comma at line 1 column 13'],
    ['{"name":"a"} x', 'trailing characters at line 1 column 14'],
    ['{"name" "a"}', 'expected `:` at line 1 column 9'],
    ['{name:"a"}', 'key must be a string at line 1 column 2'],
    ['{"name":"a" "image":"b"}', 'expected `,` or `}` at line 1 column 13'],
    ['{"name":"a\n"}', 'name: control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0'],
    ['{"name":tru}', 'name: expected ident at line 1 column 12'],
    ['{"name":"a","other":[1,}', 'other: expected value at line 1 column 24'],
    ['{"name":"a","other":{"k":1,}}', 'other: key must be a string at line 1 column 28'],
  ];
  for (const [body, msg] of cases) {
    assertText(await call(hub, 'POST', '/api/tasks', { body }), 400, PARSE + msg);
  }
});

test('422 for the wrong shape: missing `name`, wrong types', async (t) => {
  const hub = await useHub(t);
  const cases: Array<[string, string]> = [
    ['{}', 'missing field `name` at line 1 column 2'],
    ['{"image":"x"}', 'missing field `name` at line 1 column 13'],
    ['{\n  "image": "x"\n}', 'missing field `name` at line 3 column 1'],
    ['{"name":5}', 'name: invalid type: integer `5`, expected a string at line 1 column 9'],
    ['{"name":null}', 'name: invalid type: null, expected a string at line 1 column 12'],
    ['{"name":"a","image":true}', 'image: invalid type: boolean `true`, expected a string at line 1 column 24'],
    ['{"name":"a","images":["x"]}', 'images: invalid type: sequence, expected a map at line 1 column 21'],
    ['{"name":"a","images":{"linux/amd64":1}}', 'images.linux/amd64: invalid type: integer `1`, expected a string at line 1 column 37'],
    ['{"name":"a","name":"b"}', 'duplicate field `name` at line 1 column 18'],
    ['"a"', 'invalid type: string "a", expected struct CreateTaskRequest at line 1 column 3'],
    ['null', 'invalid type: null, expected struct CreateTaskRequest at line 1 column 4'],
    ['1.5', 'invalid type: floating point `1.5`, expected struct CreateTaskRequest at line 1 column 3'],
  ];
  for (const [body, msg] of cases) {
    assertText(await call(hub, 'POST', '/api/tasks', { body }), 422, SHAPE + msg);
  }
});

test('a data error before a later syntax error wins (serde reads in order)', async (t) => {
  const hub = await useHub(t);
  assertText(await call(hub, 'POST', '/api/tasks', { body: '{"name":5,' }), 422, SHAPE + 'name: invalid type: integer `5`, expected a string at line 1 column 9');
});

test('[fresh hub] rejected bodies register nothing', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  await call(hub, 'POST', '/api/tasks', { body: '{}' });
  await call(hub, 'POST', '/api/tasks', { body: 'x' });
  await call(hub, 'POST', '/api/tasks', { body: { name: 'x' }, contentType: null });
  assert.deepEqual(assertJson(await call(hub, 'GET', '/api/tasks')), { completed: [], current: null, pending: [] });
});

test('[fresh hub] unknown fields are ignored; optional fields may be null', async (t) => {
  const hub = await useHub(t);
  if (skipUnlessFresh(t, hub)) return;
  assertEmpty(await call(hub, 'POST', '/api/tasks', { body: { name: 'a', extra: { deep: [1, 2] }, image: null, images: null } }), 201);
  assert.deepEqual(assertJson(await call(hub, 'GET', '/api/tasks')), { completed: [], current: 'a', pending: [] });
});
