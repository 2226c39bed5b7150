// QueueService on a real redis-server: lengths, every push source, pages, search, export, db URLs.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { createQueueService } from '../../src/core/queues/index';
import { silentLogger } from '../../src/core/ports';
import { RedisError } from '../../src/core/errors';
import { queueSettings, useQueueService } from '../support/queue-service';

const settings = queueSettings();

const q = useQueueService();
const dir = mkdtempSync(join(tmpdir(), 'gc-queues-'));

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Items in push order (oldest first). */
async function all(queue: string): Promise<string[]> {
  return (await q.raw.lrange(queue, 0, -1)).reverse();
}

async function stat(field: string, section = 'stats'): Promise<number> {
  const info = await q.raw.info(section);
  return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

async function llenCalls(): Promise<number> {
  const info = await q.raw.info('commandstats');
  return Number(/^cmdstat_llen:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

describe('lengths', () => {
  for (const n of [1, 10, 100]) {
    test(`${n} queues in one round trip`, async () => {
      const queues = Array.from({ length: n }, (_, i) => `len:${n}:${i}`);
      await q.raw.lpush(queues[0], 'a', 'b');
      await q.svc.ping();
      const calls0 = await llenCalls();
      const reads0 = await stat('total_reads_processed');
      const lengths = await q.svc.lengths(queues);
      // The INFO below is read once more: one read for our pipeline, one for it.
      const reads1 = await stat('total_reads_processed');
      const calls1 = await llenCalls();
      assert.equal(lengths[queues[0]], 2);
      assert.equal(Object.keys(lengths).length, n);
      assert.equal(calls1 - calls0, n);
      assert.equal(reads1 - reads0 - 1, 1, 'one network read on the server = one round trip');
    });
  }
  test('a poll\'s probe: the lengths in one round trip, or one PING when no queue is watched', async () => {
    await q.raw.lpush('probe:a', 'x');
    await q.svc.ping();
    for (const [queues, expected] of [[['probe:a', 'probe:b'], { 'probe:a': 1, 'probe:b': 0 }], [[], {}]] as const) {
      const reads0 = await stat('total_reads_processed');
      const probe = await q.svc.probe([...queues]);
      const reads1 = await stat('total_reads_processed');
      assert.deepEqual(probe.lengths, expected);
      assert.equal(reads1 - reads0 - 1, 1, `one round trip for ${queues.length} queues`);
    }
  });
  test('a key that is not a list is named', async () => {
    await q.raw.set('notalist', 'x');
    await assert.rejects(q.svc.lengths(['notalist']), (e: RedisError) => e.code === 'command' && /notalist/.test(e.message));
  });
});

describe('push sources', () => {
  test('array, with progress and UTF-8', async () => {
    const items = Array.from({ length: 250 }, (_, i) => `v${i} é 漢字`);
    const seen: number[] = [];
    const r = await q.svc.push('p:array', { kind: 'array', items }, { onProgress: (n) => seen.push(n) });
    assert.equal(r.pushed, 250);
    assert.equal(r.error, undefined);
    assert.deepEqual(await all('p:array'), items);
    assert.equal(seen.at(-1), 250);
    assert.equal(await q.raw.exists(`gridcore:push:${r.pushId}`), 0, 'marker removed after a complete push');
  });
  test('sync and async iterables', async () => {
    function* gen() {
      for (let i = 0; i < 123; i++) yield `s${i}`;
    }
    async function* agen() {
      for (let i = 0; i < 77; i++) yield `a${i}`;
    }
    assert.equal((await q.svc.push('p:sync', { kind: 'iterable', items: gen() })).pushed, 123);
    assert.equal((await q.svc.push('p:async', { kind: 'iterable', items: agen() })).pushed, 77);
    assert.deepEqual(await all('p:async'), Array.from({ length: 77 }, (_, i) => `a${i}`));
  });
  test('file of lines: CRLF, blank lines skipped, no final newline', async () => {
    const f = file('lines.txt', 'one\r\ntwo\n\nthree');
    const r = await q.svc.push('p:lines', { kind: 'lines', file: f });
    assert.equal(r.pushed, 3);
    assert.deepEqual(await all('p:lines'), ['one', 'two', 'three']);
  });
  test('JSON array: strings as values, others compact, digits kept', async () => {
    const f = file('arr.json', '[\n "a,b]", \n {"x": [1, 2], "s": "q\\" }"},\n 12345678901234567890, true, null, [ ]\n]\n');
    const r = await q.svc.push('p:json', { kind: 'jsonArray', file: f });
    assert.equal(r.error, undefined);
    assert.deepEqual(await all('p:json'), ['a,b]', '{"x":[1,2],"s":"q\\" }"}', '12345678901234567890', 'true', 'null', '[]']);
  });
  test('lines across read chunks: lines spanning a chunk edge, one longer than two chunks, CRLF endings', async () => {
    // The reader reads 1 MiB at a time into one buffer it reuses: what is carried over must be
    // a copy, and a line may span several reads.
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 3.5 * (1 << 20); i++) {
      const l = i === 2_000 ? 'L'.repeat(2.5 * (1 << 20)) : `line-${i}-${'x'.repeat(i % 97)}`;
      lines.push(l);
      size += l.length + 2;
    }
    const f = file('chunks.txt', lines.map((l) => `${l}\r\n`).join(''));
    const r = await q.svc.push('p:chunks', { kind: 'lines', file: f });
    assert.equal(r.error, undefined);
    assert.equal(r.pushed, lines.length);
    const got = await all('p:chunks');
    assert.equal(got.length, lines.length);
    for (let i = 0; i < lines.length; i++) if (got[i] !== lines[i]) assert.fail(`item ${i}: ${JSON.stringify(got[i].slice(0, 40))} is not ${JSON.stringify(lines[i].slice(0, 40))}`);
  });
  test('JSON array streamed across chunks (elements larger than the read size)', async () => {
    const big = 'x'.repeat(1_500_000);
    const f = file('arr-big.json', JSON.stringify([big, { k: big }, 'end']));
    const r = await q.svc.push('p:jsonbig', { kind: 'jsonArray', file: f });
    assert.equal(r.pushed, 3);
    const got = await all('p:jsonbig');
    assert.equal(got[0], big);
    assert.equal(got[1], JSON.stringify({ k: big }));
    assert.equal(got[2], 'end');
  });
  test('malformed JSON array is a ConfigError naming the file', async () => {
    const f = file('bad.json', '{"not": "array"}');
    await assert.rejects(
      (async () => {
        const r = await q.svc.push('p:bad', { kind: 'jsonArray', file: f });
        if (r.error) throw r.error;
      })(),
      /bad\.json is not a JSON array/,
    );
  });
  test('JSON Lines', async () => {
    const f = file('l.jsonl', '"plain"\n{"a": 1}\n\n42\n');
    const r = await q.svc.push('p:jsonl', { kind: 'jsonLines', file: f });
    assert.deepEqual(await all('p:jsonl'), ['plain', '{"a": 1}', '42']);
    assert.equal(r.pushed, 3);
  });
  test('CSV rows, header skipped, quoted line break kept in its row', async () => {
    const f = file('rows.csv', 'id,text\r\n1,"hello\nworld"\r\n2,plain\r\n');
    const r = await q.svc.push('p:csv', { kind: 'csv', file: f, skipHeader: true });
    assert.equal(r.pushed, 2);
    assert.deepEqual(await all('p:csv'), ['1,"hello\nworld"', '2,plain']);
  });
  test('number range, both directions', async () => {
    assert.equal((await q.svc.push('p:range', { kind: 'range', from: 1, to: 10000 })).pushed, 10000);
    assert.equal(await q.raw.lindex('p:range', 0), '10000');
    assert.equal((await q.svc.push('p:down', { kind: 'range', from: 10, to: 1, step: -3 })).pushed, 4);
    assert.deepEqual(await all('p:down'), ['10', '7', '4', '1']);
  });
  test('a big file is streamed: every line lands, memory stays bounded', async () => {
    const f = join(dir, 'big.txt');
    const out = createWriteStream(f);
    const n = 400_000;
    for (let i = 0; i < n; i += 10_000) {
      let s = '';
      for (let j = i; j < i + 10_000; j++) s += `line-${j}-${'z'.repeat(40)}\n`;
      if (!out.write(s)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    const r = await q.svc.push('p:big', { kind: 'lines', file: f }, { batchSize: 1000 });
    assert.equal(r.pushed, n);
    assert.equal(await q.raw.llen('p:big'), n);
    assert.equal(await q.raw.lindex('p:big', -1), `line-0-${'z'.repeat(40)}`);
    assert.equal(await q.raw.lindex('p:big', 0), `line-${n - 1}-${'z'.repeat(40)}`);
  });
  test('missing file is a ConfigError before anything is pushed', async () => {
    await assert.rejects(q.svc.push('p:none', { kind: 'lines', file: join(dir, 'nope.txt') }), /Cannot read/);
  });
});

describe('cancel', () => {
  test('the count reported is exactly what is in Redis', async () => {
    let cancel = false;
    const signal = { get isCancellationRequested() { return cancel; } };
    const r = await q.svc.push('p:cancel', { kind: 'range', from: 1, to: 1_000_000 }, {
      batchSize: 500,
      signal,
      onProgress: (n) => {
        if (n >= 20_000) cancel = true;
      },
    });
    assert.equal(r.cancelled, true);
    assert.ok(r.pushed >= 20_000 && r.pushed < 1_000_000, `pushed ${r.pushed}`);
    assert.equal(await q.raw.llen('p:cancel'), r.pushed);
    // And the rest can follow, without duplicates.
    const rest = await q.svc.push('p:cancel', { kind: 'range', from: 1, to: 1_000_000 }, { resumeId: r.pushId });
    assert.equal(rest.pushed, 1_000_000);
    assert.equal(rest.previouslyPushed, r.pushed);
    assert.equal(await q.raw.llen('p:cancel'), 1_000_000);
    assert.equal(await q.raw.lindex('p:cancel', 0), '1000000');
    assert.equal(await q.raw.lindex('p:cancel', -1), '1');
  });
});

describe('pages, items, search', () => {
  before(async () => {
    // p:page holds 0..999, pushed in order: index 0 is 999 (newest), the tail is 0 (oldest).
    await q.svc.push('p:page', { kind: 'range', from: 0, to: 999 });
  });
  test('from the newest end', async () => {
    const p = await q.svc.page('p:page', { from: 'newest', offset: 10, count: 3 });
    assert.equal(p.total, 1000);
    assert.deepEqual(p.items.map((i) => [i.index, i.value]), [[10, '989'], [11, '988'], [12, '987']]);
  });
  test('from the oldest end', async () => {
    const p = await q.svc.page('p:page', { from: 'oldest', offset: 0, count: 3 });
    assert.deepEqual(p.items.map((i) => [i.index, i.value]), [[999, '0'], [998, '1'], [997, '2']]);
    const last = await q.svc.page('p:page', { from: 'oldest', offset: 998, count: 5 });
    assert.deepEqual(last.items.map((i) => i.value), ['998', '999']);
  });
  test('past the end is empty', async () => {
    assert.deepEqual((await q.svc.page('p:page', { from: 'newest', offset: 5000, count: 3 })).items, []);
    assert.equal((await q.svc.page('missing', { from: 'newest', offset: 0, count: 3 })).total, 0);
  });
  test('truncation keeps whole characters and reports the full length; item() gives it whole', async () => {
    const v = 'é'.repeat(100); // 200 bytes
    await q.raw.lpush('p:trunc', v);
    const [it] = (await q.svc.page('p:trunc', { from: 'newest', offset: 0, count: 1, maxValueBytes: 51 })).items;
    assert.equal(it.truncated, true);
    assert.equal(it.length, 200);
    assert.equal(it.value, 'é'.repeat(25));
    assert.equal(await q.svc.item('p:trunc', 0), v);
    assert.equal(await q.svc.item('p:trunc', 5), null);
  });
  test('binary and 10 MB values', async () => {
    const bin = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0x80]);
    const huge = Buffer.alloc(10 * 1024 * 1024, 'a');
    await q.raw.lpush('p:bin', bin, huge);
    const p = await q.svc.page('p:bin', { from: 'oldest', offset: 0, count: 2, maxValueBytes: 1024 });
    assert.equal(p.items[0].length, 8);
    assert.equal(p.items[0].truncated, false);
    assert.equal(p.items[1].length, huge.length);
    assert.equal(p.items[1].value.length, 1024);
    assert.equal(p.items[1].truncated, true);
  });
  test('search goes through the whole list in chunks, with progress', async () => {
    await q.svc.push('p:search', { kind: 'range', from: 0, to: 9999 });
    const progress: number[] = [];
    const r = await q.svc.search('p:search', '777', { onProgress: (s) => progress.push(s) });
    assert.equal(r.complete, true);
    assert.equal(r.scanned, 10000);
    assert.deepEqual(r.matches.map((m) => m.value).sort(), ['1777', '2777', '3777', '4777', '5777', '6777', '7770', '7771', '7772', '7773', '7774', '7775', '7776', '7777', '7778', '7779', '777', '8777', '9777'].sort());
    assert.ok(progress.length > 1);
    const limited = await q.svc.search('p:search', '1', { limit: 5 });
    assert.equal(limited.matches.length, 5);
    assert.equal(limited.complete, false);
  });
});

describe('export', () => {
  test('lines: every item, in LRANGE order, line breaks escaped', async () => {
    await q.svc.push('p:export', { kind: 'range', from: 1, to: 25000 });
    await q.raw.lpush('p:export', 'two\nlines\\x');
    const f = join(dir, 'out.txt');
    const progress: number[] = [];
    const r = await q.svc.exportToFile('p:export', f, { onProgress: (w) => progress.push(w) });
    assert.equal(r.written, 25001);
    const lines = readFileSync(f, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 25001);
    assert.equal(lines[0], 'two\\nlines\\\\x');
    assert.equal(lines[1], '25000');
    assert.equal(lines[25000], '1');
    assert.ok(progress.length >= 3);
    assert.equal(await q.raw.llen('p:export'), 25001, 'export removes nothing');
  });
  test('jsonl: JSON strings, binary-safe as text', async () => {
    const f = join(dir, 'out.jsonl');
    const r = await q.svc.exportToFile('p:export', f, { format: 'jsonl' });
    assert.equal(r.written, 25001);
    const lines = readFileSync(f, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0], 'two\nlines\\x');
    assert.equal(lines[25000], '1');
  });
  test('cancel stops with what was written', async () => {
    let n = 0;
    const r = await q.svc.exportToFile('p:export', join(dir, 'c.txt'), {
      signal: { get isCancellationRequested() { return n > 0; } },
      onProgress: (w) => (n = w),
    });
    assert.equal(r.cancelled, true);
    assert.equal(r.written, 10000);
  });
});

describe('URLs are passed whole', () => {
  test('a /db number selects that database', async () => {
    const db3 = createQueueService('db3', `${q.redis.url}/3`, settings, silentLogger);
    try {
      await db3.push('p:db', { kind: 'array', items: ['x', 'y'] });
      const r3 = new Redis(q.redis.url, { db: 3 });
      assert.equal(await r3.llen('p:db'), 2);
      r3.disconnect();
      assert.equal(await q.raw.llen('p:db'), 0);
      assert.deepEqual(await db3.lengths(['p:db']), { 'p:db': 2 });
    } finally {
      await db3.dispose();
    }
  });
  test('rediss:// goes to TLS (this server speaks plain TCP, so it fails as a connection error)', async () => {
    const tls = createQueueService('tls', q.redis.url.replace('redis://', 'rediss://'), { ...settings, redisTimeoutMs: 1000 }, silentLogger);
    try {
      await assert.rejects(tls.ping(), (e: RedisError) => e instanceof RedisError && e.code !== 'badurl');
    } finally {
      await tls.dispose();
    }
  });
  test('a URL that is not redis is refused as badurl', () => {
    assert.throws(() => createQueueService('x', 'http://127.0.0.1:1', settings, silentLogger), (e: RedisError) => e.code === 'badurl');
  });
});
