// `npm run start:local -- --open`: the option parses (its real run, a cluster plus VS Code in
// the browser, is checked by hand: it stays up until Ctrl+C).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

const repoRoot = resolve(__dirname, '..', '..');

test('start:local accepts --open and documents it in --help', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/local/mainjob-main.ts', '--open', '--help'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--open\s+keep the cluster and open VS Code/);
  assert.match(r.stdout, /--keep/);
});
