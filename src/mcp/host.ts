// What the MCP server gives the tool table in place of the editor: a service whose clusters
// come from the skill's files (skill.toml, credentials.toml, state/local_cluster.json, read
// again whenever one of them changes), secrets kept in memory only, task records (queue
// names, pushed counts) in a private JSON file beside the skill's own state, and a logger
// on stderr (stdout carries the protocol) that masks every secret it has seen.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { JsonFileStore } from '../core/json-file-store';
import { l10n } from '../core/l10n';
import type { KeyValueStore, Logger, SecretStore } from '../core/ports';
import { maskSecrets } from '../core/redact';
import type { GridCoreService } from '../core/service-api';
import { createGridCoreService } from '../core/service';
import { skillFilePaths } from '../core/skill-files';
import type { ProgressSample } from '../core/types';
import type { ToolDeps } from '../tools/kit';
import { startDetachedLocalCluster } from '../local/local-cluster-api';

/** Everything the secret store held, so that any text can be masked. */
export class KnownSecrets {
  private readonly values = new Set<string>();
  add(v: string | undefined): void {
    if (!v) return;
    this.values.add(v);
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]+)@/i.exec(v);
    if (m) {
      this.values.add(m[1]);
      try {
        this.values.add(decodeURIComponent(m[1]));
      } catch {
        // not percent-encoded: the raw form is masked already
      }
    }
  }
  mask(text: string): string {
    return maskSecrets(text, this.values);
  }
}

class MemorySecrets implements SecretStore {
  private readonly map = new Map<string, string>();
  constructor(private readonly known: KnownSecrets) {}
  async get(key: string) {
    return this.map.get(key);
  }
  async store(key: string, value: string) {
    this.known.add(value);
    this.map.set(key, value);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
}

/** Profiles and the active cluster in memory (the skill's files are their source); the rest
 *  (task records) in the file, so a restarted server still knows what it registered and pushed. */
class SplitStore implements KeyValueStore {
  private readonly memory = new Map<string, unknown>();
  constructor(private readonly file: KeyValueStore) {}
  private inMemory(key: string) {
    return key === 'gridcore.profiles' || key === 'gridcore.activeCluster';
  }
  get<T>(key: string): T | undefined {
    if (!this.inMemory(key)) return this.file.get<T>(key);
    const v = this.memory.get(key);
    return v === undefined ? undefined : (structuredClone(v) as T);
  }
  async update(key: string, value: unknown) {
    if (!this.inMemory(key)) return this.file.update(key, value);
    if (value === undefined) this.memory.delete(key);
    else this.memory.set(key, structuredClone(value));
  }
}

export class StderrLogger implements Logger {
  constructor(private readonly known: KnownSecrets, private readonly verbose: boolean, private readonly write: (line: string) => void = (l) => process.stderr.write(l)) {}
  private line(level: string, message: string) {
    this.write(`${new Date().toISOString()} [${level}] ${this.known.mask(message)}\n`);
  }
  trace(message: string) {
    if (this.verbose) this.line('trace', message);
  }
  info(message: string) {
    this.line('info', message);
  }
  warn(message: string) {
    this.line('warn', message);
  }
  error(message: string | Error) {
    this.line('error', message instanceof Error ? (message.stack ?? message.message) : message);
  }
}

export interface HostOptions {
  /** the skill's folder (default ~/.config/agents/skills/agent-idm-gridcore) */
  configDir: string;
  /** the task records' file (default <configDir>/state/gridcore-mcp.json) */
  stateFile?: string;
  cwd: string;
  verbose?: boolean;
  /** the queue names a task gets when none are given (the extension's default settings) */
  naming?: (task: string) => { input: string; output: string };
}

export interface McpHost {
  service: GridCoreService;
  known: KnownSecrets;
  logger: Logger;
  /** the deps for one call, after re-reading the skill's files if they changed */
  deps(): Promise<ToolDeps>;
  dispose(): Promise<void>;
}

/** mtime and size of each skill file: a change means read them again. */
function signature(files: string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f);
        return `${s.mtimeMs}:${s.size}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

export function createMcpHost(o: HostOptions): McpHost {
  const known = new KnownSecrets();
  const logger = new StderrLogger(known, !!o.verbose);
  const state = new SplitStore(new JsonFileStore(o.stateFile ?? join(o.configDir, 'state', 'gridcore-mcp.json')));
  const service = createGridCoreService({ secrets: new MemorySecrets(known), state, logger, skillDir: o.configDir });
  const p = skillFilePaths(o.configDir);
  const files = [p.skill, p.credentials, p.localCluster];
  let seen: string | undefined;
  let reading: Promise<void> | undefined;
  const samples = new Map<string, ProgressSample[]>();

  async function reread(): Promise<void> {
    const now = signature(files);
    if (now === seen) return;
    const { imported, warnings } = await service.profiles.importFromSkill();
    // A cluster gone from the files is gone here too.
    for (const profile of await service.profiles.list()) if (!imported.includes(profile.name)) await service.profiles.remove(profile.name);
    const active = await service.profiles.getActive();
    if (!active || !imported.includes(active)) await service.profiles.setActive(imported[0]);
    for (const w of warnings) logger.warn(w.message);
    logger.info(`clusters from ${o.configDir}: ${imported.join(', ') || 'none'}`);
    seen = now;
  }

  const deps: ToolDeps = {
    service,
    logger,
    naming: o.naming ?? ((task) => ({ input: `${task}:input`, output: `${task}:output` })),
    workspaceFolder: () => o.cwd,
    refresh: async () => undefined,
    statusBarProgress: () => undefined,
    samples,
    markStopRequested: () => undefined,
    async startLocalCluster(signal) {
      // The detached cluster (src/local/cluster/detached.ts): it outlives this server, and any
      // window or terminal attaches to it.
      const info = await startDetachedLocalCluster({
        skillDir: o.configDir,
        startedBy: 'chat',
        signal,
        onStep: (_step, text) => logger.info(`local cluster: ${text}`),
      });
      const found = !info.startedHere;
      seen = undefined; // it wrote state/local_cluster.json
      await service.profiles.save({ ...info.profile, source: 'local' });
      await service.profiles.setActive(info.profile.name);
      return {
        name: info.profile.name,
        computehubUrl: info.profile.computehubUrl,
        alreadyRunning: !!found,
        message: found
          ? l10n.t('A local cluster is already running at {0}; it is now the active cluster.', info.profile.computehubUrl)
          : l10n.t('Local cluster started at {0}.', info.profile.computehubUrl),
      };
    },
    async registryLogin(cluster) {
      const password = (await service.profiles.secrets(cluster)).registryPassword;
      return password ? { password } : undefined;
    },
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };

  return {
    service,
    known,
    logger,
    async deps() {
      // One read at a time; a malformed file is the call's error (it names file and line).
      reading ??= reread().finally(() => (reading = undefined));
      await reading;
      return deps;
    },
    dispose: () => service.dispose(),
  };
}
