// One way to start code-server, shared by `start:local --open` and the e2e harness: the
// same flags, the same clean first screen, the same health wait and the same stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import { ensureCodeServer } from './code-server-install';

/** A first screen without welcome pages, chat panels, trust prompts or update checks. */
export const CLEAN_SETTINGS: Record<string, unknown> = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
};

export interface CodeServerProcessOptions {
  /** Folder for code-server's config file and log. */
  dir: string;
  userData: string;
  extensionsDir: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** Written to the user settings; `keep` leaves an existing settings.json alone. */
  settings?: Record<string, unknown>;
  keepUserSettings?: boolean;
  extraArgs?: string[];
  readyTimeoutMs?: number;
  /** Default true: tests need it (it loads a development folder from a URL and is what the
   *  harness drives); it also keeps notifications out of toasts, so a user's window goes without. */
  smokeTestDriver?: boolean;
  /** Default false (no trust prompt); true leaves VS Code's workspace trust on, so an unknown
   *  folder opens in Restricted Mode. */
  workspaceTrust?: boolean;
}

export interface CodeServerProcess {
  proc: ChildProcess;
  /** http://127.0.0.1:PORT */
  base: string;
  log: string;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, proc: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (proc.exitCode !== null) {
      throw new GridCoreError('local', 'codeServerExited', l10n.t('code-server stopped (exit {code}) before it answered; see {log}.', { code: String(proc.exitCode), log }));
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new GridCoreError('local', 'codeServerTimeout', l10n.t('code-server did not answer on {url} within a minute; see {log}.', { url, log }));
}

/** Installs a .vsix into `extensionsDir` with code-server's own CLI (offline; replaces an
 *  installed copy of the same extension). */
export async function installVsix(vsix: string, extensionsDir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const tc = await ensureCodeServer();
  mkdirSync(extensionsDir, { recursive: true });
  const childEnv: NodeJS.ProcessEnv = { ...env, PATH: tc.path };
  delete childEnv.NODE_OPTIONS;
  const args = [tc.entry, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const p = spawn(tc.node, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    p.once('error', reject);
    p.once('exit', (c) => resolve({ code: c, output: text }));
  });
  if (code !== 0 || !/successfully installed/i.test(output)) {
    throw new GridCoreError('local', 'vsixInstall', l10n.t('Installing {vsix} into code-server failed: {detail}', { vsix, detail: output.trim().split('\n').slice(-3).join(' ') }));
  }
}

/** Starts code-server from the cached toolchain, bound to loopback with no password (only
 *  this machine's user reaches it). The smoke-test driver option is what lets a URL load an
 *  extension from a folder (extensionDevelopmentPath). */
export async function startCodeServer(o: CodeServerProcessOptions): Promise<CodeServerProcess> {
  const tc = await ensureCodeServer();
  for (const d of [o.dir, join(o.userData, 'User'), o.extensionsDir]) mkdirSync(d, { recursive: true });
  const settings = join(o.userData, 'User', 'settings.json');
  if (!(o.keepUserSettings && existsSync(settings))) writeFileSync(settings, JSON.stringify({ ...CLEAN_SETTINGS, ...o.settings }, null, 2));
  const config = join(o.dir, 'code-server.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');

  const log = join(o.dir, 'code-server.log');
  const out = createWriteStream(log);
  const env: NodeJS.ProcessEnv = { ...o.env, PATH: tc.path };
  // A caller's NODE_OPTIONS (e.g. the tsx loader of the test runner) must not reach Node 24.
  delete env.NODE_OPTIONS;
  const args = [
    tc.entry,
    '--bind-addr', `127.0.0.1:${o.port}`,
    '--auth', 'none',
    '--config', config,
    '--user-data-dir', o.userData,
    '--extensions-dir', o.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    ...(o.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    ...(o.extraArgs ?? []),
  ];
  const proc = spawn(tc.node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) proc.kill('SIGKILL');
      await exited;
    }
    out.end();
  };
  const base = `http://127.0.0.1:${o.port}`;
  try {
    await waitForHealth(`${base}/healthz`, proc, log, o.readyTimeoutMs ?? 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { proc, base, log, stop };
}
