// A GridNode that speaks the upstream protocol (register once, heartbeat, poll the task)
// against any ComputeHub, and runs `parallelism` containers of the current task's image.
// Its default lifecycle ('restart') improves on upstream v0.3.0: it restarts containers that
// exit, stops them on a stop request or any shutdown, and removes what an earlier killed run
// left behind. `lifecycle: 'upstream'` copies upstream's node, defects included (computehub-api.md,
// "How the upstream GridNode behaves"), for the tests that speak for real clusters: one
// container per instance per task, never restarted; a failed pull/create is not retried;
// a stop request leaves running containers alone; no labels, Docker's default network, a
// task poll every 10 s; and a killed node's containers stay (a restart meets them: 409).
import { spawnSync } from 'node:child_process';
import { cpus, hostname as osHostname } from 'node:os';
import type Docker from 'dockerode';
import { l10n } from '../../core/l10n';
import { silentLogger, type Logger } from '../../core/ports';
import type { NodeExit } from '../../core/node-exits';
import type { Platform, RuntimeStatus, TaskConfig } from '../../core/types';
import { ContainerOps, containerSpec, dockerFrom } from '../../core/docker/containers';
import { createNodeHubApi, hostArchitecture, hostPlatform, type NodeHubApi } from './hub-api';

export interface RestartBackoff {
  /** delay before the first restart */
  initialMs: number;
  /** cap of the doubling delay after repeated failures */
  maxMs: number;
  /** a container running this long is healthy again: its failure count resets */
  stableMs: number;
}

/** 'restart': ours (containers restarted, stopped on stop); 'upstream': upstream v0.3.0's. */
export type NodeLifecycle = 'restart' | 'upstream';

/** Upstream's node polls the task every 10 s, fixed. */
export const UPSTREAM_TASK_POLL_MS = 10_000;

export interface GridNodeOptions {
  /** default 'restart'; 'upstream' ignores taskPollIntervalMs, networkMode and restartBackoff */
  lifecycle?: NodeLifecycle;
  serverUrl: string;
  token: string;
  /** id from an earlier run (gridnode.toml's node_id or a state file) */
  nodeId?: string;
  /** called when the hub hands out an id other than `nodeId`, so the next run keeps it */
  saveNodeId?(id: string): Promise<void> | void;
  /** containers to run; default: CPU count */
  parallelism?: number;
  heartbeatIntervalMs?: number;
  taskPollIntervalMs?: number;
  stopTimeoutMs?: number;
  containerMemoryMb?: number;
  /** 'host' lets containers reach a Redis on 127.0.0.1 of this machine */
  networkMode?: string;
  docker?: Docker;
  socketPath?: string;
  hostname?: string;
  platform?: Platform;
  requestTimeoutMs?: number;
  restartBackoff?: Partial<RestartBackoff>;
  logger?: Logger;
  /** injectable for tests */
  hub?: NodeHubApi;
  /** a container failed (its last lines kept before it is removed) */
  onContainerExit?(exit: NodeExit): void;
}

export type NodeExitReason = 'stopRequested' | 'disposed';

interface Instance {
  index: number;
  container?: Docker.Container;
  running: boolean;
  failures: number;
  lastError?: string;
  retry?: NodeJS.Timeout;
  stable?: NodeJS.Timeout;
}

export interface NodeSnapshot {
  nodeId?: string;
  status: RuntimeStatus;
  activeContainers: number;
  task: string | null;
  errors: string[];
  /** the latest failed containers, newest last, with their last lines */
  exits: NodeExit[];
}

export class GridNode {
  readonly parallelism: number;
  readonly lifecycle: NodeLifecycle;
  readonly exited: Promise<NodeExitReason>;
  private id?: string;
  private readonly hub: NodeHubApi;
  private readonly ops: ContainerOps;
  private readonly log: Logger;
  private readonly backoff: RestartBackoff;
  private readonly abort = new AbortController();
  private resolveExit!: (r: NodeExitReason) => void;
  private shutdownPromise?: Promise<void>;
  private closed = false;
  private task?: TaskConfig;
  private taskKey: string | null = null;
  private generation = 0;
  private instances = new Map<number, Instance>();
  private readonly inflight = new Set<Promise<void>>();
  private serialTail: Promise<unknown> = Promise.resolve();
  private leftoversCleared = false;
  /** upstream lifecycle: a stop was asked while containers ran; the node waits for them */
  private stopPending = false;
  private readonly exits: NodeExit[] = [];
  private readonly onProcessExit = () => this.removeContainersSync();

  constructor(private readonly o: GridNodeOptions) {
    this.parallelism = Math.max(1, o.parallelism ?? cpus().length);
    this.lifecycle = o.lifecycle ?? 'restart';
    this.log = o.logger ?? silentLogger;
    this.hub = o.hub ?? createNodeHubApi(o.serverUrl, o.token, o.requestTimeoutMs);
    this.ops = new ContainerOps(dockerFrom(o), this.log, () => [o.token], this.upstream);
    this.backoff = { initialMs: 1000, maxMs: 60_000, stableMs: 10_000, ...o.restartBackoff };
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  get nodeId(): string | undefined {
    return this.id;
  }

  private get upstream(): boolean {
    return this.lifecycle === 'upstream';
  }

  /** Registers and starts the loops. Throws HubError when the hub is unreachable or rejects the token. */
  async start(): Promise<string> {
    const req = {
      ...(this.o.nodeId ? { node_id: this.o.nodeId } : {}),
      hostname: this.o.hostname ?? osHostname(),
      architecture: hostArchitecture(),
      cpu_count: this.parallelism,
    };
    const res = await this.hub.register(req);
    this.id = res.node_id;
    this.log.info(`registered with ${this.o.serverUrl} as node ${this.id} (parallelism ${this.parallelism})`);
    if (this.id !== this.o.nodeId) await this.o.saveNodeId?.(this.id);
    if (!this.upstream) {
      // Upstream's node neither cleans up on exit nor looks for what a killed run left.
      process.on('exit', this.onProcessExit);
      await this.clearLeftovers();
    }
    void this.heartbeatLoop();
    void this.pollLoop();
    return this.id;
  }

  snapshot(): NodeSnapshot {
    const list = [...this.instances.values()];
    const active = list.filter((i) => i.running).length;
    const failing = list.filter((i) => i.failures > 0);
    const status: RuntimeStatus = failing.length ? 'Error' : active ? 'Running' : 'Idle';
    return {
      nodeId: this.id,
      status,
      activeContainers: active,
      task: this.task?.task_name ?? null,
      errors: failing.map((i) => i.lastError ?? '').filter(Boolean),
      exits: [...this.exits],
    };
  }

  /** Stops and removes every container, then ends the loops. Safe to call more than once.
   *  (In-process cleanup for every lifecycle: upstream's SIGTERM is requestStop().) */
  dispose(): Promise<void> {
    return this.shutdown('disposed');
  }

  /** A stop request (the hub's, or SIGTERM to upstream's node). Ours stops and removes its
   *  containers; upstream's stops heartbeating and exits only once no container runs (they
   *  exit, or a task change removes them), leaving exited ones where they are. */
  requestStop(): Promise<void> {
    if (!this.upstream) return this.shutdown('stopRequested');
    if (!this.stopPending) {
      this.stopPending = true;
      this.log.info('stop requested: containers still running are left to finish (upstream behaviour)');
    }
    this.exitIfStopPending();
    return this.exited.then(() => undefined);
  }

  /** What SIGKILL does to a node: its loops end at once and its containers run on, unmanaged.
   *  For tests of a killed node (our node's next start removes them; upstream's meets a 409). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.generation++;
    for (const inst of this.instances.values()) {
      clearTimeout(inst.retry);
      clearTimeout(inst.stable);
    }
    process.off('exit', this.onProcessExit);
    this.log.info('node abandoned (as if killed): its containers keep running');
    this.resolveExit('disposed');
  }

  /** Upstream: once a stop was asked, the node ends when nothing of it runs. */
  private exitIfStopPending(): void {
    if (!this.stopPending || this.closed) return;
    if ([...this.instances.values()].some((i) => i.running)) return;
    this.closed = true;
    this.abort.abort();
    process.off('exit', this.onProcessExit);
    this.log.info('no container running: node exits');
    this.resolveExit('stopRequested');
  }

  private shutdown(reason: NodeExitReason): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.closed = true;
      this.abort.abort();
      this.log.info(reason === 'stopRequested' ? 'stop requested by the hub: stopping containers' : 'shutting down: stopping containers');
      await this.serial(() => this.stopAll());
      process.off('exit', this.onProcessExit);
      this.log.info('node stopped; no container left');
      this.resolveExit(reason);
    })();
    return this.shutdownPromise;
  }

  private async heartbeatLoop(): Promise<void> {
    const every = this.o.heartbeatIntervalMs ?? 30_000;
    while (!this.closed && !this.stopPending) {
      const s = this.snapshot();
      try {
        const r = await this.hub.heartbeat({ node_id: this.id!, status: s.status, active_containers: s.activeContainers });
        if (r.stop_requested && !this.closed) {
          // Either way the node heartbeats no more (the hub drops it ~60 s later).
          void this.requestStop();
          return;
        }
      } catch (e) {
        this.log.warn(`heartbeat failed: ${(e as Error).message}`);
      }
      await this.sleep(every);
    }
  }

  private async pollLoop(): Promise<void> {
    const every = this.upstream ? UPSTREAM_TASK_POLL_MS : (this.o.taskPollIntervalMs ?? UPSTREAM_TASK_POLL_MS);
    const platform = this.o.platform ?? hostPlatform();
    while (!this.closed) {
      try {
        const task = await this.hub.task(platform);
        if (!this.closed) await this.serial(() => this.apply(task));
      } catch (e) {
        this.log.warn(`task poll failed: ${(e as Error).message}`);
      }
      await this.sleep(every);
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Task changes and shutdown run one at a time, so old and new containers never overlap. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.serialTail.then(fn, fn);
    this.serialTail = next.catch(() => undefined);
    return next;
  }

  private async apply(task: TaskConfig | null): Promise<void> {
    const key = task && task.image ? JSON.stringify(task) : null;
    if (key === this.taskKey || this.closed) return;
    if (this.taskKey) this.log.info(`task changed: stopping containers of ${this.task?.task_name}`);
    await this.stopAll();
    this.taskKey = key;
    this.task = key ? task! : undefined;
    if (this.stopPending) return this.exitIfStopPending();
    if (!this.task) return;
    this.log.info(`task ${this.task.task_name}: starting ${this.parallelism} container(s) of ${this.task.image}`);
    if (!this.upstream) await this.clearLeftovers();
    const gen = this.generation;
    for (let i = 0; i < this.parallelism; i++) {
      const inst: Instance = { index: i, running: false, failures: 0 };
      this.instances.set(i, inst);
      this.track(this.startInstance(inst, gen));
    }
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async clearLeftovers(): Promise<void> {
    if (this.leftoversCleared || !this.id) return;
    try {
      const ids = new Set([this.id, this.o.nodeId].filter((x): x is string => !!x));
      for (const id of ids) await this.ops.removeLeftovers(id);
      this.leftoversCleared = true;
    } catch (e) {
      this.log.warn(`could not look for containers left by an earlier run: ${(e as Error).message}`);
    }
  }

  private async startInstance(inst: Instance, gen: number): Promise<void> {
    const task = this.task;
    if (gen !== this.generation || this.closed || !task) return;
    const spec = containerSpec(task, this.id!, inst.index, {
      memoryMb: this.o.containerMemoryMb ?? 1024,
      // Upstream's node has no network setting and puts no labels on its containers.
      ...(this.upstream ? { labels: false } : { networkMode: this.o.networkMode }),
    });
    try {
      await this.ops.ensureImage(task.image);
      if (gen !== this.generation) return;
      const c = await this.ops.create(spec);
      inst.container = c;
      if (gen !== this.generation) return; // stopAll removes it: it is recorded on the instance
      await c.start();
      inst.running = true;
      this.log.info(`started ${spec.name}`);
      if (!this.upstream) inst.stable = setTimeout(() => (inst.failures = 0), this.backoff.stableMs);
      c.wait().then(
        (r: { StatusCode?: number }) => this.track(this.onExit(inst, gen, c, r.StatusCode ?? -1)),
        (e: Error) => this.track(this.onExit(inst, gen, c, -1, e.message)),
      );
    } catch (e) {
      inst.failures++;
      inst.lastError = l10n.t('Container {name} could not start: {detail}', { name: spec.name!, detail: (e as Error).message });
      this.log.error(inst.lastError);
      const c = inst.container;
      inst.container = undefined;
      if (c) await this.ops.remove(c, 0);
      // Upstream tries a pull or create once, then waits for a task change (status Error).
      if (!this.upstream) this.scheduleRestart(inst, gen);
    }
  }

  private async onExit(inst: Instance, gen: number, c: Docker.Container, code: number, detail?: string): Promise<void> {
    if (gen !== this.generation || this.closed || inst.container !== c) return;
    inst.running = false;
    clearTimeout(inst.stable);
    if (this.upstream) return this.onUpstreamExit(inst, code);
    const logs = await this.ops.lastLogs(c);
    if (code === 0) {
      // A clean exit is no failure (a consumer that idles out exits 0, often before stableMs):
      // the node leaves Error, e.g. once a wrong password was put right.
      inst.failures = 0;
      inst.lastError = undefined;
      this.log.info(`container ${inst.index} exited with code 0; restarting it`);
    } else {
      inst.failures++;
      inst.lastError = l10n.t('Container {index} exited with code {code}.', { index: inst.index, code }) + (detail ? ` ${detail}` : '');
      this.log.error(`${inst.lastError}${logs ? `\n${logs.trimEnd()}` : ''}`);
      this.keepExit({ nodeId: this.id!, task: this.task?.task_name ?? '', instance: inst.index, code, at: new Date().toISOString(), lines: logs.trimEnd().split('\n').filter(Boolean) });
    }
    if (gen !== this.generation || this.closed) return;
    inst.container = undefined;
    await this.ops.remove(c, 0);
    this.scheduleRestart(inst, gen);
  }

  /** Upstream's node: the container is never started again while the task stays; a non-zero
   *  exit is logged as -1 and the node reports Error until the task changes. The exited
   *  container stays until then (a task change removes it, and its logs with it). */
  private async onUpstreamExit(inst: Instance, code: number): Promise<void> {
    if (code === 0) this.log.info(`container ${inst.index} exited with code 0`);
    else {
      inst.failures++;
      inst.lastError = l10n.t('Container {index} exited with code {code}.', { index: inst.index, code: -1 });
      this.log.error(inst.lastError);
      const c = inst.container;
      const logs = c ? await this.ops.lastLogs(c) : '';
      this.keepExit({ nodeId: this.id!, task: this.task?.task_name ?? '', instance: inst.index, code: -1, at: new Date().toISOString(), lines: logs.trimEnd().split('\n').filter(Boolean) });
    }
    this.exitIfStopPending();
  }

  /** Its logs go with the container: the last lines stay here (and with the callback). */
  private keepExit(exit: NodeExit): void {
    this.exits.push(exit);
    if (this.exits.length > 10) this.exits.shift();
    try {
      this.o.onContainerExit?.(exit);
    } catch (e) {
      this.log.warn(`could not keep the last lines of container ${exit.instance}: ${(e as Error).message}`);
    }
  }

  private scheduleRestart(inst: Instance, gen: number): void {
    if (gen !== this.generation || this.closed) return;
    const delay = inst.failures === 0 ? this.backoff.initialMs : Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (inst.failures - 1));
    this.log.info(`restarting container ${inst.index} in ${delay} ms`);
    inst.retry = setTimeout(() => this.track(this.startInstance(inst, gen)), delay);
  }

  /** SIGTERM, SIGKILL after stop_timeout, remove: all instances at once, none left after. */
  private async stopAll(): Promise<void> {
    this.generation++;
    for (const inst of this.instances.values()) {
      clearTimeout(inst.retry);
      clearTimeout(inst.stable);
    }
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    const containers = [...this.instances.values()].map((i) => i.container).filter((c): c is Docker.Container => !!c);
    this.instances.clear();
    const t = Math.ceil((this.o.stopTimeoutMs ?? 30_000) / 1000);
    await Promise.all(containers.map((c) => this.ops.remove(c, t)));
    if (containers.length) this.log.info(`stopped and removed ${containers.length} container(s)`);
  }

  /** Last resort when the process exits without dispose(): the docker CLI, synchronously. */
  private removeContainersSync(): void {
    const ids = [...this.instances.values()].map((i) => i.container?.id).filter((x): x is string => !!x);
    if (!ids.length) return;
    const socket = (this.ops.docker.modem as { socketPath?: string }).socketPath;
    const hostArgs = socket ? ['-H', `unix://${socket}`] : [];
    spawnSync('docker', [...hostArgs, 'rm', '-f', ...ids], { stdio: 'ignore', timeout: 10_000 });
  }
}
