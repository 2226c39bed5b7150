// Where the Docker daemon is and whether it answers. Dockerode is created here so that the
// socket rule (explicit option, then DOCKER_HOST, then the platform default) lives in one place.
import Dockerode from 'dockerode';
import { DockerError } from '../errors';
import { l10n } from '../l10n';

export interface DaemonAddress {
  /** unix socket or Windows named pipe */
  socketPath?: string;
  /** tcp://host:port from DOCKER_HOST */
  host?: string;
  port?: number;
  /** shown to the user */
  where: string;
}

export function defaultSocketPath(): string {
  return process.platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock';
}

export function resolveDaemon(socketPath?: string, env: NodeJS.ProcessEnv = process.env): DaemonAddress {
  if (socketPath) return { socketPath, where: socketPath };
  const host = env.DOCKER_HOST?.trim();
  if (host?.startsWith('unix://')) return { socketPath: host.slice(7), where: host };
  if (host?.startsWith('npipe://')) return { socketPath: host.slice(8), where: host };
  if (host?.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port || 2375), where: host };
  }
  const p = defaultSocketPath();
  return { socketPath: p, where: p };
}

export function createDocker(addr: DaemonAddress): Dockerode {
  return addr.socketPath ? new Dockerode({ socketPath: addr.socketPath }) : new Dockerode({ host: addr.host, port: addr.port, protocol: 'http' });
}

export function dockerUnreachable(where: string, cause?: unknown): DockerError {
  return new DockerError(
    'daemonDown',
    l10n.t('Docker is not running or not reachable at {where}: start Docker Desktop / the docker service, or set DOCKER_HOST.', { where }),
    undefined,
    { cause },
  );
}

/** Runs `work` with an AbortSignal; after `ms` aborts it (so no request is left hanging)
 *  and rejects with a 'timeout' DockerError naming the operation. */
export async function withTimeout<T>(op: string, ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DockerError('timeout', l10n.t('Docker did not answer "{op}" within {seconds} s. Check that Docker is not stuck (restart it), or raise the Docker timeout setting.', { op, seconds: Math.round(ms / 100) / 10 })));
    }, ms);
  });
  const running = work(abort.signal);
  running.catch(() => {}); // its rejection after a timeout is expected
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** GET /images/{name}/json with an abort signal (dockerode's inspect has none). */
export function inspectImage(docker: Dockerode, name: string, signal?: AbortSignal): Promise<Dockerode.ImageInspectInfo> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path: `/images/${name}/json`, method: 'GET', abortSignal: signal, statusCodes: { 200: true, 404: 'no such image', 500: 'server error' } } as never,
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as Dockerode.ImageInspectInfo)),
    );
  });
}

/** True for errors that mean "no daemon there" rather than "the daemon said no". */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EACCES' || code === 'EPIPE' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH';
}

export async function pingDaemon(docker: Dockerode, where: string, ms: number): Promise<void> {
  try {
    await withTimeout('ping', ms, (abortSignal) => (docker.ping as (opts: { abortSignal: AbortSignal }) => Promise<unknown>)({ abortSignal }));
  } catch (e) {
    // a daemon that does not answer a ping in time is as unusable as one that is down
    throw dockerUnreachable(where, e);
  }
}
