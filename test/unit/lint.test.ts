// ESLint over the whole repository (eslint.config.mjs: typescript-eslint's recommended rules
// and the layering rules), zero warnings allowed: the fast group fails on the first one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

test('ESLint: no error and no warning anywhere', { timeout: 300_000 }, async () => {
  const eslint = new ESLint({ cwd: join(__dirname, '..', '..') });
  const results = await eslint.lintFiles(['.']);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message}`));
  assert.ok(results.length > 100, `linted only ${results.length} files`);
  assert.deepEqual(problems, []);
});
