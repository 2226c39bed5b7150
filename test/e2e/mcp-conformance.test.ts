// The official MCP conformance suite (@modelcontextprotocol/conformance) against our server,
// offline: `node dist/mcp.js --http PORT` serves the same tools over Streamable HTTP on
// 127.0.0.1 and the suite's server checks connect to it as a client. It needs Node 22 or
// later, so it runs on the Node 24 the e2e group installs for code-server.
// The scenarios that apply to a server with tools only (no resources, prompts, logging,
// completion or sampling; its tools are GridCore's, not the suite's test tools):
//   server-initialize         the initialize handshake and its result's structure
//   ping                      ping answered
//   tools-list                tools/list with valid structure (names, schemas, annotations)
//   tools-call-error          a failing call comes back as a result with isError (the suite
//                             calls a tool of its own, which ours answers as unknown)
//   dns-rebinding-protection  HTTP only: non-localhost Host/Origin refused, localhost taken
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureCodeServer } from '../support/code-server';
import { freePort } from '../support/redis';
import { until } from '../support/until';

const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'tools-call-error', 'dns-rebinding-protection'];
const root = join(__dirname, '..', '..');
const suite = join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

test('the conformance suite\'s server checks that apply to a tools-only server pass', { timeout: 600_000 }, async () => {
  const { node } = await ensureCodeServer();
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-mcp-conformance-'));
  const port = await freePort();
  const server = spawn(process.execPath, [join(root, 'dist', 'mcp.js'), '--config-dir', join(dir, 'skill'), '--http', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  try {
    await until('the server listens', () => log.includes(`127.0.0.1:${port}/mcp`), 30_000);
    for (const scenario of SCENARIOS) {
      const r = spawnSync(node, [suite, 'server', '--url', `http://127.0.0.1:${port}/mcp`, '--scenario', scenario], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      assert.equal(r.status, 0, `${scenario}:\n${out}`);
      assert.match(out, /Passed: (\d+)\/\1, 0 failed/, `${scenario}:\n${out}`);
    }
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
