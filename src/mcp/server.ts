// The tool table (src/tools) as an MCP server, with the official SDK's low-level Server (our
// schemas are JSON Schema already). Each call: the input checked against the tool's schema
// (a violation is a tool error naming the field, which the model can act on), destructive
// tools confirmed (elicitation when the client has it, else an explicit `confirm: true` the
// description tells the model to ask the user for), progress notifications when the client
// asked for them, cancellation passed through to the service, and every text masked.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { isGridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { CancellationSignal, Logger } from '../core/ports';
import type { ToolDeps, ToolSpec } from '../tools/kit';
import { checkInput, type JsonSchema } from '../tools/schema-check';

export const SERVER_NAME = 'gridcore';

export interface McpServerOptions {
  tools: readonly ToolSpec[];
  /** called before every tool call: re-reads the skill's files when they changed */
  deps(): Promise<ToolDeps>;
  /** masks every URL password and known secret */
  mask(text: string): string;
  logger: Logger;
  version: string;
}

const CONFIRM_DESCRIPTION =
  'Set to true only after the user has seen what this call will do and agreed. Without it the call is refused, and the refusal says what to ask the user.';

/** The MCP schema: the table's, plus `confirm` on destructive tools. */
export function mcpInputSchema(spec: ToolSpec): JsonSchema {
  if (!spec.effects.destructive) return spec.inputSchema;
  return { ...spec.inputSchema, properties: { ...spec.inputSchema.properties, confirm: { type: 'boolean', description: CONFIRM_DESCRIPTION } } };
}

export function mcpDescription(spec: ToolSpec): string {
  if (!spec.effects.destructive) return spec.description;
  return `${spec.description} Over MCP: when the client cannot ask the user itself, the call is refused with the question to ask; ask the user, and only if they agree call again with confirm: true.`;
}

export function mcpTool(spec: ToolSpec): Tool {
  return {
    name: spec.name,
    title: `GridCore: ${spec.title}`,
    description: mcpDescription(spec),
    inputSchema: mcpInputSchema(spec) as Tool['inputSchema'],
    annotations: {
      title: `GridCore: ${spec.title}`,
      readOnlyHint: spec.effects.readOnly,
      destructiveHint: spec.effects.destructive,
      idempotentHint: spec.effects.idempotent,
      // Every tool talks to a cluster (or Docker): outside this process.
      openWorldHint: true,
    },
  };
}

function text(t: string, isError = false): CallToolResult {
  return isError ? { content: [{ type: 'text', text: t }], isError: true } : { content: [{ type: 'text', text: t }] };
}

/** An AbortSignal as the core's CancellationSignal. */
export function cancellationOf(signal: AbortSignal): CancellationSignal {
  return {
    get isCancellationRequested() {
      return signal.aborted;
    },
    onCancellationRequested(listener) {
      if (signal.aborted) {
        listener();
        return { dispose() {} };
      }
      signal.addEventListener('abort', listener, { once: true });
      return { dispose: () => signal.removeEventListener('abort', listener) };
    },
  };
}

export function createMcpServer(o: McpServerOptions): Server {
  const server = new Server(
    { name: SERVER_NAME, title: 'GridCore', version: o.version }, // l10n-ignore: the product's name
    {
      capabilities: { tools: {} },
      instructions:
        'Tools for IDM-GridCore clusters (ComputeHub, Redis queues, compute nodes). Start with gridcore_cluster_status. The loop: gridcore_try_task_locally on a sample, gridcore_build_and_register, gridcore_push_data, gridcore_task_progress, gridcore_read_results or gridcore_export_results, gridcore_finish_task. Secrets are never shown: do not ask the user for tokens or passwords.',
    },
  );
  const byName = new Map(o.tools.map((t) => [t.name, t]));

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: o.tools.map(mcpTool) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const spec = byName.get(name);
    if (!spec) {
      return text(l10n.t('There is no GridCore tool named {0}. The tools are: {1}.', name, o.tools.map((t) => t.name).join(', ')), true);
    }
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const signal = cancellationOf(extra.signal);
    const token = request.params._meta?.progressToken;
    // Notifications sent before the result must reach the client before it: after the result
    // the client has forgotten the token and drops them.
    const sent: Promise<unknown>[] = [];
    const progress =
      token === undefined
        ? undefined
        : (done: number, total: number | undefined, message?: string) => {
            sent.push(
              extra
                .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, ...(total !== undefined ? { total } : {}), ...(message ? { message: o.mask(message) } : {}) } })
                .catch(() => undefined),
            );
          };
    try {
      checkInput(name, args, mcpInputSchema(spec));
      const { confirm, ...input } = args;
      const deps = await o.deps();
      if (spec.effects.destructive) {
        const prepared = spec.prepare ? await spec.prepare(input, deps) : {};
        const ask = prepared.confirmation;
        if (ask) {
          const confirmed = confirm === true || (await elicit(server, o.mask(`${ask.title}\n${ask.message}`), extra.signal));
          if (!confirmed) {
            o.logger.info(`mcp: ${name} refused without confirmation`);
            return text(
              o.mask(
                [
                  l10n.t('Not done: this tool changes or deletes something and needs the user\'s consent.'),
                  ask.title,
                  ask.message,
                  l10n.t('Ask the user exactly this. Only if they agree, call {0} again with the same input and confirm: true.', name),
                ].join('\n'),
              ),
              true,
            );
          }
        }
      }
      o.logger.trace(`mcp tool ${name}`);
      const out = await spec.run(input, deps, signal, progress);
      await Promise.all(sent);
      // and a turn of the event loop, so the last one is not read in one chunk with the result
      if (sent.length) await new Promise((r) => setImmediate(r));
      return text(o.mask(out));
    } catch (e) {
      if (extra.signal.aborted) return text(l10n.t('Cancelled.'), true);
      if (!isGridCoreError(e)) o.logger.error(e instanceof Error ? e : String(e));
      const message = isGridCoreError(e)
        ? e.message
        : l10n.t('Unexpected error in {0}: {1}. See the server\'s log (stderr) for details.', name, e instanceof Error ? e.message : String(e));
      return text(o.mask(message), true);
    }
  });
  return server;
}

/** Asks the user through the client (MCP elicitation); false when the client cannot ask or the user declines. */
async function elicit(server: Server, message: string, signal: AbortSignal): Promise<boolean> {
  if (!server.getClientCapabilities()?.elicitation) return false;
  const answer = await server.elicitInput(
    {
      mode: 'form',
      message,
      requestedSchema: {
        type: 'object',
        properties: { confirm: { type: 'boolean', title: l10n.t('Go ahead'), description: l10n.t('Tick to let the agent do exactly what is described above.'), default: false } },
        required: ['confirm'],
      },
    },
    { signal },
  );
  return answer.action === 'accept' && answer.content?.confirm === true;
}
