// The façade the UI, scripts and tests use. It owns every connection: one HubClient and one
// QueueService per cluster, dropped when that cluster's profile changes. ioredis and dockerode
// are loaded on first use only, so activating the extension does not pay for them.
import { diagnose } from './diagnose';
import { nodeExitsFile, readNodeExits } from './node-exits';
import { listNodeContainers } from './docker/container-names';
import { defaultSkillDir } from './skill-files';
import { ConfigError } from './errors';
import { createHubClient, HubPools } from './hub-client';
import { l10n } from './l10n';
import { StoredProfileService } from './profiles';
import { countTaskContainers, StrandedFinder, type KnownFacts } from './stranded';
import { progress } from './progress';
import { maskUrl } from './redact';
import type {
  DiagnosisCheck,
  FailedPage,
  GridCoreService,
  HubClient,
  ImageService,
  PageRequest,
  QueueService,
  ReregisterResult,
  RestartTaskPlan,
  RestartTaskResult,
  RunningContainers,
  ServiceDeps,
  SettleOptions,
} from './service-api';
import { failedList, type FailedActionResult, type FailedCount } from './failed-items';
import type { CancellationSignal } from './ports';
import { currentSettings } from './settings';
import { forgottenRecords, KeyValueTaskRecordStore, mergeTasks } from './task-records';
import type { HubNode, InFlightList, ProgressReport, ProgressSample, RegisterTaskRequest, RequeueResult, StrandedList, TaskRecord, TaskView } from './types';
import type { TrialOptions, TrialReport, TrialTarget } from './trial/types';

export function createGridCoreService(deps: ServiceDeps): GridCoreService {
  return new Service(deps);
}

class Service implements GridCoreService {
  readonly profiles: StoredProfileService;
  readonly tasks: KeyValueTaskRecordStore;
  readonly images: ImageService;
  private readonly pools = new HubPools();
  private readonly hubs = new Map<string, Promise<HubClient>>();
  private readonly queueServices = new Map<string, Promise<QueueService>>();
  private readonly profileWatch: { dispose(): void };
  private readonly strandedFinder = new StrandedFinder();

  constructor(private readonly deps: ServiceDeps) {
    this.profiles = new StoredProfileService(deps.state, deps.secrets, deps.skillDir);
    this.tasks = new KeyValueTaskRecordStore(deps.state);
    this.images = lazyImageService(deps);
    this.profileWatch = this.profiles.onDidChangeCluster((name) => void this.invalidate(name));
  }

  hub(cluster: string): Promise<HubClient> {
    let client = this.hubs.get(cluster);
    if (!client) {
      client = this.profiles.resolve(cluster).then((r) =>
        createHubClient({
          cluster,
          computehubUrl: r.profile.computehubUrl,
          token: r.token,
          pools: this.pools,
          timeoutMs: () => currentSettings(this.deps).hubTimeoutMs,
          logger: this.deps.logger,
        }),
      );
      this.cacheUntilFailure(this.hubs, cluster, client);
    }
    return client;
  }

  queues(cluster: string): Promise<QueueService> {
    let service = this.queueServices.get(cluster);
    if (!service) {
      service = (async () => {
        // Redis needs no hub token; without a URL, resolve() throws the error that says what to do.
        const stored = (await this.profiles.storedSecrets(cluster)).redisUrl;
        const redisUrl = stored ?? (await this.profiles.resolve(cluster)).redisUrl;
        const { createQueueService } = await import('./queues/index.js');
        return createQueueService(cluster, redisUrl, currentSettings(this.deps), this.deps.logger);
      })();
      this.cacheUntilFailure(this.queueServices, cluster, service);
    }
    return service;
  }

  async listTasks(cluster: string): Promise<TaskView[]> {
    const list = await (await this.hub(cluster)).listTasks();
    return mergeTasks(list, this.tasks.list(cluster));
  }

  async registerTask(cluster: string, req: RegisterTaskRequest, extra?: { folder?: string }): Promise<{ started: boolean; view: TaskView[] }> {
    const hub = await this.hub(cluster);
    await hub.registerTask(req);
    await this.tasks.put(recordOf(cluster, req, extra));
    const list = await hub.listTasks();
    // It started at once when it is the running task and no entry of that name waits:
    // names repeat, and a second "x" behind a running "x" is pending.
    const started = list.current === req.name && !list.pending.includes(req.name);
    this.deps.logger.info(`cluster ${cluster}: registered task ${req.name} (${started ? 'started' : 'pending'})`);
    return { started, view: mergeTasks(list, this.tasks.list(cluster)) };
  }

  async forgottenTasks(cluster: string): Promise<TaskRecord[]> {
    const list = await (await this.hub(cluster)).listTasks();
    return forgottenRecords(list, this.tasks.list(cluster));
  }

  async reregisterTasks(cluster: string, records: readonly TaskRecord[]): Promise<ReregisterResult> {
    const hub = await this.hub(cluster);
    const clusterRedis = (await this.profiles.storedSecrets(cluster)).redisUrl;
    const profile = await this.profiles.get(cluster);
    const local = !!(profile?.local || profile?.source === 'local');
    const result: ReregisterResult = { registered: [], skipped: [], view: [] };
    for (const record of inRegistrationOrder(records, this.tasks.list(cluster))) {
      const prepared = requestFromRecord(record, clusterRedis, cluster, local);
      if ('reason' in prepared) {
        result.skipped.push({ record, reason: prepared.reason });
        this.deps.logger.warn(`cluster ${cluster}: ${prepared.reason}`);
        continue;
      }
      await hub.registerTask(prepared.req);
      // The same task registered again: its record is replaced, not doubled (a second record
      // of the name would stand for a second hub entry). The queues outlive a hub restart,
      // so the pushed count still describes them.
      await this.tasks.replace(record, recordOf(cluster, prepared.req, { folder: record.folder, pushed: record.pushed }));
      result.registered.push(record.name);
      this.deps.logger.info(`cluster ${cluster}: registered task ${record.name} again`);
    }
    result.view = mergeTasks(await hub.listTasks(), this.tasks.list(cluster));
    return result;
  }

  progress(total: number | undefined, samples: ProgressSample[], opts?: { now?: number; settleMs?: number }): ProgressReport {
    return progress(total, samples, opts);
  }

  async stranded(cluster: string, task: { name: string; inputQueue: string }, lists: readonly InFlightList[], opts: { staleMs?: number; known?: KnownFacts } = {}): Promise<StrandedList[]> {
    const profile = await this.profiles.get(cluster);
    return this.strandedFinder.find(
      { cluster, task: task.name, input: task.inputQueue, lists, staleMs: opts.staleMs, known: opts.known, local: !!(profile?.local || profile?.source === 'local') },
      () => this.hub(cluster),
      // dockerode only when a local cluster has lists in flight; DOCKER_HOST, else the default socket
      async () => new (await import('dockerode')).default(),
    );
  }

  async clearQueue(cluster: string, queue: string, opts: { task?: string } = {}): Promise<{ deleted: number; totalsReset: string[] }> {
    const queues = await this.queues(cluster);
    const deleted = (await queues.lengths([queue]))[queue] ?? 0;
    await queues.deleteQueue(queue);
    // A total that counts deleted items (input) or is measured against deleted results
    // (output) can never be reached again: start it over, from what the queues hold.
    const names = new Set(this.tasks.list(cluster).filter((r) => r.inputQueue === queue || r.outputQueue === queue).map((r) => r.name));
    if (opts.task) names.add(opts.task);
    const totalsReset: string[] = [];
    for (const name of names) {
      if (!this.tasks.list(cluster).some((r) => r.name === name && r.pushed !== undefined)) continue;
      await this.tasks.resetPushed(cluster, name);
      totalsReset.push(name);
    }
    return { deleted, totalsReset };
  }

  async restartTaskPlan(cluster: string): Promise<RestartTaskPlan> {
    const list = await (await this.hub(cluster)).listTasks();
    const view = mergeTasks(list, this.tasks.list(cluster));
    const running = view.find((t) => t.state === 'running');
    if (!running) throw new ConfigError('unknownTask', l10n.t('No task is running on {0}: there is nothing to restart.', cluster));
    if (!running.record) {
      throw new ConfigError('unknownTask', l10n.t('Task {0} was not registered from this editor: its image, queues and Redis URLs are not known, so it cannot be registered again. Register it again from its folder.', running.name));
    }
    const names = [...list.completed, ...list.pending, running.name];
    return { cluster, task: running.name, newName: restartName(running.name, names), pendingFirst: [...list.pending] };
  }

  async restartTask(plan: RestartTaskPlan, opts: { allowPendingFirst?: boolean } = {}): Promise<RestartTaskResult> {
    const { cluster } = plan;
    const hub = await this.hub(cluster);
    const list = await hub.listTasks();
    const view = mergeTasks(list, this.tasks.list(cluster));
    const running = view.find((t) => t.state === 'running');
    // Checked again right before acting: the confirmation may be old.
    if (!running || running.name !== plan.task || !running.record) {
      throw new ConfigError('badInput', l10n.t('Task {0} is no longer the running task on {1}: nothing was restarted.', plan.task, cluster));
    }
    if (list.pending.length && !opts.allowPendingFirst) {
      throw new ConfigError(
        'badInput',
        l10n.t('Restarting {0} would start pending task {1} first ({2} pending): nothing was restarted.', plan.task, list.pending[0], list.pending.length),
      );
    }
    const clusterRedis = (await this.profiles.storedSecrets(cluster)).redisUrl;
    const prepared = requestFromRecord(running.record, clusterRedis, cluster);
    if ('reason' in prepared) throw new ConfigError('badInput', prepared.reason);
    const newName = list.completed.includes(plan.newName) || list.pending.includes(plan.newName) ? restartName(plan.task, [...list.completed, ...list.pending, plan.task]) : plan.newName;
    const req = { ...prepared.req, name: newName };
    await hub.registerTask(req);
    await this.tasks.put({ ...recordOf(cluster, req, { folder: running.record.folder, pushed: running.record.pushed }), restartOf: plan.task });
    const finished = await hub.finish();
    this.deps.logger.info(`cluster ${cluster}: task ${plan.task} registered again as ${newName} and finished (${finished.started ?? 'nothing'} started)`);
    const after = await hub.listTasks();
    return { registered: newName, finished, started: after.current === newName, view: mergeTasks(after, this.tasks.list(cluster)) };
  }

  async runningContainers(cluster: string, task: string, known: { nodes?: readonly HubNode[] } = {}): Promise<RunningContainers> {
    const profile = await this.profiles.get(cluster);
    const nodes = known.nodes ?? (await (await this.hub(cluster)).listNodes());
    if (profile?.local || profile?.source === 'local') {
      // DOCKER_HOST, else the default socket: the engine the local cluster's nodes use. A
      // timeout, since a poll waits for the answer (a dead daemon must not hang the monitor).
      const docker = new (await import('dockerode')).default({ timeout: currentSettings(this.deps).dockerTimeoutMs } as object);
      return { running: await countTaskContainers(docker, task), nodes: nodes.length, source: 'docker' };
    }
    return { running: nodes.reduce((n, node) => n + (node.active_containers || 0), 0), nodes: nodes.length, source: 'hub' };
  }

  async requeueStranded(cluster: string, inputQueue: string, lists: ReadonlyArray<Pick<InFlightList, 'list' | 'token'>>): Promise<RequeueResult> {
    // Their leaving the registry is a requeue, not their consumers' commit (dead-consumers.ts).
    this.strandedFinder.noteRequeued(cluster, inputQueue, lists);
    return (await this.queues(cluster)).requeue(inputQueue, lists);
  }

  async diagnose(cluster: string): Promise<DiagnosisCheck[]> {
    const profile = await this.profiles.get(cluster);
    if (!profile) {
      throw new ConfigError('unknownCluster', l10n.t('There is no cluster named "{name}". Add it, or import it from the skill\'s files.', { name: cluster }));
    }
    const { token, redisUrl } = await this.profiles.storedSecrets(cluster);
    // Without a token the hub can still be asked for /health.
    const hub = token
      ? await this.hub(cluster)
      : createHubClient({
          cluster,
          computehubUrl: profile.computehubUrl,
          token: '',
          pools: this.pools,
          timeoutMs: () => currentSettings(this.deps).hubTimeoutMs,
          logger: this.deps.logger,
        });
    const exitsFile = nodeExitsFile(this.deps.skillDir ?? defaultSkillDir());
    return diagnose({
      cluster,
      computehubUrl: profile.computehubUrl,
      token,
      redisUrl,
      hub,
      queues: () => this.queues(cluster),
      // Only the local cluster's node keeps its failed containers' lines on this machine.
      nodeExits: profile.local ? (id) => readNodeExits(exitsFile, id) : undefined,
      // Any cluster whose nodes run on this machine (the local one, upstream's binaries here):
      // Docker shows their containers, by our labels or upstream's names.
      nodeContainers: async (ids) => listNodeContainers(new (await import('dockerode')).default(), ids, { all: true }),
    });
  }

  async failedItems(cluster: string, inputQueue: string, req: PageRequest): Promise<FailedPage> {
    return (await this.queues(cluster)).failedPage(inputQueue, req);
  }

  async searchFailedItems(cluster: string, inputQueue: string, needle: string, opts?: { limit?: number; signal?: CancellationSignal; onProgress?(scanned: number, total: number): void }) {
    return (await this.queues(cluster)).searchFailed(inputQueue, needle, opts);
  }

  async exportFailedItems(cluster: string, inputQueue: string, file: string, opts: { signal?: CancellationSignal; onProgress?(written: number, total: number): void } = {}) {
    // Entries are one-line JSON already: written as they are (the 'jsonl' format would quote them again).
    return (await this.queues(cluster)).exportToFile(failedList(inputQueue), file, { ...opts, format: 'lines' });
  }

  async countFailedItems(cluster: string, inputQueue: string, opts?: { match?: string; signal?: CancellationSignal }): Promise<FailedCount> {
    return (await this.queues(cluster)).countFailed(inputQueue, opts);
  }

  async retryFailedItems(cluster: string, inputQueue: string, opts?: SettleOptions): Promise<FailedActionResult> {
    return (await this.queues(cluster)).settleFailed(inputQueue, 'retry', opts);
  }

  async clearFailedItems(cluster: string, inputQueue: string, opts?: SettleOptions): Promise<FailedActionResult> {
    return (await this.queues(cluster)).settleFailed(inputQueue, 'clear', opts);
  }

  async trialTarget(cluster: string): Promise<TrialTarget> {
    const resolved = await this.profiles.resolve(cluster);
    let parallelism: number | undefined;
    let nodeIds: string[] | undefined;
    try {
      const nodes = await (await this.hub(cluster)).listNodes();
      parallelism = nodes.reduce((sum, n) => sum + (n.cpu_count || 0), 0) || undefined;
      nodeIds = nodes.map((n) => n.id);
    } catch (e) {
      this.deps.logger.warn(`cluster ${cluster}: nodes not read for the trial's estimate: ${(e as Error).message}`);
    }
    return { name: cluster, redisUrl: resolved.redisUrl, local: !!resolved.profile.local, parallelism, nodeIds };
  }

  async trial(opts: TrialOptions): Promise<TrialReport> {
    // dockerode, ioredis and the local cluster's redis-server helper load with the first trial.
    const { runTrial } = await import('./trial/index.js');
    return runTrial(opts, { images: this.images, settings: currentSettings(this.deps), logger: this.deps.logger });
  }

  async invalidate(cluster: string): Promise<void> {
    this.hubs.delete(cluster);
    const queues = this.queueServices.get(cluster);
    this.queueServices.delete(cluster);
    if (queues) await queues.then((q) => q.dispose()).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.profileWatch.dispose();
    const names = new Set([...this.hubs.keys(), ...this.queueServices.keys()]);
    await Promise.all([...names].map((n) => this.invalidate(n)));
    await this.pools.close();
  }

  /** A failed creation (missing token, unloadable module) is retried on next use. */
  private cacheUntilFailure<T>(cache: Map<string, Promise<T>>, key: string, value: Promise<T>): void {
    cache.set(key, value);
    value.catch(() => {
      if (cache.get(key) === value) cache.delete(key);
    });
  }
}

function recordOf(cluster: string, req: RegisterTaskRequest, extra?: { folder?: string; pushed?: number }): TaskRecord {
  const record: TaskRecord = { cluster, name: req.name, registeredAt: new Date().toISOString() };
  if (req.image) record.image = req.image;
  if (req.images) record.images = req.images;
  if (req.input_redis) record.inputRedis = req.input_redis;
  if (req.output_redis) record.outputRedis = req.output_redis;
  if (req.input_queue) record.inputQueue = req.input_queue;
  if (req.output_queue) record.outputQueue = req.output_queue;
  if (extra?.folder) record.folder = extra.folder;
  if (extra?.pushed) record.pushed = extra.pushed;
  return record;
}

/** `<name>~r2`, `~r3`, …: the first not among `names` (an earlier restart's suffix is replaced). */
export function restartName(name: string, names: readonly string[]): string {
  const base = name.replace(/~r\d+$/, '');
  const taken = new Set(names);
  for (let n = 2; ; n++) if (!taken.has(`${base}~r${n}`)) return `${base}~r${n}`;
}

/** The order the tasks were first registered in (the first record of each name; a record
 *  registered again after an interrupted re-registration keeps its first place), else as given. */
function inRegistrationOrder(records: readonly TaskRecord[], stored: readonly TaskRecord[]): TaskRecord[] {
  const place = (r: TaskRecord) => {
    const i = stored.findIndex((s) => s.name === r.name);
    return i < 0 ? stored.length : i;
  };
  return records
    .map((record, given) => ({ record, given, at: place(record) }))
    .sort((a, b) => a.at - b.at || a.given - b.given)
    .map((x) => x.record);
}

const MASKED_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^@/]*\*\*\*\*[^@/]*@/i;

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).hostname === new URL(b).hostname;
  } catch {
    return false;
  }
}

/** The request a record stands for, or why it cannot be rebuilt (records never hold a password). */
function requestFromRecord(record: TaskRecord, clusterRedis: string | undefined, cluster: string, local = false): { req: RegisterTaskRequest } | { reason: string } {
  const name = record.name;
  if (!record.image && !record.images) {
    return { reason: l10n.t('Task "{name}" cannot be registered again: its record has no image. Register it again from its folder.', { name }) };
  }
  const req: RegisterTaskRequest = { name };
  if (record.image) req.image = record.image;
  if (record.images) req.images = record.images;
  for (const [recorded, key] of [
    [record.inputRedis, 'input_redis'],
    [record.outputRedis, 'output_redis'],
  ] as const) {
    if (!recorded) continue;
    if (clusterRedis && recorded === maskUrl(clusterRedis)) req[key] = clusterRedis;
    // The local cluster has one Redis (its data and password kept across starts); a masked URL
    // that differs names its earlier port (it had to move): the task goes to the Redis it has now.
    else if (clusterRedis && local && MASKED_USERINFO.test(recorded) && sameHost(recorded, clusterRedis)) req[key] = clusterRedis;
    else if (!MASKED_USERINFO.test(recorded)) req[key] = recorded;
    else {
      return {
        reason: l10n.t(
          'Task "{name}" cannot be registered again: its Redis URL {url} is not the cluster\'s and held a password, which the extension does not keep. Register it again with its whole Redis URL (cluster "{cluster}").',
          { name, url: recorded, cluster },
        ),
      };
    }
  }
  if (record.inputQueue) req.input_queue = record.inputQueue;
  if (record.outputQueue) req.output_queue = record.outputQueue;
  return { req };
}

/** dockerode is loaded on the first image call, not when the service is created. */
function lazyImageService(deps: ServiceDeps): ImageService {
  let loaded: Promise<ImageService> | undefined;
  const load = () => {
    if (!loaded) {
      loaded = import('./images/index.js').then((m) => m.createImageService(currentSettings(deps), deps.logger));
      loaded.catch(() => (loaded = undefined));
    }
    return loaded;
  };
  return {
    ping: async () => (await load()).ping(),
    build: async (opts) => (await load()).build(opts),
    tag: async (source, target) => (await load()).tag(source, target),
    push: async (tag, opts) => (await load()).push(tag, opts),
    list: async (filter) => (await load()).list(filter),
    exists: async (tag) => (await load()).exists(tag),
  };
}
