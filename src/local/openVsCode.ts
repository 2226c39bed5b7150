// `start:local --open`: a real VS Code in the browser (code-server, from the cache folder) with
// this extension loaded from its folder, so the cluster the main job left running can be
// looked at at once. code-server keeps the user's HOME, so the extension reads the same skill
// folder the cluster wrote (state/local_cluster.json): Import from Skill Files or Start Local
// Cluster in the GridCore view picks the running cluster up. Its own state stays in
// <extension>/.cache/open-vscode, so a second run finds the cluster already added.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';
import { anyFreePort, pickPort } from './cluster/ports';
import { ensureCodeServer } from './codeServerInstall';

export interface OpenVsCodeOptions {
  /** The extension's folder (holds package.json and dist/extension.js). */
  extensionPath: string;
  /** Folder opened in the window. */
  workspace: string;
  /** Preferred port; another free one is taken when it is busy. */
  port?: number;
  print(line: string): void;
}

export interface OpenVsCode {
  url: string;
  /** code-server's own output. */
  log: string;
  stop(): Promise<void>;
}

// A first screen without welcome pages, chat panels or trust prompts.
const SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
};

async function waitForHealth(url: string, exited: () => number | null, log: string): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const code = exited();
    if (code !== null) throw new GridCoreError('local', 'codeServerExited', l10n.t('code-server stopped (exit {code}) before it answered; see {log}.', { code: String(code), log }));
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

export async function openVsCode(o: OpenVsCodeOptions): Promise<OpenVsCode> {
  o.print(l10n.t('Preparing VS Code (code-server); the first time installs it from npm, which takes a few minutes…'));
  const tc = await ensureCodeServer();
  const dir = join(o.extensionPath, '.cache', 'open-vscode');
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  for (const d of [join(userData, 'User'), extensions]) mkdirSync(d, { recursive: true });
  const settings = join(userData, 'User', 'settings.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify(SETTINGS, null, 2));
  const config = join(dir, 'code-server.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');

  const port = o.port ? (await pickPort(o.port)).port : await anyFreePort();
  const log = join(dir, 'code-server.log');
  const out = createWriteStream(log);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: tc.path };
  delete env.NODE_OPTIONS;
  // Bound to 127.0.0.1 with no password: only this machine's user reaches it. The smoke-test
  // driver option is what lets the URL load an extension from a folder (extensionDevelopmentPath).
  const proc = spawn(
    tc.node,
    [
      tc.entry,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--config', config,
      '--user-data-dir', userData,
      '--extensions-dir', extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--vscode-option', 'enable-smoke-test-driver',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: dirname(tc.entry) },
  );
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
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(`${base}/healthz`, () => proc.exitCode, log);
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${o.extensionPath}`]];
    const url = `${base}/?folder=${encodeURIComponent(o.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return { url, log, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
