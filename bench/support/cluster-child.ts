// The cluster side of monitor.bench.ts, in its own process so the bench's event-loop and
// heap figures are the extension's alone: our hub with 1,000 registered nodes and 10,000
// tasks, a counting HTTP proxy in front of it and a counting TCP proxy in front of Redis.
// Commands, one per stdin line, each answered by one stdout line of JSON:
// `counts` (requests by route, bytes, Redis round trips since `reset`), `reset`,
// `heartbeat` (every node), `beat <k>` (node k, with k % 5 containers).
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { startHub } from '../../src/local/hub/server';

import { NODES, TASKS, TOKEN } from './cluster-size';

/** Forwards to the hub, counting requests by route and the bytes answered. */
async function countingHubProxy(target: string): Promise<{ url: string; counts: Map<string, number>; bytes: { n: number }; reset(): void; close(): Promise<void> }> {
  const to = new URL(target);
  const counts = new Map<string, number>();
  const bytes = { n: 0 };
  const server: Server = createHttpServer((req, res) => {
    const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
    const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.on('data', (c: Buffer) => (bytes.n += c.length));
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    bytes,
    reset: () => {
      counts.clear();
      bytes.n = 0;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Forwards to Redis, counting round trips: client bytes sent while no answer is awaited
 *  start one (a pipeline of 100 LLENs is one), the server's answer ends it. */
async function countingRedisProxy(target: string): Promise<{ url: string; trips: { n: number }; close(): Promise<void> }> {
  const to = new URL(target);
  const trips = { n: 0 };
  const server: TcpServer = createTcpServer((client) => {
    const upstream = connect(Number(to.port), to.hostname);
    let awaiting = false;
    client.on('data', (c) => {
      if (!awaiting) trips.n++;
      awaiting = true;
      upstream.write(c);
    });
    upstream.on('data', (c) => {
      awaiting = false;
      client.write(c);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    trips,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function inBatches(total: number, concurrency: number, one: (k: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await one(next++);
  }));
}

async function main(): Promise<void> {
  const redisUrl = process.argv[2];
  const hub = await startHub({ token: TOKEN, port: 0 });
  const pool = new Pool(hub.url, { connections: 16 });
  const post = async (path: string, body: unknown) => {
    const r = await pool.request({ method: 'POST', path, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await r.body.arrayBuffer();
  };
  const heartbeatAll = () => inBatches(NODES, 16, (k) => post('/gridnode/heartbeat', { node_id: `node-${k}`, status: 'Running', active_containers: 4 }));
  await inBatches(NODES, 16, (k) => post('/gridnode/register', { node_id: `node-${k}`, hostname: `host-${k}`, architecture: 'x86_64', cpu_count: 4 }));
  // Registered elsewhere (no record in the editor): the running task's queues come from /gridnode/task.
  await inBatches(TASKS, 16, (k) => post('/api/tasks', { name: `task-${k}`, image: `img:${k}`, input_queue: `q:${k}:in`, output_queue: `q:${k}:out` }));
  await heartbeatAll();
  const hubProxy = await countingHubProxy(hub.url);
  const redisProxy = await countingRedisProxy(redisUrl);
  const say = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  say({ hubUrl: hubProxy.url, redisUrl: redisProxy.url });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(' ');
    if (cmd === 'counts') say({ routes: Object.fromEntries(hubProxy.counts), bytes: hubProxy.bytes.n, redisTrips: redisProxy.trips.n });
    else if (cmd === 'reset') {
      hubProxy.reset();
      redisProxy.trips.n = 0;
      say({ ok: true });
    } else if (cmd === 'heartbeat') {
      await heartbeatAll();
      say({ ok: true });
    } else if (cmd === 'beat') {
      const k = Number(arg);
      await post('/gridnode/heartbeat', { node_id: `node-${k % NODES}`, status: 'Running', active_containers: k % 5 });
      say({ ok: true });
    } else say({ error: `unknown command ${cmd}` });
  }
  await pool.close();
  await hubProxy.close();
  await redisProxy.close();
  await hub.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
