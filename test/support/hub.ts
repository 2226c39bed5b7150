// The hub the contract suite talks to: an external one (GRIDCORE_HUB_URL + GRIDCORE_HUB_TOKEN,
// e.g. upstream's computehub) or, by default, a fresh one of ours per test. Requests go
// through node:http so that the suite sees and sends exactly the bytes on the wire
// (fetch would add a Content-Type of its own).

import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { TestContext } from 'node:test';
import { startHub } from '../../src/local/hub/server';

export interface TestHub {
  url: string;
  token: string;
  /** True for a hub we started for this test (fresh state, options honoured). */
  ours: boolean;
  close(): Promise<void>;
}

export interface HubResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export const externalHub = process.env.GRIDCORE_HUB_URL
  ? { url: process.env.GRIDCORE_HUB_URL.replace(/\/$/, ''), token: process.env.GRIDCORE_HUB_TOKEN ?? '' }
  : undefined;

export async function freshHub(opts: { nodeTimeoutMs?: number; sweepIntervalMs?: number } = {}): Promise<TestHub> {
  if (externalHub) return { ...externalHub, ours: false, close: async () => {} };
  const token = 'contract-token';
  const hub = await startHub({ token, port: 0, ...opts });
  return { url: hub.url, token, ours: true, close: hub.close };
}

/** Skips the test (reason printed) when it needs a hub with no earlier state. */
export function skipUnlessFresh(t: TestContext, hub: TestHub): boolean {
  if (hub.ours) return false;
  const reason = 'needs a fresh hub (empty task list); GRIDCORE_HUB_URL points at a shared one';
  t.diagnostic(reason);
  t.skip(reason);
  return true;
}

/** Skips the test unless it runs against our own hub (options such as short timeouts). */
export function skipUnlessOurs(t: TestContext, hub: TestHub, why: string): boolean {
  if (hub.ours) return false;
  const reason = `only against our hub: ${why}`;
  t.diagnostic(reason);
  t.skip(reason);
  return true;
}

export interface CallOptions {
  /** Raw body; objects are JSON-encoded. */
  body?: string | object;
  /** Default: `Bearer <token>`; null sends no Authorization header. */
  auth?: string | null;
  /** Default for a body: application/json; null sends none. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

export function call(hub: TestHub, method: string, path: string, o: CallOptions = {}): Promise<HubResponse> {
  const url = new URL(hub.url + path);
  const headers: Record<string, string> = { ...o.headers };
  const auth = o.auth === undefined ? `Bearer ${hub.token}` : o.auth;
  if (auth !== null) headers.authorization = auth;
  let payload: Buffer | undefined;
  if (o.body !== undefined) {
    payload = Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
    const ct = o.contentType === undefined ? 'application/json' : o.contentType;
    if (ct !== null) headers['content-type'] = ct;
  }
  if (payload) headers['content-length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.end(payload);
  });
}

/** Shorthands for a test: `const h = await useHub(t)` closes the hub when the test ends. */
export async function useHub(t: TestContext, opts?: Parameters<typeof freshHub>[0]): Promise<TestHub> {
  const hub = await freshHub(opts);
  t.after(() => hub.close());
  return hub;
}

/** A node id no other test (or earlier run against an external hub) has used. */
export function uniqueId(prefix = 'contract-node'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// ---- Assertions on the wire shape the contract fixes ----

export function assertEmpty(r: HubResponse, status: number): void {
  assert.equal(r.status, status, `status (body: ${JSON.stringify(r.text)})`);
  assert.equal(r.text, '', 'empty body');
  assert.equal(r.headers['content-type'], undefined, 'no Content-Type');
}

export function assertText(r: HubResponse, status: number, text: string | RegExp): void {
  assert.equal(r.status, status, `status (body: ${JSON.stringify(r.text)})`);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  if (typeof text === 'string') assert.equal(r.text, text);
  else assert.match(r.text, text);
}

/** Key order of every JSON object the hub sends, as computehub-api.md records it from a build
 *  of upstream v0.3.0: struct field order, except the bodies built with serde_json's json!
 *  macro (finish, next), which come out alphabetical. */
export const KEY_ORDERS: readonly (readonly string[])[] = [
  ['current', 'pending', 'completed'],
  ['task_name', 'image', 'redis_url', 'input_redis', 'output_redis', 'input_queue', 'output_queue'],
  ['node_id', 'current_task'],
  ['id', 'hostname', 'architecture', 'cpu_count', 'last_seen', 'status', 'runtime_status', 'active_containers'],
  ['stop_requested'],
  ['completed', 'message', 'started'],
  ['current', 'previous'],
];

/** 200 `application/json` with every object's keys in upstream's order; returns the value. */
export function assertJson<T = unknown>(r: HubResponse, status = 200): T {
  assert.equal(r.status, status, `status (body: ${JSON.stringify(r.text)})`);
  assert.equal(r.headers['content-type'], 'application/json');
  const value = r.json<T>();
  assertKeyOrder(value, '$');
  return value;
}

function assertKeyOrder(v: unknown, at: string): void {
  if (Array.isArray(v)) return v.forEach((x, i) => assertKeyOrder(x, `${at}[${i}]`));
  if (v === null || typeof v !== 'object') return;
  const keys = Object.keys(v);
  const same = KEY_ORDERS.find((o) => o.length === keys.length && o.every((k) => keys.includes(k)));
  assert.ok(same, `${at} has a known shape (keys ${keys.join(', ')})`);
  assert.deepEqual(keys, same, `keys of ${at} in upstream's order`);
  for (const k of keys) assertKeyOrder((v as Record<string, unknown>)[k], `${at}.${k}`);
}
