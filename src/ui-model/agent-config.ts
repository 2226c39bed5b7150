// What another agent needs to start GridCore's MCP server from this installation: the
// `mcpServers` JSON block most clients read, Codex's TOML table, and the one-line add command
// of the clients that have one. One place, so the command, the README and the tests agree.
// No `vscode` here.
import { l10n } from '../core/l10n';

export interface AgentServer {
  /** the Node to run it with: a plain `node` on PATH unless told otherwise */
  node: string;
  /** absolute path of this installation's dist/mcp.js */
  script: string;
  /** --config-dir, when not the skill's default folder */
  configDir?: string;
}

export interface AgentConfig {
  id: 'claude-code' | 'codex' | 'codex-toml' | 'gemini' | 'cursor' | 'claude-desktop' | 'json';
  client: string;
  /** where it goes, in words */
  where: string;
  kind: 'command' | 'json' | 'toml';
  text: string;
}

export const MCP_SERVER_NAME = 'gridcore';

function args(s: AgentServer): string[] {
  return [s.script, ...(s.configDir ? ['--config-dir', s.configDir] : [])];
}

/** POSIX shell quoting: bare when safe, else single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function commandLine(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

export function mcpServersJson(s: AgentServer): string {
  return JSON.stringify({ mcpServers: { [MCP_SERVER_NAME]: { command: s.node, args: args(s) } } }, null, 2);
}

export function codexToml(s: AgentServer): string {
  return [`[mcp_servers.${MCP_SERVER_NAME}]`, `command = ${JSON.stringify(s.node)}`, `args = [${args(s).map((a) => JSON.stringify(a)).join(', ')}]`].join('\n');
}

export function agentConfigs(s: AgentServer): AgentConfig[] {
  const run = [s.node, ...args(s)];
  return [
    { id: 'claude-code', client: 'Claude Code', where: l10n.t('Run once in a terminal (every project of this user):'), kind: 'command', text: commandLine(['claude', 'mcp', 'add', '--scope', 'user', MCP_SERVER_NAME, '--', ...run]) },
    { id: 'codex', client: 'Codex CLI', where: l10n.t('Run once in a terminal:'), kind: 'command', text: commandLine(['codex', 'mcp', 'add', MCP_SERVER_NAME, '--', ...run]) },
    { id: 'gemini', client: 'Gemini CLI', where: l10n.t('Run once in a terminal:'), kind: 'command', text: commandLine(['gemini', 'mcp', 'add', '--scope', 'user', MCP_SERVER_NAME, ...run]) },
    { id: 'cursor', client: 'Cursor', where: l10n.t('Add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project):'), kind: 'json', text: mcpServersJson(s) },
    { id: 'claude-desktop', client: 'Claude Desktop', where: l10n.t('Add to claude_desktop_config.json (Settings → Developer → Edit Config):'), kind: 'json', text: mcpServersJson(s) },
    { id: 'codex-toml', client: l10n.t('Codex CLI (config file)'), where: l10n.t('Or add to ~/.codex/config.toml:'), kind: 'toml', text: codexToml(s) },
    { id: 'json', client: l10n.t('Other clients'), where: l10n.t('Most clients read this mcpServers block:'), kind: 'json', text: mcpServersJson(s) },
  ];
}

/** The whole page the command shows. */
export function agentConfigMarkdown(s: AgentServer): string {
  const out = [
    `# ${l10n.t('Use GridCore from other agents')}`,
    '',
    l10n.t('Claude Code, Codex, Cursor and other agents can drive GridCore through its MCP server, with the same tools as VS Code\'s chat (VS Code itself needs nothing: its chat has them already). The server reads the clusters from the skill\'s files (skill.toml, credentials.toml, state/local_cluster.json) and never shows a token or password.'),
    '',
    l10n.t('It runs with Node.js 18 or later on PATH (`node`). Server: {0}', s.script),
  ];
  for (const c of agentConfigs(s)) {
    out.push('', `## ${c.client}`, '', c.where, '', '```' + (c.kind === 'command' ? 'sh' : c.kind === 'toml' ? 'toml' : 'json'), c.text, '```');
  }
  out.push('', l10n.t('The path changes when the extension updates: run this command again after an update, or copy dist/mcp.js somewhere stable.'));
  return out.join('\n') + '\n';
}
