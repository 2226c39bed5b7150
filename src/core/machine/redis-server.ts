// Redis for the local cluster: the configured `redis-server`, else the one on PATH, as a watched
// child process; with neither, the redis:7-alpine image through Docker (host network, so
// containers and the extension both reach it on 127.0.0.1). Password required. It persists to
// an append-only file in the cluster's state folder, fsynced every second: a stop or a restart
// keeps every queue (only Clear Queue deletes data). A SIGKILL loses what was not yet written
// to the file: with `everysec` Redis writes before it replies, except while a background
// fsync is slow, when it holds writes back (and still replies) for up to 2 s; `always`
// closes that window at about a third of the push rate. A stop is SIGTERM with a long grace,
// since Redis writes and fsyncs the file on SIGTERM.
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { GridCoreError } from '../errors';
import { l10n } from '../l10n';
import type { Logger } from '../ports';
import { redact } from '../redact';
import { ContainerOps } from '../docker/containers';
import { spawnWatched } from './watchdog';

export const REDIS_IMAGE = 'redis:7-alpine';
/** Label of the Redis container naming its data folder: a container an earlier, killed owner
 *  left running on that folder is stopped before a new one opens the same files. */
export const REDIS_DATA_LABEL = 'gridcore.local.data';
/** SIGTERM to SIGKILL: Redis writes and fsyncs its append-only file on SIGTERM. */
const STOP_GRACE_MS = 30_000;

export type AppendFsync = 'everysec' | 'always';

/** The arguments that make Redis persist to `dir` (see the top of this file). */
export function persistenceArgs(dir: string, fsync: AppendFsync = 'everysec'): string[] {
  return ['--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync, '--save', ''];
}

export interface LocalRedis {
  kind: 'process' | 'docker';
  port: number;
  /** whole URL, with the password */
  url: string;
  pid?: number;
  containerId?: string;
  /** resolves when the server ended, by stop() or not (the detached cluster restarts it) */
  exited: Promise<unknown>;
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
  /** folder of the append-only files (created, mode 700) */
  dataDir: string;
  /** default everysec */
  appendFsync?: AppendFsync;
  redisServer?: string;
  docker: () => Docker;
  logger: Logger;
}): Promise<LocalRedis> {
  const url = `redis://:${encodeURIComponent(o.password)}@${o.alsoBind ?? '127.0.0.1'}:${o.port}`;
  const bind = o.alsoBind ? `127.0.0.1 ${o.alsoBind}` : '127.0.0.1';
  const clean = (s: string) => redact(s, [o.password]);
  const bin = redisServerBinary(o.redisServer);
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  if (bin) {
    o.logger.info(`starting ${bin} on ${bind} port ${o.port}, data in ${o.dataDir}`);
    const log = tailLogger(o.logger);
    // The password goes in a file only we can read, not on the command line (`ps` shows that to everyone).
    const conf = writeRedisConf(o.dataDir, { port: o.port, bind, password: o.password, dir: o.dataDir, appendFsync: o.appendFsync });
    const p = spawnWatched(bin, [conf, '--daemonize', 'no'], { logger: log, redact: clean, graceMs: STOP_GRACE_MS });
    let exited = false;
    void p.exited.then(() => (exited = true));
    if (!(await waitReady(o.port, o.password, () => !exited))) {
      await p.stop(1000);
      throw dataUnreadable(log.lines(), o.dataDir) ?? new GridCoreError('local', 'redisStart', l10n.t('redis-server did not start on port {port}: {detail}', { port: o.port, detail: p.stderrTail() || l10n.t('no answer') }));
    }
    return { kind: 'process', port: o.port, url, pid: p.pid, exited: p.exited, stop: () => p.stop(STOP_GRACE_MS + 1000) };
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
  await stopLeftovers(docker, o.dataDir, o.logger);
  // The container's processes show in this machine's `ps` too: the password stays in the file.
  const conf = writeRedisConf(o.dataDir, { port: o.port, bind, password: o.password, dir: '/data', appendFsync: o.appendFsync });
  const c = await docker.createContainer({
    name: `gridcore-local-redis-${o.port}`,
    Image: REDIS_IMAGE,
    Cmd: ['redis-server', CONTAINER_CONF],
    Labels: { 'gridcore.local': 'redis', [REDIS_DATA_LABEL]: o.dataDir },
    // Our uid, so that the files on this machine stay ours (the image's entrypoint would
    // otherwise chown the folder to its redis user).
    User: userSpec(),
    HostConfig: { NetworkMode: 'host', AutoRemove: false, Binds: [`${o.dataDir}:/data`, `${conf}:${CONTAINER_CONF}:ro`] },
  });
  const stop = async () => {
    await c.stop({ t: STOP_GRACE_MS / 1000 }).catch(() => undefined);
    await c.remove({ force: true }).catch(() => undefined);
  };
  let exited = false;
  // next-exit: asked before the start, so that even an instant exit is seen
  const ended = c.wait({ condition: 'next-exit' }).then(
    () => (exited = true),
    () => (exited = true),
  );
  await c.start();
  if (!(await waitReady(o.port, o.password, () => !exited))) {
    // Its log says why (a damaged file, as for redis-server); read before the container goes.
    const logs = await new ContainerOps(docker, o.logger, () => [o.password]).lastLogs(c, 30);
    await stop();
    throw dataUnreadable(logs.split('\n'), o.dataDir) ?? new GridCoreError('local', 'redisStart', l10n.t('The Redis container did not answer on port {port}.', { port: o.port }));
  }
  return { kind: 'docker', port: o.port, url, containerId: c.id, exited: ended, stop };
}

const CONTAINER_CONF = '/usr/local/etc/redis/gridcore.conf';

/**
 * Redis's settings as a config file beside its data folder (`<dataDir>.conf`, mode 600), so that
 * the password is in no command line. Written on every start: the port may have moved.
 */
export function writeRedisConf(dataDir: string, c: { port: number; bind: string; password: string; dir: string; appendFsync?: AppendFsync }): string {
  const file = `${dataDir.replace(/\/+$/, '')}.conf`;
  const quoted = (v: string) => `"${v.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
  const lines = [
    '# Written by GridCore for its local Redis on each start; the password is here and not on the command line.',
    `port ${c.port}`,
    `bind ${c.bind}`,
    `requirepass ${quoted(c.password)}`,
    `dir ${quoted(c.dir)}`,
    'appendonly yes',
    `appendfsync ${c.appendFsync ?? 'everysec'}`,
    'save ""',
    'daemonize no',
    '',
  ];
  writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

function userSpec(): string | undefined {
  return process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : undefined;
}

/** Stops (gracefully, so its file is whole) and removes any Redis container on `dataDir`. */
async function stopLeftovers(docker: Docker, dataDir: string, logger: Logger): Promise<void> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${REDIS_DATA_LABEL}=${dataDir}`] } });
  for (const info of found) {
    logger.warn(`a Redis container an earlier run left on ${dataDir} (${info.Names.join(', ')}): stopping it first`);
    const c = docker.getContainer(info.Id);
    await c.stop({ t: STOP_GRACE_MS / 1000 }).catch(() => undefined);
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** `logger`, also keeping its last lines: redis-server logs to stdout, errors included. */
function tailLogger(logger: Logger): Logger & { lines(): string[] } {
  const tail: string[] = [];
  const keep = (m: unknown) => {
    tail.push(String(m));
    if (tail.length > 30) tail.shift();
  };
  return {
    trace: (m) => logger.trace(m),
    info: (m) => (keep(m), logger.info(m)),
    warn: (m) => (keep(m), logger.warn(m)),
    error: (m) => (keep(m instanceof Error ? m.message : m), logger.error(m)),
    lines: () => tail,
  };
}

/**
 * Redis refuses to start on a damaged append-only file (a full disk, a file edited by hand).
 * Nothing is deleted for the user: the message says how to repair the files or set them aside.
 */
export function dataUnreadable(log: readonly string[], dataDir: string): GridCoreError | undefined {
  const line = log.find((l) => /append only file|\bAOF\b|manifest/i.test(l) && /bad|corrupt|can't|cannot|unexpected|invalid|fail/i.test(l));
  if (!line) return undefined;
  // "<pid>:M 29 Nov 2026 20:04:43.204 # Bad file format ...": the message without the prefix
  const detail = line.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, '');
  return new GridCoreError(
    'local',
    'redisData',
    l10n.t('Redis could not read the queues saved in {folder}: {detail} Copy that folder first, then repair it with redis-check-aof --fix {manifest}, or move the folder away to start with empty queues.', {
      folder: dataDir,
      detail,
      manifest: join(dataDir, 'appendonlydir', 'appendonly.aof.manifest'),
    }),
  );
}
