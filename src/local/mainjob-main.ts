// `node dist/mainjob.js [--keep] [--count N]`: the README's first command (npm run start:local).
// Docker from DOCKER_HOST, else the default socket. Ctrl+C stops the cluster it started.
import { l10n } from '../core/l10n';
import type { Logger } from '../core/ports';
import { maskUrl } from '../core/redact';
import { stopLocalCluster } from './cluster';
import { runMainJob } from './mainJob';

const args = process.argv.slice(2);
const keep = args.includes('--keep');
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
async function stopAndExit(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stopLocalCluster().catch(() => undefined);
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAndExit(130));
process.on('SIGTERM', () => void stopAndExit(143));

runMainJob({ count, keep, dockerSocket, print: (l) => console.log(l), logger: partLogger }).then(
  (r) => {
    if (r.results !== r.count) return stopAndExit(1);
    if (!keep) process.exit(0);
    console.log(l10n.t('The local cluster keeps running (--keep). Press Ctrl+C to stop it.'));
    return undefined;
  },
  (e: Error) => {
    console.error(`Error: ${maskUrl(e.message)}`);
    return stopAndExit(1);
  },
);
