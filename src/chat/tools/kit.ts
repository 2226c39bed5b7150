// What every chat tool is: a name, an optional side-effect-free `prepare` (the progress text
// and, for destructive tools, the confirmation that says exactly what will happen) and `run`,
// which returns plain text. Tools reach the editor only through ToolDeps, so they hold no
// `vscode` import and each stays a thin adapter over the service.
import type { CancellationSignal, Logger } from '../../core/ports';
import type { GridCoreService } from '../../core/service-api';
import type { ProgressSample } from '../../core/types';
import type { QueueNaming } from '../targets';
import type { RunningTaskState } from '../../ui-model/progress-tracker';

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
  /** the first workspace folder, for relative paths */
  workspaceFolder(): string | undefined;
  /** refresh the tree and the status bar after a change */
  refresh(cluster: string): Promise<void>;
  /** what the status bar shows now (while it is current), so progress reads the same numbers */
  statusBarProgress(): RunningProgress | undefined;
  /** the tools' own samples across progress calls, for the rate (the status bar keeps one too) */
  /** Queue-length samples the progress tool took, per cluster and task, for its rate. */
  samples: Map<string, ProgressSample[]>;
  markStopRequested(cluster: string, nodeId: string): void;
  startLocalCluster(signal: CancellationSignal): Promise<LocalClusterStarted>;
  registryLogin(cluster: string): Promise<{ username?: string; password: string } | undefined>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface ToolSpec<T = any> {
  readonly name: string;
  prepare?(input: T, deps: ToolDeps): Promise<PreparedText>;
  run(input: T, deps: ToolDeps, signal: CancellationSignal): Promise<string>;
}
