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

test('zh-cn: one word for items (项, not 条 or 条目), and Chinese punctuation inside Chinese sentences', () => {
  const zh: Record<string, string> = { ...readChinese.call(null), ...JSON.parse(read('package.nls.zh-cn.json')) };
  // 条 stays only where it is the measure word of something else (警告 warnings, 命令 a command)
  const tiao = Object.entries(zh).filter(([, cn]) => /条(?!警告|命令)/.test(cn)).map(([en, cn]) => `${en} -> ${cn}`);
  assert.deepEqual(tiao, []);
  // an ASCII comma, colon or semicolon right after a Chinese character
  const ascii = Object.entries(zh).filter(([, cn]) => /[\u4e00-\u9fff][,:;]/.test(cn)).map(([en, cn]) => `${en} -> ${cn}`);
  assert.deepEqual(ascii, []);
});

test('zh-cn: durations in Chinese units ("约 8 分 45 秒", not "8 min 45 s")', async () => {
  const { inChinese } = await import('../support/zh');
  const { formatDuration } = await import('../../src/core/trial/estimate');
  const { estimateText } = await import('../../src/ui-model/trial-report');
  inChinese(() => {
    assert.equal(formatDuration(525), '8 分 45 秒');
    assert.equal(formatDuration(3725), '1 小时 2 分');
    assert.equal(formatDuration(4.24), '4.2 秒');
    assert.equal(formatDuration(200_000), '2 天 7 小时');
    const text = estimateText({ estimate: { items: 1_000_000, parallelism: 1, seconds: 525 }, rateBasis: { kind: 'steady', results: 9000, ms: 540 } } as never, undefined);
    assert.match(text!, /约 8 分 45 秒（不知道集群的并行度）；依据消费者的稳定速率$/);
    assert.ok(!/min|\bs\b/.test(text!), text);
  });
});

test('zh-cn: the dashboard\'s time axis and legend are translated (clockTime in the display language: dashboard-view.test.ts)', () => {
  const zh: Record<string, string> = readChinese.call(null);
  assert.equal(zh['Time'], '时间');
  // the chart's legend and axis go through it, not uPlot's own "Time" and "8:36pm"
  const charts = read('media/src/dashboard-charts.ts');
  assert.match(charts, /label: s\.time/);
  assert.match(charts, /values: \(_u, ticks\) => ticks\.map\(\(t\) => clockTime\(/);
});

test('zh-cn: Diagnose\'s times are local and in the display language, not raw UTC ISO', async () => {
  const { localTime } = await import('../../src/core/times');
  const { setDisplayLocale } = await import('../../src/core/l10n');
  setDisplayLocale('zh-cn');
  try {
    const shown = localTime('2026-12-05T20:52:35.312Z');
    assert.match(shown, /^2026年12月\d{1,2}日 \d{1,2}:\d{2}:\d{2}$/);
    assert.ok(!shown.includes('T20:52'));
  } finally {
    setDisplayLocale(undefined);
  }
  assert.equal(localTime('not a time'), 'not a time');
});

test('zh-cn: lists inside a sentence use Chinese commas (Diagnose\'s queues and nodes)', async () => {
  const { inChinese } = await import('../support/zh');
  const { listText, l10n } = await import('../../src/core/l10n');
  assert.equal(listText(['a', 'b', 'c']), 'a, b, c');
  assert.equal(listText(['only']), 'only');
  inChinese(() => {
    const queues = listText(['sq:in', 'sq:out'].map((q) => l10n.t('{queue}: {count} items', { queue: q, count: '1,000' })));
    assert.equal(queues, 'sq:in：1,000 项，sq:out：1,000 项');
  });
});
