// Every command the extension registers, and every command its package.json promises, exist.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, gridcore } from './helpers/gridcore';

describe('commands', () => {
  it('activates and registers the gridcore.* commands', async () => {
    const api = await gridcore();
    const registered = api.commands();
    for (const id of ['gridcore.addCluster', 'gridcore.removeCluster', 'gridcore.selectCluster', 'gridcore.refresh', 'gridcore.finishTask', 'gridcore.showTaskDetails', 'gridcore.stopNode', 'gridcore.copyNodeId', 'gridcore.diagnoseCluster']) {
      assert.ok(registered.includes(id), `${id} is not registered; registered: ${registered.join(', ')}`);
    }
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of registered) assert.ok(all.has(id), `${id} registered by the extension but unknown to VS Code`);
  });

  it('implements every command that package.json contributes', async () => {
    const contributed: Array<{ command: string }> = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes?.commands ?? [];
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !all.has(id));
    assert.deepEqual(missing, [], 'contributed in package.json but not registered');
  });
});
