// Try Task Locally's estimate against a real job: the shell-square template tried on a
// 10-item sample estimates 50,000 items on one container; then our hub and node run 50,000
// items of the same consumer with one container. The estimate rests on the consumer's steady
// rate (not its start-up) and lands within 2x of the job's time from first to last result.
// The figures are printed (grep "trial estimate").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import Redis from 'ioredis';
import { createFromTemplate } from '../../src/core/templates';
import { startHub } from '../../src/local/hub/server';
import { memoryService } from '../support/service-fixture';
import { fastNode, hubCall, SQUARE_IMAGE, until, useLocalTestEnv } from './fixtures';

const TOKEN = 'trial-estimate-token';
const ITEMS = 50_000;
const env = useLocalTestEnv({ redisPassword: 'pw-trial-estimate', tempDir: 'gc-trial-estimate-' });

test('the trial\'s estimate of 50,000 items is within 2x of the real job on the local cluster', { timeout: 600_000 }, async () => {
  process.env.DOCKER_HOST = `unix://${env.dockerd.socketPath}`;
  const dir = join(env.dir, 'square');
  await createFromTemplate('shell-square', dir, { taskName: 'square' });
  const svc = memoryService({ settings: { dockerTimeoutMs: 60_000 } });
  const tag = `gridcore-test/trial-estimate:${process.pid}`;
  const hub = await startHub({ port: 0, token: TOKEN });
  const node = fastNode(env.docker, hub.url, TOKEN, { parallelism: 1 });
  const r = new Redis(env.redis.url);
  try {
    const report = await svc.trial({
      dockerfile: join(dir, 'Dockerfile'),
      tag,
      sample: { kind: 'range', from: 1, to: 10 },
      target: { name: 'local', redisUrl: env.redis.url, local: true, parallelism: 1 },
      estimateItems: ITEMS,
      timeoutMs: 120_000,
    });
    assert.equal(report.stop, 'consumed', JSON.stringify(report.findings));
    assert.equal(report.rateBasis?.kind, 'steady', JSON.stringify(report.rateBasis));
    const estimate = report.estimate!.seconds;

    // The real job: one container of the same consumer on our node, 50,000 items.
    await node.start();
    const task = { name: 'square-est', image: SQUARE_IMAGE, input_redis: env.redis.url, output_redis: env.redis.url, input_queue: 'est:in', output_queue: 'est:out' };
    assert.equal((await hubCall(hub.url, TOKEN, 'POST', '/api/tasks', task)).status, 201);
    const pushedAt = Date.now();
    for (let i = 0; i < ITEMS; i += 5000) await r.lpush('est:in', ...Array.from({ length: 5000 }, (_, k) => String(i + k)));
    let first: number | undefined;
    let last = 0;
    let seen = 0;
    await until(
      '50,000 results',
      async () => {
        const n = await r.llen('est:out');
        if (n > seen) {
          first ??= Date.now();
          last = Date.now();
          seen = n;
        }
        return n >= ITEMS;
      },
      300_000,
      20,
    );
    const job = (last - first!) / 1000;
    const wall = (last - pushedAt) / 1000;
    const ratio = estimate / job;
    console.log(
      `trial estimate: ${estimate.toFixed(2)} s for ${ITEMS} items at ${report.itemsPerSecond!.toFixed(0)} items/s (${JSON.stringify(report.rateBasis)}); ` +
        `real job: ${job.toFixed(2)} s first to last result (${(ITEMS / job).toFixed(0)} items/s), ${wall.toFixed(2)} s from the push; estimate/real = ${ratio.toFixed(2)}`,
    );
    assert.ok(ratio >= 0.5 && ratio <= 2, `estimate ${estimate.toFixed(2)} s vs the job's ${job.toFixed(2)} s`);
  } finally {
    await node.dispose();
    r.disconnect();
    await hub.close();
    await svc.dispose();
    await env.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  }
});
