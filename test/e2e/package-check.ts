// What the installed .vsix must hold: every file the development folder serves that users need
// (bundles, media, l10n, manifest strings), every sibling bundle a bundle requires, and every
// picture a walkthrough page shows. The UI suite runs against this installed copy, so a file
// missing here would also break what it drives; this check names the file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Files of the development folder the package must carry (paths relative to its root). */
function expectedFiles(repoRoot: string): string[] {
  const tracked = spawnSync('git', ['ls-files', 'media'], { cwd: repoRoot, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const built = (dir: string) => (existsSync(join(repoRoot, dir)) ? readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith('.js')).map((f) => `${dir}/${f}`) : []);
  return [
    'package.json', 'package.nls.json', 'package.nls.zh-cn.json',
    'l10n/bundle.l10n.json', 'l10n/bundle.l10n.zh-cn.json',
    // the MCP server other agents start from this installation
    'dist/mcp.js',
    // media/src is the webview's source, bundled into media/dist
    ...tracked.filter((f) => !f.startsWith('media/src/')),
    ...built('media/dist'),
    // mainjob.js is the repository's start:local script, not part of the extension
    ...built('dist').filter((f) => f !== 'dist/mainjob.js'),
  ];
}

/** Paths (relative to the installed extension) that are referenced or expected but absent. */
export function missingFromPackage(repoRoot: string, installed: string): string[] {
  const missing = new Set<string>();
  const need = (rel: string, why: string) => {
    if (!existsSync(join(installed, rel))) missing.add(`${rel} (${why})`);
  };
  for (const f of expectedFiles(repoRoot)) need(f, 'in the development folder');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { main: string };
  need(manifest.main.replace(/^\.\//, ''), 'package.json main');
  const dist = join(installed, 'dist');
  for (const f of existsSync(dist) ? readdirSync(dist).filter((n) => n.endsWith('.js')) : []) {
    const text = readFileSync(join(dist, f), 'utf8');
    for (const m of text.matchAll(/require\("\.\/([^"]+\.js)"\)/g)) need(`dist/${m[1]}`, `required by dist/${f}`);
  }
  for (const nlsFile of ['package.nls.json', 'package.nls.zh-cn.json']) {
    const nls = JSON.parse(readFileSync(join(installed, nlsFile), 'utf8')) as Record<string, string>;
    for (const [key, md] of Object.entries(nls)) {
      if (!key.endsWith('.markdown')) continue;
      need(md, `${key} in ${nlsFile}`);
      if (!existsSync(join(installed, md))) continue;
      for (const m of readFileSync(join(installed, md), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) {
        need(resolve(dirname(join(installed, md)), m[1]).slice(installed.length + 1), `picture in ${md}`);
      }
    }
  }
  return [...missing];
}
