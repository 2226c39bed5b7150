// The test command: builds what the chosen groups need, then runs node's test runner on them.
// Groups are folders under test/; `node test/run.mjs` runs them all. The unit group runs its
// files in parallel (each file is its own process, nothing shared); the others one file at a
// time (they start servers, engines and browsers). Ends with one plain closing line
// (`N passed, N failed, N skipped`) that CI reads.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, existsSync, statSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const all = ['unit', 'contract', 'service', 'docker', 'local', 'e2e'];
const groups = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = groups.length ? groups : all;

/** Bundles each group runs (esbuild.mjs output names); 'all' for every bundle. */
const needs = {
  unit: ['computehub', 'mcp'], // the standalone hub and the MCP server, run as users run them
  contract: process.env.GRIDCORE_HUB_BINARY ? ['computehub'] : [], // the wrapped binary runs dist/computehub.js
  service: [],
  docker: [],
  local: ['computehub', 'gridnode', 'local-cluster', 'mainjob', 'mcp'], // upstream mode runs the standalone builds; the detached cluster its supervisor; the MCP loop its server
  e2e: 'all', // the extension in code-server
};
const wanted = chosen.some((g) => needs[g] === 'all' || needs[g] === undefined) ? 'all' : [...new Set(chosen.flatMap((g) => needs[g]))];
if (wanted === 'all' || wanted.length) {
  const build = spawnSync(process.execPath, ['esbuild.mjs', ...(wanted === 'all' ? [] : [`--only=${wanted.join(',')}`])], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return testFiles(p);
    return /\.test\.(ts|mjs)$/.test(f) ? [p] : [];
  });
}
const parallel = chosen.filter((g) => g === 'unit').flatMap((g) => testFiles(join('test', g))).sort();
const serial = chosen.filter((g) => g !== 'unit').flatMap((g) => testFiles(join('test', g))).sort();
if (!parallel.length && !serial.length) {
  console.error(`no test files in ${chosen.join(', ')}`);
  process.exit(1);
}
mkdirSync('test/.artifacts', { recursive: true });
const tap = join('test/.artifacts', 'results.tap');
rmSync(tap, { force: true });

/** One node --test run; its TAP goes to its own file, merged into results.tap after. */
function run(files, concurrency, name) {
  if (!files.length) return { status: 0, text: '' };
  const out = join('test/.artifacts', `results-${name}.tap`);
  const r = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${out}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, GRIDCORE_TEST: '1' } },
  );
  return { status: r.status ?? 1, text: existsSync(out) ? readFileSync(out, 'utf8') : '' };
}

const runs = [run(parallel, Math.max(2, availableParallelism()), 'unit'), run(serial, 1, 'serial')];
writeFileSync(tap, runs.map((r) => r.text).join('\n'));
const count = (k) => runs.reduce((n, r) => n + Number((r.text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0), 0);
// A runner that died (a signal, a crash) leaves its TAP without a summary: one failure each,
// so the closing line never reads "0 failed" for a run that did not finish.
const died = runs.filter((r) => r.status !== 0 && !/^# fail \d+$/m.test(r.text)).length;
if (died) console.error(`${died} test run(s) ended without a summary (killed or crashed): counted as failed`);
const summary = `${count('pass')} passed, ${count('fail') + count('cancelled') + died} failed, ${count('skipped')} skipped`;
writeFileSync(join('test/.artifacts', 'summary.txt'), summary + '\n');
console.log(summary);
process.exit(runs.find((r) => r.status !== 0)?.status ?? 0);
