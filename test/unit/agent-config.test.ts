// The configuration "Use GridCore from Other Agents…" shows: exact, quoted for the shell, and
// the same server in every form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentConfigMarkdown, agentConfigs, codexToml, mcpServersJson, shellQuote } from '../../src/ui-model/agent-config';

const server = { node: 'node', script: '/home/u/.vscode/extensions/gridcore-dev.gridcore-vscode-0.1.0/dist/mcp.js' };

test('the mcpServers block starts dist/mcp.js with a plain node', () => {
  assert.deepEqual(JSON.parse(mcpServersJson(server)), { mcpServers: { gridcore: { command: 'node', args: [server.script] } } });
  assert.equal(codexToml(server), `[mcp_servers.gridcore]\ncommand = "node"\nargs = ["${server.script}"]`);
});

test('one-line add commands for the clients that have one', () => {
  const byId = new Map(agentConfigs(server).map((c) => [c.id, c]));
  assert.equal(byId.get('claude-code')!.text, `claude mcp add --scope user gridcore -- node ${server.script}`);
  assert.equal(byId.get('codex')!.text, `codex mcp add gridcore -- node ${server.script}`);
  assert.equal(byId.get('gemini')!.text, `gemini mcp add --scope user gridcore node ${server.script}`);
  for (const id of ['cursor', 'claude-desktop', 'json'] as const) assert.equal(byId.get(id)!.kind, 'json');
});

test('paths with spaces or quotes stay one word in the shell, and --config-dir is passed on', () => {
  assert.equal(shellQuote("/Users/Jo O'Neil/mcp.js"), `'/Users/Jo O'\\''Neil/mcp.js'`);
  const s = { node: 'node', script: 'C:\\Users\\Jo Smith\\ext\\dist\\mcp.js', configDir: '/tmp/skill dir' };
  const claude = agentConfigs(s).find((c) => c.id === 'claude-code')!.text;
  assert.equal(claude, `claude mcp add --scope user gridcore -- node 'C:\\Users\\Jo Smith\\ext\\dist\\mcp.js' --config-dir '/tmp/skill dir'`);
  assert.deepEqual(JSON.parse(mcpServersJson(s)).mcpServers.gridcore.args, [s.script, '--config-dir', '/tmp/skill dir']);
});

test('the page shows every client and the server path', () => {
  const md = agentConfigMarkdown(server);
  for (const c of agentConfigs(server)) assert.ok(md.includes(c.text), c.id);
  assert.match(md, /^# Use GridCore from other agents/);
  assert.ok(md.includes(`Server: ${server.script}`));
});
