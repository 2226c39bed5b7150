// gridcore.useFromOtherAgents: shows, and copies, how another agent (Claude Code, Codex,
// Cursor...) starts this installation's MCP server (dist/mcp.js). The page lists every client;
// the pick copies one client's line or block. VS Code's own chat needs none of it: it has the
// language model tools.
import * as vscode from 'vscode';
import { agentConfigMarkdown, agentConfigs, type AgentServer } from '../ui-model/agent-config';
import type { CommandModule } from './registry';

export function agentServer(extensionPath: string): AgentServer {
  // A plain `node` on PATH, not process.execPath: that is the editor's own runtime, which moves
  // with every editor update and is no Node outside it.
  return { node: 'node', script: vscode.Uri.joinPath(vscode.Uri.file(extensionPath), 'dist', 'mcp.js').fsPath };
}

export const agentCommands: CommandModule = (registry, ctx) => {
  registry.register('gridcore.useFromOtherAgents', async (arg?: { pick?: string }) => {
    const server = agentServer(ctx.extension.extensionPath);
    const markdown = agentConfigMarkdown(server);
    await ctx.docs.show('agents/use-gridcore-from-other-agents', markdown);
    const configs = agentConfigs(server);
    const items = configs.map((c) => ({ label: vscode.l10n.t('Copy for {0}', c.client), description: c.kind === 'command' ? c.text : c.where, config: c }));
    const picked = arg?.pick ? items.find((i) => i.config.id === arg.pick) : await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Copy the configuration of which agent?') });
    if (!picked) return { markdown, configs };
    await vscode.env.clipboard.writeText(picked.config.text);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied the configuration for {0}. {1}', picked.config.client, picked.config.where));
    return { markdown, configs, copied: picked.config.id };
  });
};
