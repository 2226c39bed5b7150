// `node dist/mcp.js`: GridCore's tools for any MCP client (Claude Code, Codex, Cursor, ...),
// over stdio. stdout carries the protocol and nothing else; logs go to stderr, masked.
//   --config-dir DIR   the skill's folder (default ~/.config/agents/skills/agent-idm-gridcore)
//   --state-file FILE  task records (default DIR/state/gridcore-mcp.json)
//   --verbose          trace every call on stderr
//   --http PORT        serve Streamable HTTP on 127.0.0.1:PORT instead (the conformance suite's way in)
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { defaultSkillDir } from '../core/skill-files';
import { TOOL_SPECS } from '../tools/index';
import { createMcpHost } from './host';
import { createMcpServer } from './server';

interface Args {
  configDir: string;
  stateFile?: string;
  verbose: boolean;
  http?: number;
}

const USAGE = 'usage: node mcp.js [--config-dir DIR] [--state-file FILE] [--verbose] [--http PORT]';

function parseArgs(argv: string[]): Args {
  const out: Args = { configDir: defaultSkillDir(), verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value. ${USAGE}`);
      return v;
    };
    if (flag === '--config-dir') out.configDir = resolve(value());
    else if (flag === '--state-file') out.stateFile = resolve(value());
    else if (flag === '--verbose') out.verbose = true;
    else if (flag === '--http') out.http = Number(value());
    else if (flag === '--help' || flag === '-h') {
      process.stderr.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}. ${USAGE}`);
  }
  return out;
}

/** A Host header or an Origin naming this machine (localhost, 127.0.0.1, [::1], any port). */
function localOnly(value: string | undefined): boolean {
  if (!value) return false;
  try {
    const host = new URL(value.includes('://') ? value : `http://${value}`).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

function version(): string {
  for (const p of [resolve(__dirname, '../package.json'), resolve(__dirname, '../../package.json')]) {
    if (existsSync(p)) return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const host = createMcpHost({ configDir: args.configDir, stateFile: args.stateFile, cwd: process.cwd(), verbose: args.verbose });
  const options = { tools: TOOL_SPECS, deps: () => host.deps(), mask: (t: string) => host.known.mask(t), logger: host.logger, version: version() };
  const stop = async () => {
    await host.dispose().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  if (args.http !== undefined) {
    // Stateless Streamable HTTP: one server per request, as the SDK shows for servers without sessions.
    // Loaded here only: the stdio server, which agents start, does not pay for it.
    const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
    const http = createServer((req, res) => {
      // Only this machine's clients: a page elsewhere must not reach it through DNS rebinding.
      if (!localOnly(req.headers.host) || (req.headers.origin !== undefined && !localOnly(req.headers.origin))) {
        res.writeHead(403).end();
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', async () => {
        try {
          const server = createMcpServer(options);
          const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
          res.on('close', () => void transport.close().then(() => server.close()));
          await server.connect(transport);
          await transport.handleRequest(req, res, body ? JSON.parse(body) : undefined);
        } catch (e) {
          host.logger.error(e instanceof Error ? e : String(e));
          if (!res.headersSent) res.writeHead(500).end();
        }
      });
    });
    http.listen(args.http, '127.0.0.1', () => host.logger.info(`GridCore MCP server on http://127.0.0.1:${args.http}/mcp`));
    return;
  }

  const server = createMcpServer(options);
  // The client closing stdin ends the server.
  process.stdin.on('end', () => void stop());
  await server.connect(new StdioServerTransport());
  host.logger.info(`GridCore MCP server ${options.version} on stdio, clusters from ${args.configDir}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`gridcore mcp: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
