// The tool table (src/tools) as VS Code sees it (a bundle of its own, loaded on the first tool
// call): each ToolSpec checked against its schema (package.json contributes the same one), its
// text masked like the logs, and its failures turned into the messages users see, so a model
// can act on them. Destructive tools confirm through VS Code's own confirmation.
import * as vscode from 'vscode';
import { isGridCoreError } from '../core/errors';
import type { Logger } from '../core/ports';
import { checkInput } from '../tools/schema-check';
import type { ToolDeps, ToolSpec } from '../tools/kit';
import { TOOL_SPECS } from '../tools/index';

export interface AdapterOptions {
  deps: ToolDeps;
  mask(text: string): string;
  logger: Logger;
}

function failure(e: unknown, o: AdapterOptions, tool: string): Error {
  if (e instanceof vscode.CancellationError) return e;
  o.logger.error(e instanceof Error ? e : String(e));
  const text = isGridCoreError(e)
    ? e.message
    : vscode.l10n.t('Unexpected error in {0}: {1}. See the GridCore log for details.', tool, e instanceof Error ? e.message : String(e));
  return new Error(o.mask(text));
}

function adapt(spec: ToolSpec, o: AdapterOptions): vscode.LanguageModelTool<object> {
  const schema = spec.inputSchema;
  return {
    async prepareInvocation(options) {
      try {
        const input = options.input ?? {};
        checkInput(spec.name, input, schema);
        const p = spec.prepare ? await spec.prepare(input, o.deps) : {};
        return {
          invocationMessage: p.invocationMessage && o.mask(p.invocationMessage),
          confirmationMessages: p.confirmation && { title: o.mask(p.confirmation.title), message: o.mask(p.confirmation.message) },
        };
      } catch (e) {
        throw failure(e, o, spec.name);
      }
    },
    async invoke(options, token) {
      try {
        const input = options.input ?? {};
        checkInput(spec.name, input, schema);
        o.logger.trace(`chat tool ${spec.name}`);
        const text = await spec.run(input, o.deps, token);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(o.mask(text))]);
      } catch (e) {
        throw failure(e, o, spec.name);
      }
    },
  };
}

/** The table's tools that package.json contributes (a tool the editor does not list stays MCP-only). */
export function createTools(o: AdapterOptions, contributed: ReadonlySet<string>): Map<string, vscode.LanguageModelTool<object>> {
  return new Map(TOOL_SPECS.filter((s) => contributed.has(s.name)).map((s) => [s.name, adapt(s, o)]));
}
