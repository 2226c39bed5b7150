// What a trial takes and what it reports. A trial runs ONE container of a task image the way a
// node would (same environment, same network mode as the target cluster's nodes) against
// scratch queues, on a small sample, and explains what went wrong in the skill's terms.
import type { CancellationSignal } from '../ports';

export type TrialSample =
  | { kind: 'items'; items: string[] }
  /** the first `count` lines of a file (empty lines skipped) */
  | { kind: 'fileHead'; file: string; count: number }
  | { kind: 'range'; from: number; to: number; step?: number };

/** The cluster whose nodes the trial imitates; without one a throwaway redis-server is used. */
export interface TrialTarget {
  name: string;
  /** whole URL, with its password: what the task's containers would get */
  redisUrl: string;
  /** the embedded local cluster (its node runs containers with host networking) */
  local: boolean;
  /** containers the cluster runs at once (sum of its nodes' CPUs); for the estimate */
  parallelism?: number;
  /** its nodes' ids: where their containers run on this machine's Docker (ours or upstream's
   *  nodes), the trial uses the same network as they do */
  nodeIds?: string[];
}

export type TrialPhase = 'check' | 'build' | 'redis' | 'push' | 'start' | 'run' | 'collect' | 'cleanup';

export interface TrialOptions {
  /** absolute path of the Dockerfile; its folder is the build context */
  dockerfile: string;
  /** image tag to build (and reuse when nothing changed) */
  tag: string;
  sample: TrialSample;
  target?: TrialTarget;
  /** Docker network mode to use instead of the target's (tests; 'none' stands in for a bridge) */
  networkMode?: string;
  /** stop the container after this long (default 60 s) */
  timeoutMs?: number;
  /** items of the job to estimate the time of (default 1,000,000) */
  estimateItems?: number;
  /** once the input is empty, how long results may stay unchanged before the sample counts as done */
  settleMs?: number;
  /** results copied into the report before the scratch queues are removed */
  maxResults?: number;
  signal?: CancellationSignal;
  onPhase?(phase: TrialPhase, text: string): void;
  /** build output and the container's stdout/stderr, one line at a time, prefixed, secrets masked */
  onLog?(line: string): void;
  /** the first result arrived (for the bench and the progress notification) */
  onFirstResult?(): void;
}

export type TrialStop = 'consumed' | 'exited' | 'timeout' | 'cancelled' | 'startFailed';

export type FindingId =
  | 'passwordMismatch'
  | 'execFormat'
  | 'missingEntrypoint'
  | 'hostBinary'
  | 'hardcodedRedis'
  | 'redisCliEmptyUser'
  | 'redisUnreachable'
  | 'exitedAtStart'
  | 'neverTook'
  | 'exitedEarly'
  | 'failedExit'
  | 'noResults'
  | 'timeout';

export interface TrialFinding {
  id: FindingId;
  severity: 'error' | 'warning';
  /** localized: what happened and what to do */
  message: string;
  /** the skill's rule or troubleshooting row it maps to (localized) */
  rule?: string;
}

export interface TrialNetwork {
  /** undefined: the engine's default (the bridge network upstream nodes use) */
  mode?: string;
  /** localized: why this mode (what the target's nodes do) */
  why: string;
}

export interface TrialTimings {
  buildMs: number;
  redisMs: number;
  pushMs: number;
  /** create + start of the container */
  startMs: number;
  /** from the container's start to the first result; undefined without results */
  firstResultMs?: number;
  /** from the trial's start to the first result */
  toFirstResultMs?: number;
  /** from the container's start to the trial's stop */
  runMs: number;
  totalMs: number;
}

/** How a trial's rate was measured. `steady`: results over the time between the first and the
 *  last result (start-up left out), on the sample itself or, when the sample went by too fast
 *  to time, on the sample repeated to `repeatedTo` items after it was consumed.
 *  `fromStart`: results over the time from the container's start (a lower bound). */
export type TrialRateBasis =
  | { kind: 'steady'; results: number; ms: number; repeatedTo?: number }
  | { kind: 'fromStart'; results: number; ms: number };

export interface TrialEstimate {
  items: number;
  parallelism: number;
  seconds: number;
}

export interface TrialReport {
  id: string;
  image: string;
  /** the build changed nothing: the image was reused */
  imageReused: boolean;
  network: TrialNetwork;
  /** masked URL of the Redis the trial used */
  redis: string;
  /** 'cluster': the target's Redis (scratch keys removed after); 'throwaway': a redis-server of its own */
  redisKind: 'cluster' | 'throwaway';
  inputQueue: string;
  outputQueue: string;
  sampleSize: number;
  /** items the container took from the input queue */
  consumed: number;
  /** results, oldest first (at most maxResults) */
  results: string[];
  resultsTotal: number;
  stop: TrialStop;
  /** the container's own exit code; undefined when the trial stopped it */
  exitCode?: number;
  timings: TrialTimings;
  /** results per second of one container: its steady rate when it could be measured, else
   *  counted from its start (see `rateBasis`) */
  itemsPerSecond?: number;
  /** how `itemsPerSecond` was measured */
  rateBasis?: TrialRateBasis;
  estimate?: TrialEstimate;
  findings: TrialFinding[];
  /** the container's last lines (masked) */
  logTail: string[];
  /** what was removed after the trial (container, scratch keys, throwaway Redis) */
  cleanedUp: string[];
}
