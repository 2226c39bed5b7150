// What every GridCore tool is, defined once and served twice: to VS Code's chat as a language
// model tool (src/chat/adapter.ts) and to any agent as an MCP tool (src/mcp/server.ts). A tool
// is its name, its title, the description the model reads, its JSON input schema, what it does
// to the cluster (annotations), an optional side-effect-free `prepare` (the progress text and,
// for destructive tools, the confirmation that says exactly what will happen) and `run`, which
// returns plain text. Tools reach the host only through ToolDeps, so this folder holds no
// `vscode` import and each tool stays a thin adapter over the service.
import type { CancellationSignal, Logger } from '../core/ports';
import type { GridCoreService } from '../core/service-api';
import type { ProgressSample } from '../core/types';
import type { QueueNaming } from './targets';
import type { JsonSchema } from './schema-check';
import type { RunningTaskState } from '../ui-model/progress-tracker';

export interface PreparedText {
  invocationMessage?: string;
  /** Present for destructive tools: the user must confirm before `run`. */
  confirmation?: { title: string; message: string };
}

/** The status bar's figures for its running task. */
export type RunningProgress = RunningTaskState;

export interface LocalClusterStarted {
  name: string;
  computehubUrl: string;
  alreadyRunning: boolean;
  /** the text the command shows */
  message: string;
}

export interface ToolDeps {
  service: GridCoreService;
  logger: Logger;
  naming: QueueNaming;
  /** the folder relative paths start from (the editor's first workspace folder; the MCP server's cwd) */
  workspaceFolder(): string | undefined;
  /** refresh the tree and the status bar after a change */
  refresh(cluster: string): Promise<void>;
  /** what the status bar shows now (while it is current), so progress reads the same numbers */
  statusBarProgress(): RunningProgress | undefined;
  /** Queue-length samples the progress tool took, per cluster and task, for its rate. */
  samples: Map<string, ProgressSample[]>;
  markStopRequested(cluster: string, nodeId: string): void;
  startLocalCluster(signal: CancellationSignal): Promise<LocalClusterStarted>;
  registryLogin(cluster: string): Promise<{ username?: string; password: string } | undefined>;
  /** the image tag Build and Register last used for a folder, when the host remembers it */
  imageTagOf?(folder: string): string | undefined;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What a tool does to the cluster: MCP's annotations, and whether the editor asks first. */
export interface ToolEffects {
  /** reads only: nothing on the cluster or the disk changes */
  readOnly: boolean;
  /** may destroy or discard something (data, a running task, a node): confirmed first */
  destructive: boolean;
  /** calling it again with the same input changes nothing more */
  idempotent: boolean;
}

/** How far a long call is (MCP progress notifications; the editor shows its own). */
export type ToolProgress = (progress: number, total: number | undefined, message?: string) => void;

export interface ToolSpec<T = any> {
  readonly name: string;
  /** English, short; package.nls.json's displayName is "GridCore: " + this */
  readonly title: string;
  /** for the model, English; package.nls.json's modelDescription is this text (zh-cn translates it) */
  readonly description: string;
  /** package.json's inputSchema is this object */
  readonly inputSchema: JsonSchema;
  readonly effects: ToolEffects;
  prepare?(input: T, deps: ToolDeps): Promise<PreparedText>;
  run(input: T, deps: ToolDeps, signal: CancellationSignal, progress?: ToolProgress): Promise<string>;
}

/** The `cluster` input most tools share. */
export const CLUSTER_INPUT: JsonSchema = {
  type: 'string',
  description: 'Name of a configured GridCore cluster. Default: the active cluster (or the only one).',
};
