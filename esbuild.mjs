// One bundle for the extension (vscode external), one per standalone process (hub, node),
// one for the webview script. Entries that do not exist yet are skipped.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { writeBundles } from './l10n.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// ssh2 (via dockerode) has optional native parts; they must stay out of the bundle.
const nativeOptional = ['cpu-features', './crypto/build/Release/sshcrypto.node'];

const node = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
  external: ['vscode', ...nativeOptional],
  loader: { '.node': 'empty' },
};

const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/local/computehub-main.ts'], outfile: 'dist/computehub.js' },
  { ...node, entryPoints: ['src/local/gridnode-main.ts'], outfile: 'dist/gridnode.js' },
  { ...node, entryPoints: ['src/local/mainjob-main.ts'], outfile: 'dist/mainjob.js' },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: production,
    sourcemap: !production,
    logLevel: 'info',
    entryPoints: ['media/src/results.ts'],
    outfile: 'media/dist/results.js',
  },
].filter((b) => b.entryPoints.every((e) => existsSync(e)));

writeBundles();

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
