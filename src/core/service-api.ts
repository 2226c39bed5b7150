// The contract between the core and everything that uses it (UI, scripts, tests, benches).
// Implementations live beside this file; the UI imports only these types and the
// `createGridCoreService` factory in ./service.ts.

import type {
  ClusterProfile,
  ClusterSecrets,
  FinishResult,
  HubNode,
  HubTaskList,
  InFlightList,
  LengthsWithInFlight,
  NextResult,
  Platform,
  ProgressReport,
  ProgressSample,
  QueueLengths,
  RegisterTaskRequest,
  RequeueResult,
  StrandedList,
  TaskConfig,
  TaskRecord,
  TaskView,
} from './types';
import type { CancellationSignal, KeyValueStore, Logger, SecretStore } from './ports';
import type { TrialOptions, TrialReport, TrialTarget } from './trial/types';

export interface ServiceSettings {
  /** ms for every hub request */
  hubTimeoutMs: number;
  /** ms to connect / per Redis command */
  redisTimeoutMs: number;
  /** ms for Docker API calls other than builds/pushes (which are cancellable instead) */
  dockerTimeoutMs: number;
  /** items per multi-value LPUSH */
  pushBatchSize: number;
}

export interface ServiceDeps {
  secrets: SecretStore;
  /** persistent store for profiles and task records */
  state: KeyValueStore;
  logger: Logger;
  settings?: () => Partial<ServiceSettings>;
  /** Folder of the skill's files; default ~/.config/agents/skills/agent-idm-gridcore */
  skillDir?: string;
}

/** A profile with its secrets resolved, ready to connect. Never log this object. */
export interface ResolvedCluster {
  profile: ClusterProfile;
  token: string;
  /** Redis URL whole, with its password. */
  redisUrl: string;
}

export interface ProfileWarning {
  file: string;
  message: string;
}

export interface ProfileService {
  list(): Promise<ClusterProfile[]>;
  get(name: string): Promise<ClusterProfile | undefined>;
  /** Adds or replaces. `redisUrl` and `token` may carry secrets: they go to the SecretStore. */
  save(input: { name: string; computehubUrl: string; redisUrl: string; token: string; registry?: string; source?: ClusterProfile['source'] }): Promise<ClusterProfile>;
  remove(name: string): Promise<void>;
  resolve(name: string): Promise<ResolvedCluster>;
  secrets(name: string): Promise<ClusterSecrets>;
  getActive(): Promise<string | undefined>;
  setActive(name: string | undefined): Promise<void>;
  /** Reads skill.toml / credentials.toml / state/local_cluster.json; returns what it found
   *  and warnings (e.g. credentials.toml readable by others). Throws ConfigError with file,
   *  line and column for malformed TOML. Does not save: call importFromSkill to save. */
  readSkillFiles(): Promise<{ clusters: Array<{ name: string; computehubUrl: string; redisUrl: string; token?: string; local?: boolean }>; warnings: ProfileWarning[] }>;
  importFromSkill(): Promise<{ imported: string[]; warnings: ProfileWarning[] }>;
  /** Paths of the skill's files, for the UI's file watcher. */
  skillFiles(): string[];
  onDidChange(listener: () => void): { dispose(): void };
}

export interface HubClient {
  readonly cluster: string;
  health(): Promise<void>;
  listTasks(): Promise<HubTaskList>;
  registerTask(req: RegisterTaskRequest): Promise<void>;
  finish(): Promise<FinishResult>;
  next(): Promise<NextResult>;
  listNodes(): Promise<HubNode[]>;
  stopNode(id: string): Promise<void>;
  currentTaskConfig(platform?: Platform): Promise<TaskConfig | null>;
}

export interface TaskRecordStore {
  list(cluster: string): TaskRecord[];
  /** Newest record with that name. */
  get(cluster: string, name: string): TaskRecord | undefined;
  put(record: TaskRecord): Promise<void>;
  /** `next` takes the place of the stored record equal to `previous` (the same task registered
   *  again); without one it is added, as put does. */
  replace(previous: TaskRecord, next: TaskRecord): Promise<void>;
  addPushed(cluster: string, name: string, count: number): Promise<void>;
  remove(cluster: string, name: string): Promise<void>;
}

export type PushSource =
  | { kind: 'array'; items: Iterable<string> }
  | { kind: 'iterable'; items: AsyncIterable<string> | Iterable<string> }
  | { kind: 'lines'; file: string }
  | { kind: 'jsonArray'; file: string }
  | { kind: 'jsonLines'; file: string }
  | { kind: 'csv'; file: string; skipHeader?: boolean }
  | { kind: 'range'; from: number; to: number; step?: number };

export interface PushOptions {
  batchSize?: number;
  signal?: CancellationSignal;
  onProgress?(pushed: number): void;
  /** Resume a push that stopped: the id from an earlier PushResult. */
  resumeId?: string;
}

export interface PushResult {
  /** Exactly how many items are now in Redis from this push (also after a cancel/failure). */
  pushed: number;
  /** Of `pushed`, how many earlier runs of a resumed push had landed (0 for a new push):
   *  `pushed - previouslyPushed` is what this call added. */
  previouslyPushed?: number;
  cancelled: boolean;
  /** Id that `resumeId` accepts to continue without duplicating a batch. */
  pushId: string;
  error?: Error;
}

export interface PageRequest {
  /** 'newest' = LPUSH end (index 0), 'oldest' = the tail */
  from: 'newest' | 'oldest';
  offset: number;
  count: number;
  /** Values longer than this are truncated (the full length is reported). */
  maxValueBytes?: number;
}

export interface PageItem {
  index: number;
  value: string;
  /** byte length of the full value */
  length: number;
  truncated: boolean;
}

export interface Page {
  total: number;
  items: PageItem[];
}

/** What a monitor's poll learns from Redis in its one round trip. */
export interface QueueProbe {
  lengths: QueueLengths;
  /** per input asked for: its reliable consumers' processing lists (README, "Reliable consumers") */
  inFlight?: Record<string, InFlightList[]>;
}

export interface QueueService {
  readonly cluster: string;
  ping(): Promise<void>;
  /** All lengths in one round trip (pipeline). */
  lengths(queues: string[]): Promise<QueueLengths>;
  /** The queues' lengths and, for each input, its reliable consumers' processing lists with
   *  their lengths, in the same single round trip. */
  lengthsWithInFlight(queues: string[], inputs: string[]): Promise<LengthsWithInFlight>;
  /** Moves the lists' batches back to `input`: atomic per list, conditional on each list's
   *  token, safe to run again and while Redis restarts (no item lost or doubled). */
  requeue(input: string, lists: ReadonlyArray<Pick<InFlightList, 'list' | 'token'>>): Promise<RequeueResult>;
  /** A poll's one Redis round trip: the lengths of `queues` (one pipeline), or a PING when there
   *  are none, so Redis health is known either way. Whatever else a poll needs from Redis joins
   *  this pipeline rather than adding a round trip: `inputs` adds their processing lists. */
  probe(queues: string[], inputs?: string[]): Promise<QueueProbe>;
  push(queue: string, source: PushSource, opts?: PushOptions): Promise<PushResult>;
  page(queue: string, req: PageRequest): Promise<Page>;
  /** Whole value of one item, for "expand". */
  item(queue: string, index: number): Promise<string | null>;
  /** Server-side search through the whole list in chunks; never loads it whole. */
  search(queue: string, needle: string, opts?: { limit?: number; signal?: CancellationSignal; onProgress?(scanned: number, total: number): void }): Promise<{ matches: PageItem[]; scanned: number; complete: boolean }>;
  exportToFile(queue: string, file: string, opts?: { format?: 'lines' | 'jsonl'; signal?: CancellationSignal; onProgress?(written: number, total: number): void }): Promise<{ written: number; cancelled: boolean }>;
  /** Explicit only: nothing else in the extension deletes data. */
  deleteQueue(queue: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface BuildOptions {
  /** folder holding the build context */
  context: string;
  /** Dockerfile path relative to context (default 'Dockerfile') */
  dockerfile?: string;
  tag: string;
  buildArgs?: Record<string, string>;
  platform?: Platform;
  target?: string;
  signal?: CancellationSignal;
  onLog?(line: string): void;
}

export interface BuildResult {
  tag: string;
  imageId: string;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  created: number;
  size: number;
}

export interface ImageService {
  ping(): Promise<void>;
  build(opts: BuildOptions): Promise<BuildResult>;
  tag(source: string, target: string): Promise<void>;
  push(tag: string, opts?: { username?: string; password?: string; signal?: CancellationSignal; onLog?(line: string): void }): Promise<void>;
  list(filter?: string): Promise<ImageSummary[]>;
  exists(tag: string): Promise<boolean>;
}

export interface DiagnosisCheck {
  /** 'task': the running task as the cluster's monitor last saw it (stalled), added by the command */
  id: 'hubHealth' | 'token' | 'redisPing' | 'redisAuth' | 'queues' | 'nodes' | 'task';
  ok: boolean;
  /** localized, says what was checked and what to do */
  detail: string;
  code?: string;
}

export interface ReregisterResult {
  /** names registered again, in registration order */
  registered: string[];
  /** records not registered, each with a localized reason that says what to do */
  skipped: Array<{ record: TaskRecord; reason: string }>;
  /** hub list merged with records, after the last registration */
  view: TaskView[];
}

/** What Restart Task on Nodes would do, for its confirmation (nothing changed yet). */
export interface RestartTaskPlan {
  cluster: string;
  /** the running task */
  task: string;
  /** the name it is registered again under (`<name>~r2`, `~r3`, …) */
  newName: string;
  /** pending tasks the hub starts before the restarted one, in order: finishing the running
   *  task starts the first pending one, and a new registration waits behind them all */
  pendingFirst: string[];
}

export interface RestartTaskResult {
  /** the new name */
  registered: string;
  finished: FinishResult;
  /** the new registration is the running task now */
  started: boolean;
  view: TaskView[];
}

/** How many containers of a task run now, and from where that is known. */
export interface RunningContainers {
  running: number;
  /** nodes the hub lists */
  nodes: number;
  /** 'docker': the local cluster's engine counted them; 'hub': the nodes' active_containers */
  source: 'docker' | 'hub';
}

/** The embedded local cluster (Redis, our hub, our node) this process runs: its module,
 *  loaded on first use (it brings dockerode). */
export type LocalClusterApi = typeof import('../local/cluster');

export interface GridCoreService {
  readonly profiles: ProfileService;
  readonly tasks: TaskRecordStore;
  readonly images: ImageService;
  hub(cluster: string): Promise<HubClient>;
  queues(cluster: string): Promise<QueueService>;
  /** Hub list merged with records. */
  listTasks(cluster: string): Promise<TaskView[]>;
  /** Register on the hub and record it; returns whether it started at once. */
  registerTask(cluster: string, req: RegisterTaskRequest, extra?: { folder?: string }): Promise<{ started: boolean; view: TaskView[] }>;
  /** Records the hub no longer knows (e.g. after a hub restart). */
  forgottenTasks(cluster: string): Promise<TaskRecord[]>;
  /** Registers records again (e.g. those forgottenTasks returned), in the order their tasks were
   *  first registered. Records keep Redis URLs masked: a URL equal to the cluster's (masked) gets the
   *  cluster's whole URL; one with another password is skipped with the reason. A hub error
   *  stops it and is thrown; tasks registered before it are recorded, so forgottenTasks lists
   *  only the rest. */
  reregisterTasks(cluster: string, records: readonly TaskRecord[]): Promise<ReregisterResult>;
  /** `now`: the clock for the rate's staleness (default: the last sample). `settleMs`: how long nothing may move before missing items count as unaccounted for. */
  progress(total: number | undefined, samples: ProgressSample[], opts?: { now?: number; settleMs?: number }): ProgressReport;
  /** Which of a task's processing lists are stranded: their container is gone (local cluster:
   *  Docker says), their node left /api/nodes, the task is no longer current, or a list kept
   *  its token and length for `staleMs` (default 120 s). Each call also records what it saw,
   *  for that last rule. `known`: nodes and current task the caller's poll already has. */
  stranded(
    cluster: string,
    task: { name: string; inputQueue: string },
    lists: readonly InFlightList[],
    opts?: { staleMs?: number; known?: { nodes?: readonly HubNode[]; currentTask?: string | null } },
  ): Promise<StrandedList[]>;
  /** Restart Task on Nodes, step 1: what it would do. Throws ConfigError('unknownTask') when no
   *  task runs, or when the running task has no record to register it again from. */
  restartTaskPlan(cluster: string): Promise<RestartTaskPlan>;
  /** Restart Task on Nodes: upstream's nodes start a task's containers only when the task
   *  changes, so the running task is registered again (same image, queues and Redis URLs) under
   *  `plan.newName` and then finished; its record carries over to the new name. Refuses
   *  (ConfigError 'badInput') when the task is no longer the running one, or when pending tasks
   *  would start first and `allowPendingFirst` is not set. */
  restartTask(plan: RestartTaskPlan, opts?: { allowPendingFirst?: boolean }): Promise<RestartTaskResult>;
  /** Containers of `task` running now: Docker's count for the local cluster; else the sum of
   *  the hub's nodes' active_containers (nodes run the hub's current task: ask for that one).
   *  `known`: the node list the caller's poll already has. */
  runningContainers(cluster: string, task: string, known?: { nodes?: readonly HubNode[] }): Promise<RunningContainers>;
  /** Requeue Stranded Items: the lists (as `stranded` returned them) back into the input. */
  requeueStranded(cluster: string, inputQueue: string, lists: ReadonlyArray<Pick<InFlightList, 'list' | 'token'>>): Promise<RequeueResult>;
  diagnose(cluster: string): Promise<DiagnosisCheck[]>;
  /** The local cluster, reached through the service like every other part (commands hold no
   *  module of their own for it). */
  localCluster(): Promise<LocalClusterApi>;
  /** What a trial needs to imitate a cluster's nodes: its Redis URL (whole), whether it is the
   *  local cluster, and its parallelism (sum of its nodes' CPUs; undefined when the hub does not answer). */
  trialTarget(cluster: string): Promise<TrialTarget>;
  /** Try a task image on a sample with one container, as a node would run it (src/core/trial). */
  trial(opts: TrialOptions): Promise<TrialReport>;
  /** Drop cached connections to a cluster (after its profile changed). */
  invalidate(cluster: string): Promise<void>;
  dispose(): Promise<void>;
}
