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

// The layering rules (eslint.config.mjs) on sources that are not on disk: each upward import
// is an error, in every form an import takes; imports down or within a layer pass.
const layering: Array<{ file: string; text: string; fails: boolean }> = [
  { file: 'src/core/trial/upward.ts', text: "import { anyFreePort } from '../../local/cluster';\nexport const p = anyFreePort;\n", fails: true },
  { file: 'src/core/upward.ts', text: "import type { Snapshot } from '../ui-model/cluster-monitor';\nexport type S = Snapshot;\n", fails: true },
  { file: 'src/core/upward.ts', text: "export { toFinding } from '../diagnostics/dockerfile-rules-adapter';\n", fails: true },
  { file: 'src/core/upward.ts', text: "export const load = () => import('../views/dashboard/panel.js');\n", fails: true },
  { file: 'src/core/upward.ts', text: "export type Api = typeof import('../local/cluster');\n", fails: true },
  { file: 'src/core/upward.ts', text: "import { a } from '../commands/registry';\nexport const b = a;\n", fails: true },
  { file: 'src/core/upward.ts', text: "import { a } from '../chat/adapter';\nexport const b = a;\n", fails: true },
  { file: 'src/local/node/upward.ts', text: "import { formatCount } from '../../ui-model/format';\nexport const f = formatCount;\n", fails: true },
  { file: 'src/local/upward.ts', text: "import { a } from '../views/status-bar';\nexport const b = a;\n", fails: true },
  { file: 'src/local/node/down.ts', text: "import { containerSpec } from '../../core/docker/containers';\nexport const c = containerSpec;\n", fails: false },
  { file: 'src/core/trial/down.ts', text: "import { anyFreePort } from '../machine/free-ports';\nexport const p = anyFreePort;\n", fails: false },
  { file: 'src/ui-model/down.ts', text: "import { formatCount } from '../core/numbers';\nexport const f = formatCount;\n", fails: false },
];

test('ESLint: an upward import fails, one down or within a layer passes', { timeout: 120_000 }, async () => {
  const eslint = new ESLint({ cwd: join(__dirname, '..', '..') });
  for (const c of layering) {
    const [r] = await eslint.lintText(c.text, { filePath: join(__dirname, '..', '..', c.file) });
    const layeringErrors = r.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax');
    assert.equal(layeringErrors.length > 0, c.fails, `${c.file}: ${c.text.split('\n')[0]} -> ${JSON.stringify(r.messages.map((m) => m.message))}`);
    if (c.fails) assert.equal(r.messages.length, layeringErrors.length, `${c.file}: only the layering rule speaks`);
  }
});
