// The reliable-consumer convention (issue 16), without Redis: both templates carry the core's
// scripts word for word, names with `:` and spaces parse back, the stranded rules, and the
// progress rule that names items nobody holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ACK_SCRIPT, COMMIT_SCRIPT, parseProcessingList, processingList, processingRegistry, RELEASE_SCRIPT, StrandedTracker, strandedReason, TAKE_SCRIPT } from '../../src/core/inflight';
import { poisonPython, poisonShell } from '../fixtures/poison/consumers';
import { progress } from '../../src/core/progress';
import type { HubNode, InFlightList, ProgressSample } from '../../src/core/types';

const templates = resolve(__dirname, '../../media/templates');
const shell = readFileSync(resolve(templates, 'shell-square/consumer.sh'), 'utf8');
const python = readFileSync(resolve(templates, 'python-sqrt/consumer.py'), 'utf8');

function shellScript(name: string): string {
  const m = new RegExp(`^${name}='([^']*)'`, 'm').exec(shell);
  assert.ok(m, `${name} in consumer.sh`);
  return m[1].trim();
}

function pythonScript(name: string): string {
  const m = new RegExp(`^${name} = """([^]*?)"""`, 'm').exec(python);
  assert.ok(m, `${name} in consumer.py`);
  return m[1].trim();
}

test('both templates carry the core\'s TAKE, COMMIT, ACK and RELEASE scripts word for word', () => {
  for (const [name, script] of [['TAKE', TAKE_SCRIPT], ['COMMIT', COMMIT_SCRIPT], ['ACK', ACK_SCRIPT], ['RELEASE', RELEASE_SCRIPT]] as const) {
    assert.equal(shellScript(name), script.trim(), `shell ${name}`);
    assert.equal(pythonScript(name), script.trim(), `python ${name}`);
    assert.doesNotMatch(script, /'/, `${name} holds no single quote (the shell template quotes it so)`);
  }
  // Both name their lists by the convention, and finish their batch on SIGTERM.
  assert.match(shell, /PROCESSING="\$INPUT_QUEUE:processing:\$\{NODE_ID:-local\}:\$\{INSTANCE_ID:-0\}"/);
  assert.match(shell, /REGISTRY="\$INPUT_QUEUE:processing"/);
  assert.match(shell, /FAILED="\$INPUT_QUEUE:failed"/);
  assert.match(shell, /ATTEMPTS="\$INPUT_QUEUE:attempts"/);
  assert.match(shell, /trap 'stop=1' TERM INT/);
  assert.match(python, /processing = f"\{input_q\}:processing:\{os\.environ\.get\('NODE_ID', 'local'\)\}:\{os\.environ\.get\('INSTANCE_ID', '0'\)\}"/);
  assert.match(python, /failed_q, attempts_h = f"\{input_q\}:failed", f"\{input_q\}:attempts"/);
  assert.match(python, /signal\.signal\(signal\.SIGTERM, on_term\)/);
  // The same settings, with the same defaults, in both.
  for (const [name, value] of [['BATCH', '1000'], ['BATCH_SECONDS', '300'], ['MAX_KILLS', '3'], ['FAIL_PERCENT', '50'], ['FAIL_PAUSE_SECONDS', '10']]) {
    assert.ok(shell.includes(`${name}=\${${name}:-${value}}`), `shell ${name}`);
    assert.ok(python.includes(`os.environ.get("${name}", "${value}")`), `python ${name}`);
  }
});

test('consumers never idle out: no idle timer, they wait for as long as they run', () => {
  assert.doesNotMatch(shell, /IDLE_SECONDS|input empty for/);
  assert.doesNotMatch(python, /IDLE_SECONDS|idle_since/);
  assert.match(shell, /while \[ "\$stop" = 0 \]; do/);
  assert.match(python, /while not stopping:/);
});

test('the shell template\'s happy path starts no process it can avoid (issue 24: 4 per batch, none between)', () => {
  // busybox forks twice for `$(cmd)` when cmd is a shell function or an EXIT trap is set, once otherwise
  assert.doesNotMatch(shell, /^\s*trap .*\bEXIT\b/m, 'no EXIT trap');
  assert.match(shell, /out=\$\(redis-cli --no-auth-warning -u "\$@" 2>&1\)/, 'redis-cli is its substitution\'s only command');
  assert.doesNotMatch(shell, /\| awk "\$WORK"/, 'the items reach the awk through a file, not a printf pipe');
  assert.doesNotMatch(shell, /while sleep 1/, 'the watchdog ticks without a sleep process');
});

test('the test variants still find their anchors in both templates', () => {
  assert.match(poisonShell(), /poison-exit/);
  assert.match(poisonPython(), /def poison\(item: bytes\)/);
});

test('processing list names: input names with ":" and spaces, node ids with ":"', () => {
  const input = 'my job: part 2:in';
  assert.equal(processingRegistry(input), 'my job: part 2:in:processing');
  const list = processingList(input, 'node:7 a', '3');
  assert.deepEqual(parseProcessingList(input, list), { nodeId: 'node:7 a', instance: '3' });
  assert.equal(parseProcessingList(input, 'other:processing:n:1'), undefined);
  assert.equal(parseProcessingList(input, `${processingRegistry(input)}:no-instance:`), undefined);
});

const node = (id: string, status: HubNode['status'] = 'Online'): HubNode => ({ id, hostname: 'h', architecture: 'x86_64', cpu_count: 2, last_seen: '', status, runtime_status: 'Running', active_containers: 1 });
const l = (p: Partial<InFlightList> = {}): InFlightList => ({ list: 'q:processing:n1:0', token: 't1', length: 10, nodeId: 'n1', instance: '0', ...p });

test('stranded rules: not a list, container gone, node gone or offline, task not current, unchanged too long', () => {
  const base = { staleMs: 1000 };
  assert.equal(strandedReason(l({ length: -1 }), base), 'notAList');
  assert.equal(strandedReason(l({ length: 0 }), { ...base, taskCurrent: false }), undefined, 'an empty list holds nothing');
  assert.equal(strandedReason(l(), { ...base, containerAlive: () => false }), 'containerGone');
  assert.equal(strandedReason(l(), { ...base, containerAlive: () => true, nodes: [node('n1')] }), undefined);
  assert.equal(strandedReason(l(), { ...base, nodes: [node('n2')] }), 'nodeGone');
  assert.equal(strandedReason(l(), { ...base, nodes: [node('n1', 'Offline')] }), 'nodeGone');
  assert.equal(strandedReason(l(), { ...base, nodes: [node('n1')], taskCurrent: false }), 'taskNotCurrent');
  assert.equal(strandedReason(l(), { ...base, nodes: [node('n1')], taskCurrent: true, unchangedMs: () => 999 }), undefined);
  assert.equal(strandedReason(l(), { ...base, nodes: [node('n1')], taskCurrent: true, unchangedMs: () => 1000 }), 'unchanged');
  // Unknown facts skip their rule.
  assert.equal(strandedReason(l(), base), undefined);
});

test('the tracker counts unchanged time per list; a new token or length starts it again', () => {
  const t = new StrandedTracker();
  t.observe([l()], 0);
  assert.equal(t.unchangedMs(l(), 5000), 5000);
  t.observe([l({ token: 't2' })], 6000);
  assert.equal(t.unchangedMs(l({ token: 't2' }), 7000), 1000);
  t.observe([l({ token: 't2', length: 5 })], 8000);
  assert.equal(t.unchangedMs(l({ token: 't2', length: 5 }), 8000), 0);
  t.observe([], 9000);
  assert.equal(t.unchangedMs(l({ token: 't2', length: 5 }), 9000), 0, 'a list gone is forgotten');
});

test('progress names unaccounted items only once nothing moved anywhere for the settle time', () => {
  const s = (at: number, input: number, output: number, processing?: number): ProgressSample => ({ at, input, output, processing });
  // Still settling: no claim.
  assert.equal(progress(1000, [s(0, 0, 900, 0), s(10_000, 0, 900, 0)], { settleMs: 15_000 }).unaccounted, undefined);
  const settled = progress(1000, [s(0, 5, 880, 0), s(5000, 0, 900, 0), s(20_000, 0, 900, 0)], { settleMs: 15_000 });
  assert.equal(settled.unaccounted, 100);
  assert.equal(settled.finished, false);
  assert.equal(settled.processing, 0);
  // Items in a processing list are held, not lost.
  assert.equal(progress(1000, [s(0, 0, 900, 100), s(20_000, 0, 900, 100)], { settleMs: 15_000 }).unaccounted, undefined);
  // Output still growing: not yet.
  assert.equal(progress(1000, [s(0, 0, 890), s(20_000, 0, 900)], { settleMs: 15_000 }).unaccounted, undefined);
  // Unknown total: nothing to compare with.
  assert.equal(progress(undefined, [s(0, 0, 900), s(20_000, 0, 900)], { settleMs: 15_000 }).unaccounted, undefined);
  assert.equal(progress(1000, [s(0, 0, 1000), s(20_000, 0, 1000)]).unaccounted, undefined);
});
