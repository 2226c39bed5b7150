// The pure parts of Try Task Locally: findings from facts, rate and estimate, the report's
// markdown (container text never escapes its fence) and the results copy the results view pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { causeOfLogs, trialFindings, type TrialFacts } from '../../src/core/trial/findings';
import { estimateJob, formatDuration, itemsPerSecond, steadyRate, trialRate } from '../../src/core/trial/estimate';
import { resultsQueue } from '../../src/core/trial/results-copy';
import { isLoopbackRedis, scratchKeys, scratchQueues, trialNetwork } from '../../src/core/trial/run';
import type { TrialReport } from '../../src/core/trial/types';
import { trialMarkdown, trialSummary } from '../../src/ui-model/trial-report';

const facts = (f: Partial<TrialFacts>): TrialFacts => ({
  logs: [],
  stop: 'consumed',
  sampleSize: 10,
  consumed: 10,
  results: 10,
  loopbackRedis: false,
  networkMode: 'host',
  timeoutMs: 60_000,
  dockerfileProblems: [],
  ...f,
});
const ids = (f: Partial<TrialFacts>) => trialFindings(facts(f)).map((x) => x.id);

test('findings: each symptom maps to its row of the table', () => {
  assert.deepEqual(ids({}), []);
  assert.deepEqual(ids({ logs: ['(error) NOAUTH Authentication required.'], consumed: 0, results: 0, stop: 'exited', exitCode: 1 }), ['exitedAtStart', 'passwordMismatch']);
  assert.deepEqual(ids({ logs: ['WRONGPASS invalid username-password pair'], consumed: 0, results: 0, stop: 'exited' }), ['exitedAtStart', 'passwordMismatch']);
  assert.deepEqual(ids({ logs: ['exec /app/x: exec format error'], consumed: 0, results: 0, stop: 'exited' }), ['exitedAtStart', 'execFormat']);
  assert.deepEqual(ids({ startError: 'No command specified', consumed: 0, results: 0, stop: 'startFailed' }), ['missingEntrypoint']);
  assert.deepEqual(ids({ loopbackRedis: true, networkMode: undefined, consumed: 0, results: 0, stop: 'exited' }), ['exitedAtStart', 'redisUnreachable']);
  // still running, nothing taken: that is the finding
  assert.deepEqual(ids({ stop: 'consumed', consumed: 0, results: 0 }), ['neverTook']);
  // on the host network a loopback Redis is fine
  assert.deepEqual(ids({ loopbackRedis: true }), []);
  assert.deepEqual(ids({ stop: 'exited', exitCode: 1, consumed: 3, results: 2 }), ['exitedEarly']);
  assert.deepEqual(ids({ stop: 'exited', exitCode: 2 }), ['failedExit']);
  assert.deepEqual(ids({ stop: 'timeout', consumed: 0, results: 0 }), ['timeout', 'neverTook']);
  assert.deepEqual(ids({ results: 0 }), ['noResults']);
  assert.deepEqual(ids({ stop: 'timeout', results: 0 }), ['noResults']);
  assert.deepEqual(
    ids({ dockerfileProblems: [{ rule: 'cmdWithoutEntrypoint', severity: 'warning', message: '', range: { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 }, fixes: [] }] }),
    ['missingEntrypoint'],
  );
  assert.equal(causeOfLogs(['Could not connect to Redis at 127.0.0.1:6379: Connection refused']), 'redisUnreachable');
  assert.equal(causeOfLogs(['all fine']), undefined);
});

test('a consumer that exits 1 at start: the exit comes first, with its code and last lines, not "never took an item"', () => {
  const f = trialFindings(facts({ logs: ['starting', '', 'consumer: INPUT_REDIS_URL is not set'], stop: 'exited', exitCode: 1, consumed: 0, results: 0 }));
  assert.equal(f[0].id, 'exitedAtStart');
  assert.equal(f[0].severity, 'error');
  assert.match(f[0].message, /exited with code 1 before taking any item/);
  assert.match(f[0].message, /starting ⏎ consumer: INPUT_REDIS_URL is not set$/);
  assert.ok(!f.some((x) => x.id === 'neverTook'));
  const silent = trialFindings(facts({ stop: 'exited', exitCode: 3, consumed: 0, results: 0 }));
  assert.match(silent[0].message, /code 3 before taking any item, and wrote nothing/);
  const summary = trialSummary({ ...report({}), stop: 'exited', exitCode: 1, consumed: 0, resultsTotal: 0, results: [], findings: f });
  assert.match(summary, /exited with code 1 before taking any item/);
});

test('steady rate: timed between the first and the last result, start-up left out', () => {
  // results 0 → batches of 1,000 every 60 ms after a 900 ms start-up: 16,667 items/s
  const growth = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ at: 900 + i * 60, results: (i + 1) * 1000 }));
  const s = steadyRate(growth);
  assert.equal(Math.round(s!.perSecond), 16_667);
  assert.deepEqual([s!.results, s!.ms], [9000, 540]);
  // all at once, or within less than half a second: not timed
  assert.equal(steadyRate([{ at: 900, results: 10 }]), undefined);
  assert.equal(steadyRate([{ at: 900, results: 5 }, { at: 1000, results: 10 }]), undefined);
  // from its start, 10 results by 960 ms would have said 10.4 items/s, a 31-min estimate for 1,000,000 items... the figure
  const fromStart = trialRate(undefined, 10, 0, 960);
  assert.equal(fromStart?.basis.kind, 'fromStart');
  const steady = trialRate({ ...s!, repeatedTo: 10_000 }, 10, 0, 960);
  assert.deepEqual(steady?.basis, { kind: 'steady', results: 9000, ms: 540, repeatedTo: 10_000 });
  const r = { ...report({}), itemsPerSecond: steady!.perSecond, rateBasis: steady!.basis, estimate: estimateJob(1_000_000, steady!.perSecond, 1) };
  const md = trialMarkdown(r, undefined);
  assert.match(md, /16667 items\/s from one container: its steady rate, 9,000 results in 0\.5 s between its first and last result, timed on the sample repeated to 10,000 items/);
  assert.match(md, /1,000,000 items on one container: about 60 s .*; from the consumer's steady rate/);
});

test('rate, estimate and durations', () => {
  assert.equal(itemsPerSecond(0, 0, undefined), undefined);
  assert.equal(itemsPerSecond(10, 1000, 3000), 5);
  assert.deepEqual(estimateJob(1000, 5, 4), { items: 1000, parallelism: 4, seconds: 50 });
  assert.equal(estimateJob(1000, undefined, 4), undefined);
  assert.equal(estimateJob(1000, 5, undefined)?.parallelism, 1);
  assert.equal(formatDuration(4.24), '4.2 s');
  assert.equal(formatDuration(95), '1 min 35 s');
  assert.equal(formatDuration(3725), '1 h 2 min');
  assert.equal(formatDuration(200_000), '2 d 7 h');
});

test('network, loopback and scratch names', () => {
  assert.equal(trialNetwork({}).mode, 'host');
  assert.equal(trialNetwork({ target: { name: 'l', redisUrl: '', local: true } }).mode, 'host');
  assert.equal(trialNetwork({ target: { name: 'r', redisUrl: '', local: false } }).mode, undefined);
  assert.equal(trialNetwork({ networkMode: 'none' }).mode, 'none');
  assert.equal(isLoopbackRedis('redis://:pw@127.0.0.1:6379'), true);
  assert.equal(isLoopbackRedis('redis://localhost'), true);
  assert.equal(isLoopbackRedis('redis://[::1]:6379'), true);
  assert.equal(isLoopbackRedis('redis://10.0.0.5:6379'), false);
  assert.deepEqual(scratchQueues('x1'), { input: 'gridcore-trial:x1:input', output: 'gridcore-trial:x1:output' });
  // all under the trial's own prefix: removing them can never touch a task's keys
  assert.ok(scratchKeys(scratchQueues('x1')).every((k) => k.startsWith('gridcore-trial:x1:')));
});

const report = (r: Partial<TrialReport>): TrialReport => ({
  id: 'abc',
  image: 'gridcore-task/t:latest',
  imageReused: true,
  network: { mode: 'host', why: 'host network' },
  redis: 'redis://:****@127.0.0.1:6379',
  redisKind: 'cluster',
  inputQueue: 'gridcore-trial:abc:input',
  outputQueue: 'gridcore-trial:abc:output',
  sampleSize: 10,
  consumed: 10,
  results: ['1:1', '2:4'],
  resultsTotal: 2,
  stop: 'consumed',
  timings: { buildMs: 100, redisMs: 1, pushMs: 2, startMs: 300, firstResultMs: 400, toFirstResultMs: 900, runMs: 1000, totalMs: 1500 },
  itemsPerSecond: 2.5,
  estimate: { items: 1_000_000, parallelism: 4, seconds: 100_000 },
  findings: [],
  logTail: ['hello'],
  cleanedUp: ['container gridcore-trial-abc', 'gridcore-trial:abc:input'],
  ...r,
});

test('report: outcome, rate, estimate, findings; container text stays inside its fence', () => {
  const md = trialMarkdown(report({ results: ['```', 'x ```` y'], logTail: ['# not a heading', '````'] }), 'local');
  assert.match(md, /2\.50 items\/s/);
  assert.match(md, /1,000,000 items on local \(4 containers at once\): about 1 d 3 h/);
  assert.match(md, /unchanged: reused/);
  // the fences are longer than any run of backticks inside
  assert.ok(md.includes('`````text\n```\nx ```` y\n`````'));
  assert.ok(md.includes('`````text\n# not a heading\n````\n`````'));
  const failing = report({ findings: [{ id: 'passwordMismatch', severity: 'error', message: 'Redis refused the password', rule: 'Rule 1' }] });
  assert.match(trialMarkdown(failing, undefined), /\*\*Error\*\*: Redis refused the password \*\(Rule 1\)\*/);
  assert.match(trialSummary(failing), /Redis refused the password$/);
  assert.match(trialSummary(report({})), /10\/10 items taken, 2 results\. 2\.50 items\/s\./);
});

test('results copy: pages like a Redis list (0 = newest), searches and refuses changes', async () => {
  const q = resultsQueue('trial x', 'out', ['first', 'second', 'third']);
  assert.deepEqual(await q.lengths(['out', 'other']), { out: 3, other: 0 });
  assert.deepEqual((await q.page('out', { from: 'newest', offset: 0, count: 2 })).items.map((i) => [i.index, i.value]), [[0, 'third'], [1, 'second']]);
  assert.deepEqual((await q.page('out', { from: 'oldest', offset: 0, count: 2 })).items.map((i) => [i.index, i.value]), [[2, 'first'], [1, 'second']]);
  assert.equal(await q.item('out', 2), 'first');
  assert.deepEqual((await q.search('out', 'ir', {})).matches.map((m) => m.value), ['third', 'first']);
  await assert.rejects(q.deleteQueue('out'));
});
