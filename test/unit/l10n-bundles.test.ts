// Both languages everywhere: every runtime string has its Chinese, every package.json
// %key% has both an English and a Chinese entry, and no message reaches the user
// without going through l10n.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain .mjs build helper without types
import { extractEnglish, readChinese } from '../../l10n.mjs';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

test('every runtime string has a zh-cn translation', () => {
  const en: Map<string, string> = extractEnglish([join(root, 'src'), join(root, 'media', 'src')]);
  const zh: Record<string, string> = readChinese.call(null);
  const missing = [...en.entries()].filter(([k]) => !zh[k]?.trim()).map(([k, f]) => `${f}: ${k}`);
  assert.deepEqual(missing, []);
});

test('every zh-cn translation belongs to a string the sources still use', () => {
  const en: Map<string, string> = extractEnglish([join(root, 'src'), join(root, 'media', 'src')]);
  const zh: Record<string, string> = readChinese.call(null);
  assert.deepEqual(Object.keys(zh).filter((k) => !en.has(k)), []);
});

test('zh-cn translations keep every placeholder of the English text', () => {
  const zh: Record<string, string> = readChinese.call(null);
  const holes = (s: string) => (s.match(/\{[^}]+\}/g) ?? []).sort().join(' ');
  const wrong = Object.entries(zh).filter(([en, cn]) => holes(en) !== holes(cn)).map(([en]) => en);
  assert.deepEqual(wrong, []);
});

test('package.json %keys% exist in package.nls.json and package.nls.zh-cn.json', () => {
  const keys = [...read('package.json').matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]);
  const en = JSON.parse(read('package.nls.json'));
  const zh = JSON.parse(read('package.nls.zh-cn.json'));
  assert.deepEqual(keys.filter((k) => !(k in en)), [], 'missing in package.nls.json');
  assert.deepEqual(keys.filter((k) => !(k in zh)), [], 'missing in package.nls.zh-cn.json');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in zh)), [], 'English nls keys without Chinese');
});

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

test('no user-facing string in src/ bypasses l10n', () => {
  // Calls that put text in front of the user, with a bare string literal (or template) as
  // their first text argument instead of l10n.t(...).
  const shown = [
    /show(?:Information|Warning|Error)Message\(\s*['"`]/,
    /\b(?:title|placeHolder|prompt|tooltip|label|detail|description)\s*:\s*['"`][A-Za-z]/,
    /new (?:Hub|Redis|Docker|Config|GridCore)Error\([^)]*?,\s*['"`][A-Z][a-z]/,
    /\.(?:text|tooltip)\s*=\s*['"`][A-Za-z]/,
  ];
  // The tool table's titles and schema descriptions are the model's (English, as package.json's
  // schemas always were; package.nls.zh-cn.json translates what VS Code's UI shows of them).
  const forTheModel = /^src\/(tools|mcp)\//;
  const offenders: string[] = [];
  for (const file of [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'media', 'src'))]) {
    const rel = file.slice(root.length + 1).split('\\').join('/');
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/l10n-ignore/.test(line)) return;
      if (forTheModel.test(rel) && /^\s*(?:\w+: \{ type: |title: |description: )/.test(line)) return;
      if (shown.some((re) => re.test(line))) offenders.push(`${file.slice(root.length + 1)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});
