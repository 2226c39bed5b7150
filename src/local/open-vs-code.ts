// `start:local --open`: a real VS Code in the browser (code-server, from the cache folder) with
// this extension as users get it: packaged (`npm run package`) and installed from the .vsix,
// in a window without the smoke-test driver, so notifications, progress and prompts show as
// toasts. The cluster the main job left running can be looked at at once. code-server keeps the user's HOME, so the extension reads the same skill
// folder the cluster wrote (state/local_cluster.json): Import from Skill Files or Start Local
// Cluster in the GridCore view picks the running cluster up. Its own state stays in
// <extension>/.cache/open-vscode, so a second run finds the cluster already added.
import { join } from 'node:path';
import { l10n } from '../core/l10n';
import { anyFreePort, pickPort } from '../core/machine/free-ports';
import { installVsix, startCodeServer } from './code-server-process';
import { packageExtension } from './package-vsix';

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

export async function openVsCode(o: OpenVsCodeOptions): Promise<OpenVsCode> {
  o.print(l10n.t('Preparing VS Code (code-server); the first time installs it from npm, which takes a few minutes…'));
  const dir = join(o.extensionPath, '.cache', 'open-vscode');
  o.print(l10n.t('Packaging the extension (npm run package) and installing it into code-server…'));
  const vsix = await packageExtension(o.extensionPath);
  const extensionsDir = join(dir, 'extensions');
  await installVsix(vsix, extensionsDir);
  const port = o.port ? (await pickPort(o.port)).port : await anyFreePort();
  const cs = await startCodeServer({
    dir,
    userData: join(dir, 'user-data'),
    extensionsDir,
    port,
    env: process.env,
    // the user's own changes to that window's settings survive the next --open
    keepUserSettings: true,
    // a user's window: toasts, not the test harness's notification-centre-only mode
    smokeTestDriver: false,
  });
  const url = `${cs.base}/?folder=${encodeURIComponent(o.workspace)}`;
  return { url, log: cs.log, stop: cs.stop };
}
