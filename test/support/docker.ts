// A real Docker engine for tests. Uses DOCKER_HOST when it answers (CI starts one with
// test/support/dockerd.sh); otherwise starts a private dockerd as in
// /work/shared/testing-env.md. The data-root under .cache/dockerd is reused across runs so
// built base images survive; a lock keeps two daemons off that data-root at once (a second
// concurrent run gets a throwaway data-root instead).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DockerHandle {
  socketPath: string;
  /** PID of the dockerd this handle started (undefined when it reuses someone else's). */
  pid?: number;
  stop(): Promise<void>;
}

export interface PrivateDocker extends DockerHandle {
  pid: number;
  /** SIGKILL the daemon (an honest crash), then end the containerd and shims it left. */
  crash(): Promise<void>;
}

const cacheDir = resolve(__dirname, '../../.cache/dockerd');
const lockFile = join(cacheDir, 'lock');

/** GET /_ping over a unix socket; true when the daemon answers OK within the timeout. */
export function pingSocket(socketPath: string, timeoutMs = 1500): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

function socketFromEnv(): string | undefined {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lock file lines: owner pid, socket path, 'shared' when the daemon outlives its starter
 *  (dockerd.sh), dockerd pid. */
function readLock(): { pid: number; socket: string; shared: boolean; daemonPid: number } | undefined {
  try {
    const [pid, socket, mode, daemonPid] = readFileSync(lockFile, 'utf8').split('\n');
    return { pid: Number(pid), socket, shared: mode === 'shared', daemonPid: Number(daemonPid) };
  } catch {
    return undefined;
  }
}

async function tryLock(socket: string): Promise<boolean> {
  mkdirSync(cacheDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, `${process.pid}\n${socket}\nprivate\n`);
      closeSync(fd);
      return true;
    } catch {
      const held = readLock();
      if (held && alive(held.pid)) return false;
      // stale: its owner died; a daemon it left behind would fight ours over the data-root
      if (held?.daemonPid) await stopDockerDaemon({ pid: held.daemonPid });
      rmSync(lockFile, { force: true });
    }
  }
  return false;
}

async function waitReady(socketPath: string, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`dockerd exited with ${proc.exitCode} before answering`);
    if (existsSync(socketPath) && (await pingSocket(socketPath, 500))) return;
    await sleep(100);
  }
  throw new Error(`dockerd did not answer on ${socketPath} within ${timeoutMs} ms`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PIDs whose command line names `program` and mentions `text` (our own daemon's helpers). */
function processesMentioning(text: string, program: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = readFileSafe(`/proc/${entry}/cmdline`).split('\0');
    if (cmd[0]?.includes(program) && cmd.some((a) => a.includes(text))) out.push(Number(entry));
  }
  return out;
}

function unmountUnder(dir: string): void {
  const points = readFileSafe('/proc/self/mounts')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m?.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of points) spawnSync('umount', ['-l', m]);
}

/** SIGTERM a dockerd and wait for it (and its containerd) to exit; SIGKILL after 15 s. */
export async function stopDockerDaemon(handle: { pid?: number }): Promise<void> {
  const pid = handle.pid;
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 150 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
}

/**
 * Start a dockerd of our own. `dataRoot` defaults to a throwaway folder; pass the cache's to
 * keep images. Socket and exec-root live in a short /tmp folder (containerd's socket path
 * must stay under 108 bytes).
 */
export async function startPrivateDockerd(opts: { dataRoot?: string; onStop?: () => void } = {}): Promise<PrivateDocker> {
  const dir = mkdtempSync(join(tmpdir(), 'gcd-'));
  const socketPath = join(dir, 'docker.sock');
  const dataRoot = opts.dataRoot ?? join(dir, 'data');
  const proc = spawn(
    'dockerd',
    [
      '--host', `unix://${socketPath}`,
      '--data-root', dataRoot,
      '--exec-root', join(dir, 'exec'),
      '--pidfile', join(dir, 'dockerd.pid'),
      '--iptables=false', '--ip6tables=false', '--bridge=none',
    ],
    { stdio: ['ignore', 'ignore', openSync(join(dir, 'dockerd.log'), 'a')] },
  );
  proc.unref();
  // a test process that dies without stop() must not leave its daemon behind
  const onExit = () => proc.exitCode === null && proc.kill('SIGTERM');
  process.once('exit', onExit);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let stopped = false;
  const handle: PrivateDocker = {
    socketPath,
    pid: proc.pid!,
    crash: async () => {
      const containerd = Number(readFileSafe(join(dir, 'exec/containerd/containerd.pid')));
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await Promise.race([exited, sleep(5000)]);
      for (const shim of processesMentioning(join(dir, 'exec'), 'containerd-shim')) await stopDockerDaemon({ pid: shim });
      if (containerd) await stopDockerDaemon({ pid: containerd });
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      await stopDockerDaemon({ pid: proc.pid });
      await Promise.race([exited, sleep(2000)]);
      opts.onStop?.();
      // dockerd leaves its netns (and a crashed one its layers) mounted under the folder
      unmountUnder(dir);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (e) {
        console.warn(`could not remove ${dir}: ${(e as Error).message}`);
      }
    },
  };
  try {
    await waitReady(socketPath, proc, 30_000);
  } catch (e) {
    const log = readFileSafe(join(dir, 'dockerd.log')).slice(-2000);
    await handle.stop();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return handle;
}

/** A Docker engine to test against; call stop() when done (a no-op for a daemon we did not start). */
export async function ensureDocker(): Promise<DockerHandle> {
  const fromEnv = socketFromEnv();
  if (fromEnv && (await pingSocket(fromEnv))) return { socketPath: fromEnv, stop: async () => {} };

  const held = readLock();
  if (held?.shared && alive(held.pid) && (await pingSocket(held.socket))) {
    return { socketPath: held.socket, stop: async () => {} };
  }
  if (!(await tryLock(''))) return startPrivateDockerd();
  try {
    const handle = await startPrivateDockerd({
      dataRoot: join(cacheDir, 'data'),
      onStop: () => rmSync(lockFile, { force: true }),
    });
    writeFileSync(lockFile, `${process.pid}\n${handle.socketPath}\nprivate\n${handle.pid}\n`);
    return handle;
  } catch (e) {
    rmSync(lockFile, { force: true });
    throw e;
  }
}
