// Issue 24: the shell template with the failed list and attempts counting against today's
// convention (bench/fixtures/reliable-before, the template as it was), the same
// 200,000-item job with no bad item, on the local cluster: throughput (goal >= 0.95x).
import { BEFORE, JOB, OURS, withCluster } from './support/failed-items';

export async function run() {
  return withCluster(async (job, load) => {
    // Alternated, one each (a job takes minutes on a loaded machine): ours, then the peer.
    const ours = (await job(OURS, 'bench-failed-ours', 0)).ms;
    const before = (await job(BEFORE, 'bench-failed-before', 0)).ms;
    const rate = (ms: number) => JOB / (ms / 1000);
    return [{ name: 'failed list + attempts vs today\'s convention, 200k items, no bad item', ours: rate(ours), peer: rate(before), peerName: 'the shell template before (bench/fixtures/reliable-before)', unit: 'items/s', higherIsBetter: true, note: `goal >= 0.95x; one run each; 1-min load average ${load.map((l) => l.toFixed(1)).join(' / ')}` }];
  });
}
