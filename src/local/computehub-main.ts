// `node dist/computehub.js [-c FILE]`: our hub as a standalone process, started the way
// upstream's `computehub` starts. A missing config file gets a default one and exit 0;
// a bad file or a taken port prints `Error: ...` on stderr and exits 1 (launchers read that).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from '../core/ports';
import { l10n } from '../core/l10n';
import { startHub } from './hub/server';
import {
  DEFAULT_COMPUTEHUB_TOML,
  DEFAULT_HUB_TOKEN,
  findConfigFile,
  parseBind,
  readComputeHubConfig,
} from './upstream-config';

const stamp = () => new Date().toISOString();
const logger: Logger = {
  trace: () => {},
  info: (m) => console.log(`${stamp()}  INFO ${m}`),
  warn: (m) => console.log(`${stamp()}  WARN ${m}`),
  error: (m) => console.error(`${stamp()} ERROR ${m instanceof Error ? m.message : m}`),
};

/** `-c FILE`, `--config FILE` or `--config=FILE`, as upstream's binary takes it; anything else is an error. */
function cliConfigPath(argv: string[]): string | undefined {
  return parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } }).values.config;
}

function fail(err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  const text =
    e?.code === 'EADDRINUSE'
      ? l10n.t('Address already in use ({address}). Stop the other process or change `bind` in the config file.', { address: String((e as { address?: string }).address ?? '') + ':' + String((e as { port?: number }).port ?? '') })
      : e?.code === 'EACCES'
        ? l10n.t('Permission denied to listen on that address ({detail}). Use a port above 1024 in `bind`.', { detail: e.message })
        : (e?.message ?? String(err));
  process.stderr.write(`Error: ${text}\n`);
  process.exit(1);
}

/** Upstream drops a node after 60 s of silence, sweeping every 30 s, and lets nobody change
 *  that. The contract suite, run against this file as a binary, shortens both through these
 *  two variables (upstream's binary ignores them, and the same tests wait the full time). */
function sweepTimesFromEnv(): { nodeTimeoutMs?: number; sweepIntervalMs?: number } {
  const ms = (name: string) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  return { nodeTimeoutMs: ms('GRIDCORE_HUB_NODE_TIMEOUT_MS'), sweepIntervalMs: ms('GRIDCORE_HUB_SWEEP_INTERVAL_MS') };
}

async function main(): Promise<void> {
  const loc = findConfigFile('computehub.toml', cliConfigPath(process.argv.slice(2)));
  if (!loc.exists) {
    try {
      mkdirSync(dirname(loc.path), { recursive: true });
      writeFileSync(loc.path, DEFAULT_COMPUTEHUB_TOML);
    } catch (e) {
      fail(e);
    }
    logger.info(l10n.t('Created default config at {file}', { file: loc.path }));
    logger.info(l10n.t('Please edit the config file and set a secure token, then restart'));
    process.exit(0);
  }
  let cfg;
  let addr;
  try {
    cfg = await readComputeHubConfig(loc.path);
    addr = parseBind(cfg.bind, loc.path);
  } catch (e) {
    fail(e);
  }
  logger.info(l10n.t('Loaded config from {file}', { file: loc.path }));
  if (cfg.token === DEFAULT_HUB_TOKEN) {
    logger.warn(l10n.t('WARNING: Using default token! Please change it in the config file for security.'));
  }
  let hub;
  try {
    hub = await startHub({ host: addr.host, port: addr.port, token: cfg.token, logger, ...sweepTimesFromEnv() });
  } catch (e) {
    fail(e);
  }
  logger.info(l10n.t('IDM-GridCore ComputeHub listening on {address}', { address: `${addr.host}:${hub.port}` }));
  const stop = () => void hub.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(fail);
