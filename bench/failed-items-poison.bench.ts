// Issue 24: a 200,000-item job with 10 poison items that kill their container (the
// template's test variant, test/fixtures/poison: the work SIGKILLs the consumer, as the OOM
// killer would) against the same job without them, on the local cluster: wall time to
// completion, container deaths (Docker's `die` events), items in the failed list (peer: the
// 10 it should hold), lost and duplicated (goal 0 and 0).
import { POISON, POISONED, withCluster } from './support/failed-items';

export async function run() {
  return withCluster(async (job, load) => {
    const clean = await job(POISONED, 'bench-poison-clean', 0);
    const poisoned = await job(POISONED, 'bench-poison-job', POISON);
    const note = `${POISON} items SIGKILL their consumer; peer: the same job without them`;
    return [
      { name: 'poison job: wall time to completion', ours: poisoned.ms / 1000, peer: clean.ms / 1000, peerName: 'same job, no poison item', unit: 's', higherIsBetter: false, note },
      // MAX_KILLS=3: each poison item kills a batch of 1,000, then of 31, then itself alone,
      // and is set aside unworked on the next take: 3 deaths each, 30 in all (what the killed
      // entries' attempts add up to). Counted live from Docker's events (see withCluster: a
      // replay afterwards saw only the last 256 events of the shared engine, and 14 deaths).
      { name: 'poison job: container restarts', ours: poisoned.deaths, peer: clean.deaths, peerName: 'same job, no poison item', unit: 'deaths', higherIsBetter: false, note: `MAX_KILLS=3: goal ${POISON * 3}; the killed entries' attempts add up to ${poisoned.killedAttempts}` },
      { name: 'poison job: failed items', ours: poisoned.failed, peer: POISON, peerName: 'the poison items', unit: 'items', higherIsBetter: false },
      { name: 'poison job: lost', ours: poisoned.lost, unit: 'items', higherIsBetter: false, note: 'goal 0' },
      { name: 'poison job: duplicated', ours: poisoned.duplicated, unit: 'items', higherIsBetter: false, note: `goal 0; 1-min load average ${load.map((l) => l.toFixed(1)).join(' / ')}` },
    ];
  });
}
