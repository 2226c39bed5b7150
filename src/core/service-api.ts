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
import type { FailedAction, FailedActionResult, FailedCount } from './failed-items';
import type { FailedPage, FailedPageItem, SettleOptions } from './failed-items';
import type { FailedEntry } from './failed-items';

export type { FailedAction, FailedActionResult, FailedCount, FailedEntry } from './failed-items';
export type { FailedPage, FailedPageItem, SettleOptions } from './failed-items';
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
  /** Forgets what was pushed to the task (its progress total): its queue was cleared. */
  resetPushed(cluster: string, name: string): Promise<void>;
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
  /** per input asked for (and per `failedOf`): its failed list's length, -1 when not a list */
  failed?: Record<string, number>;
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
   *  this pipeline rather than adding a round trip: `inputs` adds their processing lists and
   *  failed lists' lengths, `failedOf` the failed lists' lengths of more inputs. */
  probe(queues: string[], inputs?: string[], failedOf?: string[]): Promise<QueueProbe>;
  push(queue: string, source: PushSource, opts?: PushOptions): Promise<PushResult>;
  page(queue: string, req: PageRequest): Promise<Page>;
  /** Whole value of one item, for "expand". */
  item(queue: string, index: number): Promise<string | null>;
  /** Server-side search through the whole list in chunks; never loads it whole. */
  search(queue: string, needle: string, opts?: { limit?: number; signal?: CancellationSignal; onProgress?(scanned: number, total: number): void }): Promise<{ matches: PageItem[]; scanned: number; complete: boolean }>;
  exportToFile(queue: string, file: string, opts?: { format?: 'lines' | 'jsonl'; signal?: CancellationSignal; onProgress?(written: number, total: number): void }): Promise<{ written: number; cancelled: boolean }>;
  /** A page of `input`'s failed list, each entry parsed (src/core/failed-items.ts). */
  failedPage(input: string, req: PageRequest): Promise<FailedPage>;
  /** The whole entry at `index` of the failed list, or null. */
  failedEntry(input: string, index: number): Promise<{ entry: FailedEntry; length: number } | null>;
  /** Search the failed list's entries (item, error and the rest) for `needle`, in chunks. */
  searchFailed(input: string, needle: string, opts?: { limit?: number; signal?: CancellationSignal; onProgress?(scanned: number, total: number): void }): Promise<{ matches: FailedPageItem[]; scanned: number; complete: boolean }>;
  /** Entries in the failed list, those `match` selects, and those that carry an item. */
  countFailed(input: string, opts?: { match?: string; signal?: CancellationSignal }): Promise<FailedCount>;
  /** Retry (items back to the input's popping end, attempts reset) or Clear entries of the
   *  failed list, each atomically and at most once, also across a Redis restart. */
  settleFailed(input: string, action: FailedAction, opts?: SettleOptions): Promise<FailedActionResult>;
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
   *  for that last rule. `known`: nodes and current task the caller's poll already has
   *  (`nodesAt`: the time just before the nodes were asked for). */
  stranded(
    cluster: string,
    task: { name: string; inputQueue: string },
    lists: readonly InFlightList[],
    opts?: { staleMs?: number; known?: { nodes?: readonly HubNode[]; nodesAt?: number; currentTask?: string | null } },
  ): Promise<StrandedList[]>;
  /** Clear Queue: deletes the list and resets the progress total (what was pushed) of the
   *  tasks it is the input or output of (and of `opts.task`), so progress can reach 100 %
   *  again. Returns how many items the list held and the tasks whose total was reset. */
  clearQueue(cluster: string, queue: string, opts?: { task?: string }): Promise<{ deleted: number; totalsReset: string[] }>;
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
  /** A page of the failed list of `inputQueue` (README, "Reliable consumers"), entries parsed. */
  failedItems(cluster: string, inputQueue: string, req: PageRequest): Promise<FailedPage>;
  /** Server-side search through the failed entries (their item, error and the rest). */
  searchFailedItems(cluster: string, inputQueue: string, needle: string, opts?: { limit?: number; signal?: CancellationSignal; onProgress?(scanned: number, total: number): void }): Promise<{ matches: FailedPageItem[]; scanned: number; complete: boolean }>;
  /** The failed entries, one JSON object a line as the consumers wrote them, streamed to `file`. */
  exportFailedItems(cluster: string, inputQueue: string, file: string, opts?: { signal?: CancellationSignal; onProgress?(written: number, total: number): void }): Promise<{ written: number; cancelled: boolean }>;
  /** What a confirmation says: entries, those `match` selects, those Retry can move. */
  countFailedItems(cluster: string, inputQueue: string, opts?: { match?: string; signal?: CancellationSignal }): Promise<FailedCount>;
  /** Retry Failed Items: all entries, or those `match` selects (at most `limit`, oldest first). */
  retryFailedItems(cluster: string, inputQueue: string, opts?: SettleOptions): Promise<FailedActionResult>;
  /** Clear Failed Items: drops the entries (and their attempts), all or those `match` selects. */
  clearFailedItems(cluster: string, inputQueue: string, opts?: SettleOptions): Promise<FailedActionResult>;
  /** What a trial needs to imitate a cluster's nodes: its Redis URL (whole), whether it is the
   *  local cluster, and its parallelism (sum of its nodes' CPUs; undefined when the hub does not answer). */
  trialTarget(cluster: string): Promise<TrialTarget>;
  /** Try a task image on a sample with one container, as a node would run it (src/core/trial). */
  trial(opts: TrialOptions): Promise<TrialReport>;
  /** Drop cached connections to a cluster (after its profile changed). */
  invalidate(cluster: string): Promise<void>;
  dispose(): Promise<void>;
}
