// Issue 24: the shell template with the failed list and attempts counting against today's
// convention (bench/fixtures/reliable-before, the template as it was), the same
// 200,000-item job with no bad item, on the local cluster: throughput (goal >= 0.95x).
//
// The machine is shared: one job's wall time moves by 2x with what else runs, and whichever
// image goes first after the cluster starts was slower (0.63x and 0.70x with one run each,
// ours always first). So the jobs run in rounds, the order turned each round (ABBA), and the
// row gives the round whose ratio is the median, with every round's ratio and their spread.
// The CPU time the consumers' containers spent per item is the steadier figure: a second row.
// FAILED_BENCH_ROUNDS (default 3) sets the rounds; FAILED_BENCH_COMPARE_REV=<git rev> adds
// the template at that revision as a third image in the same rounds (a change against what it
// replaces, measured in the same invocation).
import { BEFORE, JOB, OURS, templateAt, withCluster, type JobFigures } from './support/failed-items';

const ROUNDS = Math.max(1, Number(process.env.FAILED_BENCH_ROUNDS ?? 3));
const REV = process.env.FAILED_BENCH_COMPARE_REV;
const PREV = 'gridcore-bench/failed-prev:local';

/** The index of the median (the lower one of an even count): a real round, not an average. */
const medianAt = (xs: number[]) => xs.map((x, i) => [x, i]).sort((a, b) => a[0] - b[0])[Math.floor((xs.length - 1) / 2)][1];
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}x`;

export async function run() {
  return withCluster(
    async (job, load) => {
      const images = [OURS, BEFORE, ...(REV ? [PREV] : [])];
      const runs = new Map<string, JobFigures[]>(images.map((i) => [i, []]));
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 ? [...images].reverse() : images;
        for (const image of order) runs.get(image)!.push(await job(image, `bench-failed-${r}-${image.split('/')[1].split(':')[0]}`, 0));
      }
      const rate = (f: JobFigures) => JOB / (f.ms / 1000);
      const cpuPerK = (f: JobFigures) => (f.cpuMs / JOB) * 1000;
      const peer = runs.get(BEFORE)!;
      const rows = [];
      for (const [image, label] of [[OURS, 'failed list + attempts'], ...(REV ? [[PREV, `the template at ${REV}`]] : [])] as const) {
        const mine = runs.get(image)!;
        const ratios = mine.map((f, i) => rate(f) / rate(peer[i]));
        const cpuRatios = mine.map((f, i) => cpuPerK(peer[i]) / cpuPerK(f));
        const m = medianAt(ratios);
        const c = medianAt(cpuRatios);
        rows.push({
          name: `${label} vs today's convention, 200k items, no bad item`,
          ours: rate(mine[m]),
          peer: rate(peer[m]),
          peerName: 'the shell template before (bench/fixtures/reliable-before)',
          unit: 'items/s',
          higherIsBetter: true,
          note: `goal >= 0.95x; the median of ${ROUNDS} ABBA rounds, ratios per round ${ratios.map((x) => x.toFixed(2)).join(' / ')} (spread ${spread(ratios)}); 1-min load average ${load.map((l) => l.toFixed(1)).join(' / ')}`,
        });
        rows.push({
          name: `${label}: consumers' CPU per 1,000 items`,
          ours: cpuPerK(mine[c]),
          peer: cpuPerK(peer[c]),
          peerName: 'the shell template before (bench/fixtures/reliable-before)',
          unit: 'ms',
          higherIsBetter: false,
          note: `the median round; per round (peer/ours) ${cpuRatios.map((x) => x.toFixed(2)).join(' / ')} (spread ${spread(cpuRatios)})`,
        });
      }
      return rows;
    },
    REV ? { [PREV]: templateAt(REV) } : {},
  );
}
