// Files the local cluster leaves for others: the skill's state/local_cluster.json (so the
// skill's scripts find the cluster) and our lock file (so a second VS Code window finds the
// running cluster instead of starting another). Both hold the token: mode 600.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
}

export function clusterPaths(skillDir: string): ClusterPaths {
  const state = join(skillDir, 'state');
  return {
    skillState: join(state, 'local_cluster.json'),
    lock: join(state, 'gridcore-local.lock.json'),
    stopRequest: join(state, 'gridcore-local.stop-request'),
    runDir: join(state, 'gridcore-local'),
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
  startedAt: string;
  /** who started it, so another window can name the owner (absent in older locks) */
  startedBy?: ClusterOwner;
}

/** A terminal's `npm run start:local`, or a VS Code window's Start Local Cluster. */
export type ClusterOwner = 'terminal' | 'window';

export function writePrivateJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file
  chmodSync(file, 0o600);
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
