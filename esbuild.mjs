// The extension as a small activation bundle plus sibling bundles loaded on first use, one
// bundle per standalone process (hub, node, main job), one for the webview script. Entries
// that do not exist yet are skipped. `node esbuild.mjs [--production] [--watch]` builds;
// `--only=computehub,gridnode` builds just those bundles (by output name; the test runner
// builds what a test group needs);
// the activation bench imports extensionBuilds() to build the same bundles with its markers.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeBundles } from './l10n.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));

// ssh2 (via dockerode) has optional native parts; they must stay out of the bundle.
const nativeOptional = ['cpu-features', './crypto/build/Release/sshcrypto.node'];

const nodeOptions = (production) => ({
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
  // import() of a sibling bundle becomes require(): module.exports stays whole (undici's
  // named exports are invisible to Node's ESM import of a CommonJS file), one module cache.
  supported: { 'dynamic-import': false },
});

// VS Code reads and compiles all of dist/extension.js at activation, so what activation
// does not run lives in a sibling bundle. The source imports it as usual with
// `await import(...)` (tsx and plain Node resolve that normally); siblingBundles() turns the
// import into require('./<out>.js') next to the importing bundle. A package listed here is
// one bundle shared by every bundle that imports it.
const lazyBundles = [
  { out: 'queues', in: 'src/core/queues/index.ts' }, // ioredis
  { out: 'images', in: 'src/core/images/index.ts' }, // tar-fs, .dockerignore
  { out: 'trial', in: 'src/core/trial/index.ts' }, // Try Task Locally: first trial
  { out: 'trial-report', in: 'src/ui-model/trial-report.ts' }, // Try Task Locally: the report's text
  { out: 'local', in: 'src/local/local-cluster-api.ts' }, // Start Local Cluster: hub, node, redis-server
  { out: 'results', in: 'src/views/results/panel.ts' }, // results webview host: first open or restore after a reload
  { out: 'dashboard', in: 'src/views/dashboard/panel.ts' }, // task dashboard host: first open or restore after a reload
  { out: 'chat', in: 'src/chat/adapter.ts' }, // language model tools: first tool call
  { out: 'dockerode', in: 'dockerode', pkg: true }, // + ssh2, grpc, protobufjs: images and local
  { out: 'undici', in: 'undici', pkg: true }, // first hub request
  { out: 'toml', in: 'smol-toml', pkg: true }, // importing skill files; local
];

/** Imports of the lazy bundles' entries become external requires of the sibling file. */
function siblingBundles(self) {
  const packages = new Map(lazyBundles.filter((b) => b.pkg).map((b) => [b.in, b.out]));
  const files = new Map(lazyBundles.filter((b) => !b.pkg).map((b) => [resolve(root, b.in), b.out]));
  const skip = Symbol('resolving');
  return {
    name: 'sibling-bundles',
    setup(build) {
      build.onResolve({ filter: /^(\.|[a-z@])/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === skip) return undefined;
        let out = packages.get(args.path);
        if (!out && args.path.startsWith('.')) {
          const { path } = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: skip });
          out = files.get(path);
        }
        if (!out || out === self) return undefined;
        if (self === 'extension' && args.kind !== 'dynamic-import') {
          return { errors: [{ text: `"${args.path}" (bundle ${out}) is imported statically by ${args.importer}: activation would load it. Use await import(...) where it is needed.` }] };
        }
        return { path: `./${out}.js`, external: true };
      });
    },
  };
}

/** dist/extension.js and its siblings, each an esbuild build of its own. */
export function extensionBuilds({ production = false, outdir = resolve(root, 'dist') } = {}) {
  return [{ out: 'extension', in: 'src/extension.ts' }, ...lazyBundles].map((b) => ({
    ...nodeOptions(production),
    absWorkingDir: root,
    entryPoints: [{ in: b.in, out: b.out }],
    outdir,
    plugins: [siblingBundles(b.out)],
  }));
}

function allBuilds(production) {
  const node = nodeOptions(production);
  // The webview scripts: one self-contained browser bundle each.
  const webview = { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify: production, sourcemap: !production, logLevel: 'info' };
  return [
    ...extensionBuilds({ production }),
    { ...node, entryPoints: ['src/local/computehub-main.ts'], outfile: 'dist/computehub.js' },
    { ...node, entryPoints: ['src/local/gridnode-main.ts'], outfile: 'dist/gridnode.js' },
    { ...node, entryPoints: ['src/local/mainjob-main.ts'], outfile: 'dist/mainjob.js' },
    // the detached local cluster's supervisor (it runs dist/gridnode.js for its nodes)
    { ...node, entryPoints: ['src/local/local-cluster-main.ts'], outfile: 'dist/local-cluster.js' },
    // The MCP server other agents start (`node dist/mcp.js`): one self-contained file.
    { ...node, entryPoints: ['src/mcp/main.ts'], outfile: 'dist/mcp.js' },
    {
      ...webview,
      entryPoints: ['media/src/results.ts'],
      outfile: 'media/dist/results.js',
    },
    {
      // The dashboard script with uPlot, and its stylesheet with uPlot's (one file each, so
      // the CSP needs nothing beyond the media folder).
      ...webview,
      entryPoints: [
        { in: 'media/src/dashboard.ts', out: 'dashboard' },
        { in: 'media/src/dashboard.css', out: 'dashboard' },
      ],
      outdir: 'media/dist',
    },
  ].filter((b) => b.entryPoints.every((e) => typeof e !== 'string' || existsSync(resolve(root, e))));
}

/** A build's output name: `extension`, `queues`, ..., `computehub`, `gridnode`, `mainjob`, `webview`. */
function outName(b) {
  if (b.platform === 'browser') return 'webview';
  const entry = b.entryPoints[0];
  return typeof entry === 'string' ? b.outfile.replace(/^.*\//, '').replace(/\.js$/, '') : entry.out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const production = process.argv.includes('--production');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  // The l10n bundle is the extension's: built with it.
  if (!only || only.includes('extension')) writeBundles();
  const builds = allBuilds(production).filter((b) => !only || only.includes(outName(b)));
  if (process.argv.includes('--watch')) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }
}
