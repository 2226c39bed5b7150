// One registry for every command (after vscode-pull-request-github's commands.ts): each
// family of commands is a module that registers through here, and every handler gets the
// same error handling and logging.
import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { GridCoreService } from '../core/service-api';
import { Disposable } from '../ui/lifecycle';
import { showError } from '../ui/show-error';
import type { ClusterMonitors } from '../ui-model/cluster-monitor';
import type { ClustersView } from '../views/clusters/clusters-view';
import type { MarkdownDocuments } from '../views/markdown-documents';
import type { TaskStatusBar } from '../views/task-status-bar';

/** What command modules may use. Later features add their own views beside these. */
export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly service: GridCoreService;
  readonly logger: Logger;
  readonly channel: vscode.LogOutputChannel;
  readonly clusters: ClustersView;
  readonly statusBar: TaskStatusBar;
  readonly docs: MarkdownDocuments;
  /** One monitor per cluster: a command that changed a cluster refreshes it here
   *  (`monitors.refresh(cluster)`), and every view watching it updates. */
  readonly monitors: ClusterMonitors;
  /** A logger writing to another channel, masking secrets like the main one. */
  loggerFor(channel: vscode.LogOutputChannel): Logger;
}

// Command arguments come from menus, other commands and tests: anything goes.
export type CommandHandler = (...args: any[]) => unknown;

export type CommandModule = (registry: CommandRegistry, ctx: CommandContext) => void;

export class CommandRegistry extends Disposable {
  private readonly ids: string[] = [];

  constructor(private readonly logger: Logger) {
    super();
  }

  /** Registered ids, for tests and for the report of what exists. */
  get registered(): readonly string[] {
    return this.ids;
  }

  register(id: string, handler: CommandHandler): void {
    this.ids.push(id);
    this._register(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        this.logger.trace(`command ${id}`);
        try {
          return await handler(...args);
        } catch (e) {
          await showError(this.logger, e);
          return undefined;
        }
      }),
    );
  }
}
