// A private Docker engine for `npm run start:local` on machines where Docker is installed but
// no engine runs (no init system: containers, CI machines, cloud shells). Started the way
// test/support/dockerd.sh starts the tests' engine: its own socket, data and exec roots, no
// iptables, no bridge (the local cluster's containers use the host network). Only as root,
// and only when `dockerd` is installed; anywhere else the caller keeps today's clear error.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { GridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import { onPath } from '../core/machine/redis-server';
import { pidAlive } from './cluster/state';

/** Socket, pid file, log and exec root (kept short: unix socket paths have a length limit);
 *  GRIDCORE_LOCAL_DOCKERD_DIR moves it (tests). */
export const PRIVATE_DOCKERD_DIR = process.env.GRIDCORE_LOCAL_DOCKERD_DIR || '/tmp/gridcore-local-dockerd';

export interface PrivateDockerd {
  socketPath: string;
  pid: number;
  dir: string;
  /** false: one left running by an earlier `--keep` was found and reused */
  startedHere: boolean;
  /** the command that stops it from a shell */
  stopCommand: string;
  stop(): Promise<void>;
}

export async function dockerAnswers(socketPath: string | undefined, timeoutMs = 3000): Promise<boolean> {
  if (socketPath && !existsSync(socketPath)) return false;
  try {
    await (socketPath ? new Docker({ socketPath, timeout: timeoutMs }) : new Docker({ timeout: timeoutMs })).ping();
    return true;
  } catch {
    return false;
  }
}

/** Why no private engine can be started here, or undefined when one can. */
export function privateDockerdUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  if (!onPath('dockerd')) return 'dockerd not installed';
  return undefined;
}

function readPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'dockerd.pid'), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function handle(dir: string, pid: number, startedHere: boolean): PrivateDockerd {
  return {
    socketPath: join(dir, 'docker.sock'),
    pid,
    dir,
    startedHere,
    stopCommand: `kill -TERM ${pid}`,
    stop: () => stopPrivateDockerd(dir, pid),
  };
}

/** The private engine an earlier `--keep` left running, if it still answers. */
export async function findPrivateDockerd(dir = PRIVATE_DOCKERD_DIR): Promise<PrivateDockerd | undefined> {
  const old = readPid(dir);
  if (old && pidAlive(old) && (await dockerAnswers(join(dir, 'docker.sock')))) return handle(dir, old, false);
  return undefined;
}

/** A new private engine. `dataRoot` keeps images between runs (the base and sample images are built once). */
export async function startPrivateDockerd(o: { dataRoot: string; dir?: string; timeoutMs?: number }): Promise<PrivateDockerd> {
  const dir = o.dir ?? PRIVATE_DOCKERD_DIR;
  const sock = join(dir, 'docker.sock');
  // One stopped with a bare `kill` (as --keep suggests) leaves its mounts behind.
  cleanUp(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(o.dataRoot, { recursive: true });
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  // Its own session: Ctrl+C in the terminal reaches only us, and we decide whether it stops.
  const child = spawn(
    'dockerd',
    [
      '--host', `unix://${sock}`, '--data-root', o.dataRoot, '--exec-root', join(dir, 'exec'),
      '--pidfile', join(dir, 'dockerd.pid'), '--iptables=false', '--ip6tables=false', '--bridge=none',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (Date.now() < deadline && exited === undefined) {
    if (await dockerAnswers(sock, 1000)) return handle(dir, child.pid!, true);
    await sleep(200);
  }
  if (exited === undefined) await stopPrivateDockerd(dir, child.pid!);
  const tail = readFileSync(join(dir, 'dockerd.log'), 'utf8').trim().split('\n').slice(-3).join(' ');
  throw new GridCoreError('local', 'dockerdStart', l10n.t('The private Docker engine did not start: {detail} (log: {log})', { detail: tail || l10n.t('no answer'), log: join(dir, 'dockerd.log') }));
}

/** SIGTERM, then SIGKILL after 15 s; then what dockerd leaves mounted under its folder. */
export async function stopPrivateDockerd(dir: string, pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + 15_000;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (pidAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  cleanUp(dir);
}

/** dockerd leaves its network namespace mounted under exec-root. */
function cleanUp(dir: string): void {
  if (!existsSync('/proc/mounts')) return;
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => !!m && m.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(join(dir, 'exec'), { recursive: true, force: true });
}
