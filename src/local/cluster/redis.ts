// Redis for the local cluster: the configured `redis-server`, else the one on PATH, as a watched
// child process; with neither, the redis:7-alpine image through Docker (host network, so
// containers and the extension both reach it on 127.0.0.1). Password required, nothing persisted.
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { GridCoreError } from '../../core/errors';
import { l10n } from '../../core/l10n';
import type { Logger } from '../../core/ports';
import { redact } from '../../core/redact';
import { spawnWatched } from './watchdog';

export const REDIS_IMAGE = 'redis:7-alpine';

export interface LocalRedis {
  kind: 'process' | 'docker';
  port: number;
  /** whole URL, with the password */
  url: string;
  pid?: number;
  containerId?: string;
  stop(): Promise<void>;
}

export function onPath(bin: string): string | undefined {
  if (bin.includes('/')) return existsSync(bin) ? bin : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, bin);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/**
 * The redis-server to run: `configured` (the gridcore.localCluster.redisServerPath setting)
 * when given, else `redis-server` on PATH; undefined means "use the image". A configured one
 * that is not there is an error, not a silent switch to Docker: the user asked for that binary.
 */
export function redisServerBinary(configured: string | undefined, find: (bin: string) => string | undefined = onPath): string | undefined {
  if (!configured) return find('redis-server');
  const bin = find(configured);
  if (!bin) {
    throw new GridCoreError(
      'local',
      'redisServerMissing',
      l10n.t('redis-server not found at {path} (setting gridcore.localCluster.redisServerPath). Correct the path, or clear the setting to use redis-server from PATH, else the {image} image through Docker.', { path: configured, image: REDIS_IMAGE }),
    );
  }
  return bin;
}

/** Answers when Redis accepts our password: `AUTH` then `PING` over a raw socket. */
export function redisAnswers(port: number, password: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write(`AUTH ${password}\r\nPING\r\n`));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('+PONG')) done(true);
      else if (buf.includes('-')) done(false);
    });
  });
}

async function waitReady(port: number, password: string, alive: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    if (await redisAnswers(port, password)) return true;
    await sleep(100);
  }
  return false;
}

export async function startLocalRedis(o: {
  port: number;
  password: string;
  /** a second address to listen on, which the URL then names (the bridge gateway, for
   *  containers on Docker's default network); 127.0.0.1 is always bound */
  alsoBind?: string;
  redisServer?: string;
  docker: () => Docker;
  logger: Logger;
}): Promise<LocalRedis> {
  const url = `redis://:${encodeURIComponent(o.password)}@${o.alsoBind ?? '127.0.0.1'}:${o.port}`;
  const bind = o.alsoBind ? `127.0.0.1 ${o.alsoBind}` : '127.0.0.1';
  const clean = (s: string) => redact(s, [o.password]);
  const bin = redisServerBinary(o.redisServer);
  if (bin) {
    o.logger.info(`starting ${bin} on ${bind} port ${o.port}`);
    const p = spawnWatched(
      bin,
      ['--port', String(o.port), '--bind', bind, '--requirepass', o.password, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { logger: o.logger, redact: clean },
    );
    let exited = false;
    void p.exited.then(() => (exited = true));
    if (!(await waitReady(o.port, o.password, () => !exited))) {
      await p.stop(1000);
      throw new GridCoreError('local', 'redisStart', l10n.t('redis-server did not start on port {port}: {detail}', { port: o.port, detail: p.stderrTail() || l10n.t('no answer') }));
    }
    return { kind: 'process', port: o.port, url, pid: p.pid, stop: () => p.stop(3000) };
  }

  o.logger.info(`redis-server not on PATH: using the ${REDIS_IMAGE} image`);
  const docker = o.docker();
  try {
    await docker.getImage(REDIS_IMAGE).inspect();
  } catch {
    try {
      const stream = await docker.pull(REDIS_IMAGE);
      await new Promise<void>((res, rej) => docker.modem.followProgress(stream, (e: Error | null) => (e ? rej(e) : res())));
    } catch (e) {
      throw new GridCoreError('local', 'redisMissing', l10n.t('No redis-server on PATH and the {image} image could not be pulled ({detail}). Install redis-server (e.g. apt-get install redis-server) or load that image into Docker.', { image: REDIS_IMAGE, detail: (e as Error).message }));
    }
  }
  const c = await docker.createContainer({
    name: `gridcore-local-redis-${o.port}`,
    Image: REDIS_IMAGE,
    Cmd: ['redis-server', '--port', String(o.port), '--bind', bind, '--requirepass', o.password, '--save', '', '--appendonly', 'no'],
    Labels: { 'gridcore.local': 'redis' },
    HostConfig: { NetworkMode: 'host', AutoRemove: false },
  });
  const stop = async () => {
    await c.remove({ force: true }).catch(() => undefined);
  };
  await c.start();
  if (!(await waitReady(o.port, o.password, () => true))) {
    await stop();
    throw new GridCoreError('local', 'redisStart', l10n.t('The Redis container did not answer on port {port}.', { port: o.port }));
  }
  return { kind: 'docker', port: o.port, url, containerId: c.id, stop };
}
