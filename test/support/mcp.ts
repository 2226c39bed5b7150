// An MCP client from the official SDK that starts `node dist/mcp.js` over stdio, as Claude
// Code or Codex would, and keeps every response (and the server's stderr) for the secrets
// audit: no test reads a response without it being recorded here.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';

export const MCP_BUNDLE = join(__dirname, '..', '..', 'dist', 'mcp.js');

export interface McpSession {
  client: Client;
  /** every response and notification, as JSON text */
  seen: string[];
  stderr(): string;
  call(name: string, args?: Record<string, unknown>, opts?: { onprogress?: (p: { progress: number; total?: number; message?: string }) => void; signal?: AbortSignal }): Promise<{ text: string; isError: boolean }>;
  close(): Promise<void>;
}

export async function startMcp(o: {
  configDir: string;
  cwd?: string;
  env?: Record<string, string>;
  /** answer elicitation requests (the client then declares the capability) */
  elicit?: (message: string) => ElicitResult;
}): Promise<McpSession> {
  const seen: string[] = [];
  let err = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_BUNDLE, '--config-dir', o.configDir],
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}), ...o.env },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const client = new Client({ name: 'gridcore-test', version: '1.0.0' }, { capabilities: o.elicit ? { elicitation: { form: {} } } : {} });
  if (o.elicit) {
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      seen.push(JSON.stringify(req.params));
      return o.elicit!(req.params.message);
    });
  }
  await client.connect(transport);
  return {
    client,
    seen,
    stderr: () => err,
    async call(name, args = {}, opts = {}) {
      const r = (await client.callTool({ name, arguments: args }, undefined, {
        onprogress: (p) => {
          seen.push(JSON.stringify(p));
          opts.onprogress?.(p);
        },
        signal: opts.signal,
        timeout: 600_000,
        resetTimeoutOnProgress: true,
      })) as CallToolResult;
      seen.push(JSON.stringify(r));
      const text = r.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('');
      return { text, isError: !!r.isError };
    },
    close: () => client.close(),
  };
}

/** The secrets audit: none of them in any response or in the server's log. */
export function secretsIn(session: McpSession, secrets: string[]): string[] {
  const all = [...session.seen, session.stderr()];
  return secrets.filter((s) => all.some((t) => t.includes(s) || t.includes(encodeURIComponent(s))));
}
