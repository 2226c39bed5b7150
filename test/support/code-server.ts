// A real VS Code (code-server) in headless Chromium, with the extension loaded from its
// development folder (extension-host suites) or installed from the packaged .vsix (the UI
// suite: what users install), for e2e tests. Everything it writes (HOME, TMPDIR, XDG dirs, user data, browser
// profile, logs) stays inside one per-run folder.
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { installVsix, startCodeServer } from '../../src/local/code-server-process';
import { freePort } from './redis';

export { ensureCodeServer } from './code-server-install';

export const CHROMIUM = process.env.GRIDCORE_CHROMIUM ?? '/usr/bin/chromium';

export interface LaunchOptions {
  workspace: string;
  /** The extension's development folder, loaded through the smoke-test driver; or: */
  extensionPath?: string;
  /** a .vsix installed with `--install-extension` before code-server starts. */
  vsix?: string;
  /** Leave VS Code's workspace trust on: an unknown folder then opens in Restricted Mode. */
  restrictedMode?: boolean;
  /** Extension folders installed (copied into the run's extensions folder) before the start:
   *  test fixtures. code-server loads one development extension only. */
  installExtensions?: string[];
  /** Compiled mocha runner (a JS file exporting `run()`); runs the extension-host tests. */
  extensionTestsPath?: string;
  /** VS Code display language, e.g. 'zh-cn'. */
  locale?: string;
  settings?: Record<string, unknown>;
  /** Extra env for code-server and so for the extension host (e.g. hub URL for the tests). */
  env?: Record<string, string>;
  viewport?: { width: number; height: number };
}

export interface CodeServer {
  url: string;
  page: Page;
  /** The per-run folder (HOME and friends live here). */
  dir: string;
  /** Browser console lines so far (the extension host's console arrives here too). */
  console: string[];
  /** Resolves with the exit code the workbench reports when extension tests end. */
  waitForExit(): Promise<number>;
  /** Saves a PNG of the page to `file` (absolute) or test/.artifacts/screenshots/<name>.png. */
  screenshot(nameOrFile: string): Promise<string>;
  stop(): Promise<void>;
}

const repoRoot = resolve(__dirname, '..', '..');

// The secrets audit reads every file a launch wrote, after the launch: stop() then leaves the
// run folder in place and lists it here; the audit removes it.
let retaining = false;
const retained: string[] = [];
export function retainRunFolders(): void {
  retaining = true;
}
export function retainedRunFolders(): string[] {
  return [...retained];
}

export const artifactsDir = join(repoRoot, 'test', '.artifacts');

/**
 * In the browser, VS Code takes its display language (and so `vscode.env.language`, which picks
 * the extension's l10n bundle) from the language pack's messages: `--locale` alone falls back
 * to English. The marketplace's packs cannot be fetched here, so register an empty pack for the
 * locale: VS Code's own chrome stays English, the extension's strings follow the locale.
 */
function writeLanguagePack(dir: string, userData: string, locale: string): void {
  const translations = join(dir, 'langpack', 'main.i18n.json');
  mkdirSync(resolve(translations, '..'), { recursive: true });
  writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const pack = {
    hash: `gridcore-e2e-${locale}`,
    extensions: [{ extensionIdentifier: { id: `gridcore-e2e.language-pack-${locale}` }, version: '0.0.1' }],
    translations: { vscode: translations },
    label: locale,
  };
  writeFileSync(join(userData, 'languagepacks.json'), JSON.stringify({ [locale]: pack }));
}

export async function launchCodeServer(opts: LaunchOptions): Promise<CodeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-e2e-'));
  const home = join(dir, 'home');
  const userData = join(dir, 'user-data');
  const extensionsDir = join(dir, 'extensions');
  const browserProfile = join(dir, 'browser');
  for (const d of [home, join(dir, 'tmp'), join(home, '.config'), join(home, '.local', 'share'), join(userData, 'User'), browserProfile]) {
    mkdirSync(d, { recursive: true });
  }
  if (opts.locale) {
    writeFileSync(join(userData, 'User', 'argv.json'), JSON.stringify({ locale: opts.locale }));
    if (!opts.locale.startsWith('en')) writeLanguagePack(dir, userData, opts.locale);
  }
  for (const ext of opts.installExtensions ?? []) {
    const m = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    cpSync(ext, join(extensionsDir, `${m.publisher}.${m.name}-${m.version}`), { recursive: true });
  }
  const port = await freePort();
  const env = {
    ...process.env,
    ...opts.env,
    HOME: home,
    TMPDIR: join(dir, 'tmp'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  if (opts.vsix) await installVsix(opts.vsix, extensionsDir, env);
  const server = await startCodeServer({
    dir,
    userData,
    extensionsDir,
    port,
    workspaceTrust: opts.restrictedMode,
    // Restricted Mode without the prompt that asks whether to trust the folder.
    settings: opts.restrictedMode
      ? { ...opts.settings, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' }
      : opts.settings,
    extraArgs: ['--reconnection-grace-time', '5', ...(opts.locale ? ['--locale', opts.locale] : [])],
    env,
    readyTimeoutMs: 30_000,
  });

  let context: BrowserContext | undefined;
  const stop = async () => {
    await context?.close().catch(() => undefined);
    context = undefined;
    await server.stop();
    if (retaining) {
      retained.push(dir);
    } else if (!process.env.GRIDCORE_E2E_KEEP) {
      rmSync(dir, { recursive: true, force: true });
      // The built-in TypeScript server may still write into TMPDIR for a moment after exit.
      await sleep(1500);
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    const base = server.base;
    context = await chromium.launchPersistentContext(browserProfile, {
      executablePath: CHROMIUM,
      headless: true,
      env: { ...process.env, HOME: browserProfile } as Record<string, string>,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      locale: opts.locale,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines: string[] = [];
    const consoleLog = createWriteStream(join(dir, 'browser-console.log'));
    page.on('console', (m) => {
      const line = `[${m.type()}] ${m.text()}`;
      consoleLines.push(line);
      consoleLog.write(line + '\n');
    });
    let exitCode: (code: number) => void = () => undefined;
    const exitPromise = new Promise<number>((r) => (exitCode = r));
    await page.exposeFunction('codeAutomationExit', (code: number) => exitCode(code));

    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload: Array<[string, string]> = [];
    if (opts.extensionPath) payload.push(['extensionDevelopmentPath', remote(opts.extensionPath)]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
    const url = `${base}/?folder=${encodeURIComponent(opts.workspace)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
    // Slow on a loaded machine (2 cores shared by many runs): the first load of the workbench.
    await page.goto(url, { timeout: 120_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

    return {
      url,
      page,
      dir,
      console: consoleLines,
      waitForExit: () => exitPromise,
      screenshot: async (nameOrFile) => {
        const file = nameOrFile.endsWith('.png') ? nameOrFile : join(artifactsDir, 'screenshots', `${nameOrFile}.png`);
        mkdirSync(resolve(file, '..'), { recursive: true });
        await page.screenshot({ path: file });
        return file;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
