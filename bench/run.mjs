// `npm run bench`: starts one redis-server, runs every bench/*.bench.ts (each in its own Node
// process via tsx, so one bench's memory does not colour the next), prints a table with each
// figure, its peer and the ratio, and writes bench/results/results.json.
// A bench file exports `async function run(): Promise<Result[]>`; it finds Redis through
// GRIDCORE_BENCH_REDIS_URL / GRIDCORE_BENCH_REDIS_PORT.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
for (let i = 0; i < 100; i++) {
  const ok = await new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
  if (ok) break;
  await new Promise((r) => setTimeout(r, 50));
}

const all = [];
try {
  for (const f of files) {
    process.stderr.write(`bench ${f} ...\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'support', 'run-one.mts'), join(here, f)], {
      encoding: 'utf8',
      env: { ...process.env, GRIDCORE_BENCH_REDIS_URL: `redis://127.0.0.1:${port}`, GRIDCORE_BENCH_REDIS_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
      timeout: /^(local-cluster|failed-items|tree-browser)/.test(f) ? 1_200_000 : 180_000, // the local cluster runs whole jobs; tree-browser packages and launches VS Code twice
    });
    const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('RESULTS ')).pop();
    if (r.status !== 0 || !line) {
      all.push({ bench: f, name: 'failed', ours: NaN, unit: '', higherIsBetter: true, note: `exit ${r.status ?? r.signal}` });
      continue;
    }
    for (const res of JSON.parse(line.slice(8))) all.push({ bench: f, ...res });
  }
} finally {
  redis.kill('SIGKILL');
}

const fmt = (n) => (n === undefined || Number.isNaN(n) ? '-' : Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const rows = all.map((r) => {
  const ratio = r.peer ? (r.higherIsBetter ? r.ours / r.peer : r.peer / r.ours) : undefined;
  r.ratio = ratio;
  return [r.name, `${fmt(r.ours)} ${r.unit}`, r.peer === undefined ? '-' : `${fmt(r.peer)} ${r.unit}`, r.peerName ?? '', ratio === undefined ? '-' : Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'ours 0', r.note ?? ''];
});
const head = ['figure', 'ours', 'peer', 'peer is', 'ours/peer (>1 = better)', 'note'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'results.json'), JSON.stringify({ date: new Date().toISOString(), results: all }, null, 2));
if (all.some((r) => r.name === 'failed')) process.exitCode = 1;
