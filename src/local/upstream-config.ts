// Upstream's config files (computehub.toml, gridnode.toml): where they are looked up and
// what they hold. Lookup order as upstream: `-c FILE`, env IDM_GRIDCORE_CONFIG, the user
// config dir (~/.config/idm-gridcore on Linux, ~/Library/Application Support/idm-gridcore
// on macOS), then /etc/idm-gridcore. The one place that reads and writes these files, for
// our standalone hub and node and for the local cluster running upstream binaries.

import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify, TomlError } from 'smol-toml';
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';

export interface ConfigLocation {
  /** The file to read; when `exists` is false, where a default file should be written. */
  path: string;
  exists: boolean;
  source: 'cli' | 'env' | 'user' | 'system';
}

export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'idm-gridcore');
  if (process.platform === 'win32') return join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'idm-gridcore');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'idm-gridcore');
}

/** IDM_GRIDCORE_CONFIG names a file; a directory there is taken to hold `fileName`. */
function envPath(fileName: string, env: NodeJS.ProcessEnv): string | undefined {
  const p = env.IDM_GRIDCORE_CONFIG;
  if (!p) return undefined;
  try {
    if (statSync(p).isDirectory()) return join(p, fileName);
  } catch {
    // missing: it names the file to create
  }
  return p;
}

/** An explicit `-c` path is used as given (existing or not); otherwise the first existing
 *  candidate wins, and when none exists the first candidate is where a default belongs. */
export function findConfigFile(fileName: string, cliPath?: string, env: NodeJS.ProcessEnv = process.env): ConfigLocation {
  if (cliPath) return { path: cliPath, exists: existsSync(cliPath), source: 'cli' };
  const candidates: Array<Omit<ConfigLocation, 'exists'>> = [];
  const fromEnv = envPath(fileName, env);
  if (fromEnv) candidates.push({ path: fromEnv, source: 'env' });
  candidates.push({ path: join(userConfigDir(env), fileName), source: 'user' });
  candidates.push({ path: join('/etc/idm-gridcore', fileName), source: 'system' });
  const found = candidates.find((c) => existsSync(c.path));
  return found ? { ...found, exists: true } : { ...candidates[0], exists: false };
}

function readTomlFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('io', l10n.t('Cannot read {file}: {reason}. Check that it exists and is readable.', { file, reason: (e as Error).message }), file, { cause: e });
  }
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    const line = e instanceof TomlError ? e.line : '?';
    const column = e instanceof TomlError ? e.column : '?';
    // Only the first line of smol-toml's message: the rest quotes the source, which may hold a token.
    const reason = String((e as Error).message).split('\n')[0].replace(/^Invalid TOML document:\s*/i, '');
    throw new ConfigError(
      'malformedToml',
      l10n.t('{file} is not valid TOML (line {line}, column {column}): {reason}. Fix the file and try again.', { file, line, column, reason }),
      file,
      { cause: e },
    );
  }
}

function requireString(doc: Record<string, unknown>, key: string, file: string): string {
  const v = doc[key];
  if (typeof v === 'string') return v;
  if (v === undefined) throw new ConfigError('missingField', l10n.t('{file} has no `{key}`. Add `{key} = "..."` to it.', { file, key }), file);
  throw new ConfigError('malformedToml', l10n.t('`{key}` in {file} must be a string.', { file, key }), file);
}

function optionalString(doc: Record<string, unknown>, key: string, file: string): string | undefined {
  return doc[key] === undefined ? undefined : requireString(doc, key, file);
}

function optionalCount(doc: Record<string, unknown>, key: string, file: string): number | undefined {
  const v = doc[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ConfigError('malformedToml', l10n.t('`{key}` in {file} must be a whole number of 0 or more.', { file, key }), file);
  }
  return n;
}

/** A number of seconds of 0 or more, fractions allowed (only our own extension keys). */
function optionalSeconds(doc: Record<string, unknown>, key: string, file: string): number | undefined {
  const v = doc[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError('malformedToml', l10n.t('`{key}` in {file} must be a number of seconds of 0 or more.', { file, key }), file);
  }
  return n;
}

export interface ComputeHubFileConfig {
  /** `host:port`; upstream's default `0.0.0.0:8080`. */
  bind: string;
  token: string;
}

export const DEFAULT_HUB_TOKEN = 'your-secret-token-change-this';

export const DEFAULT_COMPUTEHUB_TOML = `# IDM-GridCore ComputeHub Configuration

# Listen address
bind = "0.0.0.0:8080"

# Token the GridNodes and clients must send (change it)
token = "${DEFAULT_HUB_TOKEN}"
`;

export async function readComputeHubConfig(file: string): Promise<ComputeHubFileConfig> {
  const doc = readTomlFile(file);
  return { bind: optionalString(doc, 'bind', file) ?? '0.0.0.0:8080', token: requireString(doc, 'token', file) };
}

/** Splits `host:port` (IPv6 in brackets), as Rust's SocketAddr parse accepts it. */
export function parseBind(bind: string, file?: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(bind.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError('badUrl', l10n.t('`bind = "{bind}"` is not an address like "0.0.0.0:8080". Fix it in the config file.', { bind }), file);
  }
  return { host: m[1] ?? m[2], port };
}

export interface GridNodeFileConfig {
  file: string;
  server_url: string;
  token: string;
  node_id?: string;
  parallelism?: number;
  /** seconds */
  heartbeat_interval: number;
  /** seconds */
  stop_timeout: number;
  /** MB */
  container_memory: number;
  /** GridCore extension (upstream ignores it): Docker network of the containers, e.g. "host" */
  network_mode?: string;
  /** GridCore extension (upstream ignores it, polling every 10 s): seconds between task polls */
  task_poll_interval?: number;
  /** GridCore extension (upstream reports the machine's): hostname to register with, so that
   *  several nodes of one machine (a local cluster of several nodes) are told apart */
  hostname?: string;
  /** GridCore extension (upstream ignores it): "restart" (ours, the default) or "upstream"
   *  (upstream's container lifecycle, defects included; see GridNodeOptions.lifecycle) */
  lifecycle?: 'restart' | 'upstream';
}

export async function readGridNodeConfigFile(file: string): Promise<GridNodeFileConfig> {
  const doc = readTomlFile(file);
  return {
    file,
    server_url: requireString(doc, 'server_url', file),
    token: requireString(doc, 'token', file),
    node_id: optionalString(doc, 'node_id', file),
    parallelism: optionalCount(doc, 'parallelism', file),
    heartbeat_interval: optionalCount(doc, 'heartbeat_interval', file) ?? 30,
    stop_timeout: optionalCount(doc, 'stop_timeout', file) ?? 30,
    container_memory: optionalCount(doc, 'container_memory', file) ?? 1024,
    network_mode: optionalString(doc, 'network_mode', file),
    task_poll_interval: optionalSeconds(doc, 'task_poll_interval', file),
    hostname: optionalString(doc, 'hostname', file),
    lifecycle: lifecycleOf(optionalString(doc, 'lifecycle', file), file),
  };
}

function lifecycleOf(value: string | undefined, file: string): GridNodeFileConfig['lifecycle'] {
  if (value === undefined || value === 'restart' || value === 'upstream') return value;
  throw new ConfigError('malformedToml', l10n.t('`lifecycle` in {file} must be "restart" or "upstream", not "{value}".', { file, value }), file);
}

/** A computehub.toml / gridnode.toml for a process we start; keys left undefined are not written. */
export function configToml(values: Partial<ComputeHubFileConfig> | Partial<Omit<GridNodeFileConfig, 'file'>>): string {
  return stringify(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
}

/** `node_id` of a gridnode.toml an earlier run wrote back, if the file is there and readable. */
export function readGridNodeId(file: string): string | undefined {
  try {
    const id = parse(readFileSync(file, 'utf8')).node_id;
    return typeof id === 'string' && id ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Sets `node_id` in a gridnode.toml, keeping every other line and comment as it was. */
export function writeGridNodeId(file: string, nodeId: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const line = stringify({ node_id: nodeId }).trimEnd();
  const set = /^[ \t]*node_id[ \t]*=.*$/m;
  // A top-level key must come before the first [table] header, so prepend when absent.
  writeFileSync(file, set.test(text) ? text.replace(set, () => line) : `${line}\n${text}`);
}
