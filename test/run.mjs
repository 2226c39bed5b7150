// The test command: builds the bundles, then runs node's test runner on the chosen groups.
// Groups are folders under test/; `node test/run.mjs` runs them all. Node's runner prints
// the closing summary (# pass / # fail) that CI reads.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync, statSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const all = ['unit', 'contract', 'service', 'docker', 'local', 'e2e'];
const groups = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = groups.length ? groups : all;

const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return testFiles(p);
    return /\.test\.(ts|mjs)$/.test(f) ? [p] : [];
  });
}
const files = chosen.flatMap((g) => testFiles(join('test', g))).sort();
if (!files.length) {
  console.error(`no test files in ${chosen.join(', ')}`);
  process.exit(1);
}
mkdirSync('test/.artifacts', { recursive: true });
const tap = join('test/.artifacts', 'results.tap');
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, GRIDCORE_TEST: '1' } },
);
// One plain closing line, whatever the reporter above printed.
const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
const count = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
const summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
writeFileSync(join('test/.artifacts', 'summary.txt'), summary + '\n');
console.log(summary);
process.exit(r.status ?? 1);
