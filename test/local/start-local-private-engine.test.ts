// `npm run start:local` on a machine where no Docker engine answers (nothing started Docker's
// service): as root with dockerd installed, it starts a private engine, says so, runs the main
// job on it and stops it at the end. Runs only where that situation holds (no DOCKER_HOST
// given to it, nothing at the default socket); the machine's other engines are untouched.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pidAlive } from '../../src/local/cluster/state';
import { dockerAnswers, privateDockerdUnavailable } from '../../src/local/private-dockerd';

const repoRoot = resolve(__dirname, '..', '..');

test('start:local with no engine running starts a private one and stops it at the end', { timeout: 5 * 60_000 }, async (t) => {
  const why = privateDockerdUnavailable() ?? ((await dockerAnswers('/var/run/docker.sock')) ? 'an engine answers at /var/run/docker.sock' : undefined);
  if (why) {
    t.diagnostic(`skipped: ${why}`);
    t.skip(why);
    return;
  }
  assert.ok(existsSync(join(repoRoot, 'dist', 'mainjob.js')), 'dist/mainjob.js is built (node test/run.mjs local builds it)');
  const dir = mkdtempSync(join(tmpdir(), 'gc-eng-'));
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, GRIDCORE_LOCAL_DOCKERD_DIR: join(dir, 'd') };
  delete env.DOCKER_HOST;
  delete env.NODE_OPTIONS;
  try {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((res, rej) => {
      const p = spawn(process.execPath, [join(repoRoot, 'dist', 'mainjob.js'), '--count', '200'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.stderr.on('data', (d: Buffer) => (text += d.toString()));
      p.once('error', rej);
      p.once('exit', (c) => res({ code: c, out: text }));
    });
    assert.equal(code, 0, out);
    assert.match(out, /No Docker engine answers; starting a private one \(dockerd\)/);
    const pid = Number((/Private Docker engine up at unix:\/\/\S+ \(pid (\d+)\)/.exec(out) ?? [])[1]);
    assert.ok(pid > 0, out);
    assert.match(out, /200 \/ 200 results/);
    assert.match(out, /Stopping the private Docker engine/);
    assert.equal(pidAlive(pid), false, 'the engine is stopped');
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(`${dir}/`));
    assert.deepEqual(mounts, [], 'nothing left mounted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
