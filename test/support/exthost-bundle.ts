// Bundles the extension-host mocha runner and its suites (test/e2e/exthost/*.ts) to
// out/e2e/exthost/, one file each. mocha and vscode stay external: mocha resolves from the
// repo's node_modules (the output sits inside the repo), vscode is the host's own module.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..');

/** Returns the folder holding index.js, ready for `extensionTestsPath`. */
export async function bundleExthostTests(): Promise<string> {
  const src = join(repoRoot, 'test', 'e2e', 'exthost');
  const outdir = join(repoRoot, 'out', 'e2e', 'exthost');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => join(src, f)),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return join(outdir, 'index.js');
}
