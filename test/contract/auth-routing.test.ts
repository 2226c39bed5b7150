// Contract: authentication, unknown paths, wrong methods, /health. None of these needs a
// fresh hub: they run against an external hub as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEmpty, assertText, call, useHub } from '../support/hub';

const protectedRoutes: Array<[string, string]> = [
  ['GET', '/api/tasks'],
  ['POST', '/api/tasks'],
  ['POST', '/api/tasks/finish'],
  ['POST', '/api/tasks/next'],
  ['GET', '/api/nodes'],
  ['POST', '/api/nodes/some-node/stop'],
  ['POST', '/gridnode/register'],
  ['POST', '/gridnode/heartbeat'],
  ['GET', '/gridnode/task'],
];

test('GET /health answers 200 OK as text/plain without a token', async (t) => {
  const hub = await useHub(t);
  assertText(await call(hub, 'GET', '/health', { auth: null }), 200, 'OK');
});

test('GET /health also answers with a wrong token (no auth on it)', async (t) => {
  const hub = await useHub(t);
  assertText(await call(hub, 'GET', '/health', { auth: 'Bearer wrong' }), 200, 'OK');
});

for (const [method, path] of protectedRoutes) {
  test(`${method} ${path}: 401, empty body, no Content-Type, for every kind of bad auth`, async (t) => {
    const hub = await useHub(t);
    const bad = [null, `bearer ${hub.token}`, `BEARER ${hub.token}`, `Basic ${hub.token}`, 'Bearer wrong-token', `Bearer  ${hub.token}`, hub.token, 'Bearer'];
    for (const auth of bad) {
      const body = method === 'POST' ? '{}' : undefined;
      const r = await call(hub, method, path, { auth, body });
      assertEmpty(r, 401);
    }
  });
}

test('401 comes before the body is looked at (no 415/422 for a bad token)', async (t) => {
  const hub = await useHub(t);
  assertEmpty(await call(hub, 'POST', '/api/tasks', { auth: 'Bearer nope', body: 'not json', contentType: 'text/plain' }), 401);
});

test('unknown paths: 404 with an empty body, with or without a token', async (t) => {
  const hub = await useHub(t);
  for (const path of ['/', '/api', '/api/task', '/api/tasks/', '/api/nodes/x', '/api/nodes/x/stop/now', '/gridnode', '/nope']) {
    assertEmpty(await call(hub, 'GET', path), 404);
    assertEmpty(await call(hub, 'POST', path, { auth: null }), 404);
  }
});

const allowOf: Array<[string, string[], string]> = [
  ['/health', ['POST', 'PUT', 'DELETE'], 'GET,HEAD'],
  ['/api/tasks', ['PUT', 'DELETE', 'PATCH'], 'POST,GET,HEAD'],
  ['/api/tasks/finish', ['GET', 'PUT'], 'POST'],
  ['/api/tasks/next', ['GET', 'DELETE'], 'POST'],
  ['/api/nodes', ['POST', 'DELETE'], 'GET,HEAD'],
  ['/api/nodes/n1/stop', ['GET', 'DELETE'], 'POST'],
  ['/gridnode/register', ['GET'], 'POST'],
  ['/gridnode/heartbeat', ['GET'], 'POST'],
  ['/gridnode/task', ['POST'], 'GET,HEAD'],
];

for (const [path, methods, allow] of allowOf) {
  test(`known path ${path} with another method: 405 with allow ${allow}, empty body`, async (t) => {
    const hub = await useHub(t);
    for (const method of methods) {
      const r = await call(hub, method, path);
      assertEmpty(r, 405);
      // The order is axum's: methods as the route registered them, HEAD right after GET.
      assert.equal(r.headers.allow, allow, `allow for ${path}`);
    }
  });
}

test('on an authenticated path 401 comes before 405, and keeps the allow header', async (t) => {
  const hub = await useHub(t);
  for (const [path, methods, allow] of allowOf.filter(([p]) => p !== '/health')) {
    for (const auth of [null, 'Bearer wrong-token']) {
      const r = await call(hub, methods[0], path, { auth });
      assertEmpty(r, 401);
      assert.equal(r.headers.allow, allow, `allow for ${methods[0]} ${path}`);
    }
  }
  // A right method with a bad token: 401 and no allow header.
  const r = await call(hub, 'GET', '/api/tasks', { auth: null });
  assertEmpty(r, 401);
  assert.equal(r.headers.allow, undefined);
});

test('/health has no auth: another method is 405 with allow, with or without a token', async (t) => {
  const hub = await useHub(t);
  const r = await call(hub, 'DELETE', '/health', { auth: null });
  assertEmpty(r, 405);
  assert.equal(r.headers.allow, 'GET,HEAD');
});

test('HEAD on a GET route answers like GET without a body', async (t) => {
  const hub = await useHub(t);
  const r = await call(hub, 'HEAD', '/health', { auth: null });
  assert.equal(r.status, 200);
  assert.equal(r.text, '');
  assertEmpty(await call(hub, 'HEAD', '/api/tasks', { auth: null }), 401);
});

test('a query string does not change routing', async (t) => {
  const hub = await useHub(t);
  assertText(await call(hub, 'GET', '/health?x=1', { auth: null }), 200, 'OK');
});
