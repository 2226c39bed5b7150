// Try Task Locally through the service, on a real Docker engine and a real redis-server: the
// shell-square template gives results, a rate and an estimate; each classic mistake gives its
// finding; logs arrive while the container runs; bad input fails with a message that says
// what to do; and nothing is left behind (no container, no scratch key).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import Redis from 'ioredis';
import { ensureDocker, type DockerHandle } from '../support/docker';
import { startRedis, type TestRedis } from '../support/redis';
import { memoryService } from '../support/service-fixture';
import { ensureBaseImage, BASE_IMAGE_TAG } from '../../src/local/base-image';
import { createFromTemplate } from '../../src/core/templates';
import type { GridCoreService } from '../../src/core/service-api';
import type { TrialOptions, TrialReport } from '../../src/core/trial/types';
import { isGridCoreError } from '../../src/core/errors';

let handle: DockerHandle;
let docker: Dockerode;
let redis: TestRedis;
let client: Redis;
let service: GridCoreService;
let work: string;
const tags: string[] = [];

const PW = 'trial-s3cret';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'gc-trial-'));
  [handle, redis] = await Promise.all([ensureDocker(), startRedis({ password: PW })]);
  docker = new Dockerode({ socketPath: handle.socketPath });
  process.env.DOCKER_HOST = `unix://${handle.socketPath}`;
  client = new Redis(redis.url, { lazyConnect: true });
  await client.connect();
  await ensureBaseImage(docker);
  service = memoryService({ settings: { dockerTimeoutMs: 20_000 } });
});

after(async () => {
  client?.disconnect();
  await service?.dispose();
  for (const t of tags) await docker?.getImage(t).remove({ force: true }).catch(() => {});
  await redis?.stop();
  await handle?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A task folder with these files; returns its Dockerfile path and a fresh tag. */
function folder(name: string, files: Record<string, string | Buffer>, executable: string[] = []): { dockerfile: string; tag: string } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  for (const f of executable) chmodSync(join(dir, f), 0o755);
  const tag = `gridcore-test/trial-${name}:${process.pid}`;
  tags.push(tag);
  return { dockerfile: join(dir, 'Dockerfile'), tag };
}

/** The target: the test's Redis as a cluster whose nodes use host networking (the local cluster's). */
const localTarget = (url = redis.url) => ({ name: 'local', redisUrl: url, local: true, parallelism: 4 });

async function leftovers(): Promise<{ containers: number; keys: string[] }> {
  const containers = await docker.listContainers({ all: true, filters: { label: ['gridcore.trial'] } });
  const keys = await client.keys('gridcore-trial:*');
  return { containers: containers.length, keys };
}

async function trial(o: Partial<TrialOptions> & Pick<TrialOptions, 'dockerfile' | 'tag'>): Promise<{ report: TrialReport; lines: string[] }> {
  const lines: string[] = [];
  const report = await service.trial({ sample: { kind: 'range', from: 1, to: 10 }, timeoutMs: 30_000, settleMs: 800, ...o, onLog: (l) => lines.push(l) });
  const left = await leftovers();
  assert.deepEqual(left, { containers: 0, keys: [] }, 'the trial left its container or scratch keys behind');
  return { report, lines };
}

const ids = (r: TrialReport) => r.findings.map((f) => f.id);

// A consumer that takes one item at a time, says it is ready first (then waits a second, so
// its first line is seen while it runs) and fails on the item "3".
const CONSUMER_FAILS_ON_3 = `#!/bin/sh
U=$(printf '%s' "$INPUT_REDIS_URL" | sed -E 's#^(rediss?://):#\\1default:#')
echo "consumer ready"
sleep 1
while :; do
  item=$(redis-cli --no-auth-warning -u "$U" RPOP "$INPUT_QUEUE")
  if [ -z "$item" ]; then sleep 1; continue; fi
  if [ "$item" = 3 ]; then echo "cannot handle item 3" >&2; exit 1; fi
  redis-cli --no-auth-warning -u "$U" LPUSH "$OUTPUT_QUEUE" "$item:ok" >/dev/null
done
`;

describe('Try Task Locally', () => {
  test('the shell-square template on a throwaway Redis: results, rate and estimate, no finding', async () => {
    const dir = join(work, 'square');
    await createFromTemplate('shell-square', dir, { taskName: 'square' });
    const tag = `gridcore-test/trial-square:${process.pid}`;
    tags.push(tag);
    const { report, lines } = await trial({ dockerfile: join(dir, 'Dockerfile'), tag, estimateItems: 1_000_000 });
    assert.equal(report.stop, 'consumed');
    assert.equal(report.redisKind, 'throwaway');
    assert.equal(report.network.mode, 'host');
    assert.equal(report.consumed, 10);
    assert.deepEqual(new Set(report.results), new Set(Array.from({ length: 10 }, (_, i) => `${i + 1}:${(i + 1) ** 2}`)));
    assert.ok(report.itemsPerSecond && report.itemsPerSecond > 0);
    // ten items are one batch of this consumer: its steady rate is timed on the sample repeated
    assert.equal(report.rateBasis?.kind, 'steady', JSON.stringify(report.rateBasis));
    assert.ok(report.rateBasis?.kind === 'steady' && report.rateBasis.repeatedTo! >= 1000);
    assert.equal(report.resultsTotal, 10, 'the repeat\'s results are not the sample\'s');
    assert.equal(report.estimate?.items, 1_000_000);
    assert.equal(report.estimate?.parallelism, 1);
    assert.ok(report.estimate!.seconds > 0);
    assert.deepEqual(ids(report), []);
    assert.ok(lines.some((l) => l.startsWith('[build] ')));
    assert.ok(report.timings.toFirstResultMs !== undefined);

    // the same folder again: the image is reused
    const again = await trial({ dockerfile: join(dir, 'Dockerfile'), tag, target: localTarget() });
    assert.equal(again.report.imageReused, true);
    assert.equal(again.report.redisKind, 'cluster');
    assert.equal(again.report.estimate?.parallelism, 4);
    assert.match(again.report.redis, /:\*\*\*\*@/);
  });

  test('scratch keys only: the cluster\'s other keys stay', async () => {
    await client.set('keep-me', 'x');
    await client.lpush('task:input', 'a');
    const f = folder('fail3', { 'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nCOPY consumer.sh /app/consumer.sh\nENTRYPOINT ["/bin/sh", "/app/consumer.sh"]\n`, 'consumer.sh': CONSUMER_FAILS_ON_3 });
    let firstLogBeforeResult = false;
    let sawResult = false;
    const lines: string[] = [];
    const report = await service.trial({
      ...f,
      sample: { kind: 'items', items: ['1', '2', '3', '4', '5'] },
      target: localTarget(),
      timeoutMs: 30_000,
      onLog: (l) => {
        lines.push(l);
        if (l === '[0] consumer ready' && !sawResult) firstLogBeforeResult = true;
      },
      onFirstResult: () => (sawResult = true),
    });
    assert.equal(firstLogBeforeResult, true, 'the container\'s first line arrives while it runs, before its first result');
    assert.equal(report.stop, 'exited');
    assert.equal(report.exitCode, 1);
    assert.equal(report.consumed, 3);
    assert.deepEqual(report.results, ['1:ok', '2:ok']);
    assert.ok(ids(report).includes('exitedEarly'), JSON.stringify(report.findings));
    assert.ok(lines.includes('[0 stderr] cannot handle item 3'));
    assert.ok(report.logTail.includes('cannot handle item 3'));
    assert.equal(await client.get('keep-me'), 'x');
    assert.deepEqual(await client.lrange('task:input', 0, -1), ['a']);
    await client.del('keep-me', 'task:input');
    assert.deepEqual(await leftovers(), { containers: 0, keys: [] });
  });

  test('a consumer that loses the password from the Redis URL: password mismatch (NOAUTH)', async () => {
    // The classic: host and port cut out of INPUT_REDIS_URL, the password lost on the way (rule 2).
    const f = folder('nopw', {
      'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nCOPY consumer.sh /app/consumer.sh\nENTRYPOINT ["/bin/sh", "/app/consumer.sh"]\n`,
      'consumer.sh': `#!/bin/sh
HOST=$(echo "$INPUT_REDIS_URL" | sed 's#.*@##; s#:.*##')
PORT=$(echo "$INPUT_REDIS_URL" | sed 's#.*:##; s#/.*##')
reply=$(redis-cli -h "$HOST" -p "$PORT" RPOP "$INPUT_QUEUE" 2>&1)
echo "redis said: $reply" >&2
exit 1
`,
    });
    const { report, lines } = await trial({ ...f, target: localTarget() });
    assert.ok(ids(report).includes('passwordMismatch'), JSON.stringify({ f: report.findings, l: report.logTail }));
    // it exited 1 at start: that comes first, with its code and last lines, not "never took"
    assert.equal(ids(report)[0], 'exitedAtStart');
    assert.match(report.findings[0].message, /code 1 before taking any item.*redis said/);
    assert.ok(!ids(report).includes('neverTook'));
    assert.ok(!lines.join('\n').includes(PW), 'the password never reaches the log');
  });

  test('CMD without ENTRYPOINT: missing ENTRYPOINT (rule 3)', async () => {
    const f = folder('cmd', { 'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nCOPY consumer.sh /app/consumer.sh\nCMD ["/bin/sh", "/app/consumer.sh"]\n`, 'consumer.sh': CONSUMER_FAILS_ON_3.replace('"$item" = 3', '"$item" = never') });
    const { report } = await trial({ ...f, target: localTarget(), settleMs: 500 });
    assert.ok(ids(report).includes('missingEntrypoint'), JSON.stringify(report.findings));
  });

  test('a binary for another architecture: exec format error (rule 4)', async () => {
    // A stand-in for a binary built on another machine: a valid ELF header for the other
    // common CPU, executable. The kernel refuses it exactly as it refuses a Mac/ARM build.
    const machine = arch() === 'arm64' ? 62 : 183; // x86-64 or AArch64
    const elf = Buffer.alloc(64);
    elf.write('\x7fELF', 0, 'latin1');
    elf[4] = 2; // 64-bit
    elf[5] = 1; // little endian
    elf[6] = 1; // version
    elf.writeUInt16LE(2, 16); // executable
    elf.writeUInt16LE(machine, 18);
    elf.writeUInt32LE(1, 20);
    elf.writeUInt16LE(64, 52); // header size
    const f = folder('elf', { 'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nCOPY consumer /app/consumer\nENTRYPOINT ["/app/consumer"]\n`, consumer: elf }, ['consumer']);
    const { report } = await trial({ ...f, target: localTarget() });
    assert.ok(ids(report).includes('execFormat'), JSON.stringify({ f: report.findings, logs: report.logTail }));
    assert.ok(ids(report).includes('hostBinary'));
  });

  test('127.0.0.1 in the Redis URL off the host network: Redis unreachable', async () => {
    // This engine runs with --bridge=none, so network "none" stands in for a bridge: as on a
    // bridge, 127.0.0.1 inside the container is the container itself, not this machine.
    const dir = join(work, 'square-net');
    await createFromTemplate('shell-square', dir, { taskName: 'square' });
    const tag = `gridcore-test/trial-square:${process.pid}`;
    const { report } = await trial({ dockerfile: join(dir, 'Dockerfile'), tag, target: { ...localTarget(), local: false }, networkMode: 'none' });
    assert.ok(ids(report).includes('redisUnreachable'), JSON.stringify(report.findings));
    assert.match(report.findings.find((f) => f.id === 'redisUnreachable')!.message, /127\.0\.0\.1/);
    assert.equal(report.consumed, 0);
  });

  test('a consumer that takes the whole sample at once and answers later is waited for', async () => {
    const f = folder('batch', {
      'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nCOPY consumer.sh /app/consumer.sh\nENTRYPOINT ["/bin/sh", "/app/consumer.sh"]\n`,
      'consumer.sh': `#!/bin/sh
U=$(printf '%s' "$INPUT_REDIS_URL" | sed -E 's#^(rediss?://):#\\1default:#')
items=$(redis-cli --no-auth-warning -u "$U" RPOP "$INPUT_QUEUE" 100)
echo "took a batch, working"
sleep 3
for i in $items; do redis-cli --no-auth-warning -u "$U" LPUSH "$OUTPUT_QUEUE" "$i:done" >/dev/null; done
sleep 300
`,
    });
    const { report } = await trial({ ...f, target: localTarget() });
    assert.equal(report.stop, 'consumed');
    assert.equal(report.resultsTotal, 10);
    assert.deepEqual(ids(report), []);
  });

  test('a container that never drains: the timeout stops it and says so', async () => {
    const f = folder('idle', { 'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nENTRYPOINT ["/bin/sh", "-c", "echo waiting forever; sleep 300"]\n` });
    const { report } = await trial({ ...f, target: localTarget(), timeoutMs: 3000 });
    assert.equal(report.stop, 'timeout');
    assert.ok(ids(report).includes('timeout'));
    assert.ok(ids(report).includes('neverTook'));
    assert.match(report.findings.find((x) => x.id === 'timeout')!.message, /3 s/);
  });

  test('cancelled while the container runs: it stops at once and leaves nothing', async () => {
    const f = folder('idle', { 'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nENTRYPOINT ["/bin/sh", "-c", "echo waiting forever; sleep 300"]\n` });
    let cancel = false;
    const listeners: Array<() => void> = [];
    const signal = {
      get isCancellationRequested() {
        return cancel;
      },
      onCancellationRequested(l: () => void) {
        listeners.push(l);
        return { dispose() {} };
      },
    };
    const pending = service.trial({ ...f, sample: { kind: 'items', items: ['1'] }, target: localTarget(), timeoutMs: 60_000, signal, onPhase: (p) => {
      if (p === 'run') setTimeout(() => ((cancel = true), listeners.forEach((l) => l())), 500);
    } });
    await assert.rejects(pending, (e) => isGridCoreError(e) && e.code === 'cancelled');
    assert.deepEqual(await leftovers(), { containers: 0, keys: [] });
  });

  test('bad input: no Dockerfile, missing sample file, failing build (its line), Docker down', async () => {
    const none = join(work, 'empty');
    mkdirSync(none, { recursive: true });
    await assert.rejects(service.trial({ dockerfile: join(none, 'Dockerfile'), tag: 'x/y:z', sample: { kind: 'items', items: ['1'] } }), (e) => isGridCoreError(e) && e.code === 'noDockerfile');

    const f = folder('broken', { 'Dockerfile': `FROM ${BASE_IMAGE_TAG}\nRUN echo fine\nRUN false\n` });
    await assert.rejects(service.trial({ ...f, sample: { kind: 'fileHead', file: join(work, 'nope.txt'), count: 10 } }), (e) => isGridCoreError(e) && e.code === 'io' && /nope\.txt/.test(e.message));
    await assert.rejects(service.trial({ ...f, sample: { kind: 'items', items: ['1'] } }), (e) => {
      assert.ok(isGridCoreError(e) && e.code === 'buildFailed', String(e));
      assert.equal((e as { location?: { line: number } }).location?.line, 3);
      return true;
    });

    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(work, 'no-docker.sock')}`;
    const down = memoryService();
    try {
      await assert.rejects(down.trial({ ...f, sample: { kind: 'items', items: ['1'] } }), (e) => isGridCoreError(e) && e.code === 'daemonDown' && /DOCKER_HOST|Docker/.test(e.message));
    } finally {
      process.env.DOCKER_HOST = saved;
      await down.dispose();
    }
    assert.deepEqual(await leftovers(), { containers: 0, keys: [] });
  });
});
