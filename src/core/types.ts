// Shapes shared by the core, the local cluster and the UI. Hub wire types mirror
// ../shared/computehub-api.md exactly (snake_case as on the wire).

/** A cluster the user can talk to. Secrets are not here: they live in a SecretStore. */
export interface ClusterProfile {
  name: string;
  computehubUrl: string;
  /** Redis URL as the user gave it, password replaced by nothing: the password is a secret. */
  redisUrl: string;
  /** Optional image registry (e.g. `registry.example.com:5000/team`) that nodes can pull from. */
  registry?: string;
  /** Where the profile came from. `skill` profiles are read from the skill's TOML files. */
  source: 'extension' | 'skill' | 'local';
  /** True for the embedded local cluster: nodes share this machine's Docker images. */
  local?: boolean;
}

export interface ClusterSecrets {
  token?: string;
  redisPassword?: string;
  registryPassword?: string;
}

// ---- Hub wire types ----
export type Platform = 'linux/amd64' | 'linux/arm64' | 'linux/arm/v7';

export interface RegisterTaskRequest {
  name: string;
  image?: string;
  images?: Partial<Record<Platform, string>>;
  input_redis?: string;
  output_redis?: string;
  input_queue?: string;
  output_queue?: string;
}

export interface HubTaskList {
  current: string | null;
  pending: string[];
  completed: string[];
}

export interface FinishResult {
  completed: string;
  started: string | null;
  message: string;
}

export interface NextResult {
  previous: string | null;
  current: string | null;
}

export type RuntimeStatus = 'Running' | 'Idle' | 'Error';

export interface HubNode {
  id: string;
  hostname: string;
  architecture: string;
  cpu_count: number;
  last_seen: string;
  status: 'Online' | 'Offline';
  runtime_status: RuntimeStatus | null;
  active_containers: number;
}

export interface TaskConfig {
  task_name: string;
  image: string;
  redis_url: string | null;
  input_redis: string | null;
  output_redis: string | null;
  input_queue: string | null;
  output_queue: string | null;
}

export interface NodeRegisterRequest {
  node_id?: string;
  hostname: string;
  architecture: string;
  cpu_count: number;
}
export interface NodeRegisterResponse {
  node_id: string;
  current_task: TaskConfig | null;
}
export interface HeartbeatRequest {
  node_id: string;
  status: RuntimeStatus;
  active_containers: number;
}
export interface HeartbeatResponse {
  stop_requested: boolean;
}

// ---- What the extension remembers about tasks it registered ----
export interface TaskRecord {
  cluster: string;
  name: string;
  image?: string;
  images?: Partial<Record<Platform, string>>;
  /** Redis URLs without password (the password is the cluster's secret). */
  inputRedis?: string;
  outputRedis?: string;
  inputQueue?: string;
  outputQueue?: string;
  /** Items pushed to the input queue through the extension (sum over pushes). */
  pushed?: number;
  registeredAt?: string;
  /** Build context folder, so a re-register after a hub restart knows where it came from. */
  folder?: string;
  /** Restart Task on Nodes registered this record's task again under a new name: the name it
   *  had before (same image, queues and Redis URLs; `pushed` carried over). */
  restartOf?: string;
}

export type TaskState = 'running' | 'pending' | 'completed';

/** Hub's list merged with records: one entry per hub entry (names may repeat). */
export interface TaskView {
  name: string;
  state: TaskState;
  /** Position in its hub list (names are not unique, so this keeps entries apart). */
  index: number;
  record?: TaskRecord;
  /** The hub still hands this completed task to nodes (the last one finished, nothing after). */
  stillHandedToNodes?: boolean;
}

// ---- Queues and progress ----
export interface QueueLengths {
  [queue: string]: number;
}

export interface ProgressSample {
  /** ms since epoch */
  at: number;
  input: number;
  output: number;
  /** items in reliable consumers' processing lists; undefined when not polled */
  processing?: number;
  /** entries in the input's failed list (README, "Reliable consumers"); undefined when not polled */
  failed?: number;
}

export interface ProgressReport {
  total: number;
  done: number;
  inFlight: number;
  remaining: number;
  percent: number;
  /** items per second over the recent polls (rate.ts); 0 when unknown or untrue */
  rate: number;
  /** the job is done and `rate` is its final figure */
  rateFinal?: boolean;
  /** seconds; undefined when no true rate is known */
  etaSeconds?: number;
  finished: boolean;
  /** items in reliable consumers' processing lists (latest sample), when polled */
  processing?: number;
  /** items in the input's failed list (latest sample), when polled: they ended without a
   *  result, so `done + failed` is what ended, and equals `total` once the job is complete */
  failed?: number;
  /** pushed items that are nowhere: input empty, nothing in any processing list, and the
   *  output short of the total and still for a while (a consumer died holding them) */
  unaccounted?: number;
}

// ---- Reliable consumers (README, "Reliable consumers") ----
/** One consumer's processing list, as announced in `<input>:processing`. */
export interface InFlightList {
  list: string;
  /** the batch's token: it changes with every batch the consumer takes */
  token: string;
  /** items in the list; -1 when the key is not a list */
  length: number;
  /** out of the list's name, when it follows the convention */
  nodeId?: string;
  instance?: string;
}

export interface LengthsWithInFlight {
  lengths: QueueLengths;
  /** per input queue, its processing lists */
  inFlight: Record<string, InFlightList[]>;
  /** per input queue, the length of its failed list (`<input>:failed`); -1 when that key is
   *  not a list. Present when the poll's probe asked for failed lists. */
  failed?: Record<string, number>;
}

/** `containerCount`: a heartbeat of the node counts no more running containers than its
 *  consumers seen acting since, and this batch has not changed since before it
 *  (src/core/dead-consumers.ts) */
export type StrandedReason = 'containerGone' | 'nodeGone' | 'taskNotCurrent' | 'containerCount' | 'unchanged' | 'notAList';

export interface StrandedList extends InFlightList {
  reason: StrandedReason;
}

export interface RequeueResult {
  /** items moved back to the input */
  moved: number;
  /** lists emptied */
  lists: number;
  /** lists left alone: not a list, or their consumer took another batch since */
  skipped: Array<{ list: string; reason: 'notAList' | 'movedOn' }>;
}
