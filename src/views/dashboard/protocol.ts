// Messages between a task dashboard (extension host) and its webview script
// (media/src/dashboard.ts). Both sides import this file, so a renamed field breaks the build.
// The host sends the whole history once (`init`) and then one sample per snapshot (`update`);
// the webview only ever asks for actions, never for data: it adds no request to the cluster.
import type { SavedSeries, TaskSample } from '../../ui-model/task-series';

/** The panel's view type: activation registers its serializer, the panel module loads later. */
export const DASHBOARD_VIEW_TYPE = 'gridcore.dashboard';

/** Which task a panel shows; kept in the webview state so the panel comes back after a reload. */
export interface DashboardTarget {
  cluster: string;
  task: string;
}

/** The progress bar's figures, all measured by the same snapshot. Optional parts are shown only when present. */
export interface ProgressView {
  done: number;
  input: number;
  /** Popped from the input, result not yet pushed (processing lists, else pushed - input - done). */
  inFlight?: number;
  /** In processing lists whose consumer is gone. */
  stranded?: number;
  /** Pushed but in no queue and not done: lost by a consumer that died. */
  unaccounted?: number;
  /** In the input's failed list, each with its error: ended without a result. */
  failed?: number;
  total: number;
  /** The total is what the extension pushed (else input + output). */
  totalFromPushed: boolean;
  percent: number;
  /** Items per second over the recent window; absent when there is nothing true to say. */
  rate?: string;
  eta?: string;
  finished: boolean;
}

export type RuntimeKind = 'running' | 'idle' | 'error' | 'none';

export interface NodeRow {
  id: string;
  hostname: string;
  architecture: string;
  cpus: number;
  runtime: string;
  runtimeKind: RuntimeKind;
  containers: number;
  /** The last heartbeat (ms since epoch), shown in the row's tooltip when it is hovered, so
   *  that heartbeats alone change no row; absent when the hub's stamp does not parse. */
  lastSeenAt?: number;
  online: boolean;
}

/** What the extension recorded about the task, Redis URLs already masked. */
export interface RecordView {
  image?: string;
  inputQueue?: string;
  outputQueue?: string;
  inputRedis?: string;
  outputRedis?: string;
  pushed?: number;
}

export type DashboardAction = 'results' | 'finish' | 'requeue' | 'restart' | 'details';

export interface DashboardModel {
  /** When the snapshot it comes from was taken (ms since epoch). */
  at: number;
  /** The task's state as a label ("running", "completed"…), or a note that the hub no longer lists it. */
  state: string;
  running: boolean;
  progress?: ProgressView;
  /** Why figures are missing (Redis or hub unreachable, queues unknown), instead of stale ones. */
  problem?: string;
  nodes?: NodeRow[];
  record?: RecordView;
  actions: DashboardAction[];
}

/** Webview strings, localized on the extension side and sent once in `init`. */
export interface DashboardStrings {
  title: string;
  progress: string;
  done: string;
  input: string;
  inFlight: string;
  stranded: string;
  unaccounted: string;
  failed: string;
  failedQueue: string;
  total: string;
  totalPushed: string;
  totalEstimate: string;
  rate: string;
  eta: string;
  finished: string;
  throughput: string;
  itemsPerSecond: string;
  lengths: string;
  inputQueue: string;
  outputQueue: string;
  range: string;
  minutes: string;
  hour: string;
  noSamples: string;
  gapNote: string;
  nodes: string;
  hostname: string;
  architecture: string;
  cpus: string;
  runtime: string;
  containers: string;
  /** A node row's tooltip, with a {time} placeholder. */
  lastHeartbeat: string;
  noNodes: string;
  record: string;
  image: string;
  inputRedis: string;
  outputRedis: string;
  pushed: string;
  noRecord: string;
  actions: string;
  results: string;
  finish: string;
  requeue: string;
  restart: string;
  details: string;
  updated: string;
  waiting: string;
  /** the chart's time axis and legend */
  time: string;
  /** the display language (BCP 47), for times and dates: the webview's own may differ */
  locale: string;
}

export interface InitState extends DashboardTarget {
  strings: DashboardStrings;
  /** Lines break where two samples are further apart than this (ms). */
  gapMs: number;
  series: SavedSeries;
  model?: DashboardModel;
}

export type HostMessage =
  | { type: 'init'; state: InitState }
  | { type: 'update'; sample?: TaskSample; model: DashboardModel };

export type WebviewMessage = { type: 'ready' } | { type: 'action'; action: DashboardAction };

/** Chart ranges offered, in minutes. */
export const RANGES = [5, 15, 60] as const;

/** What the webview keeps with setState: the target, the chosen range and the history, so a
 *  reload brings the panel back with its charts. */
export interface WebviewState extends DashboardTarget {
  rangeMinutes: number;
  series: SavedSeries;
}
