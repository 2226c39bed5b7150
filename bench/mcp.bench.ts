// The MCP server (`node dist/mcp.js`) against the monitor bench's cluster (our hub with 1,000
// nodes and 10,000 tasks, in a child process; the bench's redis-server): a tool call's round
// trip over stdio (SDK client → JSON-RPC → the tool → the service → hub/Redis → back) for
// Cluster Status and Task Progress, beside the same tool run in this process on the same
// service code (the peer: what the protocol and the process boundary add), and the server's
// start, from spawning `node` to its first tools/list answer, beside a bare `node -e ''`.
// Progress is asked of a finished task (nothing left to wait for a rate on), so neither side
// sleeps between samples.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Redis from 'ioredis';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger } from '../src/core/ports';
import { createGridCoreService } from '../src/core/service';
import type { ToolDeps } from '../src/tools/kit';
import { progressTool } from '../src/tools/progress';
import { statusTool } from '../src/tools/status';
import { NODES, TASKS, TOKEN } from './support/cluster-size';
import { redisUrl } from './support/redis';
import type { Result } from './support/result';

const CALLS = 20;
const STARTS = 5;
const BUNDLE = join(__dirname, '..', 'dist', 'mcp.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startCluster(): Promise<{ hubUrl: string; redisUrl: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'cluster-child.ts'), redisUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
  return {
    hubUrl: String(ready.hubUrl),
    redisUrl: String(ready.redisUrl),
    close: async () => {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}

async function connect(dir: string): Promise<{ client: Client; ms: number }> {
  const t = performance.now();
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BUNDLE, '--config-dir', dir], stderr: 'ignore' }));
  await client.listTools();
  return { client, ms: performance.now() - t };
}

async function timeCalls(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm: connections, the skill files, the first hub answers
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function run(): Promise<Result[]> {
  const built = spawnSync(process.execPath, ['esbuild.mjs', '--only=mcp', '--production'], { cwd: join(__dirname, '..'), stdio: 'ignore' });
  if (built.status !== 0) throw new Error('building dist/mcp.js failed');
  const cluster = await startCluster();
  const raw = new Redis(redisUrl);
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-mcp-bench-'));
  const clients: Client[] = [];
  try {
    // task-0 runs; its input is empty and its output holds 100 results: finished.
    await raw.del('q:0:in', 'q:0:out');
    await raw.lpush('q:0:out', ...Array.from({ length: 100 }, (_, i) => `${i}:${i * i}`));
    writeFileSync(join(dir, 'skill.toml'), `[cluster.bench]\ncomputehub_url = "${cluster.hubUrl}"\nredis_url = "${cluster.redisUrl}"\n`);
    writeFileSync(join(dir, 'credentials.toml'), `[cluster.bench]\ntoken = "${TOKEN}"\n`, { mode: 0o600 });

    const service = createGridCoreService({ secrets: new MemorySecretStore(), state: new MemoryKeyValueStore(), logger: silentLogger, skillDir: dir, settings: () => ({ hubTimeoutMs: 30_000, redisTimeoutMs: 30_000 }) });
    await service.profiles.importFromSkill();
    const deps: ToolDeps = {
      service,
      logger: silentLogger,
      naming: (t) => ({ input: `${t}:input`, output: `${t}:output` }),
      workspaceFolder: () => dir,
      refresh: async () => undefined,
      statusBarProgress: () => undefined,
      samples: new Map(),
      markStopRequested: () => undefined,
      startLocalCluster: async () => Promise.reject(new Error('not in the bench')),
      registryLogin: async () => undefined,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    const signal = { isCancellationRequested: false };
    const statusText = await statusTool.run({}, deps, signal);
    if (!statusText.includes(`Nodes (${NODES.toLocaleString('en-US')})`)) throw new Error(`the in-process status lacks the nodes: ${statusText.slice(0, 300)}`);
    const progressText = await progressTool.run({}, deps, signal);
    if (!/100 of 100 done/.test(progressText)) throw new Error(`progress: ${progressText}`);

    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const c = await connect(dir);
      starts.push(c.ms);
      await c.client.close();
    }
    const bare: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '']);
      bare.push(performance.now() - t);
    }

    const { client } = await connect(dir);
    clients.push(client);
    const over = async (name: string) => {
      const r = await client.callTool({ name, arguments: {} });
      if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
      return r;
    };
    const sample = (await over('gridcore_cluster_status')).content as Array<{ text: string }>;
    const statusChars = sample[0].text.length;
    const statusStdio = await timeCalls(() => over('gridcore_cluster_status'));
    const statusInProcess = await timeCalls(() => statusTool.run({}, deps, signal));
    const progressStdio = await timeCalls(() => over('gridcore_task_progress'));
    const progressInProcess = await timeCalls(() => progressTool.run({}, deps, signal));
    await service.dispose();

    const size = `${NODES.toLocaleString('en-US')} nodes, ${TASKS.toLocaleString('en-US')} tasks`;
    return [
      { name: `mcp: Cluster Status round trip over stdio (${size}; ${statusChars.toLocaleString('en-US')} characters)`, ours: statusStdio, peer: statusInProcess, peerName: 'the same tool in process', unit: 'ms', note: `median of ${CALLS}` },
      { name: `mcp: Task Progress round trip over stdio (${size})`, ours: progressStdio, peer: progressInProcess, peerName: 'the same tool in process', unit: 'ms', note: `median of ${CALLS}` },
      { name: 'mcp: server start to its first tools/list answer', ours: median(starts), peer: median(bare), peerName: "node -e ''", unit: 'ms', note: `median of ${STARTS}; production bundle` },
    ];
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    raw.disconnect();
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
