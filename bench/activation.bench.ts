// Activation in a real VS Code (code-server + headless Chromium, the e2e harness): the time
// `extension.activate()` takes for our extension (loading dist/extension.js plus the activate
// body), next to a minimal "hello" extension (one command registered) activated the same way
// in a second launch (code-server loads one development extension per server): that peer is
// the floor any extension pays, so the ratio says how much more ours costs. Neither activates
// on its own (no Dockerfile in the workspace, view closed); a runner in the extension host
// (`extensionTestsPath`) calls `await extension.activate()` between two `performance.now()`.
// Ours is the same bundles as dist/ (extension.js and the siblings it loads on first use,
// from esbuild.mjs's extensionBuilds) built with a marker appended to every node_modules file, so the runner can list which packages' module bodies ran by the end of
// activation (ioredis and dockerode must not), and with activate() wrapped to time its body.
// Positive control: the runner then calls the image service, which must load dockerode.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { launchCodeServer } from '../test/support/code-server';

const repoRoot = resolve(__dirname, '..');
const HELLO_ID = 'gridcore-bench.hello';
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const OURS_ID = `${pkg.publisher}.${pkg.name}`;

interface Activation {
  ms: number;
  wasActive: boolean;
  /** Ours only (the instrumented bundle). */
  bodyMs?: number;
  evalMs?: number;
  ranAtActivation?: string[];
  ranAfterImageCall?: string[];
}

/** Appends `ran.add(<package>)` to every node_modules module: it runs when esbuild's lazy wrapper does. */
const markPackages: Plugin = {
  name: 'mark-packages',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c|m)?js$/ }, (args) => {
      const parts = args.path.split(/[\\/]/);
      const at = parts.lastIndexOf('node_modules');
      const name = parts[at + 1].startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
      const contents = readFileSync(args.path, 'utf8') + `\n;globalThis.__gridcoreBench.ran.add(${JSON.stringify(name)});\n`;
      return { contents, loader: 'js', resolveDir: resolve(args.path, '..') };
    });
  },
};

// `??=`: the sibling bundles loaded later share the record dist/extension.js started.
const BANNER = 'globalThis.__gridcoreBench ??= { ran: new Set(), evalStart: performance.now() };';
const FOOTER = `;(() => {
  const b = globalThis.__gridcoreBench;
  b.evalMs = performance.now() - b.evalStart;
  const inner = module.exports.activate;
  module.exports = { ...module.exports, activate(context) {
    const t = performance.now();
    try { return inner(context); } finally { b.bodyMs = performance.now() - t; }
  } };
})();`;

const RUNNER = `const vscode = require('vscode');
const { writeFileSync } = require('fs');
exports.run = async function () {
  const id = process.env.GRIDCORE_BENCH_ACTIVATE_ID;
  const ext = vscode.extensions.getExtension(id);
  if (!ext) throw new Error('extension ' + id + ' is not loaded');
  const wasActive = ext.isActive;
  const t = performance.now();
  const api = await ext.activate();
  const ms = performance.now() - t;
  const b = globalThis.__gridcoreBench;
  const out = { ms, wasActive };
  if (b) {
    Object.assign(out, { bodyMs: b.bodyMs, evalMs: b.evalMs, ranAtActivation: [...b.ran].sort() });
    await api.service.images.ping().catch(() => undefined);
    out.ranAfterImageCall = [...b.ran].sort();
  }
  writeFileSync(process.env.GRIDCORE_BENCH_ACTIVATION_OUT, JSON.stringify(out));
};
`;

const HELLO_JS = `const vscode = require('vscode');
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('gridcoreBench.hello', () => vscode.window.showInformationMessage('Hello')));
};
exports.deactivate = () => {};
`;

/** esbuild.mjs's bundles for the extension as packaged (--production: minified), written to `outdir`. */
async function extensionBuilds(outdir: string): Promise<BuildOptions[]> {
  const config = (await import(pathToFileURL(join(repoRoot, 'esbuild.mjs')).href)) as {
    extensionBuilds(o: { production: boolean; outdir: string }): BuildOptions[];
  };
  return config.extensionBuilds({ production: true, outdir }).map((b) => ({ ...b, logLevel: 'warning' }));
}

const isActivationBundle = (b: BuildOptions) => JSON.stringify(b.entryPoints).includes('"extension"');

async function prepare(dir: string): Promise<{ ours: string; hello: string; runner: string; workspace: string }> {
  const ours = join(dir, 'ours');
  mkdirSync(join(ours, 'dist'), { recursive: true });
  for (const f of ['package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'l10n', 'media']) cpSync(join(repoRoot, f), join(ours, f), { recursive: true });
  // The packaged bundles plus the markers; only dist/extension.js wraps activate().
  for (const b of await extensionBuilds(join(ours, 'dist'))) {
    await build({ ...b, banner: { js: BANNER }, footer: isActivationBundle(b) ? { js: FOOTER } : undefined, plugins: [...(b.plugins ?? []), markPackages] });
  }
  const hello = join(dir, 'hello');
  mkdirSync(hello);
  writeFileSync(
    join(hello, 'package.json'),
    JSON.stringify({ name: 'hello', publisher: 'gridcore-bench', version: '0.0.1', engines: { vscode: '^1.90.0' }, main: './extension.js', activationEvents: [], contributes: { commands: [{ command: 'gridcoreBench.hello', title: 'Hello' }] } }),
  );
  writeFileSync(join(hello, 'extension.js'), HELLO_JS);
  const runner = join(dir, 'runner', 'index.js');
  mkdirSync(resolve(runner, '..'));
  writeFileSync(runner, RUNNER);
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'README.md'), '# activation bench\n');
  return { ours, hello, runner, workspace };
}

/** One code-server launch with `extensionPath` as the development extension; the runner activates `id`. */
async function activateInCodeServer(dir: string, p: { runner: string; workspace: string }, extensionPath: string, id: string): Promise<Activation> {
  const out = join(dir, `result-${basename(extensionPath)}.json`);
  const cs = await launchCodeServer({
    workspace: p.workspace,
    extensionPath,
    extensionTestsPath: p.runner,
    env: { GRIDCORE_TEST: '1', GRIDCORE_BENCH_ACTIVATE_ID: id, GRIDCORE_BENCH_ACTIVATION_OUT: out },
  });
  try {
    const code = await Promise.race([
      cs.waitForExit(),
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`runner did not finish:\n${cs.console.slice(-20).join('\n')}`)), 60_000).unref()),
    ]);
    if (code !== 0) throw new Error(`runner exited ${code}:\n${cs.console.slice(-20).join('\n')}`);
    const r = JSON.parse(readFileSync(out, 'utf8')) as Activation;
    if (r.wasActive) throw new Error(`${id} was already active before the runner timed it`);
    return r;
  } finally {
    await cs.stop();
  }
}

export async function run() {
  const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`node esbuild.mjs failed:\n${built.stderr}`);
  const distBytes = statSync(join(repoRoot, 'dist', 'extension.js')).size;
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-bench-activation-'));
  try {
    const packaged = join(dir, 'packaged');
    const packagedBuilds = await extensionBuilds(packaged);
    await Promise.all(packagedBuilds.map((b) => build({ ...b, sourcemap: false })));
    const minBytes = statSync(join(packaged, 'extension.js')).size;
    const siblings = readdirSync(packaged).filter((f) => f !== 'extension.js');
    const siblingBytes = siblings.reduce((n, f) => n + statSync(join(packaged, f)).size, 0);
    const p = await prepare(dir);
    const m = await activateInCodeServer(dir, p, p.ours, OURS_ID);
    const hello = await activateInCodeServer(dir, p, p.hello, HELLO_ID);
    const { bodyMs, evalMs, ranAtActivation, ranAfterImageCall } = m;
    if (bodyMs === undefined || evalMs === undefined || !ranAtActivation || !ranAfterImageCall) throw new Error('the instrumented bundle did not report');
    if (!ranAfterImageCall.includes('dockerode')) throw new Error(`positive control failed: dockerode did not run after an image call (${ranAfterImageCall.join(', ')})`);
    const heavy = ['ioredis', 'dockerode'].filter((n) => ranAtActivation.includes(n));
    const ran = ranAtActivation.length ? ranAtActivation.join(', ') : 'none';
    return [
      { name: 'activation: extension.activate() in code-server', ours: m.ms, peer: hello.ms, peerName: 'minimal hello extension, same harness', unit: 'ms', higherIsBetter: false, note: `minified bundle as packaged; its top level ran in ${evalMs.toFixed(1)} ms, activate body ${bodyMs.toFixed(1)} ms; the rest is reading and compiling the file and VS Code's own work` },
      { name: 'activation: activate() body only', ours: bodyMs, unit: 'ms', higherIsBetter: false, note: 'performance.now() around activate(), in the extension host' },
      { name: 'activation: ioredis/dockerode initialized', ours: heavy.length, unit: 'packages', higherIsBetter: false, note: `node_modules packages whose code ran by the end of activation: ${ran}; dockerode ran after an image call (control)` },
      { name: 'activation: dist/extension.js size (npm run build)', ours: distBytes / 1024, unit: 'KiB', higherIsBetter: false, note: 'not minified, sourcemap separate' },
      { name: 'activation: extension.js size as packaged (--production)', ours: minBytes / 1024, unit: 'KiB', higherIsBetter: false, note: `minified; the siblings loaded on first use (${siblings.join(', ')}) add ${Math.round(siblingBytes / 1024)} KiB` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
