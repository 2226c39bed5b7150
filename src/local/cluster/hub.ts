// The local cluster's ComputeHub: ours in-process (default), or an upstream `computehub`
// binary run with a computehub.toml we write. Upstream's start-up rules: a missing config
// file makes it write a default one and exit 0; a bad file or taken port exits 1 with
// `Error: ...` on stderr. Both are read here and turned into a message that says what to do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GridCoreError } from '../../core/errors';
import { l10n } from '../../core/l10n';
import type { Logger } from '../../core/ports';
import type { RegisterTaskRequest } from '../../core/types';
import { redact } from '../../core/redact';
import { startHub } from '../hub/server';
import { configToml } from '../upstream-config';
import { spawnWatched } from '../../core/machine/watchdog';

export interface LocalHub {
  kind: 'embedded' | 'binary';
  url: string;
  port: number;
  pid?: number;
  stop(): Promise<void>;
}

export async function healthOk(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.text();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function startLocalHub(o: {
  port: number;
  token: string;
  binary?: string;
  runDir: string;
  logger: Logger;
  nodeTimeoutMs?: number;
  /** ours only (upstream's hub tells no one): see HubOptions.onTasksChanged */
  onTasksChanged?(unfinished: RegisterTaskRequest[]): void;
}): Promise<LocalHub> {
  if (!o.binary) {
    const hub = await startHub({ host: '127.0.0.1', port: o.port, token: o.token, logger: o.logger, nodeTimeoutMs: o.nodeTimeoutMs, onTasksChanged: o.onTasksChanged });
    return { kind: 'embedded', url: hub.url.replace(/\/+$/, ''), port: hub.port, stop: () => hub.close() };
  }

  mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  const config = join(o.runDir, 'computehub.toml');
  writeFileSync(config, configToml({ bind: `127.0.0.1:${o.port}`, token: o.token }), { mode: 0o600 });
  const url = `http://127.0.0.1:${o.port}`;
  o.logger.info(`starting ${o.binary} with ${config}`);
  const p = spawnWatched(o.binary, [], {
    env: { IDM_GRIDCORE_CONFIG: config },
    cwd: o.runDir,
    logger: o.logger,
    redact: (s) => redact(s, [o.token]),
  });
  let code: number | null | undefined;
  void p.exited.then((c) => (code = c));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && code === undefined) {
    if (await healthOk(url)) return { kind: 'binary', url, port: o.port, pid: p.pid, stop: () => p.stop(5000) };
    await sleep(100);
  }
  if (code === undefined) {
    await p.stop(1000);
    throw new GridCoreError('local', 'hubStart', l10n.t('{binary} did not answer on {url}/health within 15 s.', { binary: o.binary, url }));
  }
  const stderr = p.stderrTail().trim();
  if (code === 0) {
    throw new GridCoreError('local', 'hubConfig', l10n.t('{binary} did not find its config file {file}: it wrote a default one and exited. Check that this version reads IDM_GRIDCORE_CONFIG.', { binary: o.binary, file: config }));
  }
  throw new GridCoreError('local', 'hubStart', l10n.t('{binary} exited with code {code}: {detail}', { binary: o.binary, code: String(code), detail: stderr || l10n.t('no message') }));
}
