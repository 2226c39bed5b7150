// The embedded local cluster: Redis + ComputeHub + one or more GridNodes on this machine,
// started by one call and stopped by another. Redis keeps its data across stops (see
// core/machine/redis-server.ts), under the same password, so a saved `local` profile stays valid. Free of
// `vscode`: the UI passes a step callback (for its progress notification), a cancellation
// signal and a logger per part.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import type Docker from 'dockerode';
import { GridCoreError, HubError, isGridCoreError } from '../core/errors';
import { createHubClient, HubPools } from '../core/hub-client';
import { l10n } from '../core/l10n';
import { silentLogger, type CancellationSignal, type Logger } from '../core/ports';
import { requireBridgeGateway } from './cluster/bridge';
import type { QueueHoldings } from '../core/queues/holdings';
import type { HubNode } from '../core/types';
import { healthOk, startLocalHub, type LocalHub } from './cluster/hub';
import { startLocalNode, type LocalNode, type LocalNodeSettings } from './cluster/node';
import { pickPort } from '../core/machine/free-ports';
import { onPath, startLocalRedis, type AppendFsync, type LocalRedis } from '../core/machine/redis-server';
import { describeHolder, portHolder } from './cluster/port-holder';
import { maskUrl } from '../core/redact';
import {
  clusterPaths,
  defaultSkillDir,
  pidAlive,
  readJson,
  removeFile,
  writePrivateJson,
  type ClusterLock,
  type ClusterOwner,
  type RememberedPorts,
  type RememberedTasks,
  type SkillLocalCluster,
} from './cluster/state';
import { dockerFrom } from '../core/docker/containers';

export { keptAfterStop, keptOnStart, stopConfirmation, type StopConfirmation } from './cluster/kept-data-text';

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
  /** Redis's appendfsync (default everysec; see core/machine/redis-server.ts for what `always` buys) */
  redisAppendFsync?: AppendFsync;
  node?: LocalNodeSettings;
  /** how many nodes to run (default 1; the gridcore.localCluster.nodes setting) */
  nodes?: number;
  /** how long to wait for the node to show in /api/nodes */
  registerTimeoutMs?: number;
  onStep?(step: ClusterStep, text: string): void;
  signal?: CancellationSignal;
  /** who starts it (default: a VS Code window), written to the lock for other processes */
  startedBy?: ClusterOwner;
  /** another process asked this one to stop the cluster, and it has stopped */
  onStoppedByRequest?(): void;
  logger?(part: ClusterPart): Logger;
  /** this process is the detached cluster's supervisor (cluster/supervisor-main.ts): nodes run
   *  as processes of their own (`nodeBundle`), a node or Redis that dies is started again with
   *  backoff, and the lock says so */
  supervisor?: { nodeBundle: string; logFile: string };
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
  /** every node's id, in start order (nodeId is the first) */
  nodeIds: string[];
  /** folder of Redis's append-only files: what a stop keeps */
  dataDir: string;
  /** pid of the process that owns the cluster */
  pid: number;
  /** false when another process (a terminal's start:local, another VS Code window) started it */
  ownedHere: boolean;
  /** undefined for a lock an older version wrote */
  startedBy?: ClusterOwner;
  /** the default port was taken and another was picked */
  movedPorts: { hub: boolean; redis: boolean };
  /** it runs detached, in its own supervisor process (`pid`): it outlives every window */
  detached?: boolean;
  /** when it started (RFC 3339) */
  startedAt?: string;
  /** the detached cluster's log file */
  logFile?: string;
  /** per node: restarts after it died (detached cluster) */
  nodeRestarts?: number[];
  redisRestarts?: number;
}

interface RunningCluster {
  info: LocalClusterInfo;
  lock: ClusterLock;
  redis: LocalRedis;
  /** starts Redis again on its port and files (supervision) */
  startRedis(): Promise<LocalRedis>;
  supervise: boolean;
  hub: LocalHub;
  nodes: LocalNode[];
  /** per node: it ended while the cluster runs (Stop Node); Start Node starts it again */
  stopped: boolean[];
  /** starts node `index` again, with the settings (and id) of the first start */
  startNode(index: number): Promise<LocalNode>;
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
const CAUSES_WITH_REMEDY = new Set(['redisServerMissing', 'noBridge', 'redisData']);

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

/** Waits for the node to appear in the hub's list. A rejected token is said at once (no
 *  node would ever appear to that client), through the editor's own hub client and its errors.
 *  `registeredSince` (ms, this machine's clock, which the hub's `last_seen` shares): a node
 *  started again under its old id counts only once it registered after that time. The hub
 *  keeps listing the stopped (or dead) one for up to a minute, and a stop request sent to
 *  that stale entry is lost: the new registration rewrites the entry without it, as
 *  upstream's hub does, so the node would run on while Stop Node waits for it. */
export async function waitForNode(
  hubUrl: string,
  token: string,
  nodeId: string | undefined,
  timeoutMs: number,
  signal?: CancellationSignal,
  registeredSince?: number,
): Promise<string> {
  const pools = new HubPools();
  const hub = createHubClient({ cluster: 'local', computehubUrl: hubUrl, token, pools, timeoutMs: () => 2000, logger: silentLogger });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (signal?.isCancellationRequested) throw cancelled();
      try {
        const nodes = await hub.listNodes();
        const listed = registeredSince === undefined ? nodes : nodes.filter((n) => seenSince(n, registeredSince));
        const found = nodeId ? listed.find((n) => n.id === nodeId) : listed[0];
        if (found) return found.id;
      } catch (e) {
        if (e instanceof HubError && e.code === 'unauthorized') throw e;
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await pools.close();
  }
  throw new GridCoreError('local', 'nodeMissing', l10n.t('The node did not register with the ComputeHub within {seconds} s.', { seconds: Math.round(timeoutMs / 1000) }));
}

/** True when the hub heard from the node at or after `sinceMs` (its `last_seen`, RFC 3339 with
 *  up to nanoseconds, read to the millisecond). An unreadable time counts as not since. */
function seenSince(node: HubNode, sinceMs: number): boolean {
  const seen = Date.parse(node.last_seen);
  return Number.isFinite(seen) && seen >= sinceMs;
}

/** Ids of all nodes once each shows in /api/nodes; a binary node's id is learned there. */
async function waitForNodes(hubUrl: string, token: string, nodes: LocalNode[], timeoutMs: number, signal?: CancellationSignal): Promise<string[]> {
  if (nodes.length === 1) return [await waitForNode(hubUrl, token, nodes[0].nodeId, timeoutMs, signal)];
  const deadline = Date.now() + timeoutMs;
  const ids: string[] = [];
  for (const n of nodes.filter((x) => x.nodeId)) ids.push(await waitForNode(hubUrl, token, n.nodeId, Math.max(1, deadline - Date.now()), signal));
  // Binary nodes: ids the hub lists that no other node holds, until there is one per node.
  while (ids.length < nodes.length) {
    if (signal?.isCancellationRequested) throw cancelled();
    const listed = await listNodeIds(hubUrl, token);
    for (const id of listed) if (!ids.includes(id) && ids.length < nodes.length) ids.push(id);
    if (ids.length < nodes.length) {
      if (Date.now() > deadline) {
        throw new GridCoreError('local', 'nodeMissing', l10n.t('Only {count} of {total} nodes registered with the ComputeHub within {seconds} s.', { count: ids.length, total: nodes.length, seconds: Math.round(timeoutMs / 1000) }));
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return ids;
}

async function listNodeIds(hubUrl: string, token: string): Promise<string[]> {
  try {
    const res = await fetch(`${hubUrl}/api/nodes`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2000) });
    if (res.status !== 200) {
      await res.text();
      return [];
    }
    return ((await res.json()) as HubNode[]).map((n) => n.id);
  } catch {
    return [];
  }
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
    const gridnodeBinary = binaryFor(opts.gridnodeBinary, 'gridnode');
    // Upstream's gridnode puts containers on Docker's default network: Redis must listen where
    // they reach this machine, and the Redis URL (the tasks', the profile's, the skill's) must
    // name that address. It is this machine's too, so the extension reaches it as well.
    const redisHost = gridnodeBinary ? await requireBridgeGateway(docker) : undefined;

    enter('ports');
    // The ports of the last start come first (the saved profile, the skill's files and the
    // tasks name them); a port the user set other than the default wins over them.
    const remembered = readJson<RememberedPorts>(paths.ports);
    const wantHub = chosenPort(opts.hubPort, 8080) ?? remembered?.hubPort ?? 8080;
    const wantRedis = chosenPort(opts.redisPort, 6379) ?? remembered?.redisPort ?? 6379;
    const hubPick = await pickPort(wantHub);
    const redisPick = await pickPort(wantRedis, [hubPick.port]);
    if (hubPick.moved) clusterLog.info(`port ${wantHub} is taken by ${describeHolder(portHolder(wantHub))}: the hub uses ${hubPick.port}`);
    if (redisPick.moved) clusterLog.info(`port ${wantRedis} is taken by ${describeHolder(portHolder(wantRedis))}: Redis uses ${redisPick.port}`);

    enter('secrets');
    const token = randomBytes(24).toString('base64url');
    const redisPassword = keptRedisPassword(paths.redisSecret);

    enter('redis');
    const startRedis = () =>
      startLocalRedis({
        port: redisPick.port,
        password: redisPassword,
        dataDir: paths.redisDir,
        appendFsync: opts.redisAppendFsync,
        alsoBind: redisHost,
        redisServer: opts.redisServer,
        docker: () => docker,
        logger: log('redis'),
      });
    // The detached cluster's nodes are processes that take seconds to come up: they start while
    // Redis does (the hub needs no Redis, and a new hub has no task for them yet).
    const redisStarting = startRedis();
    let redis!: LocalRedis;
    if (opts.supervisor) {
      redisStarting.catch(() => undefined);
      cleanups.push(async () => void (await (await redisStarting.catch(() => undefined))?.stop()));
    } else {
      redis = await redisStarting;
      cleanups.push(() => redis.stop());
    }

    enter('hub');
    const hub = await startLocalHub({
      port: hubPick.port,
      token,
      binary: binaryFor(opts.computehubBinary, 'computehub'),
      runDir: paths.runDir,
      logger: log('hub'),
      // kept with their Redis URL: registered again below when a later start moves Redis
      onTasksChanged: (tasks) => writePrivateJson(paths.tasks, { redisUrl: redis.url, tasks } satisfies RememberedTasks),
    });
    cleanups.push(() => hub.stop());
    if (!(await healthOk(hub.url, 3000))) throw new GridCoreError('local', 'hubHealth', l10n.t('The ComputeHub at {url} does not answer /health.', { url: hub.url }));

    enter('node');
    const count = nodeCount(opts.nodes);
    const startNode = (index: number) =>
      startLocalNode({
        hubUrl: hub.url,
        token,
        binary: gridnodeBinary,
        runDir: paths.runDir,
        docker,
        socketPath: opts.dockerSocket ?? (docker.modem as { socketPath?: string }).socketPath,
        // On one machine a faster poll than upstream's fixed 10 s costs nothing and makes a
        // registered task start at once.
        settings: { taskPollIntervalMs: 2000, heartbeatIntervalMs: 5000, ...opts.node },
        index,
        hostname: nodeHostname(index, count),
        nodeBundle: opts.gridnodeBinary ? undefined : opts.supervisor?.nodeBundle,
        logger: count > 1 ? prefixed(log('node'), `[node ${index + 1}] `) : log('node'),
      });
    const nodes: LocalNode[] = [];
    for (let index = 0; index < count; index++) {
      const node = await startNode(index);
      nodes.push(node);
      cleanups.push(() => node.stop());
    }

    if (opts.supervisor) {
      try {
        redis = await redisStarting;
      } catch (e) {
        step = 'redis';
        throw e;
      }
    }

    enter('register');
    const nodeIds = await waitForNodes(hub.url, token, nodes, opts.registerTimeoutMs ?? 30_000, opts.signal);
    const nodeId = nodeIds[0];
    await registerMovedTasks(paths, hub.url, token, redis.url, clusterLog);

    enter('state');
    const info: LocalClusterInfo = {
      profile: { name: 'local', computehubUrl: hub.url, redisUrl: redis.url, token },
      hubPort: hub.port,
      redisPort: redis.port,
      nodeId,
      nodeIds,
      dataDir: paths.redisDir,
      pid: process.pid,
      ownedHere: true,
      startedBy: opts.startedBy ?? 'window',
      movedPorts: { hub: hubPick.moved, redis: redisPick.moved },
    };
    const skill: SkillLocalCluster = { computehub: { url: hub.url }, token, redis: { url: redis.url } };
    writePrivateJson(paths.skillState, skill);
    cleanups.push(async () => removeFile(paths.skillState));
    writePrivateJson(paths.ports, { hubPort: hub.port, redisPort: redis.port, redisUrl: redis.url } satisfies RememberedPorts);
    const startedAt = new Date().toISOString();
    const lock: ClusterLock = {
      pid: process.pid,
      hubUrl: hub.url,
      hubPort: hub.port,
      redisPort: redis.port,
      redisUrl: redis.url,
      token,
      nodeId,
      nodeIds,
      startedAt,
      startedBy: opts.startedBy ?? 'window',
      ...(opts.supervisor ? { detached: true, logFile: opts.supervisor.logFile, nodeRestarts: nodeIds.map(() => 0), redisRestarts: 0 } : {}),
    };
    if (opts.supervisor) Object.assign(info, { detached: true, startedAt, logFile: opts.supervisor.logFile, nodeRestarts: lock.nodeRestarts, redisRestarts: 0 });
    else info.startedAt = startedAt;
    writePrivateJson(paths.lock, lock);
    const offStopRequests = watchStopRequests(paths.stopRequest, clusterLog, opts.onStoppedByRequest);

    // Last resort when the owner exits without stopLocalCluster(): the lock goes, and the
    // node removes its containers synchronously; child processes have their own watchdogs.
    const onExit = () => {
      removeFile(paths.lock);
      removeFile(paths.skillState);
    };
    process.on('exit', onExit);
    running = {
      info,
      lock,
      redis,
      startRedis,
      supervise: !!opts.supervisor,
      hub,
      nodes,
      stopped: nodes.map(() => false),
      startNode,
      lockFile: paths.lock,
      skillState: paths.skillState,
      offExit: () => {
        process.off('exit', onExit);
        offStopRequests();
      },
    };
    nodes.forEach((node, index) => watchNode(running!, index, node, clusterLog));
    if (opts.supervisor) watchRedis(running, redis, log('redis'));
    clusterLog.info(`local cluster up: hub ${hub.url}, Redis 127.0.0.1:${redis.port} (data in ${paths.redisDir}), node(s) ${nodeIds.join(', ')}`);
    return info;
  } catch (e) {
    clusterLog.error(`step ${step} failed: ${e instanceof Error ? e.message : String(e)}`);
    for (const c of cleanups.reverse()) await c().catch((err) => clusterLog.warn(`cleanup: ${(err as Error).message}`));
    throw stepFailed(step, e);
  }
}

/** Stops the cluster this process started: nodes (their containers removed), hub, Redis.
 *  Redis's data stays in its folder for the next start; callers that ask the user first
 *  count it with localClusterHoldings() before calling this. */
export async function stopLocalCluster(opts: { logger?: Logger } = {}): Promise<boolean> {
  const r = running;
  if (!r) return false;
  running = undefined;
  const log = opts.logger ?? silentLogger;
  for (const [part, stop] of [
    ['node', () => stopAll(r.nodes)],
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

/** A node may end while the cluster runs (the hub relayed a Stop Node): this process knows
 *  at once, long before the hub drops the silent node from its list. */
function watchNode(r: RunningCluster, index: number, node: LocalNode, log: Logger): void {
  const since = Date.now();
  void node.exited.then((code) => {
    if (running !== r || r.nodes[index] !== node) return;
    // A node process that died (SIGKILL, a crash: not code 0, which is a stop the hub asked
    // for) comes back under the same id; its containers are removed by its next start.
    if (r.supervise && typeof code === 'number' && code !== 0) return void restartDeadNode(r, index, node, code, Date.now() - since, log);
    r.stopped[index] = true;
    r.lock.nodeStopped = r.stopped.slice();
    saveLock(r);
    const id = r.info.nodeIds[index] ?? node.nodeId;
    log.info(`node ${id ?? ''} stopped; the cluster keeps running`);
    for (const l of [...nodeListeners]) l(id);
  });
}

/** Backoff of restarts: 1 s, 2 s, 4 s ... 30 s; a node or Redis that ran a minute starts over at 1 s. */
function backoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

const restartAttempts = new WeakMap<RunningCluster, Map<string, number>>();

function nextAttempt(r: RunningCluster, what: string, ranMs: number): number {
  let m = restartAttempts.get(r);
  if (!m) restartAttempts.set(r, (m = new Map()));
  const n = ranMs > 60_000 ? 1 : (m.get(what) ?? 0) + 1;
  m.set(what, n);
  return n;
}

/** The lock holds the restart counts, for status and every window's tree. */
function saveLock(r: RunningCluster): void {
  if (running === r) writePrivateJson(r.lockFile, r.lock);
}

async function restartDeadNode(r: RunningCluster, index: number, node: LocalNode, code: number, ranMs: number, log: Logger): Promise<void> {
  const id = r.info.nodeIds[index] ?? node.nodeId ?? String(index + 1);
  const attempt = nextAttempt(r, `node${index}`, ranMs);
  const delay = backoffMs(attempt);
  log.warn(`node ${id} exited with code ${code}: starting it again in ${delay / 1000} s (restart ${attempt})`);
  await new Promise((res) => setTimeout(res, delay));
  if (running !== r || r.nodes[index] !== node) return;
  const restarts = (r.lock.nodeRestarts ??= r.info.nodeIds.map(() => 0));
  restarts[index] = (restarts[index] ?? 0) + 1;
  r.info.nodeRestarts = restarts;
  saveLock(r);
  try {
    await startNodeAgain(r, index, log);
    log.info(`node ${id} runs again (restarted ${restarts[index]} time(s) since the cluster started)`);
  } catch (e) {
    log.error(`node ${id} did not start again: ${(e as Error).message}`);
    // still the dead one: try again later; a new one that failed to register is watched already
    if (running === r && r.nodes[index] === node) void restartDeadNode(r, index, node, code, 0, log);
  }
}

/** Redis that dies is started again on its port, on its append-only file, with backoff. */
function watchRedis(r: RunningCluster, redis: LocalRedis, log: Logger): void {
  const since = Date.now();
  void redis.exited.then(async () => {
    let ran = Date.now() - since;
    while (running === r && r.redis === redis) {
      const attempt = nextAttempt(r, 'redis', ran);
      ran = 0;
      const delay = backoffMs(attempt);
      log.warn(`Redis exited: starting it again on port ${redis.port} on its append-only file in ${delay / 1000} s (restart ${attempt})`);
      await new Promise((res) => setTimeout(res, delay));
      if (running !== r || r.redis !== redis) return;
      try {
        const again = await r.startRedis();
        if (running !== r) return void (await again.stop());
        r.redis = again;
        r.lock.redisRestarts = (r.lock.redisRestarts ?? 0) + 1;
        r.info.redisRestarts = r.lock.redisRestarts;
        saveLock(r);
        log.info(`Redis runs again on port ${again.port}`);
        watchRedis(r, again, log);
        return;
      } catch (e) {
        log.error(`Redis did not start again: ${(e as Error).message}`);
      }
    }
  });
}

/**
 * A start whose Redis had to move from the port of the last start: the hub is new, and the
 * tasks it held unfinished (kept by onTasksChanged) named the old Redis URL. They are
 * registered again with the new URL (same Redis, data and password), in their order.
 */
async function registerMovedTasks(paths: ReturnType<typeof clusterPaths>, hubUrl: string, token: string, redisUrl: string, log: Logger): Promise<void> {
  const kept = readJson<RememberedTasks>(paths.tasks);
  writePrivateJson(paths.tasks, { redisUrl, tasks: [] } satisfies RememberedTasks);
  if (!kept?.redisUrl || kept.redisUrl === redisUrl || !Array.isArray(kept.tasks)) return;
  const moved = kept.tasks.filter((t) => t.input_redis === kept.redisUrl || t.output_redis === kept.redisUrl);
  if (!moved.length) return;
  const names: string[] = [];
  for (const t of moved) {
    const req = { ...t };
    if (req.input_redis === kept.redisUrl) req.input_redis = redisUrl;
    if (req.output_redis === kept.redisUrl) req.output_redis = redisUrl;
    try {
      const res = await fetch(`${hubUrl}/api/tasks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(req),
        signal: AbortSignal.timeout(5000),
      });
      await res.text();
      if (res.status === 201) names.push(t.name);
      else log.warn(`registering task ${t.name} again: HTTP ${res.status}`);
    } catch (e) {
      log.warn(`registering task ${t.name} again: ${(e as Error).message}`);
    }
  }
  log.info(`Redis moved from ${maskUrl(kept.redisUrl)} to ${maskUrl(redisUrl)}: registered ${names.length} unfinished task(s) again with the new URL: ${names.join(', ')}`);
}

/** A port the user chose (other than the default): undefined for none or the default. */
function chosenPort(port: number | undefined, defaultPort: number): number | undefined {
  return port && port !== defaultPort ? port : undefined;
}

const nodeListeners = new Set<(nodeId: string | undefined) => void>();

/** Called when a node of the local cluster stopped (not with the cluster): of the cluster
 *  running in this process at once, of the detached one when its lock says so (polled). */
export function onLocalNodeStopped(listener: (nodeId: string | undefined) => void, opts: { skillDir?: string } = {}): { dispose(): void } {
  nodeListeners.add(listener);
  const file = clusterPaths(opts.skillDir ?? defaultSkillDir()).lock;
  let seen = new Set(stoppedInLock(file));
  const poll = () => {
    if (running) return;
    const now = stoppedInLock(file);
    for (const id of now) if (!seen.has(id)) listener(id);
    seen = new Set(now);
  };
  watchFile(file, { interval: 250, persistent: false }, poll);
  return {
    dispose: () => {
      nodeListeners.delete(listener);
      unwatchFile(file, poll);
    },
  };
}

function stoppedInLock(file: string): string[] {
  const lock = readJson<ClusterLock>(file);
  return (lock?.nodeIds ?? []).filter((_, i) => lock?.nodeStopped?.[i]);
}

/** A node of the local cluster (`nodeId`, else the first stopped one, else the first): its id,
 *  and whether it stopped. The cluster running in this process, else the detached one. */
export function localNodeState(nodeId?: string, opts: { skillDir?: string } = {}): { nodeId?: string; stopped: boolean } | undefined {
  const r = running;
  if (!r) {
    const lock = readJson<ClusterLock>(clusterPaths(opts.skillDir ?? defaultSkillDir()).lock);
    if (!lock?.detached || !supervisorAlive(lock.pid)) return undefined;
    const ids = lock.nodeIds ?? (lock.nodeId ? [lock.nodeId] : []);
    const stopped = lock.nodeStopped ?? [];
    const index = nodeId !== undefined ? ids.indexOf(nodeId) : Math.max(0, stopped.indexOf(true));
    if (index < 0 || index >= ids.length) return undefined;
    return { nodeId: ids[index], stopped: !!stopped[index] };
  }
  const ids = r.info.nodeIds;
  const index = nodeId !== undefined ? ids.indexOf(nodeId) : Math.max(0, r.stopped.indexOf(true));
  if (index < 0) return undefined;
  return { nodeId: ids[index] ?? r.nodes[index]?.nodeId, stopped: r.stopped[index] ?? false };
}

/** The detached cluster's side of Start Node: SIGUSR2 asks its supervisor to start its stopped
 *  nodes again; this waits until its lock shows none stopped. */
async function startDetachedNodes(skillDir: string | undefined, timeoutMs: number): Promise<string | undefined> {
  const file = clusterPaths(skillDir ?? defaultSkillDir()).lock;
  const lock = readJson<ClusterLock>(file);
  if (!lock?.detached || !supervisorAlive(lock.pid)) return undefined;
  const first = stoppedInLock(file)[0] ?? lock.nodeId;
  process.kill(lock.pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!stoppedInLock(file).length) return first;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new GridCoreError('local', 'nodeMissing', l10n.t('The node did not register with the ComputeHub within {seconds} s.', { seconds: Math.round(timeoutMs / 1000) }));
}

/**
 * Starts the stopped nodes of the cluster running in this process again (after Stop Node),
 * each with its old id, and waits until the hub lists them. Returns the first one's id (the
 * first node's when none was stopped); undefined when no cluster runs here.
 */
export async function startLocalClusterNode(opts: { registerTimeoutMs?: number; logger?: Logger; skillDir?: string } = {}): Promise<string | undefined> {
  const r = running;
  if (!r) return startDetachedNodes(opts.skillDir, (opts.registerTimeoutMs ?? 30_000) + 10_000);
  let first: string | undefined;
  for (let index = 0; index < r.nodes.length; index++) {
    if (!r.stopped[index]) continue;
    const id = await startNodeAgain(r, index, opts.logger ?? silentLogger, opts.registerTimeoutMs);
    first ??= id;
  }
  return first ?? r.info.nodeId;
}

async function startNodeAgain(r: RunningCluster, index: number, log: Logger, registerTimeoutMs = 30_000): Promise<string | undefined> {
  // The hub still lists the stopped node under this id: only a registration from now on is
  // the new one (a node process of its own registers well after its start returned).
  const since = Date.now();
  const node = await r.startNode(index);
  if (running !== r) {
    // the cluster was stopped meanwhile: this node must not outlive it
    await node.stop();
    return undefined;
  }
  r.nodes[index] = node;
  r.stopped[index] = false;
  watchNode(r, index, node, log);
  const id = await waitForNode(r.hub.url, r.info.profile.token, node.nodeId ?? r.info.nodeIds[index], registerTimeoutMs, undefined, since);
  const nodeIds = r.info.nodeIds.slice();
  nodeIds[index] = id;
  r.info = { ...r.info, nodeIds, nodeId: nodeIds[0] };
  r.lock.nodeStopped = r.stopped.slice();
  r.lock.nodeIds = nodeIds;
  saveLock(r);
  return id;
}

/** The owner's side of "stop it anyway": another process writes the request file; this one
 *  stops the cluster (as its own Stop would) and tells its caller. Polled stat, once a second,
 *  not kept alive by it. */
function watchStopRequests(file: string, log: Logger, onStopped?: () => void): () => void {
  removeFile(file);
  const listener = (cur: { mtimeMs: number }) => {
    if (!cur.mtimeMs) return;
    removeFile(file);
    log.info('another process asked to stop the local cluster');
    void stopLocalCluster({ logger: log }).then((stopped) => stopped && onStopped?.());
  };
  watchFile(file, { interval: 1000, persistent: false }, listener);
  return () => unwatchFile(file, listener);
}

/**
 * Asks the process that owns the local cluster (a terminal's start:local, another window) to
 * stop it, and waits until its lock is gone. False when the owner did not stop it in time
 * (an older version that does not watch for requests, or a hung process).
 */
export async function requestStopLocalCluster(opts: { skillDir?: string; timeoutMs?: number } = {}): Promise<boolean> {
  const paths = clusterPaths(opts.skillDir ?? defaultSkillDir());
  if (!readJson<ClusterLock>(paths.lock)) return true;
  writePrivateJson(paths.stopRequest, { by: process.pid, at: new Date().toISOString() });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    if (!readJson<ClusterLock>(paths.lock)) return true;
  }
  removeFile(paths.stopRequest);
  return false;
}

/** The cluster running in this process, or one another process started that still answers. */
export async function findRunningLocalCluster(opts: { skillDir?: string } = {}): Promise<LocalClusterInfo | undefined> {
  if (running) return running.info;
  const paths = clusterPaths(opts.skillDir ?? defaultSkillDir());
  const lock = readJson<ClusterLock>(paths.lock);
  if (!lock) return undefined;
  // A detached cluster's supervisor that lives is the cluster, even while its hub is slow to
  // answer (a busy machine): its lock must not be taken for a stale one, or a second start
  // would make a second cluster on the same files.
  const supervised = lock.detached && lock.pid !== process.pid && supervisorAlive(lock.pid);
  if (!supervised && (lock.pid === process.pid || !pidAlive(lock.pid) || !(await healthOk(lock.hubUrl)))) {
    // Stale: its owner is gone (or is this process, which no longer runs it).
    removeFile(paths.lock);
    return undefined;
  }
  return {
    profile: { name: 'local', computehubUrl: lock.hubUrl, redisUrl: lock.redisUrl, token: lock.token },
    hubPort: lock.hubPort,
    redisPort: lock.redisPort,
    nodeId: lock.nodeId,
    nodeIds: lock.nodeIds ?? (lock.nodeId ? [lock.nodeId] : []),
    dataDir: paths.redisDir,
    pid: lock.pid,
    ownedHere: false,
    startedBy: lock.startedBy,
    movedPorts: { hub: false, redis: false },
    detached: !!lock.detached,
    startedAt: lock.startedAt,
    logFile: lock.logFile,
    nodeRestarts: lock.nodeRestarts,
    redisRestarts: lock.redisRestarts,
  };
}

/** The process is a detached cluster's supervisor (not another process that took its pid). */
function supervisorAlive(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('local-cluster');
  } catch (e) {
    // no /proc (macOS): the pid is all there is
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

/** The first node of the running cluster (tests and the main job look at it). */
export function runningLocalNode(): LocalNode | undefined {
  return running?.nodes[0];
}

/** Every node of the cluster this process runs, in start order: a test stops or kills one
 *  (LocalNode.stop, or SIGKILL to a binary node's process) while the others go on. */
export function runningLocalNodes(): readonly LocalNode[] {
  return running?.nodes ?? [];
}

/**
 * Stops node `index` of the running cluster (a no-op for one already gone, e.g. SIGKILLed) and
 * starts it again under the same id file or gridnode.toml, so it comes back as the same node
 * and first removes the containers its earlier run left: a machine rebooting, for fault tests.
 */
export async function restartLocalNode(index: number): Promise<LocalNode> {
  const r = running;
  if (!r || !r.nodes[index]) throw new GridCoreError('local', 'noSuchNode', l10n.t('The local cluster has no node {index}.', { index: index + 1 }));
  await r.nodes[index].stop();
  const node = await r.startNode(index);
  if (running !== r) {
    // the cluster was stopped meanwhile: this node must not outlive it
    await node.stop();
    throw new GridCoreError('local', 'noSuchNode', l10n.t('The local cluster has no node {index}.', { index: index + 1 }));
  }
  r.nodes[index] = node;
  r.stopped[index] = false;
  watchNode(r, index, node, silentLogger);
  return node;
}

/** Items in the queues (Redis lists) of a running local cluster: what a stop keeps on disk. */
export async function localClusterHoldings(info: Pick<LocalClusterInfo, 'profile'>, timeoutMs = 5000): Promise<QueueHoldings> {
  const { queueHoldings } = await import('../core/queues/index');
  return queueHoldings(info.profile.redisUrl, timeoutMs);
}

/** The setting's value, within what one machine can sensibly run. */
function nodeCount(n: number | undefined): number {
  return Math.min(MAX_NODES, Math.max(1, Math.floor(n ?? 1)));
}

const MAX_NODES = 16;

/** One node reports the machine's hostname, as before; several report `<host>-1`, `<host>-2`,
 *  so that /api/nodes and the tree tell them apart. */
function nodeHostname(index: number, count: number): string | undefined {
  return count > 1 ? `${osHostname()}-${index + 1}` : undefined;
}

/** Several nodes share one output channel: each line says whose it is. */
function prefixed(logger: Logger, prefix: string): Logger {
  return {
    trace: (m) => logger.trace(prefix + m),
    info: (m) => logger.info(prefix + m),
    warn: (m) => logger.warn(prefix + m),
    error: (m) => logger.error(prefix + (m instanceof Error ? m.message : m)),
  };
}

/** Stops every node, side by side; one that fails does not keep the others running. */
async function stopAll(nodes: readonly LocalNode[]): Promise<void> {
  const failed = (await Promise.allSettled(nodes.map((n) => n.stop()))).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The Redis password of earlier starts (its data is under it; saved profiles hold it), else a new one. */
function keptRedisPassword(file: string): string {
  const kept = readJson<{ password?: unknown }>(file)?.password;
  if (typeof kept === 'string' && kept.length >= 16) return kept;
  const password = randomBytes(24).toString('base64url');
  writePrivateJson(file, { password });
  return password;
}

// Show Container Logs follows a local node's containers through this bundle (dockerode lives here).
export { followNodeContainers, type ContainerLogFollower } from './node/container-logs';
export { dockerFrom } from '../core/docker/containers';
