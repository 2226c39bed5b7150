// Our ComputeHub under a cluster-sized load on loopback: 1,000 registered nodes
// heartbeating and 10,000 registered tasks, then bounded request loops measuring
// throughput and p99 latency of the calls the extension and the nodes make most.
// No peer: upstream's computehub binary is not available on these machines.
import { Pool } from 'undici';
import { startHub } from '../src/local/hub/server';

const NODES = 1_000;
const TASKS = 10_000;
const token = 'bench-token';

interface Result {
  name: string;
  ours: number;
  peer?: number;
  unit: string;
  higherIsBetter?: boolean;
  note?: string;
}

async function loop(total: number, concurrency: number, one: (k: number) => Promise<void>): Promise<{ rps: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const k = next++;
        const t = performance.now();
        await one(k);
        lat.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  lat.sort((a, b) => a - b);
  return { rps: total / (elapsed / 1000), p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] };
}

export async function run(): Promise<Result[]> {
  const hub = await startHub({ token, port: 0 });
  const pool = new Pool(hub.url, { connections: 32, pipelining: 1 });
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const req = async (method: 'GET' | 'POST', path: string, body?: unknown, expect = 200) => {
    const r = await pool.request({ method, path, headers: body === undefined ? auth : json, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.body.text();
    if (r.statusCode !== expect) throw new Error(`${method} ${path}: ${r.statusCode} ${text}`);
    return text;
  };
  try {
    await loop(NODES, 32, (k) => req('POST', '/gridnode/register', { node_id: `node-${k}`, hostname: `host-${k}`, architecture: 'x86_64', cpu_count: 4 }).then(() => {}));
    await loop(TASKS, 32, (k) => req('POST', '/api/tasks', { name: `task-${k}`, image: `img:${k}`, input_queue: `q:${k}:in`, output_queue: `q:${k}:out` }, 201).then(() => {}));
    const beat = (k: number) => req('POST', '/gridnode/heartbeat', { node_id: `node-${k % NODES}`, status: 'Running', active_containers: 4 }).then(() => {});
    await loop(NODES, 32, beat);

    const hb = await loop(20_000, 32, beat);
    // Listing while every node keeps heartbeating, as in a live cluster.
    let beating = true;
    let n = 0;
    const background = (async () => {
      while (beating) await beat(n++);
    })();
    const nodes = await loop(300, 4, async () => {
      const text = await req('GET', '/api/nodes');
      if (text.length < NODES * 100) throw new Error('short node list');
    });
    const tasks = await loop(2_000, 8, async () => {
      await req('GET', '/api/tasks');
    });
    const task = await loop(5_000, 16, async () => {
      await req('GET', '/gridnode/task?platform=linux/amd64');
    });
    beating = false;
    await background;
    const note = `${NODES} nodes, ${TASKS} tasks, loopback, client in the same process`;
    return [
      { name: 'hub: heartbeats', ours: hb.rps, unit: 'req/s', higherIsBetter: true, note },
      { name: 'hub: heartbeat p99', ours: hb.p99, unit: 'ms', higherIsBetter: false, note: '32 concurrent' },
      { name: 'hub: GET /api/nodes (1,000 nodes, heartbeats running)', ours: nodes.rps, unit: 'req/s', higherIsBetter: true, note },
      { name: 'hub: GET /api/nodes p99', ours: nodes.p99, unit: 'ms', higherIsBetter: false, note: '4 concurrent' },
      { name: 'hub: GET /api/tasks (10,000 tasks)', ours: tasks.rps, unit: 'req/s', higherIsBetter: true, note },
      { name: 'hub: GET /api/tasks p99', ours: tasks.p99, unit: 'ms', higherIsBetter: false, note: '8 concurrent' },
      { name: 'hub: GET /gridnode/task', ours: task.rps, unit: 'req/s', higherIsBetter: true, note },
      { name: 'hub: GET /gridnode/task p99', ours: task.p99, unit: 'ms', higherIsBetter: false, note: '16 concurrent' },
    ];
  } finally {
    await pool.close();
    await hub.close();
  }
}
