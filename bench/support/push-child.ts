// Runs alone in its own Node process (bundled by push.bench.ts, no tsx loader): pushes one
// file through QueueService.push and prints `PUSHED <json>` with the time and the process's
// peak RSS (the kernel's high-water mark), so the memory figure is the push's alone.
import { createQueueService } from '../../src/core/queues/index';
import { silentLogger } from '../../src/core/ports';

async function main(): Promise<void> {
  const [file, queue, redisUrl] = process.argv.slice(2);
  const svc = createQueueService('bench', redisUrl, { hubTimeoutMs: 10000, redisTimeoutMs: 60000, dockerTimeoutMs: 10000, pushBatchSize: 1000 }, silentLogger);
  const rssBeforeMB = process.memoryUsage().rss / 1e6;
  const t = performance.now();
  const r = await svc.push(queue, { kind: 'lines', file });
  const ms = performance.now() - t;
  await svc.dispose();
  if (r.error) throw new Error(r.error.message);
  // maxRSS is in KiB.
  console.log(`PUSHED ${JSON.stringify({ pushed: r.pushed, ms, rssBeforeMB, peakRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6 })}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
