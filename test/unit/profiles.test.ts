import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors';
import { MemoryKeyValueStore, MemorySecretStore } from '../../src/core/ports';
import { StoredProfileService } from '../../src/core/profiles';

function setup(files: Record<string, string> = {}, modes: Record<string, number> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-skill-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), modes[name] ?? 0o600);
  }
  const secrets = new MemorySecretStore();
  const state = new MemoryKeyValueStore();
  const profiles = new StoredProfileService(state, secrets, dir);
  return { dir, secrets, state, profiles, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const SKILL = `[cluster.production]
computehub_url = "http://hub.example:8080"
redis_url = "redis://:s3cret@redis.example:6379/2"

[cluster.staging]
computehub_url = "http://staging:8080"
redis_url = "rediss://staging:6380"
`;
const CREDS = `[cluster.production]
token = "prod-token"
`;

test('save keeps the token and whole Redis URL as secrets, the profile shows it masked', async () => {
  const t = setup();
  try {
    const p = await t.profiles.save({ name: 'a', computehubUrl: 'http://h:8080', redisUrl: 'redis://:pw@r:6379/1', token: 'tok' });
    assert.equal(p.redisUrl, 'redis://:****@r:6379/1');
    assert.equal(JSON.stringify(t.state.get('gridcore.profiles')).includes('pw@'), false);
    assert.equal(await t.secrets.get('gridcore.cluster.a.token'), 'tok');
    assert.equal(await t.secrets.get('gridcore.cluster.a.redisUrl'), 'redis://:pw@r:6379/1');
    const r = await t.profiles.resolve('a');
    assert.equal(r.redisUrl, 'redis://:pw@r:6379/1');
    assert.equal(r.token, 'tok');
    assert.deepEqual(await t.profiles.secrets('a'), { token: 'tok', redisPassword: 'pw' });
  } finally {
    t.done();
  }
});

test('bad URLs, unknown clusters and missing tokens are ConfigErrors that say what to do', async () => {
  const t = setup();
  try {
    await assert.rejects(t.profiles.save({ name: 'a', computehubUrl: 'hub:8080', redisUrl: 'redis://r', token: 't' }), (e: ConfigError) => e.code === 'badUrl');
    await assert.rejects(t.profiles.save({ name: 'a', computehubUrl: 'http://h', redisUrl: 'http://r', token: 't' }), (e: ConfigError) => e.code === 'badUrl' && /redis:\/\//.test(e.message));
    await assert.rejects(t.profiles.resolve('nope'), (e: ConfigError) => e.code === 'unknownCluster');
    await t.profiles.save({ name: 'b', computehubUrl: 'http://h', redisUrl: 'redis://r', token: '' });
    await assert.rejects(t.profiles.resolve('b'), (e: ConfigError) => e.code === 'missingField' && /token/.test(e.message));
  } finally {
    t.done();
  }
});

test('remove drops secrets and the active mark; listeners hear every change', async () => {
  const t = setup();
  try {
    let changes = 0;
    const sub = t.profiles.onDidChange(() => changes++);
    await t.profiles.save({ name: 'a', computehubUrl: 'http://h', redisUrl: 'redis://r', token: 't' });
    await t.profiles.setActive('a');
    assert.equal(await t.profiles.getActive(), 'a');
    await t.profiles.remove('a');
    assert.equal(await t.profiles.getActive(), undefined);
    assert.equal(await t.secrets.get('gridcore.cluster.a.token'), undefined);
    assert.deepEqual(await t.profiles.list(), []);
    sub.dispose();
    await t.profiles.save({ name: 'c', computehubUrl: 'http://h', redisUrl: 'redis://r', token: 't' });
    assert.equal(changes, 3);
  } finally {
    t.done();
  }
});

test('skill files: clusters, tokens, local_cluster.json; no warning for mode 600', async () => {
  const t = setup({
    'skill.toml': SKILL,
    'credentials.toml': CREDS,
    'state/local_cluster.json': JSON.stringify({ computehub: { url: 'http://127.0.0.1:8080' }, token: 'local-tok', redis: { url: 'redis://:lp@127.0.0.1:6379' } }),
  });
  try {
    const { clusters, warnings } = await t.profiles.readSkillFiles();
    assert.deepEqual(
      clusters.map((c) => [c.name, c.computehubUrl, c.redisUrl, c.token, c.local]),
      [
        ['production', 'http://hub.example:8080', 'redis://:s3cret@redis.example:6379/2', 'prod-token', undefined],
        ['staging', 'http://staging:8080', 'rediss://staging:6380', undefined, undefined],
        ['local', 'http://127.0.0.1:8080', 'redis://:lp@127.0.0.1:6379', 'local-tok', true],
      ],
    );
    // only the missing staging token
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /staging/);

    const { imported } = await t.profiles.importFromSkill();
    assert.deepEqual(imported, ['production', 'staging', 'local']);
    const local = await t.profiles.get('local');
    assert.equal(local?.local, true);
    assert.equal(local?.source, 'local');
    assert.equal((await t.profiles.get('production'))?.source, 'skill');
    assert.equal((await t.profiles.resolve('production')).redisUrl, 'redis://:s3cret@redis.example:6379/2');
    assert.equal(await t.profiles.getActive(), 'production');
    assert.deepEqual(t.profiles.skillFiles(), [join(t.dir, 'skill.toml'), join(t.dir, 'credentials.toml'), join(t.dir, 'state', 'local_cluster.json')]);
  } finally {
    t.done();
  }
});

test('credentials.toml readable by others (0644) gives a warning', async () => {
  const t = setup({ 'skill.toml': SKILL, 'credentials.toml': CREDS }, { 'credentials.toml': 0o644 });
  try {
    const { warnings } = await t.profiles.readSkillFiles();
    const w = warnings.find((x) => x.file.endsWith('credentials.toml') && /644/.test(x.message));
    assert.ok(w, JSON.stringify(warnings));
    assert.match(w.message, /chmod 600/);
  } finally {
    t.done();
  }
});

test('malformed TOML names the file, line and column, and never echoes the token', async () => {
  const t = setup({ 'skill.toml': SKILL, 'credentials.toml': '[cluster.production]\ntoken = "very-secret-token\n' });
  try {
    await assert.rejects(t.profiles.readSkillFiles(), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.code, 'malformedToml');
      assert.equal(e.file, join(t.dir, 'credentials.toml'));
      assert.match(e.message, /credentials\.toml/);
      assert.match(e.message, /line 2, column \d+/);
      assert.doesNotMatch(e.message, /very-secret-token/);
      return true;
    });
  } finally {
    t.done();
  }
});

test('missing skill files mean nothing to import; bad local_cluster.json is a ConfigError', async () => {
  const t = setup();
  try {
    assert.deepEqual(await t.profiles.readSkillFiles(), { clusters: [], warnings: [] });
    assert.deepEqual(await t.profiles.importFromSkill(), { imported: [], warnings: [] });
  } finally {
    t.done();
  }
  const bad = setup({ 'state/local_cluster.json': '{"token":"abc-secret",}' });
  try {
    await assert.rejects(bad.profiles.readSkillFiles(), (e: ConfigError) => e.code === 'malformedJson' && !e.message.includes('abc-secret'));
  } finally {
    bad.done();
  }
});
