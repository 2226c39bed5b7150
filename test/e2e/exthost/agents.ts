// "Use GridCore from Other Agents…" in the installed extension: the page and the copied line
// name this installation's dist/mcp.js, and that line starts a server that answers (the
// configuration users paste works as shipped in the .vsix).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { EXTENSION_ID, gridcore } from './helpers/gridcore';

describe('use GridCore from other agents', () => {
  it('shows and copies the configuration for this installation, and that server answers', async function () {
    this.timeout(120_000);
    await gridcore();
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const script = join(root, 'dist', 'mcp.js');
    assert.ok(existsSync(script), `${script} is not in the installed extension`);
    const r = (await vscode.commands.executeCommand('gridcore.useFromOtherAgents', { pick: 'claude-code' })) as { markdown: string; copied: string };
    assert.equal(r.copied, 'claude-code');
    assert.equal(await vscode.env.clipboard.readText(), `claude mcp add --scope user gridcore -- node ${script}`);
    assert.ok(r.markdown.includes(`"args": [\n            "${script}"\n          ]`) || r.markdown.includes(JSON.stringify(script)), r.markdown);

    // The copied command's server, spoken to as a client would (newline-delimited JSON-RPC).
    const child = spawn('node', [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const ask = async (id: number, method: string, params: object) => {
      child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      return JSON.parse((await lines.next()).value as string) as { result: { tools?: Array<{ name: string }>; serverInfo?: { name: string } } };
    };
    try {
      const init = await ask(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } });
      assert.equal(init.result.serverInfo?.name, 'gridcore');
      child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
      const list = await ask(2, 'tools/list', {});
      const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { languageModelTools: Array<{ name: string }> } }).contributes.languageModelTools;
      assert.deepEqual(list.result.tools?.map((t) => t.name).slice(0, contributed.length), contributed.map((t) => t.name));
    } finally {
      child.kill();
    }
  });
});
