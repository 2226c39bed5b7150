// The embedded local cluster: Redis + ComputeHub + one GridNode on this machine, started by
// one call and stopped by another. Free of `vscode`: the UI passes a step callback (for its
// progress notification), a cancellation signal and a logger per part.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { GridCoreError, isGridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import { silentLogger, type CancellationSignal, type Logger } from '../core/ports';
import type { HubNode } from '../core/types';
import { healthOk, startLocalHub, type LocalHub } from './cluster/hub';
import { startLocalNode, type LocalNode, type LocalNodeSettings } from './cluster/node';
import { pickPort } from './cluster/ports';
import { onPath, startLocalRedis, type LocalRedis } from './cluster/redis';
import {
  clusterPaths,
  defaultSkillDir,
  pidAlive,
  readJson,
  removeFile,
  writePrivateJson,
  type ClusterLock,
  type SkillLocalCluster,
} from './cluster/state';
import { dockerFrom } from './node/containers';

export type ClusterStep = 'docker' | 'ports' | 'secrets' | 'redis' | 'hub' | 'node' | 'register' | 'state';
export type ClusterPart = 'cluster' | 'redis' | 'hub' | 'node';

export interface LocalClusterOptions {
  /** default 8080; another free port when taken */
  hubPort?: number;
  /** default 6379; another free port when taken */
  redisPort?: number;
  docker?: Docker;
  /** Docker socket; default DOCKER_HOST, else the platform's default socket */
  dockerSocket?: string;
  /** the skill's folder (state/local_cluster.json and our lock live under it) */
  skillDir?: string;
  /** upstream `computehub` binary to run instead of our hub ('auto': use one found on PATH) */
  computehubBinary?: string | 'auto';
  /** upstream `gridnode` binary to run instead of our node ('auto': use one found on PATH) */
  gridnodeBinary?: string | 'auto';
  /** redis-server command (default: `redis-server` on PATH, else the redis:7-alpine image) */
  redisServer?: string;
  node?: LocalNodeSettings;
  /** how long to wait for the node to show in /api/nodes */
  registerTimeoutMs?: number;
  onStep?(step: ClusterStep, text: string): void;
  signal?: CancellationSignal;
  logger?(part: ClusterPart): Logger;
}

/** What the UI saves as the `local` profile. The Redis URL carries the password. */
export interface LocalProfileData {
  name: 'local';
  computehubUrl: string;
  redisUrl: string;
  token: string;
}

export interface LocalClusterInfo {
  profile: LocalProfileData;
  hubPort: number;
  redisPort: number;
  nodeId?: string;
  /** pid of the process that owns the cluster */
  pid: number;
  /** false when another process (another VS Code window) started it: only it can stop it */
  ownedHere: boolean;
  /** the default port was taken and another was picked */
  movedPorts: { hub: boolean; redis: boolean };
}

interface RunningCluster {
  info: LocalClusterInfo;
  redis: LocalRedis;
  hub: LocalHub;
  node: LocalNode;
  lockFile: string;
  skillState: string;
  offExit: () => void;
}

let running: RunningCluster | undefined;

function stepText(step: ClusterStep): string {
  switch (step) {
    case 'docker':
      return l10n.t('Checking Docker…');
    case 'ports':
      return l10n.t('Checking ports…');
    case 'secrets':
      return l10n.t('Generating the token and the Redis password…');
    case 'redis':
      return l10n.t('Starting Redis…');
    case 'hub':
      return l10n.t('Starting the ComputeHub…');
    case 'node':
      return l10n.t('Starting the compute node…');
    case 'register':
      return l10n.t('Waiting for the node to register…');
    case 'state':
      return l10n.t('Writing the cluster state…');
  }
}

function stepHint(step: ClusterStep): string {
  switch (step) {
    case 'docker':
      return l10n.t('Start Docker (or set DOCKER_HOST to a running engine), then start the local cluster again.');
    case 'ports':
      return l10n.t('Free a port or choose other ports in the settings, then try again.');
    case 'redis':
      return l10n.t('Install redis-server (or make the redis:7-alpine image available to Docker), then try again.');
    case 'hub':
      return l10n.t('See the ComputeHub log in the output channel, then try again.');
    case 'node':
    case 'register':
      return l10n.t('See the GridNode log in the output channel; check that Docker works, then try again.');
    default:
      return l10n.t('See the log in the output channel, then try again.');
  }
}

/** Causes whose message already says what to do: a generic hint after them would contradict it
 *  (a configured redis-server path that is missing is fixed in the setting, not by installing). */
const CAUSES_WITH_REMEDY = new Set(['redisServerMissing']);

export function stepFailed(step: ClusterStep, cause: unknown): GridCoreError {
  if (isGridCoreError(cause) && cause.code === 'cancelled') return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const name = stepText(step).replace(/…$/, '');
  const message =
    isGridCoreError(cause) && CAUSES_WITH_REMEDY.has(cause.code)
      ? l10n.t('Starting the local cluster failed at step "{step}": {detail} Everything it had started was stopped.', { step: name, detail })
      : l10n.t('Starting the local cluster failed at step "{step}": {detail} {hint} Everything it had started was stopped.', { step: name, detail, hint: stepHint(step) });
  return new GridCoreError('local', `step.${step}`, message, { cause });
}

async function waitForNode(hubUrl: string, token: string, nodeId: string | undefined, timeoutMs: number, signal?: CancellationSignal): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal?.isCancellationRequested) throw cancelled();
    try {
      const res = await fetch(`${hubUrl}/api/nodes`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2000) });
      if (res.status === 200) {
        const nodes = (await res.json()) as HubNode[];
        const found = nodeId ? nodes.find((n) => n.id === nodeId) : nodes[0];
        if (found) return found.id;
      } else await res.text();
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new GridCoreError('local', 'nodeMissing', l10n.t('The node did not register with the ComputeHub within {seconds} s.', { seconds: Math.round(timeoutMs / 1000) }));
}

function cancelled(): GridCoreError {
  return new GridCoreError('local', 'cancelled', l10n.t('Starting the local cluster was cancelled; everything it had started was stopped.'));
}

function binaryFor(option: string | undefined, name: string): string | undefined {
  if (!option) return undefined;
  if (option !== 'auto') return option;
  return onPath(name);
}

/**
 * Starts Redis, the hub and one node, or returns the cluster already running (in this
 * process, or in another one that still answers). Throws GridCoreError('local', 'step.<id>')
 * naming the step that failed, after stopping whatever it had started.
 */
export function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalClusterInfo> {
  // Two callers at once (two commands, or the tree and a command) share one start.
  starting ??= start(opts).finally(() => (starting = undefined));
  return starting;
}

let starting: Promise<LocalClusterInfo> | undefined;

async function start(opts: LocalClusterOptions): Promise<LocalClusterInfo> {
  const existing = await findRunningLocalCluster({ skillDir: opts.skillDir });
  if (existing) return existing;

  const log = (part: ClusterPart) => opts.logger?.(part) ?? silentLogger;
  const clusterLog = log('cluster');
  const paths = clusterPaths(opts.skillDir ?? defaultSkillDir());
  const cleanups: Array<() => Promise<void>> = [];
  let step: ClusterStep = 'docker';
  const enter = (s: ClusterStep) => {
    if (opts.signal?.isCancellationRequested) throw cancelled();
    step = s;
    const text = stepText(s);
    clusterLog.info(text);
    opts.onStep?.(s, text);
  };

  try {
    enter('docker');
    const docker = dockerFrom({ docker: opts.docker, socketPath: opts.dockerSocket });
    try {
      await docker.ping();
    } catch (e) {
      throw new GridCoreError('local', 'dockerDown', l10n.t('Docker does not answer ({detail}).', { detail: (e as Error).message }), { cause: e });
    }

    enter('ports');
    const hubPick = await pickPort(opts.hubPort ?? 8080);
    const redisPick = await pickPort(opts.redisPort ?? 6379, [hubPick.port]);
    if (hubPick.moved) clusterLog.info(`port ${opts.hubPort ?? 8080} is taken: the hub uses ${hubPick.port}`);
    if (redisPick.moved) clusterLog.info(`port ${opts.redisPort ?? 6379} is taken: Redis uses ${redisPick.port}`);

    enter('secrets');
    const token = randomBytes(24).toString('base64url');
    const redisPassword = randomBytes(24).toString('base64url');

    enter('redis');
    const redis = await startLocalRedis({ port: redisPick.port, password: redisPassword, redisServer: opts.redisServer, docker: () => docker, logger: log('redis') });
    cleanups.push(() => redis.stop());

    enter('hub');
    const hub = await startLocalHub({
      port: hubPick.port,
      token,
      binary: binaryFor(opts.computehubBinary, 'computehub'),
      runDir: paths.runDir,
      logger: log('hub'),
    });
    cleanups.push(() => hub.stop());
    if (!(await healthOk(hub.url, 3000))) throw new GridCoreError('local', 'hubHealth', l10n.t('The ComputeHub at {url} does not answer /health.', { url: hub.url }));

    enter('node');
    const node = await startLocalNode({
      hubUrl: hub.url,
      token,
      binary: binaryFor(opts.gridnodeBinary, 'gridnode'),
      runDir: paths.runDir,
      docker,
      socketPath: opts.dockerSocket ?? (docker.modem as { socketPath?: string }).socketPath,
      // On one machine a faster poll than upstream's fixed 10 s costs nothing and makes a
      // registered task start at once.
      settings: { taskPollIntervalMs: 2000, heartbeatIntervalMs: 5000, ...opts.node },
      logger: log('node'),
    });
    cleanups.push(() => node.stop());

    enter('register');
    const nodeId = await waitForNode(hub.url, token, node.nodeId, opts.registerTimeoutMs ?? 30_000, opts.signal);

    enter('state');
    const info: LocalClusterInfo = {
      profile: { name: 'local', computehubUrl: hub.url, redisUrl: redis.url, token },
      hubPort: hub.port,
      redisPort: redis.port,
      nodeId,
      pid: process.pid,
      ownedHere: true,
      movedPorts: { hub: hubPick.moved, redis: redisPick.moved },
    };
    const skill: SkillLocalCluster = { computehub: { url: hub.url }, token, redis: { url: redis.url } };
    writePrivateJson(paths.skillState, skill);
    cleanups.push(async () => removeFile(paths.skillState));
    const lock: ClusterLock = {
      pid: process.pid,
      hubUrl: hub.url,
      hubPort: hub.port,
      redisPort: redis.port,
      redisUrl: redis.url,
      token,
      nodeId,
      startedAt: new Date().toISOString(),
    };
    writePrivateJson(paths.lock, lock);

    // Last resort when the owner exits without stopLocalCluster(): the lock goes, and the
    // node removes its containers synchronously; child processes have their own watchdogs.
    const onExit = () => {
      removeFile(paths.lock);
      removeFile(paths.skillState);
    };
    process.on('exit', onExit);
    running = { info, redis, hub, node, lockFile: paths.lock, skillState: paths.skillState, offExit: () => process.off('exit', onExit) };
    clusterLog.info(`local cluster up: hub ${hub.url}, Redis 127.0.0.1:${redis.port}, node ${nodeId}`);
    return info;
  } catch (e) {
    clusterLog.error(`step ${step} failed: ${e instanceof Error ? e.message : String(e)}`);
    for (const c of cleanups.reverse()) await c().catch((err) => clusterLog.warn(`cleanup: ${(err as Error).message}`));
    throw stepFailed(step, e);
  }
}

/** Stops the cluster this process started: node (its containers removed), hub, Redis. */
export async function stopLocalCluster(opts: { logger?: Logger } = {}): Promise<boolean> {
  const r = running;
  if (!r) return false;
  running = undefined;
  const log = opts.logger ?? silentLogger;
  for (const [part, stop] of [
    ['node', () => r.node.stop()],
    ['hub', () => r.hub.stop()],
    ['redis', () => r.redis.stop()],
  ] as const) {
    try {
      await stop();
    } catch (e) {
      log.warn(`stopping ${part}: ${(e as Error).message}`);
    }
  }
  removeFile(r.lockFile);
  removeFile(r.skillState);
  r.offExit();
  log.info('local cluster stopped');
  return true;
}

/** The cluster running in this process, or one another process started that still answers. */
export async function findRunningLocalCluster(opts: { skillDir?: string } = {}): Promise<LocalClusterInfo | undefined> {
  if (running) return running.info;
  const paths = clusterPaths(opts.skillDir ?? defaultSkillDir());
  const lock = readJson<ClusterLock>(paths.lock);
  if (!lock) return undefined;
  if (lock.pid === process.pid || !pidAlive(lock.pid) || !(await healthOk(lock.hubUrl))) {
    // Stale: its owner is gone (or is this process, which no longer runs it).
    removeFile(paths.lock);
    return undefined;
  }
  return {
    profile: { name: 'local', computehubUrl: lock.hubUrl, redisUrl: lock.redisUrl, token: lock.token },
    hubPort: lock.hubPort,
    redisPort: lock.redisPort,
    nodeId: lock.nodeId,
    pid: lock.pid,
    ownedHere: false,
    movedPorts: { hub: false, redis: false },
  };
}

/** The in-process node of the running cluster (tests and the main job look at it). */
export function runningLocalNode(): LocalNode | undefined {
  return running?.node;
}

// Show Container Logs follows a local node's containers through this bundle (dockerode lives here).
export { followNodeContainers, type ContainerLogFollower } from './node/containerLogs';
export { dockerFrom } from './node/containers';
