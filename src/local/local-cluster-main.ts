// `node dist/local-cluster.js --skill-dir DIR --started-by WHO --options JSON`: the local
// cluster's supervisor, started detached by cluster/detached.ts (never by hand). It runs Redis,
// the hub (in this process) and the nodes (processes of their own, through dist/gridnode.js),
// starts again a node or Redis that dies, and stops everything on SIGTERM or SIGINT. A SIGHUP
// (its terminal closing) does not stop it. Its stdout and stderr are the cluster's log file.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isGridCoreError } from './../core/errors';
import type { Logger } from '../core/ports';
import { startLocalCluster, startLocalClusterNode, stopLocalCluster, type ClusterPart, type LocalClusterOptions } from './cluster';
import { clusterPaths, readJson, removeFile, writePrivateJson, type ClusterOwner, type StartingFile } from './cluster/state';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: { 'skill-dir': { type: 'string' }, 'started-by': { type: 'string' }, options: { type: 'string' } },
});
const skillDir = args['skill-dir'];
if (!skillDir) {
  console.error('Error: --skill-dir is required (this program is started by GridCore, not by hand)');
  process.exit(2);
}
const paths = clusterPaths(skillDir);
const options = JSON.parse(args.options ?? '{}') as Partial<LocalClusterOptions>;
const startedBy = (args['started-by'] ?? 'window') as ClusterOwner;

const stamp = () => new Date().toISOString();
const partLogger = (part: ClusterPart | 'supervisor'): Logger => ({
  trace: () => undefined,
  info: (m) => console.log(`${stamp()} [${part}] ${m}`),
  warn: (m) => console.log(`${stamp()} [${part}] WARN ${m}`),
  error: (m) => console.log(`${stamp()} [${part}] ERROR ${m instanceof Error ? m.message : m}`),
});
const log = partLogger('supervisor');

/** Tells the processes waiting for this start how far it got (the starting file). */
function report(patch: Partial<StartingFile>): void {
  const cur = readJson<StartingFile>(paths.starting);
  if (cur) writePrivateJson(paths.starting, { ...cur, ...patch, supervisorPid: process.pid });
}

let stopping = false;
async function stop(why: string, code = 0): Promise<never> {
  if (!stopping) {
    stopping = true;
    log.info(`${why}: stopping the local cluster`);
    await stopLocalCluster({ logger: log }).catch((e: Error) => log.error(`stopping: ${e.message}`));
  }
  process.exit(code);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// Its session has no terminal, but an inherited one may still hang up: that is no reason to stop.
process.on('SIGHUP', () => log.info('SIGHUP ignored: the local cluster runs until it is stopped'));
// Start Node in any window: the nodes a Stop Node ended start again with their ids.
process.on('SIGUSR2', () => {
  if (stopping) return;
  log.info('asked to start the stopped nodes again');
  void startLocalClusterNode({ logger: partLogger('node') }).catch((e: Error) => log.error(`starting the nodes again: ${e.message}`));
});
process.on('uncaughtException', (e) => log.error(`uncaught: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => log.error(`unhandled: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

log.info(`supervisor ${process.pid} for ${paths.runDir} (started by ${startedBy})`);
startLocalCluster({
  ...options,
  skillDir,
  startedBy,
  supervisor: { nodeBundle: resolve(__dirname, 'gridnode.js'), logFile: paths.log },
  // A node here is a Node process of its own: on a busy machine it takes longer to come up
  // than the in-process one the 30 s default was set for.
  registerTimeoutMs: options.registerTimeoutMs ?? 90_000,
  onStep: (step, text) => report({ step, text }),
  // an older window's "Stop It Anyway" (the stop-request file) reaches this process too
  onStoppedByRequest: () => process.exit(0),
  logger: partLogger,
}).then(
  (info) => {
    if (info.pid !== process.pid) {
      // Another cluster was up meanwhile (an older version's owner): nothing to run here.
      log.info(`a local cluster already runs (process ${info.pid}): this one ends`);
      removeFile(paths.starting);
      process.exit(0);
    }
    removeFile(paths.starting);
    log.info(`up: hub ${info.profile.computehubUrl}, Redis port ${info.redisPort}, node(s) ${info.nodeIds.join(', ')}`);
  },
  (e: unknown) => {
    const step = isGridCoreError(e) && e.code.startsWith('step.') ? e.code.slice('step.'.length) : undefined;
    // The cause's own code and message: the waiting window words the step in its own language.
    const cause = isGridCoreError(e) && e.cause instanceof Error ? e.cause : e;
    const code = isGridCoreError(cause) ? cause.code : 'start';
    const message = cause instanceof Error ? cause.message : String(cause);
    log.error(`start failed${step ? ` at step ${step}` : ''}: ${message}`);
    report({ step: step ?? 'state', error: { code, message } });
    process.exit(1);
  },
);
