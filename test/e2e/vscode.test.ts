// The extension in a real VS Code (code-server in headless Chromium), against our hub and a
// real Redis: (a) the extension-host mocha suites in test/e2e/exthost, from the development
// folder, (b) UI tests with Playwright in English (with the results panel) and in zh-cn, and
// (c) Restricted Mode, all three against the packaged .vsix installed into code-server (what
// users install; the package is checked for every file it must hold). The folders of the
// first three launches are kept until the secrets audit has read every file.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { pingSocket } from '../support/docker';
import { ensureCodeServer, launchCodeServer, retainedRunFolders, retainRunFolders } from '../support/code-server';
import { installVsix } from '../../src/local/code-server-process';
import { packageExtension } from '../../src/local/package-vsix';
import { missingFromPackage } from './package-check';
import { runRestrictedModeScenario } from './ui/restricted';
import { ensureBaseImage } from '../../src/local/base-image';
import { dockerFrom } from '../../src/core/docker/containers';
import { auditSecrets } from './secrets-audit';
import { bundleExthostTests } from '../support/exthost-bundle';
import { startRedis, type TestRedis } from '../support/redis';
import { E2E_SECRETS } from './secrets';
import { runUiScenario } from './ui/scenario';

const repoRoot = resolve(__dirname, '..', '..');
const REDIS_PASSWORD = E2E_SECRETS.redisPassword;

let redis: TestRedis;
let workspace: string;
/** The packaged extension (npm run package), built before the development bundles. */
let vsix: string;
/** Env for the extension-host suites about Docker: set when it answers and the base image is built. */
let dockerEnv: Record<string, string> = {};

/** The build suite uses the engine at DOCKER_HOST (the test runner's); it is never started here. */
async function prepareDocker(): Promise<Record<string, string>> {
  const host = process.env.DOCKER_HOST;
  const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
  if (!socketPath) return { GRIDCORE_E2E_DOCKER_SKIP: 'DOCKER_HOST is not set to a unix socket (start one: eval "$(bash test/support/dockerd.sh start)")' };
  if (!(await pingSocket(socketPath))) return { GRIDCORE_E2E_DOCKER_SKIP: `no Docker engine answers at ${host}` };
  await ensureBaseImage(dockerFrom({ socketPath }));
  return { GRIDCORE_E2E_DOCKER: '1' };
}

before(async () => {
  const t0 = Date.now();
  await ensureCodeServer();
  console.log(`# code-server ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  vsix = await packageExtension(repoRoot);
  console.log(`# packaged ${vsix} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  // The extension bundle under development, after packaging, whose production build it
  // replaces (test/run.mjs builds too; a direct run must not test a stale one).
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(build.status, 0, `node esbuild.mjs failed:\n${build.stdout}\n${build.stderr}`);
  redis = await startRedis({ password: REDIS_PASSWORD });
  dockerEnv = await prepareDocker();
  if (dockerEnv.GRIDCORE_E2E_DOCKER_SKIP) console.log(`# build and register suite skipped: ${dockerEnv.GRIDCORE_E2E_DOCKER_SKIP}`);
  retainRunFolders();
  // The folder's name is the window title in the screenshots.
  workspace = join(mkdtempSync(join(tmpdir(), 'gridcore-e2e-ws-')), 'sqrt-project');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
});

async function removeRunFolders(): Promise<void> {
  if (process.env.GRIDCORE_E2E_KEEP) return;
  const dirs = [...retainedRunFolders(), ...(workspace ? [resolve(workspace, '..')] : [])];
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  // The built-in TypeScript server may still write into a run's TMPDIR for a moment after exit.
  await sleep(1500);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

after(async () => {
  await redis?.stop();
  await removeRunFolders();
});

describe('in a real VS Code', { timeout: 15 * 60_000 }, () => {
  test('the packaged extension holds every file it needs', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gridcore-e2e-vsix-'));
    try {
      await installVsix(vsix, dir);
      const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
      const installed = join(dir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
      assert.ok(existsSync(installed), `code-server installed the .vsix into ${dir}`);
      assert.deepEqual(missingFromPackage(repoRoot, installed), [], 'files missing from the .vsix (see .vscodeignore)');
      t.diagnostic(`installed copy checked: ${installed}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('extension-host suites (mocha, real vscode API)', async (t) => {
    const testsPath = await bundleExthostTests();
    const resultsFile = join(mkdtempSync(join(tmpdir(), 'gridcore-e2e-results-')), 'results.json');
    const vscode = await launchCodeServer({
      workspace,
      extensionPath: repoRoot,
      extensionTestsPath: testsPath,
      env: { GRIDCORE_TEST: '1', GRIDCORE_E2E_REDIS_URL: redis.url, GRIDCORE_E2E_RESULTS: resultsFile, GRIDCORE_E2E_REPO: repoRoot, ...dockerEnv },
    });
    let code: number;
    try {
      code = await Promise.race([
        vscode.waitForExit(),
        new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`extension-host tests did not finish; console:\n${vscode.console.slice(-40).join('\n')}`)), 8 * 60_000).unref()),
      ]);
    } finally {
      await vscode.stop();
    }
    const results: { passed: string[]; skipped?: string[]; failures: Array<{ title: string; error: string }> } = existsSync(resultsFile)
      ? JSON.parse(readFileSync(resultsFile, 'utf8'))
      : { passed: [], failures: [] };
    for (const p of results.passed) t.diagnostic(`ok ${p}`);
    for (const p of results.skipped ?? []) t.diagnostic(`skipped ${p}: ${dockerEnv.GRIDCORE_E2E_DOCKER_SKIP ?? 'see the console'}`);
    rmSync(resolve(resultsFile, '..'), { recursive: true, force: true });
    const failures = results.failures.map((f) => `FAIL ${f.title}\n${f.error}`).join('\n\n');
    assert.ok(results.passed.length + results.failures.length > 0, `no mocha test ran (exit code ${code}); console:\n${vscode.console.slice(-40).join('\n')}`);
    t.diagnostic(`mocha: ${results.passed.length} passed, ${results.failures.length} failed, ${results.skipped?.length ?? 0} skipped`);
    assert.equal(code, 0, `extension-host tests failed:\n${failures}`);
  });

  for (const locale of ['en', 'zh-cn'] as const) {
    test(`UI in ${locale}: view, tree, finish from the context menu, status bar, screenshots`, async (t) => {
      await runUiScenario(t, { locale, workspace, vsix, redis, docker: !!dockerEnv.GRIDCORE_E2E_DOCKER });
    });
  }

  test('secrets audit: no token or Redis password in any file the runs wrote', (t) => {
    const runs = retainedRunFolders();
    assert.equal(runs.length, 3, `expected the folders of 3 code-server launches, got ${runs.length}`);
    const names = new Map<string, string>(Object.entries(E2E_SECRETS).map(([k, v]) => [v, k]));
    const audit = auditSecrets([...runs, resolve(workspace, '..')], [...names.keys()]);
    t.diagnostic(`scanned ${audit.files} files, ${(audit.bytes / 1e6).toFixed(1)} MB`);
    // The extension stored secrets through SecretStorage in each launch (connect, profiles.save).
    assert.equal(new Set(audit.secretStorageFiles.map((f) => runs.find((r) => f.startsWith(r)))).size, runs.length, `SecretStorage entry not found in every run: ${audit.secretStorageFiles.join(', ')}`);
    const leaks = audit.leaks.map((l) => `${names.get(l.secret)} (${l.encoding}) in ${l.file}`);
    assert.deepEqual(leaks, [], 'secrets written outside SecretStorage');
  });

  // After the audit: this launch stores no secret, so it is not one of the audited three.
  test('Restricted Mode: commands that run workspace files explain why they are off', async (t) => {
    await runRestrictedModeScenario(t, { vsix });
  });
});
