// The results panel's host-side session on a real redis-server and the real QueueService:
// a 1,000,000-item list pages without loading it, markup round-trips as data, expand follows
// LPUSH growth, and nothing is ever removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultsSession } from '../../src/views/results/session';
import { useQueueService } from '../support/queue-service';

const q = useQueueService({ password: 'pw-results', settings: { pushBatchSize: 1000 } });

test('a 1,000,000-item list: first page, last page, total', async () => {
  const r = await q.svc.push('big:output', { kind: 'range', from: 1, to: 1_000_000 });
  assert.equal(r.pushed, 1_000_000);
  const s = new ResultsSession(q.svc, 'big:output');
  const first = await s.page('newest', 0, 200);
  assert.equal(first.total, 1_000_000);
  assert.equal(first.rows.length, 200);
  assert.equal(first.rows[0].value, '1000000');
  assert.equal(first.rows[0].position, 1);
  const oldest = await s.page('oldest', 0, 3);
  assert.deepEqual(oldest.rows.map((x) => [x.value, x.index, x.position]), [['1', 999_999, 1], ['2', 999_998, 2], ['3', 999_997, 3]]);
  const deep = await s.page('newest', 999_990, 200);
  assert.equal(deep.rows.length, 10);
  assert.equal(await q.raw.llen('big:output'), 1_000_000, 'reading removed nothing');
});

test('markup and JSON values come back as data; long values are previews that expand', async () => {
  const xss = '<img src=x onerror=alert(1)>';
  const long = JSON.stringify({ blob: 'y'.repeat(10_000) });
  await q.raw.lpush('mix:output', long, '{"a":[1,2]}', xss);
  const s = new ResultsSession(q.svc, 'mix:output');
  const p = await s.page('newest', 0, 10);
  assert.equal(p.rows[0].value, xss);
  assert.equal(p.rows[1].pretty, '{\n  "a": [\n    1,\n    2\n  ]\n}');
  const big = p.rows[2];
  assert.equal(big.truncated, true);
  assert.equal(big.length, long.length);
  await q.raw.lpush('mix:output', 'newer-1', 'newer-2');
  const full = await s.item(big.index, p.total, big.value.slice(0, 200));
  assert.equal(full.missing, false);
  assert.equal(full.value, long);
  assert.match(full.pretty ?? '', /^\{\n {2}"blob": "y/);
  const copied = await s.fullValue(big.index, p.total, big.value.slice(0, 200));
  assert.equal(copied.value, long);
  assert.equal(copied.index, big.index + 2);
});

test('server-side search scans the whole list with progress and stops on cancel', async () => {
  const s = new ResultsSession(q.svc, 'big:output');
  const seen: number[] = [];
  const r = await s.search('99999', { isCancellationRequested: false }, (scanned) => seen.push(scanned));
  assert.equal(r.complete, true);
  assert.equal(r.scanned, 1_000_000);
  const values = r.rows.map((x) => x.value).sort();
  assert.ok(values.includes('99999') && values.includes('999990'));
  assert.ok(seen.length > 1);
  let cancel = false;
  const stopped = await s.search('no-such-value', { get isCancellationRequested() { return cancel; } }, (scanned) => { if (scanned > 0) cancel = true; });
  assert.equal(stopped.complete, false);
  assert.ok(stopped.scanned < 1_000_000);
});
