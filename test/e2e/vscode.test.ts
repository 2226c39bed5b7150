// The extension in a real VS Code (code-server in headless Chromium), against our hub and a
// real Redis: (a) the extension-host mocha suites in test/e2e/exthost, (b) UI tests with
// Playwright in English and in zh-cn. Three code-server launches in all.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureCodeServer, launchCodeServer } from '../support/codeServer';
import { bundleExthostTests } from '../support/exthostBundle';
import { startRedis, type TestRedis } from '../support/redis';
import { runUiScenario } from './ui/scenario';

const repoRoot = resolve(__dirname, '..', '..');
const REDIS_PASSWORD = 'e2e-redis-pw';

let redis: TestRedis;
let workspace: string;

before(async () => {
  const t0 = Date.now();
  await ensureCodeServer();
  console.log(`# code-server ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // The extension bundle under development (test/run.mjs builds too; a direct run must not test a stale one).
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(build.status, 0, `node esbuild.mjs failed:\n${build.stdout}\n${build.stderr}`);
  redis = await startRedis({ password: REDIS_PASSWORD });
  // The folder's name is the window title in the screenshots.
  workspace = join(mkdtempSync(join(tmpdir(), 'gridcore-e2e-ws-')), 'sqrt-project');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
});

after(async () => {
  await redis?.stop();
  if (workspace) rmSync(resolve(workspace, '..'), { recursive: true, force: true });
});

describe('in a real VS Code', { timeout: 15 * 60_000 }, () => {
  test('extension-host suites (mocha, real vscode API)', async (t) => {
    const testsPath = await bundleExthostTests();
    const resultsFile = join(mkdtempSync(join(tmpdir(), 'gridcore-e2e-results-')), 'results.json');
    const vscode = await launchCodeServer({
      workspace,
      extensionPath: repoRoot,
      extensionTestsPath: testsPath,
      env: { GRIDCORE_TEST: '1', GRIDCORE_E2E_REDIS_URL: redis.url, GRIDCORE_E2E_RESULTS: resultsFile },
    });
    let code: number;
    try {
      code = await Promise.race([
        vscode.waitForExit(),
        new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`extension-host tests did not finish; console:\n${vscode.console.slice(-40).join('\n')}`)), 5 * 60_000).unref()),
      ]);
    } finally {
      await vscode.stop();
    }
    const results: { passed: string[]; failures: Array<{ title: string; error: string }> } = existsSync(resultsFile)
      ? JSON.parse(readFileSync(resultsFile, 'utf8'))
      : { passed: [], failures: [] };
    for (const p of results.passed) t.diagnostic(`ok ${p}`);
    rmSync(resolve(resultsFile, '..'), { recursive: true, force: true });
    const failures = results.failures.map((f) => `FAIL ${f.title}\n${f.error}`).join('\n\n');
    assert.ok(results.passed.length + results.failures.length > 0, `no mocha test ran (exit code ${code}); console:\n${vscode.console.slice(-40).join('\n')}`);
    t.diagnostic(`mocha: ${results.passed.length} passed, ${results.failures.length} failed`);
    assert.equal(code, 0, `extension-host tests failed:\n${failures}`);
  });

  for (const locale of ['en', 'zh-cn'] as const) {
    test(`UI in ${locale}: view, tree, finish from the context menu, status bar, screenshots`, async (t) => {
      await runUiScenario(t, { locale, workspace, extensionPath: repoRoot, redis });
    });
  }
});
