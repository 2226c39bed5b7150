// The hub the contract suite talks to, one of three:
// - by default, a fresh one of ours per test, in this process;
// - GRIDCORE_HUB_BINARY=/path/to/computehub: a fresh process of that binary per test, started
//   as upstream's is (no arguments; a computehub.toml with `bind` and `token` found through
//   IDM_GRIDCORE_CONFIG), so every test runs against upstream's real hub too;
// - GRIDCORE_HUB_URL + GRIDCORE_HUB_TOKEN: one running hub shared by every test (tests that
//   need an empty task list are skipped there).
// Requests go through node:http so that the suite sees and sends exactly the bytes on the
// wire (fetch would add a Content-Type of its own).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { startHub } from '../../src/local/hub/server';

export interface TestHub {
  url: string;
  token: string;
  /** True for a hub started for this test (empty task list and node registry). */
  fresh: boolean;
  /** True for our hub in this process (its options, such as short timeouts, honoured). */
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

/** A computehub binary to start per test (upstream's, or ours wrapped as one). */
export const hubBinary = process.env.GRIDCORE_HUB_BINARY || undefined;

/** Node timeout and sweep interval a binary is asked for through the environment. Upstream's
 *  hub reads neither (its 60 s / 30 s are fixed), so against it the sweep tests simply wait
 *  that long; ours (dist/computehub.js) honours them. */
export const SHORT_SWEEP_ENV = { nodeTimeoutMs: 'GRIDCORE_HUB_NODE_TIMEOUT_MS', sweepIntervalMs: 'GRIDCORE_HUB_SWEEP_INTERVAL_MS' } as const;

export interface HubOptions {
  nodeTimeoutMs?: number;
  sweepIntervalMs?: number;
}

export async function freshHub(opts: HubOptions = {}): Promise<TestHub> {
  if (externalHub) return { ...externalHub, fresh: false, ours: false, close: async () => {} };
  const token = 'contract-token';
  if (hubBinary) return startBinaryHub(hubBinary, token, opts);
  const hub = await startHub({ token, port: 0, ...opts });
  return { url: hub.url, token, fresh: true, ours: true, close: hub.close };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await r.text();
    return r.status === 200;
  } catch {
    return false;
  }
}

/** One process of `binary`, configured the only way upstream's hub is: its TOML file. */
async function startBinaryHub(binary: string, token: string, opts: HubOptions): Promise<TestHub> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'gridcore-contract-hub-'));
    const port = await freePort();
    const config = join(dir, 'computehub.toml');
    writeFileSync(config, `bind = "127.0.0.1:${port}"\ntoken = ${JSON.stringify(token)}\n`, { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, IDM_GRIDCORE_CONFIG: config };
    if (opts.nodeTimeoutMs !== undefined) env[SHORT_SWEEP_ENV.nodeTimeoutMs] = String(opts.nodeTimeoutMs);
    if (opts.sweepIntervalMs !== undefined) env[SHORT_SWEEP_ENV.sweepIntervalMs] = String(opts.sweepIntervalMs);
    const child = spawn(binary, [], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    let exit: number | null | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exit = code ?? (signal ? -1 : null);
        resolve();
      });
      child.once('error', (e) => {
        stderr += String(e);
        exit = -1;
        resolve();
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const close = async () => {
      if (exit === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 30_000;
    while (exit === undefined && Date.now() < deadline) {
      if (await healthy(url)) return { url, token, fresh: true, ours: false, close };
      await sleep(50);
    }
    await close();
    // Another process took the port between our probe and the hub's bind: try another one.
    if (/in use/i.test(stderr) && attempt < 3) continue;
    throw new Error(`${binary} did not answer on ${url}/health (exit ${String(exit)}): ${stderr.trim() || 'no message'}`);
  }
}

/** Skips the test (reason printed) when it needs a hub with no earlier state. */
export function skipUnlessFresh(t: TestContext, hub: TestHub): boolean {
  if (hub.fresh) return false;
  const reason = 'needs a fresh hub (empty task list); GRIDCORE_HUB_URL points at a shared one (GRIDCORE_HUB_BINARY starts a fresh one per test)';
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
