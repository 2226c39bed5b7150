// `node dist/mainjob.js [--keep] [--open] [--count N]`: the README's first command (npm run
// start:local). Docker from DOCKER_HOST, else the default socket. `--open` keeps the cluster and
// opens VS Code in the browser with this extension on it. Ctrl+C stops all it started.
// Where no Docker engine answers but dockerd is installed and we run as root (no init system
// started Docker's service), a private engine is started first and stopped at the end.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { l10n } from '../core/l10n';
import type { Logger } from '../core/ports';
import { maskUrl } from '../core/redact';
import { stopLocalCluster } from './cluster';
import { runMainJob } from './main-job';
import { openVsCode, type OpenVsCode } from './open-vs-code';
import { dockerAnswers, findPrivateDockerd, privateDockerdUnavailable, startPrivateDockerd, type PrivateDockerd } from './private-dockerd';

let args;
try {
  args = parseArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: 'boolean', short: 'h' },
      open: { type: 'boolean' },
      keep: { type: 'boolean' },
      count: { type: 'string' },
      verbose: { type: 'boolean' },
    },
  }).values;
} catch (e) {
  console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
if (args.help) {
  console.log(l10n.t('Usage: npm run start:local -- [--count N] [--keep] [--open] [--verbose]\n  --count N   numbers to push through the sample task (default 10000)\n  --keep      leave the local cluster running after the job\n  --open      keep the cluster and open VS Code in the browser with this extension on it\n  --verbose   show the cluster\'s own log lines'));
  process.exit(0);
}
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
async function stopAndExit(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await vscode?.stop().catch(() => undefined);
    await stopLocalCluster().catch(() => undefined);
    await releaseDocker().catch((e: Error) => console.error(`Error: ${e.message}`));
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAndExit(130));
process.on('SIGTERM', () => void stopAndExit(143));

// Stop Local Cluster in a VS Code window (this one's --open, or any other) asks this process
// to stop the cluster: it does, and keeps VS Code running if it opened one.
function stoppedFromVsCode(): void {
  console.log(l10n.t('The local cluster was stopped from VS Code.'));
  if (!vscode) void stopAndExit(0);
  else console.log(l10n.t('VS Code keeps running. Press Ctrl+C to stop it.'));
}

ensureDocker().then(() => runMainJob({ count, keep, dockerSocket, print: (l) => console.log(l), logger: partLogger, cluster: { startedBy: 'terminal', onStoppedByRequest: stoppedFromVsCode } })).then(
  (r) => {
    if (r.results !== r.count) return stopAndExit(1);
    if (!keep) return stopAndExit(0);
    tellKept();
    if (!open) {
      console.log(l10n.t('The local cluster keeps running (--keep). Press Ctrl+C to stop it.'));
      return undefined;
    }
    return openVsCode({ extensionPath: resolve(__dirname, '..'), workspace: process.cwd(), port: 8443, print: (l) => console.log(l) }).then((v) => {
      vscode = v;
      console.log(l10n.t('VS Code with GridCore is ready. Open this address in a browser on this machine:'));
      console.log(`  ${v.url}`);
      console.log(l10n.t('In the GridCore view, choose Import from Skill Files (or Start Local Cluster) to add the running cluster "local".'));
      console.log(l10n.t('Press Ctrl+C to stop VS Code and the local cluster.'));
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
