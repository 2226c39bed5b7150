// Files the local cluster leaves for others: the skill's state/local_cluster.json (so the
// skill's scripts find the cluster) and our lock file (so a second VS Code window finds the
// running cluster instead of starting another). Both hold the token: mode 600. Beside them,
// in runDir, what outlives a stop: Redis's append-only files and its password (mode 600),
// so that Start brings the queues back under the URL the saved profile already holds.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export function defaultSkillDir(home = homedir()): string {
  return join(home, '.config', 'agents', 'skills', 'agent-idm-gridcore');
}

export interface ClusterPaths {
  skillState: string;
  lock: string;
  /** written by another process to ask the owner to stop the cluster */
  stopRequest: string;
  /** folder for the in-process node's id and upstream binaries' config files */
  runDir: string;
  /** Redis's data folder (append-only files); only Clear Queue deletes what is in it */
  redisDir: string;
  /** { password } of the local Redis, kept across stops (mode 600) */
  redisSecret: string;
  /** the ports of the last start, tried first on the next one (RememberedPorts) */
  ports: string;
  /** the hub's unfinished tasks with their Redis URLs (mode 600): registered again when Redis moves */
  tasks: string;
  /** O_EXCL file of a detached start under way (StartingFile): two starts make one cluster */
  starting: string;
  /** the detached cluster's log (its supervisor's stdout and stderr) */
  log: string;
}

export interface RememberedPorts {
  hubPort: number;
  redisPort: number;
  redisUrl?: string;
}

export interface RememberedTasks {
  /** the Redis URL the tasks were registered with (with its password) */
  redisUrl: string;
  tasks: import('../../core/types').RegisterTaskRequest[];
}

/** Written (O_EXCL) by the process that starts a detached cluster; its supervisor reports the
 *  steps, then an error, into it and removes it once the lock is written. */
export interface StartingFile {
  /** the starting process, until the supervisor's pid is known */
  pid: number;
  supervisorPid?: number;
  startedBy?: ClusterOwner;
  step?: string;
  text?: string;
  error?: { code: string; message: string };
  at: string;
}

export function clusterPaths(skillDir: string): ClusterPaths {
  const state = join(skillDir, 'state');
  const runDir = join(state, 'gridcore-local');
  return {
    skillState: join(state, 'local_cluster.json'),
    lock: join(state, 'gridcore-local.lock.json'),
    stopRequest: join(state, 'gridcore-local.stop-request'),
    runDir,
    redisDir: join(runDir, 'redis'),
    redisSecret: join(runDir, 'redis.json'),
    ports: join(runDir, 'ports.json'),
    tasks: join(runDir, 'tasks.json'),
    starting: join(state, 'gridcore-local.starting.json'),
    log: join(runDir, 'cluster.log'),
  };
}

export interface SkillLocalCluster {
  computehub: { url: string };
  token: string;
  redis: { url: string };
}

export interface ClusterLock {
  /** process that started (and owns) the cluster */
  pid: number;
  hubUrl: string;
  hubPort: number;
  redisPort: number;
  redisUrl: string;
  token: string;
  nodeId?: string;
  /** every node of the cluster, the first being nodeId */
  nodeIds?: string[];
  startedAt: string;
  /** who started it, so another window can name the owner (absent in older locks) */
  startedBy?: ClusterOwner;
  /** the cluster runs detached in its own supervisor process (pid), which any window may stop */
  detached?: boolean;
  /** its log file (detached) */
  logFile?: string;
  /** per node: how many times the supervisor started it again after it died */
  nodeRestarts?: number[];
  /** how many times the supervisor started Redis again after it died */
  redisRestarts?: number;
  /** per node: it ended on a stop the hub relayed (Stop Node) and waits for Start Node */
  nodeStopped?: boolean[];
}

/** A terminal's `npm run start:local`, a VS Code window's Start Local Cluster, or a chat tool. */
export type ClusterOwner = 'terminal' | 'window' | 'chat';

export function writePrivateJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Whole or not at all: other processes (windows, the detached cluster's starters) read these
  // files while they change, and a half-written one would look like none.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
