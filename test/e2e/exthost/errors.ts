// Error states in the tree: a token the hub rejects, a hub that is not running.
import * as assert from 'node:assert/strict';
import { E2E_SECRETS } from '../secrets';
import { deadUrl, env, gridcore, startTestHub, until, type TestHub } from './helpers/gridcore';

describe('error states', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub('the-right-token');
  });

  after(async () => {
    const api = await gridcore();
    for (const name of ['e2e-wrong-token', 'e2e-dead-hub']) await api.service?.profiles.remove(name).catch(() => undefined);
    await hub?.close();
  });

  it('says the token was rejected, without showing it', async () => {
    const api = await gridcore();
    await api.service!.profiles.save({ name: 'e2e-wrong-token', computehubUrl: hub.url, redisUrl: env('GRIDCORE_E2E_REDIS_URL'), token: E2E_SECRETS.wrongToken, source: 'extension' });
    const msg = await until('"Token rejected" under the cluster', () =>
      api.treeItems().find((i) => i.id.startsWith('cluster:e2e-wrong-token/') && /Token rejected/.test(i.label)),
    );
    assert.ok(msg);
    const everything = JSON.stringify(api.treeItems());
    assert.ok(!everything.includes(E2E_SECRETS.wrongToken), 'the token shows in the tree');
  });

  it('says the hub is not reachable', async () => {
    const api = await gridcore();
    await api.service!.profiles.save({ name: 'e2e-dead-hub', computehubUrl: await deadUrl(), redisUrl: env('GRIDCORE_E2E_REDIS_URL'), token: 't', source: 'extension' });
    const msg = await until('"Hub not reachable" under the cluster', () =>
      api.treeItems().find((i) => i.id.startsWith('cluster:e2e-dead-hub/') && /Hub not reachable/.test(i.label)),
    );
    assert.ok(msg);
    const root = api.treeItems().find((i) => i.id === 'cluster:e2e-dead-hub');
    assert.equal(root?.icon, 'vm-outline', 'the cluster icon should show the unreachable hub');
  });
});
