// `start:local --open`: a real VS Code in the browser (code-server, from the cache folder) with
// this extension loaded from its folder, so the cluster the main job left running can be
// looked at at once. code-server keeps the user's HOME, so the extension reads the same skill
// folder the cluster wrote (state/local_cluster.json): Import from Skill Files or Start Local
// Cluster in the GridCore view picks the running cluster up. Its own state stays in
// <extension>/.cache/open-vscode, so a second run finds the cluster already added.
import { join } from 'node:path';
import { l10n } from '../core/l10n';
import { anyFreePort, pickPort } from './cluster/ports';
import { startCodeServer } from './codeServerProcess';

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
  const port = o.port ? (await pickPort(o.port)).port : await anyFreePort();
  const cs = await startCodeServer({
    dir,
    userData: join(dir, 'user-data'),
    extensionsDir: join(dir, 'extensions'),
    port,
    env: process.env,
    // the user's own changes to that window's settings survive the next --open
    keepUserSettings: true,
  });
  const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${o.extensionPath}`]];
  const url = `${cs.base}/?folder=${encodeURIComponent(o.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return { url, log: cs.log, stop: cs.stop };
}
