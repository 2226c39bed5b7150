// The local cluster as its own process tree: a supervisor (dist/local-cluster.js, see
// ../local-cluster-main.ts) started detached from whoever asks (a VS Code window, a terminal's
// `npm run start:local`, a chat tool), in its own session, its output in a log file. It runs
// Redis, the hub and the nodes, writes the lock (pid, who started it, since when, ports) and
// stops on SIGTERM. Closing or reloading a window, or killing the process that started it,
// leaves it and its job alone; any of them finds it through the lock and may stop it.
//
// Two starts at once make one cluster: the first creates the starting file with O_EXCL and
// spawns the supervisor, the others wait on that file and then find the same lock.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { GridCoreError } from '../../core/errors';
import { l10n } from '../../core/l10n';
import { silentLogger, type CancellationSignal, type Logger } from '../../core/ports';
import { findRunningLocalCluster, requestStopLocalCluster, stepFailed, stopLocalCluster, type ClusterStep, type LocalClusterInfo, type LocalClusterOptions } from '../cluster';
import { clusterPaths, defaultSkillDir, pidAlive, readJson, removeFile, writePrivateJson, type ClusterLock, type ClusterOwner, type StartingFile } from './state';

/** What the supervisor is started with: plain values only (it is a command-line argument, so
 *  no secret may be in it: the token and the password are made and kept in the state folder). */
export type DetachedOptions = Pick<
  LocalClusterOptions,
  'hubPort' | 'redisPort' | 'dockerSocket' | 'computehubBinary' | 'gridnodeBinary' | 'redisServer' | 'redisAppendFsync' | 'node' | 'nodes' | 'registerTimeoutMs'
>;

export interface DetachedStart extends LocalClusterInfo {
  /** this call started it (false: it ran already, or another start made it meanwhile) */
  startedHere: boolean;
}

const LOG_LIMIT = 10 * 1024 * 1024;

/** dist/local-cluster.js beside this bundle (dist/local.js, dist/mainjob.js), or from source. */
export function supervisorBundle(): string {
  const candidates = [resolve(__dirname, 'local-cluster.js'), resolve(__dirname, '../../../dist/local-cluster.js'), resolve(__dirname, '../../dist/local-cluster.js')];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new GridCoreError('local', 'noSupervisor', l10n.t('dist/local-cluster.js is missing: build the extension (npm run build), then start the local cluster again.'));
  return found;
}

/**
 * The state folder must be this user's: another user's would hand them our token and password
 * (and as root we could write there anyway). Ours is kept at mode 700.
 */
export function checkStateFolder(skillDir: string): void {
  const state = join(skillDir, 'state');
  for (const dir of [state, join(state, 'gridcore-local')]) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      continue;
    }
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) {
      throw new GridCoreError(
        'local',
        'stateNotOurs',
        l10n.t('The local cluster\'s state folder {folder} belongs to another user (uid {uid}), so it cannot hold this user\'s token and Redis password. Give it back (chown -R {user} {folder}) or move it away, then start the local cluster again.', {
          folder: dir,
          uid: st.uid,
          user: userInfo().username,
        }),
      );
    }
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  }
}

/** The starting file, or undefined once no start is under way (a dead starter's is removed). */
function liveStart(file: string): StartingFile | undefined {
  const s = readJson<StartingFile>(file);
  if (!s) return undefined;
  if (s.error) return s;
  if (pidAlive(s.supervisorPid ?? s.pid)) return s;
  removeFile(file);
  return undefined;
}

function openLog(file: string): number {
  try {
    if (statSync(file).size > LOG_LIMIT) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  const fd = openSync(file, 'a', 0o600);
  chmodSync(file, 0o600);
  writeSync(fd, `\n==== ${new Date().toISOString()} local cluster starting (by pid ${process.pid})\n`);
  return fd;
}

function spawnSupervisor(skillDir: string, logFile: string, startedBy: ClusterOwner, o: DetachedOptions): number {
  const fd = openLog(logFile);
  try {
    const child = spawn(process.execPath, [supervisorBundle(), '--skill-dir', skillDir, '--started-by', startedBy, '--options', JSON.stringify(o)], {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: skillDir,
      // In VS Code process.execPath is Electron (code-server: Node): run it as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.unref();
    return child.pid ?? -1;
  } finally {
    closeSync(fd);
  }
}

function lastLines(file: string, n = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * Finds the running local cluster or starts one detached, and waits until it is up (or failed:
 * the step's error, as an in-process start would throw it). Cancelling stops a start this call
 * made; a start made by another process goes on.
 */
export async function startDetachedLocalCluster(
  o: DetachedOptions & { skillDir?: string; startedBy?: ClusterOwner; onStep?(step: ClusterStep, text: string): void; signal?: CancellationSignal; timeoutMs?: number; logger?: Logger } = {},
): Promise<DetachedStart> {
  const skillDir = o.skillDir ?? defaultSkillDir();
  const paths = clusterPaths(skillDir);
  const log = o.logger ?? silentLogger;
  checkStateFolder(skillDir);
  mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  const { skillDir: _s, startedBy: _b, onStep: _o, signal: _g, timeoutMs: _t, logger: _l, ...options } = o;
  const deadline = Date.now() + (o.timeoutMs ?? 5 * 60_000);
  let mine = false;
  let shownStep: string | undefined;
  for (;;) {
    const found = await findRunningLocalCluster({ skillDir });
    if (found) return { ...found, startedHere: mine };
    let start = liveStart(paths.starting);
    if (!start && !mine) {
      try {
        const fd = openSync(paths.starting, 'wx', 0o600);
        const s: StartingFile = { pid: process.pid, startedBy: o.startedBy ?? 'window', at: new Date().toISOString() };
        writeSync(fd, JSON.stringify(s));
        closeSync(fd);
        mine = true;
        log.info('starting the local cluster detached');
        const pid = spawnSupervisor(skillDir, paths.log, o.startedBy ?? 'window', options);
        writePrivateJson(paths.starting, { ...s, supervisorPid: pid });
        continue;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        // another start won the race: wait for its cluster
        continue;
      }
    }
    if (start?.error) {
      if (mine) removeFile(paths.starting);
      const step = (start.step ?? 'state') as ClusterStep;
      throw stepFailed(step, new GridCoreError('local', start.error.code, start.error.message));
    }
    if (!start && mine) {
      // The supervisor is gone without a lock or an error: its log says why.
      throw new GridCoreError('local', 'supervisorDied', l10n.t('The local cluster\'s process ended while starting. Its log {file} ends with:\n{lines}', { file: paths.log, lines: lastLines(paths.log) }));
    }
    if (start?.step && start.step !== shownStep) {
      shownStep = start.step;
      o.onStep?.(start.step as ClusterStep, start.text ?? start.step);
    }
    if (o.signal?.isCancellationRequested) {
      if (mine && start?.supervisorPid) {
        try {
          process.kill(start.supervisorPid, 'SIGTERM');
        } catch {
          // gone already
        }
        removeFile(paths.starting);
      }
      throw new GridCoreError('local', 'cancelled', l10n.t('Starting the local cluster was cancelled; everything it had started was stopped.'));
    }
    if (Date.now() > deadline) {
      throw new GridCoreError('local', 'startTimeout', l10n.t('The local cluster did not come up in time. Its log is {file}.', { file: paths.log }));
    }
    await new Promise((r) => setTimeout(r, 150));
    start = undefined;
  }
}

/**
 * Stops the local cluster whoever started it: the detached one by SIGTERM to its supervisor
 * (which stops the nodes and their containers, the hub and Redis, keeping Redis's data), one
 * this process runs in-process, or an older version's owner through its stop request. True
 * once it is stopped; false when none ran.
 */
export async function stopAnyLocalCluster(o: { skillDir?: string; timeoutMs?: number; logger?: Logger } = {}): Promise<boolean> {
  if (await stopLocalCluster({ logger: o.logger })) return true;
  const paths = clusterPaths(o.skillDir ?? defaultSkillDir());
  const lock = readJson<ClusterLock>(paths.lock);
  const starting = liveStart(paths.starting);
  const pid = lock?.detached ? lock.pid : starting?.supervisorPid;
  if (lock && !lock.detached) return requestStopLocalCluster({ skillDir: o.skillDir, timeoutMs: o.timeoutMs });
  if (!pid || !pidAlive(pid)) {
    if (lock) removeFile(paths.lock);
    return false;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') {
      throw new GridCoreError('local', 'notOurs', l10n.t('The local cluster (process {pid}) belongs to another user and cannot be stopped from here.', { pid }));
    }
  }
  // Redis writes its file on SIGTERM (up to 30 s) and the nodes stop their containers first.
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) {
      removeFile(paths.lock);
      return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new GridCoreError('local', 'stopTimeout', l10n.t('The local cluster (process {pid}) did not stop within {seconds} s. Its log is {file}.', { pid, seconds: Math.round((o.timeoutMs ?? 120_000) / 1000), file: paths.log }));
}

export interface LocalClusterStatus {
  running?: LocalClusterInfo;
  /** a detached start under way (or failed: error set) */
  starting?: StartingFile;
  logFile: string;
  stateDir: string;
}

/** What runs: the cluster (its lock, when its hub answers), a start under way, where its log is. */
export async function localClusterStatus(o: { skillDir?: string } = {}): Promise<LocalClusterStatus> {
  const paths = clusterPaths(o.skillDir ?? defaultSkillDir());
  const running = await findRunningLocalCluster({ skillDir: o.skillDir });
  return { running, starting: running ? undefined : liveStart(paths.starting), logFile: paths.log, stateDir: paths.runDir };
}
