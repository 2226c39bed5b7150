// The extension as users get it: `npm run package`'s .vsix (production bundles, only the files
// .vscodeignore lets through). `start:local --open` and the e2e UI suite install this file
// into code-server instead of loading the development folder, where node_modules and the
// sources sit beside the bundles and would hide a file missing from the package.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GridCoreError } from '../core/errors';
import { l10n } from '../core/l10n';

export const VSIX_NAME = 'gridcore-vscode.vsix';

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.once('error', reject);
    p.once('exit', (code) => resolve({ code, output }));
  });
}

/** Runs `npm run package` in the extension folder; returns the .vsix path. */
export async function packageExtension(extensionPath: string): Promise<string> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = await run(npm, ['run', '--silent', 'package'], extensionPath).catch((e: Error) => ({ code: -1, output: e.message }));
  const vsix = join(extensionPath, VSIX_NAME);
  if (r.code !== 0 || !existsSync(vsix)) {
    const tail = r.output.trim().split('\n').slice(-5).join('\n');
    throw new GridCoreError('local', 'packageFailed', l10n.t('npm run package failed (exit {code}): {detail}', { code: String(r.code), detail: tail }));
  }
  return vsix;
}

/** `vsce ls`: the files the package holds, relative to the extension folder. */
export async function packagedFiles(extensionPath: string): Promise<string[]> {
  const vsce = join(extensionPath, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = await run(process.execPath, [vsce, 'ls', '--no-dependencies', '--allow-missing-repository'], extensionPath);
  if (r.code !== 0) throw new Error(`vsce ls failed: ${r.output}`);
  return r.output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('WARNING') && !l.includes(' '));
}
