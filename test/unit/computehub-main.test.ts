// The standalone hub (`node dist/computehub.js`) starts like upstream's computehub:
// missing config -> default written, exit 0; bad TOML or taken port -> `Error: ...`, exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/redis';

// The built bundle when present (test/run.mjs builds first), else the source through tsx.
const bundle = join(__dirname, '..', '..', 'dist', 'computehub.js');
const entry = existsSync(bundle) ? [bundle] : ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'local', 'computehub-main.ts')];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runHub(args: string[], env: NodeJS.ProcessEnv, untilOutput?: RegExp): Promise<Run & { kill(): void }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...entry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const done = (code: number | null) => resolve({ code, stdout, stderr, kill: () => p.kill('SIGTERM') });
    p.stdout.on('data', (c) => {
      stdout += c;
      if (untilOutput?.test(stdout)) done(null);
    });
    p.stderr.on('data', (c) => (stderr += c));
    p.on('exit', (code) => done(code));
  });
}

function sandbox(t: { after(fn: () => void): void }): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'computehub-main-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // HOME and XDG_CONFIG_HOME inside the sandbox so the user's real config is never read or written.
  return { dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), IDM_GRIDCORE_CONFIG: '' } };
}

test('missing config (-c): writes the default file and exits 0', async (t) => {
  const { dir, env } = sandbox(t);
  const file = join(dir, 'sub', 'computehub.toml');
  const r = await runHub(['-c', file], env);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^bind = "0\.0\.0\.0:8080"$/m);
  assert.match(text, /^token = "your-secret-token-change-this"$/m);
});

test('missing config, no -c: IDM_GRIDCORE_CONFIG names the file to write', async (t) => {
  const { dir, env } = sandbox(t);
  const file = join(dir, 'env-hub.toml');
  const r = await runHub([], { ...env, IDM_GRIDCORE_CONFIG: file });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(file));
});

test('missing config, nothing given: the default goes to the user config dir', async (t) => {
  const { dir, env } = sandbox(t);
  const r = await runHub([], env);
  assert.equal(r.code, 0, r.stderr);
  const expected = process.platform === 'darwin' ? join(dir, 'Library', 'Application Support', 'idm-gridcore', 'computehub.toml') : join(dir, 'xdg', 'idm-gridcore', 'computehub.toml');
  assert.ok(existsSync(expected), `expected ${expected}`);
});

test('malformed TOML: exit 1 with `Error:` on stderr, token not echoed', async (t) => {
  const { dir, env } = sandbox(t);
  const file = join(dir, 'computehub.toml');
  writeFileSync(file, 'bind = "127.0.0.1:1"\ntoken = "s3cret-value\n');
  const r = await runHub(['-c', file], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: /m);
  assert.doesNotMatch(r.stderr + r.stdout, /s3cret-value/);
});

test('config without token: exit 1 with `Error:`', async (t) => {
  const { dir, env } = sandbox(t);
  const file = join(dir, 'computehub.toml');
  writeFileSync(file, 'bind = "127.0.0.1:1"\n');
  const r = await runHub(['-c', file], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: .*token/m);
});

test('taken port: exit 1 with `Error:` on stderr', async (t) => {
  const { dir, env } = sandbox(t);
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const file = join(dir, 'computehub.toml');
  writeFileSync(file, `bind = "127.0.0.1:${port}"\ntoken = "tok"\n`);
  const r = await runHub(['-c', file], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: .*(in use|EADDRINUSE)/m);
});

test('a good config: listens on `bind` and serves /health; the config dir lookup finds it', async (t) => {
  const { dir, env } = sandbox(t);
  const port = await freePort();
  mkdirSync(join(dir, 'xdg', 'idm-gridcore'), { recursive: true });
  writeFileSync(join(dir, 'xdg', 'idm-gridcore', 'computehub.toml'), `bind = "127.0.0.1:${port}"\ntoken = "tok"\n`);
  if (process.platform === 'darwin') return t.skip('user config dir differs on macOS');
  const r = await runHub([], env, /listening/);
  t.after(() => r.kill());
  assert.equal(r.code, null, r.stderr);
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(await health.text(), 'OK');
  const tasks = await fetch(`http://127.0.0.1:${port}/api/tasks`, { headers: { authorization: 'Bearer tok' } });
  assert.equal(tasks.status, 200);
});

test('arguments are read with parseArgs: --config=FILE works, an unknown option is an error', async (t) => {
  const { dir, env } = sandbox(t);
  const file = join(dir, 'eq.toml');
  const ok = await runHub([`--config=${file}`], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(file));
  const bad = await runHub(['--bogus'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^Error: .*--bogus/m);
});
