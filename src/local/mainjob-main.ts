// `node dist/mainjob.js [--keep] [--open] [--count N] [--nodes N]`: the README's first command
// (npm run start:local). Docker from DOCKER_HOST, else the default socket. The cluster runs
// detached (its own process tree, see cluster/detached.ts): `--keep` returns once the job is
// done and leaves it running; without it, the run stops the cluster at its end if it started
// it. `--open` keeps the cluster and opens VS Code in the browser with this extension on it.
// `--status` says what runs, `--stop` stops it (npm run status:local / stop:local).
// Where no Docker engine answers but dockerd is installed and we run as root (no init system
// started Docker's service), a private engine is started first and stopped at the end.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { l10n } from '../core/l10n';
import type { Logger } from '../core/ports';
import { maskUrl } from '../core/redact';
import { keptAfterStop, localClusterHoldings, localClusterStatus, stopAnyLocalCluster, type LocalClusterInfo } from './local-cluster-api';
import { clusterOwnerText, runMainJob } from './main-job';
import { openVsCode, type OpenVsCode } from './open-vs-code';
import { dockerAnswers, findPrivateDockerd, privateDockerdUnavailable, startPrivateDockerd, type PrivateDockerd } from './private-dockerd';

function parsedArgs() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        help: { type: 'boolean', short: 'h' },
        open: { type: 'boolean' },
        keep: { type: 'boolean' },
        count: { type: 'string' },
        nodes: { type: 'string' },
        status: { type: 'boolean' },
        stop: { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return process.exit(2);
  }
}
const args = parsedArgs();
if (args.help) {
  console.log(l10n.t('Usage: npm run start:local -- [--count N] [--nodes N] [--keep] [--open] [--verbose]\n       npm run start:local -- --status   (or npm run status:local)\n       npm run start:local -- --stop     (or npm run stop:local)\n  --count N   numbers to push through the sample task (default 10000)\n  --nodes N   how many nodes the cluster runs (default 1, at most 16)\n  --keep      leave the local cluster running in the background after the job\n  --open      keep the cluster and open VS Code in the browser with this extension on it\n  --status    say whether the local cluster runs, where, since when and who started it\n  --stop      stop the local cluster, whoever started it (its queues stay on disk)\n  --verbose   show the cluster\'s own log lines'));
  process.exit(0);
}
const nodesArg = args.nodes !== undefined ? Number(args.nodes) : undefined;
if (nodesArg !== undefined && !(Number.isInteger(nodesArg) && nodesArg >= 1 && nodesArg <= 16)) {
  console.error(`Error: ${l10n.t('--nodes takes a whole number from 1 to 16, not {value}.', { value: String(args.nodes) })}`);
  process.exit(2);
}

/** The lines `--status` prints (and exit code 0 when the cluster runs, 3 when not, as systemctl). */
function statusLines(info: LocalClusterInfo | undefined, logFile: string, starting: boolean): string[] {
  if (!info) return [starting ? l10n.t('The local cluster is starting.') : l10n.t('No local cluster is running.'), l10n.t('Log: {file}', { file: logFile })];
  const restarts = info.nodeRestarts ?? [];
  return [
    l10n.t('The local cluster is running (process {pid}).', { pid: info.pid }),
    l10n.t('It was {owner}.', { owner: clusterOwnerText(info) }),
    l10n.t('ComputeHub: {url}', { url: info.profile.computehubUrl }),
    l10n.t('Redis: {url} (data in {folder})', { url: maskUrl(info.profile.redisUrl), folder: info.dataDir }),
    ...info.nodeIds.map((id, i) => l10n.t('Node {index}: {id} (restarts after it died: {count})', { index: i + 1, id, count: restarts[i] ?? 0 })),
    l10n.t('Log: {file}', { file: info.logFile ?? logFile }),
  ];
}

if (args.status) {
  void localClusterStatus().then((s) => {
    for (const l of statusLines(s.running, s.logFile, !!s.starting && !s.starting.error)) console.log(l);
    process.exit(s.running ? 0 : 3);
  });
} else if (args.stop) {
  void (async () => {
    const s = await localClusterStatus();
    if (!s.running && !s.starting) {
      console.log(l10n.t('No local cluster is running.'));
      return process.exit(0);
    }
    const held = s.running ? await localClusterHoldings(s.running).catch(() => undefined) : undefined;
    console.log(l10n.t('Stopping the local cluster…'));
    const stopped = await stopAnyLocalCluster();
    if (stopped && s.running) console.log(keptAfterStop(held, s.running.dataDir));
    process.exit(0);
  })().catch((e: Error) => {
    console.error(`Error: ${maskUrl(e.message)}`);
    process.exit(1);
  });
} else {
  main();
}

function main(): void {

const open = !!args.open;
const keep = open || !!args.keep;
const count = args.count !== undefined ? Number(args.count) : 10_000;
const verbose = !!args.verbose;
const host = process.env.DOCKER_HOST;
let dockerSocket = host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
let engine: PrivateDockerd | undefined;

/** The engine at DOCKER_HOST (or the default socket) when it answers; else, with DOCKER_HOST
 *  unset, a private one when this machine allows it. Otherwise the cluster's own Docker step
 *  reports what to do. */
async function ensureDocker(): Promise<void> {
  if (await dockerAnswers(dockerSocket)) return;
  if (host || privateDockerdUnavailable()) return;
  engine = await findPrivateDockerd();
  if (!engine) {
    console.log(l10n.t('No Docker engine answers; starting a private one (dockerd)…'));
    engine = await startPrivateDockerd({ dataRoot: resolve(__dirname, '..', '.cache', 'local-dockerd') });
  }
  dockerSocket = engine.socketPath;
  // code-server (--open) and the extension in it use the same engine.
  process.env.DOCKER_HOST = `unix://${engine.socketPath}`;
  console.log(
    engine.startedHere
      ? l10n.t('Private Docker engine up at unix://{socket} (pid {pid}).', { socket: engine.socketPath, pid: engine.pid })
      : l10n.t('Using the private Docker engine an earlier --keep left running at unix://{socket} (pid {pid}).', { socket: engine.socketPath, pid: engine.pid }),
  );
}

let toldKept = false;
function tellKept(): void {
  if (!engine || toldKept) return;
  toldKept = true;
  console.log(l10n.t('The private Docker engine keeps running (--keep). Stop it with: {command}', { command: engine.stopCommand }));
}

/** Stops the engine we started, unless --keep asked to leave it; then says how to stop it. */
async function releaseDocker(): Promise<void> {
  if (!engine) return;
  if (keep) return tellKept();
  if (!engine.startedHere) return;
  console.log(l10n.t('Stopping the private Docker engine…'));
  await engine.stop();
  engine = undefined;
}

const partLogger = (part: string): Logger => ({
  trace: () => undefined,
  info: (m) => verbose && console.log(`[${part}] ${m}`),
  warn: (m) => console.warn(`[${part}] ${m}`),
  error: (m) => console.error(`[${part}] ${m instanceof Error ? m.message : m}`),
});

let stopping = false;
let vscode: OpenVsCode | undefined;
/** the cluster this run started (not one it found running): what Ctrl+C stops without --keep */
let startedHere = false;
async function stopAndExit(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await vscode?.stop().catch(() => undefined);
    if (startedHere && !keep) {
      console.log(l10n.t('Stopping the local cluster…'));
      await stopAnyLocalCluster().catch((e: Error) => console.error(`Error: ${e.message}`));
    }
    await releaseDocker().catch((e: Error) => console.error(`Error: ${e.message}`));
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAndExit(130));
process.on('SIGTERM', () => void stopAndExit(143));

ensureDocker().then(() =>
  runMainJob({
    count,
    keep,
    dockerSocket,
    detached: true,
    print: (l) => console.log(l),
    logger: partLogger,
    cluster: { startedBy: 'terminal', nodes: nodesArg },
    onCluster: (info) => (startedHere = info.startedHere),
  }),
).then(
  (r) => {
    if (r.results !== r.count) return stopAndExit(1);
    if (!keep) return stopAndExit(0);
    tellKept();
    if (!open) {
      // Nothing here holds the cluster: this process ends, the cluster goes on in the background.
      console.log(l10n.t('The local cluster keeps running in the background (--keep). See it with npm run status:local; stop it with npm run stop:local.'));
      return process.exit(0);
    }
    return openVsCode({ extensionPath: resolve(__dirname, '..'), workspace: process.cwd(), port: 8443, print: (l) => console.log(l) }).then((v) => {
      vscode = v;
      console.log(l10n.t('VS Code with GridCore is ready. Open this address in a browser on this machine:'));
      console.log(`  ${v.url}`);
      console.log(l10n.t('In the GridCore view, choose Import from Skill Files (or Start Local Cluster) to add the running cluster "local".'));
      console.log(l10n.t('Press Ctrl+C to stop VS Code; the local cluster keeps running (npm run stop:local stops it).'));
    }, (e: Error) => {
      console.error(`Error: ${maskUrl(e.message)}`);
      return stopAndExit(1);
    });
  },
  (e: Error) => {
    console.error(`Error: ${maskUrl(e.message)}`);
    return stopAndExit(1);
  },
);
}
