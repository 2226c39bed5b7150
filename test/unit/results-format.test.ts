import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clip, currentIndex, escapeHtml, nonce, prettyJson, samePrefix, toRow, PREVIEW_BYTES } from '../../src/views/results/format';
import { contentSecurityPolicy, resultsHtml } from '../../src/views/results/html';

test('prettyJson pretty-prints objects and arrays, leaves scalars and broken JSON alone', () => {
  assert.equal(prettyJson('{"a":1,"b":[1,2]}'), '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}');
  assert.equal(prettyJson('[1]'), '[\n  1\n]');
  assert.equal(prettyJson('42'), undefined);
  assert.equal(prettyJson('"s"'), undefined);
  assert.equal(prettyJson('{"a":'), undefined);
  assert.equal(prettyJson('{not json}'), undefined);
  assert.equal(prettyJson('{}'), undefined, 'already as pretty as it gets');
});

test('clip never splits a surrogate pair', () => {
  assert.deepEqual(clip('abc', 5), { text: 'abc', clipped: false });
  assert.deepEqual(clip('abcdef', 3), { text: 'abc', clipped: true });
  const s = 'a😀b';
  assert.deepEqual(clip(s, 2), { text: 'a', clipped: true });
});

test('toRow truncates long values and only pretty-prints whole ones', () => {
  const long = JSON.stringify({ data: 'x'.repeat(PREVIEW_BYTES * 2) });
  const row = toRow({ index: 7, value: long, length: long.length, truncated: false }, 3);
  assert.equal(row.truncated, true);
  assert.equal(row.value.length, PREVIEW_BYTES);
  assert.equal(row.pretty, undefined);
  assert.equal(row.position, 3);
  assert.equal(row.index, 7);
  const fromService = toRow({ index: 0, value: '{"a":', length: 9000, truncated: true }, 1);
  assert.equal(fromService.truncated, true);
  const small = toRow({ index: 0, value: '{"a":1}', length: 7, truncated: false }, 1);
  assert.equal(small.pretty, '{\n  "a": 1\n}');
});

test('currentIndex follows LPUSH growth; samePrefix checks the item', () => {
  assert.equal(currentIndex(5, 100, 130), 35);
  assert.equal(currentIndex(5, 100, 100), 5);
  assert.equal(currentIndex(5, 100, 90), 5);
  assert.equal(samePrefix('hello world', 'hello'), true);
  assert.equal(samePrefix('other', 'hello'), false);
});

test('escapeHtml escapes markup and quotes', () => {
  assert.equal(escapeHtml(`<img src=x onerror=alert(1)>"'&`), '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
});

test('the HTML shell has a strict CSP with a nonce and escapes its parts', () => {
  const n = nonce();
  assert.match(n, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(n, nonce());
  const csp = contentSecurityPolicy('vscode-resource:', n);
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, new RegExp(`script-src 'nonce-${n}'`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const html = resultsHtml({ cspSource: 'https://x', nonce: n, scriptUri: 'https://x/r.js', styleUri: 'https://x/r.css', title: '<b>q</b>', lang: 'en' });
  assert.match(html, new RegExp(`<script nonce="${n}" src="https://x/r.js"></script>`));
  assert.match(html, /<title>&lt;b&gt;q&lt;\/b&gt;<\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
});
