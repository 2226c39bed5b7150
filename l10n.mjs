// Builds the runtime l10n bundles from the sources, so they can never drift:
// - l10n/bundle.l10n.json: every string literal passed to `l10n.t(` in src/ and media/src/
//   (the core's own `l10n` shim and `vscode.l10n` share the call shape);
// - l10n/bundle.l10n.zh-cn.json: the union of l10n/zh-cn/*.json (one file per feature area,
//   so parallel work never edits the same file).
// `node l10n.mjs --check` lists English strings with no Chinese and exits 1 if any.
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(f) ? [p] : [];
  });
}

// l10n.t( 'a' | "a" | `a` (no ${}) — the first argument must be one literal.
const CALL = /\bl10n\.t\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`)\s*[,)]/g;

function unescape(raw) {
  return JSON.parse('"' + raw.replace(/\\'/g, "'").replace(/\\`/g, '`').replace(/"/g, '\\"').replace(/\\\\"/g, '\\"') + '"');
}

export function extractEnglish(roots = ['src', 'media/src']) {
  const keys = new Map();
  for (const file of roots.flatMap(sources)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(CALL)) {
      const raw = m[1] ?? m[2] ?? m[3];
      let value;
      try {
        value = m[3] !== undefined ? m[3] : unescape(raw);
      } catch {
        value = raw;
      }
      if (!keys.has(value)) keys.set(value, file);
    }
  }
  return keys;
}

export function readChinese() {
  const dir = 'l10n/zh-cn';
  const out = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    Object.assign(out, JSON.parse(readFileSync(join(dir, f), 'utf8')));
  }
  return out;
}

export function writeBundles() {
  const en = extractEnglish();
  const zh = readChinese();
  const enObj = Object.fromEntries([...en.keys()].sort().map((k) => [k, k]));
  const zhObj = Object.fromEntries([...en.keys()].sort().filter((k) => zh[k] !== undefined).map((k) => [k, zh[k]]));
  writeFileSync('l10n/bundle.l10n.json', JSON.stringify(enObj, null, 2) + '\n');
  writeFileSync('l10n/bundle.l10n.zh-cn.json', JSON.stringify(zhObj, null, 2) + '\n');
  return { en, zh };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { en, zh } = writeBundles();
  const missing = [...en.entries()].filter(([k]) => zh[k] === undefined);
  if (process.argv.includes('--check') && missing.length) {
    for (const [k, file] of missing) console.error(`no zh-cn for (${file}): ${k}`);
    process.exit(1);
  }
  console.log(`l10n: ${en.size} strings, ${en.size - missing.length} translated`);
}
