// The README's main job: a local cluster from nothing, the offline sample task (shell-square)
// built and registered through the core service, 10,000 numbers in, 10,000 results out,
// then the throughput. Plain Node; `npm run start:local` runs it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import { formatCount } from '../core/numbers';
import { MemoryKeyValueStore, MemorySecretStore, type Logger } from '../core/ports';
import { createGridCoreService } from '../core/service';
import { ensureBaseImage } from './base-image';
import {
  keptAfterStop,
  localClusterHoldings,
  startDetachedLocalCluster,
  startLocalCluster,
  stopAnyLocalCluster,
  stopLocalCluster,
  type ClusterPart,
  type DetachedStart,
  type LocalClusterInfo,
  type LocalClusterOptions,
} from './local-cluster-api';
import { dockerFrom } from '../core/docker/containers';

export const SAMPLE_IMAGE = 'gridcore-sample/shell-square:local';

export interface MainJobOptions {
  count?: number;
  /** leave the cluster running after the job */
  keep?: boolean;
  dockerSocket?: string;
  skillDir?: string;
  cluster?: Partial<LocalClusterOptions>;
  /** how long to wait for all results */
  timeoutMs?: number;
  print(line: string): void;
  logger?(part: ClusterPart | 'service'): Logger;
  /** run the cluster detached (its own process tree, as `npm run start:local` does): it
   *  outlives this process; without `keep`, the job stops it at the end if it started it */
  detached?: boolean;
  /** the cluster is up (before the job): a caller that stops on Ctrl+C learns whether it started it */
  onCluster?(info: LocalClusterInfo & { startedHere: boolean }): void;
}

export interface MainJobResult {
  count: number;
  results: number;
  seconds: number;
  itemsPerSecond: number;
  sample: string[];
}

function sampleFolder(): string {
  // bundled (dist/mainjob.js) or run from source (src/local/main-job.ts)
  const candidates = [resolve(__dirname, '../media/templates/shell-square'), resolve(__dirname, '../../media/templates/shell-square')];
  const found = candidates.find((d) => existsSync(join(d, 'Dockerfile')));
  if (!found) throw new GridCoreError('local', 'sampleMissing', l10n.t('The sample task folder media/templates/shell-square is missing. Run this from the extension folder.'));
  return found;
}

async function untilContainerRuns(docker: ReturnType<typeof dockerFrom>, task: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    // by name: upstream's gridnode (a local cluster may run it) puts no labels on containers
    const running = await docker.listContainers({ filters: { name: [`idm-${task}-`], status: ['running'] } }).catch(() => []);
    if (running.length) return;
    await sleep(100);
  }
  // Not fatal: the job then waits for the results as before, and its clock includes the start.
}

/** "started from a terminal (npm run start:local) at 05/12/2026, 21:04:00, process 123" */
export function clusterOwnerText(info: Pick<LocalClusterInfo, 'startedBy' | 'pid' | 'startedAt'>): string {
  const since = info.startedAt ? new Date(info.startedAt).toLocaleString() : '?';
  switch (info.startedBy) {
    case 'terminal':
      return l10n.t('started from a terminal (npm run start:local) at {since}, process {pid}', { since, pid: info.pid });
    case 'chat':
      return l10n.t('started by a chat tool at {since}, process {pid}', { since, pid: info.pid });
    case 'window':
      return l10n.t('started from a VS Code window at {since}, process {pid}', { since, pid: info.pid });
    default:
      return l10n.t('started by process {pid}', { pid: info.pid });
  }
}

/** "The local cluster was already running: started by ... It keeps running after this job." */
export function runningSince(info: Pick<LocalClusterInfo, 'startedBy' | 'pid' | 'startedAt'>): string {
  return l10n.t('The local cluster was already running: {owner}. It keeps running after this job.', { owner: clusterOwnerText(info) });
}

export async function runMainJob(o: MainJobOptions): Promise<MainJobResult> {
  const count = o.count ?? 10_000;
  const quiet: Logger = { trace() {}, info() {}, warn() {}, error() {} };
  const log = (part: ClusterPart | 'service') => o.logger?.(part) ?? quiet;
  const started = Date.now();
  o.print(l10n.t('Starting the local cluster…'));
  let info: LocalClusterInfo & { startedHere: boolean };
  if (o.detached) {
    const { startedBy, hubPort, redisPort, computehubBinary, gridnodeBinary, redisServer, redisAppendFsync, node, nodes, registerTimeoutMs } = o.cluster ?? {};
    const started: DetachedStart = await startDetachedLocalCluster({
      dockerSocket: o.dockerSocket,
      skillDir: o.skillDir,
      startedBy: startedBy ?? 'terminal',
      onStep: (_s, text) => o.print(`  ${text}`),
      ...{ hubPort, redisPort, computehubBinary, gridnodeBinary, redisServer, redisAppendFsync, node, nodes, registerTimeoutMs },
    });
    info = started;
    if (!started.startedHere) o.print(runningSince(started));
  } else {
    info = {
      ...(await startLocalCluster({
        dockerSocket: o.dockerSocket,
        skillDir: o.skillDir,
        onStep: (_s, text) => o.print(`  ${text}`),
        logger: (part) => log(part),
        ...o.cluster,
      })),
      startedHere: true,
    };
  }
  o.onCluster?.(info);
  o.print(l10n.t('Local cluster up: ComputeHub {url}, node {node}.', { url: info.profile.computehubUrl, node: info.nodeIds.join(', ') || '?' }));

  const service = createGridCoreService({
    secrets: new MemorySecretStore(),
    state: new MemoryKeyValueStore(),
    logger: log('service'),
    skillDir: o.skillDir,
    settings: () => ({}),
  });
  try {
    await service.profiles.save({ ...info.profile, source: 'local' });

    o.print(l10n.t('Building the base image and the sample image…'));
    await ensureBaseImage(dockerFrom({ socketPath: o.dockerSocket }));
    await service.images.build({ context: sampleFolder(), tag: SAMPLE_IMAGE });

    const task = `square-${Date.now().toString(36)}`;
    const input = `${task}:input`;
    const output = `${task}:output`;
    await service.registerTask('local', {
      name: task,
      image: SAMPLE_IMAGE,
      input_redis: info.profile.redisUrl,
      output_redis: info.profile.redisUrl,
      input_queue: input,
      output_queue: output,
    });
    const queues = await service.queues('local');
    // The clock measures the consumers, not the node's task poll and container start (the
    // whole run's time is printed too): push once a container of the task runs.
    o.print(l10n.t('Waiting for the task\'s containers to start…'));
    await untilContainerRuns(dockerFrom({ socketPath: o.dockerSocket }), task, Date.now() + 120_000);
    const t0 = Date.now();
    o.print(l10n.t('Task {task} registered; pushing {count} numbers…', { task, count: formatCount(count) }));
    const pushed = await queues.push(input, { kind: 'range', from: 1, to: count });
    if (pushed.error) throw pushed.error;

    const deadline = Date.now() + (o.timeoutMs ?? 15 * 60_000);
    let done = 0;
    let lastShown = 0;
    while (done < count) {
      if (Date.now() > deadline) {
        throw new GridCoreError('local', 'jobTimeout', l10n.t('Only {done} of {count} results arrived in time. Look at the node log for container errors.', { done: formatCount(done), count: formatCount(count) }));
      }
      await sleep(250);
      done = (await queues.lengths([output]))[output] ?? 0;
      if (done === count || Date.now() - lastShown >= 2000) {
        o.print(l10n.t('{done} / {count} results', { done: formatCount(done), count: formatCount(count) }));
        lastShown = Date.now();
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const page = await queues.page(output, { from: 'oldest', offset: 0, count: 10 });
    const sample = page.items.map((i) => i.value);
    o.print(l10n.t('First results:'));
    for (const s of sample) o.print(`  ${s}`);
    const itemsPerSecond = count / seconds;
    o.print(l10n.t('{count} items in {seconds} s: {rate} items/s (whole run {total} s).', {
      count: formatCount(count),
      seconds: seconds.toFixed(1),
      rate: formatCount(itemsPerSecond),
      total: ((Date.now() - started) / 1000).toFixed(1),
    }));
    return { count, results: done, seconds, itemsPerSecond, sample };
  } finally {
    await service.dispose();
    // Only what this run started is stopped: a cluster another start left running stays.
    if (!o.keep && info.startedHere) {
      // The queues outlive the stop (Redis persists): say what stays, counted before the stop.
      const held = await localClusterHoldings(info).catch(() => undefined);
      o.print(l10n.t('Stopping the local cluster…'));
      if (await (o.detached ? stopAnyLocalCluster({ skillDir: o.skillDir }) : stopLocalCluster())) o.print(keptAfterStop(held, info.dataDir));
    }
  }
}
