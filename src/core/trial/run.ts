// One trial: build (or reuse) the image, scratch queues on the target's Redis or a throwaway
// redis-server, the sample pushed, ONE container with a node's environment and network mode,
// its output streamed, then results, rate, estimate and findings. Whatever happens, the
// container and the scratch keys (and a throwaway Redis) are removed, and nothing else.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { listNodeContainers } from '../docker/container-names';
import { analyzeDockerfile, type DockerfileProblem } from '../dockerfile-rules';
import { DockerError, isGridCoreError } from '../errors';
import { createDocker, resolveDaemon } from '../images/daemon';
import { l10n } from '../l10n';
import type { Logger } from '../ports';
import { maskUrl } from '../redact';
import type { ImageService, QueueService, ServiceSettings } from '../service-api';
import { isCompiledBinaryFile } from '../compiled-binary';
import { anyFreePort } from '../machine/free-ports';
import { startLocalRedis, type LocalRedis } from '../machine/redis-server';
import { ContainerOps, containerSpec, maskContainerText, NODE_LABEL } from '../docker/containers';
import { estimateJob, steadyRate, trialRate, type ResultsSeen } from './estimate';
import { trialFindings } from './findings';
import { demuxLines } from '../docker/log-lines';
import { sampleItems } from './sample';
import type { TrialNetwork, TrialOptions, TrialReport, TrialStop } from './types';

export const TRIAL_LABEL = 'gridcore.trial';
const POLL_MS = 50;
const FIRST_RESULT_POLL_MS = 10;
const LOG_TAIL = 30;

export interface TrialDeps {
  images: ImageService;
  settings: ServiceSettings;
  logger: Logger;
  /** Docker socket; default DOCKER_HOST, else the platform's socket */
  socketPath?: string;
}

/** Scratch queue names: unique per trial, so they never meet a task's queues. */
export function scratchQueues(id: string): { input: string; output: string } {
  return { input: `gridcore-trial:${id}:input`, output: `gridcore-trial:${id}:output` };
}

/** Every key a trial may leave: its queues, and a reliable consumer's keys beside the input
 *  (the container runs as node "trial", instance 0): processing list and registry, failed
 *  list, attempts hash. */
export function scratchKeys(q: { input: string; output: string }): string[] {
  return [q.input, q.output, `${q.input}:processing`, `${q.input}:processing:trial:0`, `${q.input}:failed`, `${q.input}:attempts`];
}

/** What the target's nodes do with a container's network, and so what the trial does.
 *  `seen`: the network mode of a container the target's nodes run on this machine's Docker
 *  (recognised by our labels or upstream's names): what they do, whatever kind of node. */
export function trialNetwork(o: Pick<TrialOptions, 'target' | 'networkMode'>, seen?: string): TrialNetwork {
  if (o.networkMode) return { mode: o.networkMode, why: l10n.t('network mode {mode}, as asked', { mode: o.networkMode }) };
  if (o.target && seen) {
    if (seen === 'host') return { mode: 'host', why: l10n.t('host network, as the cluster\'s nodes on this machine run containers') };
    if (seen === 'default' || seen === 'bridge') return { mode: undefined, why: l10n.t('Docker\'s default bridge network, as the cluster\'s nodes on this machine run containers') };
    return { mode: seen, why: l10n.t('network {mode}, as the cluster\'s nodes on this machine run containers', { mode: seen }) };
  }
  if (!o.target) return { mode: 'host', why: l10n.t('host network, as the local cluster\'s node runs containers (the throwaway Redis listens on 127.0.0.1)') };
  if (o.target.local) return { mode: 'host', why: l10n.t('host network, as the local cluster\'s node runs containers') };
  return { mode: undefined, why: l10n.t('Docker\'s default bridge network, as upstream GridNodes run containers') };
}

/** The network mode of a running container of those nodes on this engine, if any. */
async function nodesNetwork(docker: Dockerode, nodeIds: readonly string[] | undefined): Promise<string | undefined> {
  if (!nodeIds?.length) return undefined;
  try {
    const found = await listNodeContainers(docker, nodeIds);
    return found.find((c) => c.networkMode)?.networkMode;
  } catch {
    return undefined; // Docker's answer only refines the choice
  }
}

export function isLoopbackRedis(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

function cancelledError(): DockerError {
  return new DockerError('cancelled', l10n.t('The trial was cancelled; its container and scratch queues were removed.'));
}

export async function runTrial(o: TrialOptions, deps: TrialDeps): Promise<TrialReport> {
  const t0 = Date.now();
  const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const queues = scratchQueues(id);
  const phase = (p: Parameters<NonNullable<TrialOptions['onPhase']>>[0], text: string) => {
    deps.logger.info(`trial ${id}: ${text}`);
    o.onPhase?.(p, text);
  };
  const checkCancel = () => {
    if (o.signal?.isCancellationRequested) throw cancelledError();
  };
  const timeoutMs = o.timeoutMs ?? 60_000;
  const cleanedUp: string[] = [];
  let redis: LocalRedis | undefined;
  // The throwaway Redis persists like the local cluster's (one code path), into a folder removed after.
  let redisDir: string | undefined;
  let scratch: QueueService | undefined;
  let container: Dockerode.Container | undefined;
  const docker = createDocker(resolveDaemon(deps.socketPath));
  const ops = new ContainerOps(docker, deps.logger);

  try {
    phase('check', l10n.t('Reading the sample and the Dockerfile…'));
    const dockerfile = resolve(o.dockerfile);
    if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
      throw new DockerError('noDockerfile', l10n.t('There is no Dockerfile at {file}. Add one (New Task from Template makes one), or pick the folder that has it.', { file: dockerfile }));
    }
    const items = await sampleItems(o.sample);
    const problems = dockerfileProblems(dockerfile);
    checkCancel();

    phase('build', l10n.t('Building {tag}…', { tag: o.tag }));
    const tBuild = Date.now();
    const before = await deps.images.list(o.tag).catch(() => []);
    const built = await deps.images.build({
      context: dirname(dockerfile),
      dockerfile: dockerfile.slice(dirname(dockerfile).length + 1),
      tag: o.tag,
      signal: o.signal,
      onLog: (line) => o.onLog?.(`[build] ${line}`),
    });
    const imageReused = before.some((i) => i.id === built.imageId);
    const buildMs = Date.now() - tBuild;
    checkCancel();

    phase('redis', o.target ? l10n.t('Creating scratch queues on the Redis of {cluster}…', { cluster: o.target.name }) : l10n.t('Starting a throwaway redis-server…'));
    const tRedis = Date.now();
    let redisUrl: string;
    if (o.target) redisUrl = o.target.redisUrl;
    else {
      redisDir = mkdtempSync(join(tmpdir(), 'gridcore-trial-redis-'));
      redis = await startLocalRedis({ port: await anyFreePort(), password: randomBytes(12).toString('hex'), dataDir: redisDir, docker: () => docker, logger: deps.logger });
      redisUrl = redis.url;
    }
    const { createQueueService } = await import('../queues/index.js');
    scratch = createQueueService(`trial ${id}`, redisUrl, deps.settings, deps.logger);
    await scratch.ping();
    const redisMs = Date.now() - tRedis;
    checkCancel();

    phase('push', l10n.t('Pushing {n} sample items to {queue}…', { n: items.length, queue: queues.input }));
    const tPush = Date.now();
    const pushed = await scratch.push(queues.input, { kind: 'array', items }, { signal: o.signal });
    if (pushed.error) throw pushed.error;
    const pushMs = Date.now() - tPush;
    checkCancel();

    const network = trialNetwork(o, await nodesNetwork(docker, o.target?.nodeIds));
    phase('start', l10n.t('Starting one container of {image} ({network})…', { image: o.tag, network: network.why }));
    const secrets = [passwordOf(redisUrl)].filter((s): s is string => !!s);
    const logs: string[] = [];
    const emit = (line: string, stream: 'out' | 'err') => {
      const shown = maskContainerText(line, secrets);
      logs.push(shown);
      if (logs.length > 2000) logs.splice(0, logs.length - 2000);
      o.onLog?.(`${stream === 'err' ? '[0 stderr]' : '[0]'} ${shown}`);
    };
    const spec = containerSpec(
      { task_name: `gridcore-trial-${id}`, image: o.tag, redis_url: null, input_redis: redisUrl, output_redis: redisUrl, input_queue: queues.input, output_queue: queues.output },
      'trial',
      0,
      { memoryMb: 1024, networkMode: network.mode },
    );
    spec.name = `gridcore-trial-${id}`;
    const labels: Record<string, string> = { ...(spec.Labels ?? {}), [TRIAL_LABEL]: id };
    delete labels[NODE_LABEL]; // a node cleaning up its leftovers must never take it for its own
    spec.Labels = labels;

    const tStart = Date.now();
    let startError: string | undefined;
    let logsDone: Promise<void> = Promise.resolve();
    let exited: Promise<number> | undefined;
    try {
      container = await ops.create(spec);
      await container.start();
      exited = container.wait().then(
        (r: { StatusCode?: number }) => r.StatusCode ?? -1,
        () => -1,
      );
      // Attached without waiting: the poll for results starts at once, and a follow from the
      // start replays every line the container wrote before the attach.
      const c = container;
      logsDone = (c.logs({ follow: true, stdout: true, stderr: true }) as unknown as Promise<NodeJS.ReadableStream>).then(
        (stream) => demuxLines(stream, emit),
        (e: Error) => deps.logger.warn(`trial ${id}: no container log: ${maskContainerText(e.message, secrets)}`),
      );
    } catch (e) {
      startError = maskContainerText((e as { json?: { message?: string } }).json?.message ?? (e as Error).message, secrets);
      o.onLog?.(`[0 stderr] ${startError}`);
    }
    const startMs = Date.now() - tStart;
    const startedAt = Date.now();

    let stop: TrialStop = 'startFailed';
    let exitCode: number | undefined;
    let consumed = 0;
    let results = 0;
    let firstResultAt: number | undefined;
    let lastResultAt: number | undefined;
    // Every growth of the results list: the steady rate is timed between the first and last.
    const growth: ResultsSeen[] = [];
    let steady: (ReturnType<typeof steadyRate> & { repeatedTo?: number }) | undefined;
    let repeated = false;
    if (!startError && exited) {
      phase('run', l10n.t('Running: waiting for the sample to be consumed (at most {seconds} s)…', { seconds: Math.round(timeoutMs / 1000) }));
      let exitedCode: number | undefined;
      void exited.then((c) => (exitedCode = c));
      const settleMs = o.settleMs ?? 1500;
      for (;;) {
        // Until the first result a tighter poll: that moment is what the author waits for.
        const pause = firstResultAt === undefined ? FIRST_RESULT_POLL_MS : POLL_MS;
        const [lengths] = await Promise.all([scratch.lengths([queues.input, queues.output]), new Promise((r) => setTimeout(r, pause))]);
        const now = Date.now();
        const input = lengths[queues.input] ?? 0;
        const output = lengths[queues.output] ?? 0;
        consumed = items.length - input;
        if (output > results) {
          if (firstResultAt === undefined) {
            firstResultAt = now;
            o.onFirstResult?.();
          }
          lastResultAt = now;
          results = output;
          growth.push({ at: now, results: output });
        }
        if (exitedCode !== undefined) {
          stop = 'exited';
          exitCode = exitedCode;
          break;
        }
        if (o.signal?.isCancellationRequested) {
          stop = 'cancelled';
          break;
        }
        // Done: every item taken and a result for each, or results that stopped coming for
        // longer than the consumer's own pace between them (a filter writes fewer results).
        // Without any result it may still be working on a batch: the exit or the timeout decide.
        if (input === 0 && results > 0) {
          const pace = results > 1 && firstResultAt !== undefined ? ((lastResultAt! - firstResultAt) / (results - 1)) * 3 : 0;
          if (results >= items.length || now - lastResultAt! >= Math.max(settleMs, pace)) {
            stop = 'consumed';
            break;
          }
        }
        if (now - startedAt >= timeoutMs) {
          stop = 'timeout';
          break;
        }
      }
      steady = steadyRate(growth);
      // A sample that went by faster than its rate can be timed (all results at once, or
      // within half a second): time the consumer on the sample again, repeated, while it runs.
      if (!steady && stop === 'consumed' && exitedCode === undefined && !o.signal?.isCancellationRequested) {
        repeated = true;
        steady = await repeatForRate({ scratch, queues, items, timeoutMs, signal: o.signal, exitedCode: () => exitedCode, phase, seed: itemsPerSecondSoFar(growth, firstResultAt, startedAt) });
      }
    }
    const runMs = Date.now() - startedAt;

    phase('collect', l10n.t('Reading the results…'));
    if (container && stop !== 'exited') await ops.remove(container, 2);
    // The log stream ends with the container; a stuck stream must not hold the report.
    await Promise.race([logsDone, new Promise((r) => setTimeout(r, 2000))]);
    // After a repeat for the rate the lists hold more than the sample's: its own results are
    // the oldest ones, and the counts are the ones seen when the sample was done.
    const page = await scratch.page(queues.output, { from: 'oldest', offset: 0, count: repeated ? Math.min(results, o.maxResults ?? 1000) : o.maxResults ?? 1000 });
    if (!repeated) {
      const lengths = await scratch.lengths([queues.input, queues.output]);
      consumed = items.length - (lengths[queues.input] ?? 0);
      results = lengths[queues.output] ?? results;
    }
    const loopbackRedis = isLoopbackRedis(redisUrl);

    const measured = trialRate(steady, results, startedAt, lastResultAt);
    const rate = measured?.perSecond;
    const report: TrialReport = {
      id,
      image: o.tag,
      imageReused,
      network,
      redis: maskUrl(redisUrl),
      redisKind: o.target ? 'cluster' : 'throwaway',
      inputQueue: queues.input,
      outputQueue: queues.output,
      sampleSize: items.length,
      consumed,
      results: page.items.map((i) => i.value),
      resultsTotal: results,
      stop,
      exitCode,
      timings: {
        buildMs,
        redisMs,
        pushMs,
        startMs,
        firstResultMs: firstResultAt === undefined ? undefined : firstResultAt - startedAt,
        toFirstResultMs: firstResultAt === undefined ? undefined : firstResultAt - t0,
        runMs,
        totalMs: 0,
      },
      itemsPerSecond: rate,
      ...(measured ? { rateBasis: measured.basis } : {}),
      estimate: estimateJob(o.estimateItems ?? 1_000_000, rate, o.target?.parallelism),
      findings: trialFindings({
        logs,
        startError,
        stop,
        exitCode,
        sampleSize: items.length,
        consumed,
        results,
        loopbackRedis,
        networkMode: network.mode,
        timeoutMs,
        dockerfileProblems: problems,
      }),
      logTail: logs.slice(-LOG_TAIL),
      cleanedUp,
    };
    if (stop === 'cancelled') throw cancelledError();
    report.timings.totalMs = Date.now() - t0;
    return report;
  } finally {
    phase('cleanup', l10n.t('Removing the trial container and scratch queues…'));
    if (container) {
      await ops.remove(container, 0);
      cleanedUp.push(l10n.t('container {name}', { name: `gridcore-trial-${id}` }));
    }
    if (scratch) {
      // Only the trial's own keys: the two scratch queues, and the keys a reliable consumer
      // keeps beside its input (<input>:processing[:<node>:<instance>], :failed, :attempts).
      // Nothing else on the cluster's Redis is touched.
      for (const key of scratchKeys(queues)) {
        await scratch.deleteQueue(key).then(
          () => (key === queues.input || key === queues.output) && cleanedUp.push(key),
          (e: Error) => deps.logger.warn(`trial ${id}: could not remove ${key}: ${e.message}`),
        );
      }
      await scratch.dispose();
    }
    if (redis) {
      await redis.stop();
      cleanedUp.push(l10n.t('throwaway redis-server'));
    }
    if (redisDir) rmSync(redisDir, { recursive: true, force: true });
  }
}

/** A rough rate from the sample (too short to time well): what sizes the first repeat. */
function itemsPerSecondSoFar(growth: readonly ResultsSeen[], firstResultAt: number | undefined, startedAt: number): number {
  const first = growth[0];
  const last = growth[growth.length - 1];
  if (first && last && last.at > first.at) return ((last.results - first.results) * 1000) / (last.at - first.at);
  return firstResultAt === undefined || !last ? 0 : (last.results * 1000) / Math.max(1, firstResultAt - startedAt);
}

const MAX_REPEAT = 100_000;
const REPEAT_ROUND_MS = 5_000;

/**
 * The sample pushed again, cycled to n items, while the container still runs, and the
 * results' growth timed; n grows tenfold until the growth spans MIN_STEADY_MS (or n reaches
 * MAX_REPEAT). A round ends when every repeated item has its result, when results stop
 * coming for three times their pace (a filter writes fewer), or after REPEAT_ROUND_MS.
 * Undefined when the consumer exits or nothing can be timed: the rate then counts from the
 * start. The scratch keys are removed with the trial's, whatever is left in them.
 */
async function repeatForRate(a: {
  scratch: QueueService;
  queues: { input: string; output: string };
  items: readonly string[];
  timeoutMs: number;
  signal?: TrialOptions['signal'];
  exitedCode: () => number | undefined;
  phase: (p: 'run', text: string) => void;
  seed: number;
}): Promise<(ReturnType<typeof steadyRate> & { repeatedTo: number }) | undefined> {
  const deadline = Date.now() + a.timeoutMs;
  let n = Math.min(MAX_REPEAT, Math.max(1000, Math.ceil(a.seed * 2)));
  for (;;) {
    a.phase('run', l10n.t('Timing the consumer\'s steady rate on the sample repeated to {n} items…', { n: n.toLocaleString('en-US') }));
    const base = (await a.scratch.lengths([a.queues.output]))[a.queues.output] ?? 0;
    const copies = Array.from({ length: n }, (_, i) => a.items[i % a.items.length]);
    const growth: ResultsSeen[] = [{ at: Date.now(), results: base }];
    const pushing = a.scratch.push(a.queues.input, { kind: 'array', items: copies }, { signal: a.signal });
    const roundEnd = Math.min(deadline, Date.now() + REPEAT_ROUND_MS);
    let seenGrowth = false;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      const now = Date.now();
      const out = (await a.scratch.lengths([a.queues.output]))[a.queues.output] ?? 0;
      const last = growth[growth.length - 1];
      if (out > last.results) {
        // The first growth is the base: the time before it is the wait for the first batch.
        if (!seenGrowth) growth.splice(0, growth.length);
        seenGrowth = true;
        growth.push({ at: now, results: out });
      }
      if (a.exitedCode() !== undefined || a.signal?.isCancellationRequested) {
        await pushing.catch(() => undefined);
        return undefined;
      }
      const got = growth[growth.length - 1].results - base;
      const span = growth[growth.length - 1].at - growth[0].at;
      const pace = growth.length > 1 ? (span / (growth.length - 1)) * 3 : 0;
      if (got >= n || now >= roundEnd || (seenGrowth && now - growth[growth.length - 1].at > Math.max(1000, pace))) break;
    }
    await pushing.catch(() => undefined);
    const steady = steadyRate(growth);
    if (steady) return { ...steady, repeatedTo: n };
    if (n >= MAX_REPEAT || Date.now() >= deadline) return undefined;
    n = Math.min(MAX_REPEAT, n * 10);
  }
}

/** The Dockerfile's rule problems (ENTRYPOINT, host binaries, hard-coded Redis), as the editor sees them. */
function dockerfileProblems(dockerfile: string): DockerfileProblem[] {
  try {
    const folder = dirname(dockerfile);
    return analyzeDockerfile(readFileSync(dockerfile, 'utf8'), { isCompiledBinary: (p) => isCompiledBinaryFile(resolve(folder, p)) });
  } catch (e) {
    if (isGridCoreError(e)) throw e;
    return [];
  }
}
