// Cluster profiles: the non-secret part in the KeyValueStore, the token and the whole Redis
// URL (password included: the seed says never take Redis URLs apart) in the SecretStore.
import { ConfigError } from './errors';
import { l10n } from './l10n';
import { maskUrl, passwordOf } from './redact';
import type { KeyValueStore, SecretStore } from './ports';
import type { ProfileService, ProfileWarning, ResolvedCluster } from './service-api';
import { defaultSkillDir, readSkillDir, skillFilePaths } from './skill-files';
import type { ClusterProfile, ClusterSecrets } from './types';

const PROFILES_KEY = 'gridcore.profiles';
const ACTIVE_KEY = 'gridcore.activeCluster';
const secretKey = (name: string, what: 'token' | 'redisUrl') => `gridcore.cluster.${name}.${what}`;

type SaveInput = Parameters<ProfileService['save']>[0];

export class StoredProfileService implements ProfileService {
  private readonly listeners = new Set<() => void>();
  private readonly clusterListeners = new Set<(name: string) => void>();
  private readonly skillDir: string;

  constructor(
    private readonly state: KeyValueStore,
    private readonly secretStore: SecretStore,
    skillDir?: string,
  ) {
    this.skillDir = skillDir ?? defaultSkillDir();
  }

  async list(): Promise<ClusterProfile[]> {
    return this.state.get<ClusterProfile[]>(PROFILES_KEY) ?? [];
  }

  async get(name: string): Promise<ClusterProfile | undefined> {
    return (await this.list()).find((p) => p.name === name);
  }

  async save(input: SaveInput): Promise<ClusterProfile> {
    const name = input.name.trim();
    if (!name) throw new ConfigError('missingField', l10n.t('A cluster needs a name.'));
    checkHubUrl(name, input.computehubUrl);
    checkRedisUrl(name, input.redisUrl);
    const profile: ClusterProfile = {
      name,
      computehubUrl: input.computehubUrl.trim(),
      redisUrl: maskUrl(input.redisUrl.trim()),
      source: input.source ?? 'extension',
    };
    if (input.registry?.trim()) profile.registry = input.registry.trim();
    if (input.source === 'local') profile.local = true;
    // Secrets first: a profile never exists without the secrets it needs.
    await this.secretStore.store(secretKey(name, 'token'), input.token);
    await this.secretStore.store(secretKey(name, 'redisUrl'), input.redisUrl.trim());
    const others = (await this.list()).filter((p) => p.name !== name);
    await this.state.update(PROFILES_KEY, [...others, profile]);
    this.changed(name);
    return profile;
  }

  async remove(name: string): Promise<void> {
    const all = await this.list();
    await this.state.update(
      PROFILES_KEY,
      all.filter((p) => p.name !== name),
    );
    await this.secretStore.delete(secretKey(name, 'token'));
    await this.secretStore.delete(secretKey(name, 'redisUrl'));
    if ((await this.getActive()) === name) await this.state.update(ACTIVE_KEY, undefined);
    this.changed(name);
  }

  async resolve(name: string): Promise<ResolvedCluster> {
    const profile = await this.get(name);
    if (!profile) {
      throw new ConfigError('unknownCluster', l10n.t('There is no cluster named "{name}". Add it, or import it from the skill\'s files.', { name }));
    }
    const { token, redisUrl } = await this.storedSecrets(name);
    if (!token) {
      throw new ConfigError('missingField', l10n.t('Cluster "{name}" has no token. Edit the cluster and enter the ComputeHub token.', { name }));
    }
    if (!redisUrl) {
      throw new ConfigError('missingField', l10n.t('Cluster "{name}" has lost its Redis URL. Edit the cluster and enter the Redis URL again.', { name }));
    }
    return { profile, token, redisUrl };
  }

  async secrets(name: string): Promise<ClusterSecrets> {
    const { token, redisUrl } = await this.storedSecrets(name);
    const out: ClusterSecrets = {};
    if (token) out.token = token;
    const password = redisUrl ? passwordOf(redisUrl) : undefined;
    if (password) out.redisPassword = password;
    return out;
  }

  /** What is stored, even when incomplete (diagnose checks what it can). Never log it. */
  async storedSecrets(name: string): Promise<{ token?: string; redisUrl?: string }> {
    const profile = await this.get(name);
    const token = (await this.secretStore.get(secretKey(name, 'token'))) || undefined;
    const stored = await this.secretStore.get(secretKey(name, 'redisUrl'));
    // A URL without a password is whole in the profile too.
    const redisUrl = stored || (profile && !profile.redisUrl.includes('****') ? profile.redisUrl : undefined);
    return { token, redisUrl };
  }

  async getActive(): Promise<string | undefined> {
    return this.state.get<string>(ACTIVE_KEY);
  }

  async setActive(name: string | undefined): Promise<void> {
    await this.state.update(ACTIVE_KEY, name);
    this.fire();
  }

  readSkillFiles() {
    return readSkillDir(this.skillDir);
  }

  async importFromSkill(): Promise<{ imported: string[]; warnings: ProfileWarning[] }> {
    const { clusters, warnings } = await this.readSkillFiles();
    const imported: string[] = [];
    for (const c of clusters) {
      // A cluster without a token is still worth listing; its token is asked for on use.
      const token = c.token ?? (await this.secretStore.get(secretKey(c.name, 'token'))) ?? '';
      const existing = await this.get(c.name);
      await this.save({
        name: c.name,
        computehubUrl: c.computehubUrl,
        redisUrl: c.redisUrl,
        token,
        registry: existing?.registry,
        source: c.local ? 'local' : 'skill',
      });
      imported.push(c.name);
    }
    if (imported.length && !(await this.getActive())) await this.setActive(imported[0]);
    return { imported, warnings };
  }

  skillFiles(): string[] {
    const p = skillFilePaths(this.skillDir);
    return [p.skill, p.credentials, p.localCluster];
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** For the service's caches: which cluster's connection details changed. */
  onDidChangeCluster(listener: (name: string) => void): { dispose(): void } {
    this.clusterListeners.add(listener);
    return { dispose: () => this.clusterListeners.delete(listener) };
  }

  private changed(name: string): void {
    for (const l of [...this.clusterListeners]) l(name);
    this.fire();
  }

  private fire(): void {
    for (const l of [...this.listeners]) l();
  }
}

function checkHubUrl(cluster: string, url: string): void {
  let ok = false;
  try {
    const u = new URL(url.trim());
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ConfigError(
      'badUrl',
      l10n.t('The ComputeHub URL of cluster "{cluster}" is not an http(s) URL: {url}. Edit the cluster and give a URL like http://host:8080.', { cluster, url: maskUrl(url) }),
    );
  }
}

function checkRedisUrl(cluster: string, url: string): void {
  // Only the scheme is checked: the URL is passed whole to Redis clients, never rebuilt.
  if (!/^rediss?:\/\/\S+$/i.test(url.trim())) {
    throw new ConfigError(
      'badUrl',
      l10n.t('The Redis URL of cluster "{cluster}" must start with redis:// or rediss:// (got {url}). Give it like redis://:password@host:6379/0.', { cluster, url: maskUrl(url) }),
    );
  }
}

