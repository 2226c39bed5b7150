// `node dist/mainjob.js [--keep] [--open] [--count N]`: the README's first command (npm run
// start:local). Docker from DOCKER_HOST, else the default socket. `--open` keeps the cluster and
// opens VS Code in the browser with this extension on it. Ctrl+C stops all it started.
import { resolve } from 'node:path';
import { l10n } from '../core/l10n';
import type { Logger } from '../core/ports';
import { maskUrl } from '../core/redact';
import { stopLocalCluster } from './cluster';
import { runMainJob } from './mainJob';
import { openVsCode, type OpenVsCode } from './openVsCode';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(l10n.t('Usage: npm run start:local -- [--count N] [--keep] [--open] [--verbose]\n  --count N   numbers to push through the sample task (default 10000)\n  --keep      leave the local cluster running after the job\n  --open      keep the cluster and open VS Code in the browser with this extension on it\n  --verbose   show the cluster\'s own log lines'));
  process.exit(0);
}
const open = args.includes('--open');
const keep = open || args.includes('--keep');
const countArg = args.indexOf('--count');
const count = countArg >= 0 ? Number(args[countArg + 1]) : 10_000;
const verbose = args.includes('--verbose');
const host = process.env.DOCKER_HOST;
const dockerSocket = host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;

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

runMainJob({ count, keep, dockerSocket, print: (l) => console.log(l), logger: partLogger, cluster: { startedBy: 'terminal', onStoppedByRequest: stoppedFromVsCode } }).then(
  (r) => {
    if (r.results !== r.count) return stopAndExit(1);
    if (!keep) process.exit(0);
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
