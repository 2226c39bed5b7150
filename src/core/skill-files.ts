// The agent skill's client-side files, as they exist on users' machines:
//   skill.toml          [cluster.NAME] computehub_url, redis_url
//   credentials.toml    [cluster.NAME] token   (should be mode 600)
//   state/local_cluster.json  {computehub:{url}, token, redis:{url}}
// Missing files mean "nothing there"; malformed ones are ConfigErrors naming file, line, column.
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors';
import { l10n } from './l10n';
import type { ProfileWarning } from './service-api';

export interface SkillCluster {
  name: string;
  computehubUrl: string;
  redisUrl: string;
  token?: string;
  local?: boolean;
}

export function defaultSkillDir(): string {
  return join(homedir(), '.config', 'agents', 'skills', 'agent-idm-gridcore');
}

export function skillFilePaths(dir: string): { skill: string; credentials: string; localCluster: string } {
  return {
    skill: join(dir, 'skill.toml'),
    credentials: join(dir, 'credentials.toml'),
    localCluster: join(dir, 'state', 'local_cluster.json'),
  };
}

/** The name a local_cluster.json gets, unless skill.toml already uses it. */
export const LOCAL_CLUSTER_NAME = 'local';

export async function readSkillDir(dir: string): Promise<{ clusters: SkillCluster[]; warnings: ProfileWarning[] }> {
  const paths = skillFilePaths(dir);
  const warnings: ProfileWarning[] = [];
  const clusters: SkillCluster[] = [];

  const skill = await readToml(paths.skill);
  const credentials = await readToml(paths.credentials);
  if (credentials !== undefined) {
    const wide = await widerThanOwner(paths.credentials);
    if (wide !== undefined) {
      warnings.push({
        file: paths.credentials,
        message: l10n.t('{file} can be read by other users (mode {mode}): run chmod 600 on it.', { file: paths.credentials, mode: wide }),
      });
    }
  }
  const tokens = clusterTables(credentials);
  for (const [name, table] of Object.entries(clusterTables(skill))) {
    const computehubUrl = table.computehub_url;
    const redisUrl = table.redis_url;
    if (typeof computehubUrl !== 'string' || typeof redisUrl !== 'string') {
      warnings.push({
        file: paths.skill,
        message: l10n.t('Cluster "{name}" in {file} needs both computehub_url and redis_url as strings; it was skipped.', { name, file: paths.skill }),
      });
      continue;
    }
    const tokenValue = tokens[name]?.token;
    const token = typeof tokenValue === 'string' && tokenValue ? tokenValue : undefined;
    if (!token) {
      warnings.push({
        file: paths.credentials,
        message: l10n.t('No token for cluster "{name}" in {file}: add [cluster.{name}] token = "..." there, or set the token when you edit the cluster.', { name, file: paths.credentials }),
      });
    }
    clusters.push({ name, computehubUrl, redisUrl, token });
  }

  const local = await readLocalCluster(paths.localCluster);
  if (local) {
    const taken = new Set(clusters.map((c) => c.name));
    const name = taken.has(LOCAL_CLUSTER_NAME) ? `${LOCAL_CLUSTER_NAME}-cluster` : LOCAL_CLUSTER_NAME;
    clusters.push({ name, ...local, local: true });
  }
  return { clusters, warnings };
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError('io', l10n.t('Cannot read {file}: {reason}. Check its permissions.', { file, reason: (e as Error).message }), file, { cause: e });
  }
}

async function readToml(file: string): Promise<Record<string, unknown> | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  // smol-toml's types are ESM-only: a dynamic import keeps tsc (CommonJS output) content.
  const { parse, TomlError } = await import('smol-toml');
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    const line = e instanceof TomlError ? e.line : '?';
    const column = e instanceof TomlError ? e.column : '?';
    // smol-toml's message repeats the offending source line, which may hold a token.
    const reason = e instanceof TomlError ? firstLine(e.message) : String(e);
    throw new ConfigError(
      'malformedToml',
      l10n.t('{file} is not valid TOML (line {line}, column {column}): {reason}. Fix the file and try again.', { file, line, column, reason }),
      file,
      { cause: e },
    );
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/^Invalid TOML document:\s*/i, '').trim();
}

/** `[cluster.NAME]` tables of a TOML document, ignoring anything else. */
function clusterTables(doc: Record<string, unknown> | undefined): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const cluster = doc?.cluster;
  if (!cluster || typeof cluster !== 'object' || Array.isArray(cluster)) return out;
  for (const [name, table] of Object.entries(cluster as Record<string, unknown>)) {
    if (table && typeof table === 'object' && !Array.isArray(table)) out[name] = table as Record<string, unknown>;
  }
  return out;
}

/** The octal mode when group or others have any access (POSIX only). */
async function widerThanOwner(file: string): Promise<string | undefined> {
  if (process.platform === 'win32') return undefined;
  try {
    const mode = (await fs.stat(file)).mode & 0o777;
    return mode & 0o077 ? mode.toString(8).padStart(3, '0') : undefined;
  } catch {
    return undefined;
  }
}

async function readLocalCluster(file: string): Promise<{ computehubUrl: string; redisUrl: string; token?: string } | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      'malformedJson',
      // Only the position: V8's message may quote the file's text, token included.
      l10n.t('{file} is not valid JSON ({reason}). Fix it, or start the local cluster again to rewrite it.', {
        file,
        reason: /at position \d+|line \d+ column \d+/.exec((e as Error).message)?.[0] ?? l10n.t('syntax error'),
      }),
      file,
      { cause: e },
    );
  }
  const d = doc as { computehub?: { url?: unknown }; token?: unknown; redis?: { url?: unknown } } | null;
  const computehubUrl = d?.computehub?.url;
  const redisUrl = d?.redis?.url;
  if (typeof computehubUrl !== 'string' || typeof redisUrl !== 'string') {
    throw new ConfigError(
      'missingField',
      l10n.t('{file} lacks computehub.url or redis.url. Start the local cluster again to rewrite it.', { file }),
      file,
    );
  }
  return { computehubUrl, redisUrl, token: typeof d?.token === 'string' && d.token ? d.token : undefined };
}
