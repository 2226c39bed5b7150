// gridnode.toml for the standalone node, read like upstream: `-c FILE`, else
// IDM_GRIDCORE_CONFIG, else the user config dir, else /etc/idm-gridcore. The hub-given
// node_id is written back into the same file so a restart keeps it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { l10n } from '../../core/l10n';

export interface GridNodeFileConfig {
  file: string;
  serverUrl: string;
  token: string;
  nodeId?: string;
  parallelism?: number;
  heartbeatIntervalMs: number;
  stopTimeoutMs: number;
  containerMemoryMb: number;
  /** GridCore extensions (upstream ignores them): `network_mode`, `task_poll_interval` (s) */
  networkMode?: string;
  taskPollIntervalMs?: number;
}

export function findGridNodeConfig(cliPath?: string, env = process.env): string | undefined {
  if (cliPath) return cliPath;
  const candidates = [
    env.IDM_GRIDCORE_CONFIG,
    process.platform === 'darwin'
      ? join(homedir(), 'Library', 'Application Support', 'idm-gridcore', 'gridnode.toml')
      : join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'idm-gridcore', 'gridnode.toml'),
    '/etc/idm-gridcore/gridnode.toml',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

export async function readGridNodeConfig(file: string): Promise<GridNodeFileConfig> {
  // smol-toml is ESM only; a dynamic import keeps this CommonJS module loadable.
  const { parse } = await import('smol-toml');
  let raw: Record<string, unknown>;
  try {
    raw = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError('malformedToml', l10n.t('Cannot read {file}: {detail}', { file, detail: (e as Error).message }), file, { cause: e });
  }
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] ? (raw[k] as string) : undefined);
  const num = (k: string) => (typeof raw[k] === 'number' || typeof raw[k] === 'bigint' ? Number(raw[k]) : undefined);
  const serverUrl = str('server_url');
  const token = str('token');
  if (!serverUrl || !token) {
    throw new ConfigError('missingField', l10n.t('{file} needs server_url and token (the ComputeHub URL and its token).', { file }), file);
  }
  return {
    file,
    serverUrl,
    token,
    nodeId: str('node_id'),
    parallelism: num('parallelism'),
    heartbeatIntervalMs: (num('heartbeat_interval') ?? 30) * 1000,
    stopTimeoutMs: (num('stop_timeout') ?? 30) * 1000,
    containerMemoryMb: num('container_memory') ?? 1024,
    networkMode: str('network_mode'),
    taskPollIntervalMs: num('task_poll_interval') === undefined ? undefined : num('task_poll_interval')! * 1000,
  };
}

/** Sets `node_id` in the file, keeping every other line (and comment) as it was. */
export function writeNodeId(file: string, nodeId: string): void {
  const text = readFileSync(file, 'utf8');
  const line = `node_id = ${JSON.stringify(nodeId)}`;
  const re = /^\s*node_id\s*=.*$/m;
  const next = re.test(text) ? text.replace(re, line) : `${line}\n${text}`;
  writeFileSync(file, next);
}
