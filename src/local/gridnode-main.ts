// Standalone GridNode: `node dist/gridnode.js [-c gridnode.toml] [--lifecycle upstream]`, a
// drop-in for upstream's `gridnode` binary. Exits 1 at once when the hub is unreachable or
// rejects the token; SIGTERM/SIGINT (and a stop request from the hub) stop and remove its
// containers first. With `lifecycle = "upstream"` (or --lifecycle upstream) it behaves as
// upstream's node does, defects included: SIGTERM then leaves running containers alone and
// the process waits for them (a second signal, as for any stuck process, is SIGKILL's job).
import { parseArgs } from 'node:util';
import { isGridCoreError } from '../core/errors';
import { appendNodeExit } from '../core/node-exits';
import { l10n } from '../core/l10n';
import type { Logger } from '../core/ports';
import { GridNode } from './node/grid-node';
import { findConfigFile, readGridNodeConfigFile, writeGridNodeId } from './upstream-config';

const stamp = () => new Date().toISOString();
const logger: Logger = {
  trace: () => undefined,
  info: (m) => console.log(`${stamp()} INFO ${m}`),
  warn: (m) => console.warn(`${stamp()} WARN ${m}`),
  error: (m) => console.error(`${stamp()} ERROR ${m instanceof Error ? m.message : m}`),
};

/** `-c FILE`, `--config FILE` or `--config=FILE`, and `--lifecycle restart|upstream`; anything else is an error. */
function cliArgs(argv: string[]): { config?: string; lifecycle?: string } {
  return parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, lifecycle: { type: 'string' } } }).values;
}

async function main(): Promise<number> {
  const args = cliArgs(process.argv.slice(2));
  if (args.lifecycle !== undefined && args.lifecycle !== 'restart' && args.lifecycle !== 'upstream') {
    console.error(`Error: --lifecycle must be "restart" or "upstream", not "${args.lifecycle}"`);
    return 1;
  }
  const loc = findConfigFile('gridnode.toml', args.config);
  // A missing `-c FILE` is reported by the read below, with the file's name.
  if (!loc.exists && loc.source !== 'cli') {
    console.error(`Error: ${l10n.t('No gridnode.toml found. Pass -c FILE, set IDM_GRIDCORE_CONFIG, or put one in ~/.config/idm-gridcore/.')}`);
    return 1;
  }
  const cfg = await readGridNodeConfigFile(loc.path);
  const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  const node = new GridNode({
    serverUrl: cfg.server_url,
    token: cfg.token,
    nodeId: cfg.node_id,
    saveNodeId: (id) => writeGridNodeId(loc.path, id),
    parallelism: cfg.parallelism,
    heartbeatIntervalMs: seconds(cfg.heartbeat_interval),
    taskPollIntervalMs: seconds(cfg.task_poll_interval),
    stopTimeoutMs: seconds(cfg.stop_timeout),
    containerMemoryMb: cfg.container_memory,
    networkMode: cfg.network_mode,
    hostname: cfg.hostname,
    lifecycle: (args.lifecycle as 'restart' | 'upstream' | undefined) ?? cfg.lifecycle,
    logger,
    // Set by the local cluster: the tree's tooltip and Diagnose read the lines of failed containers there.
    onContainerExit: process.env.GRIDCORE_NODE_EXITS ? (exit) => appendNodeExit(process.env.GRIDCORE_NODE_EXITS!, exit) : undefined,
  });
  let signalled = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info(`${sig}: stopping`);
    void (node.lifecycle === 'upstream' ? node.requestStop() : node.dispose());
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  // Started by the local cluster's supervisor without a watchdog: end with it, even when it
  // dies by SIGKILL (no signal reaches this process then).
  const parent = Number(process.env.GRIDCORE_WATCH_PARENT);
  if (parent > 0) {
    const firstPpid = process.ppid;
    setInterval(() => {
      let gone = process.ppid !== firstPpid;
      try {
        process.kill(parent, 0);
      } catch {
        gone = true;
      }
      if (gone) onSignal('SIGTERM');
    }, 1000).unref();
  }
  await node.start();
  const reason = await node.exited;
  logger.info(reason === 'stopRequested' ? 'stopped on request of the hub' : 'stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`Error: ${isGridCoreError(e) || e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
