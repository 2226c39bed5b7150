// Container names as upstream's gridnode gives them (idm-<task>-<node_id>-<instance>, no
// labels) and as our node gives them (the same name, plus labels): read back to node, task and
// instance, task names and node ids with `-` included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerName, isNodeContainer, nodeContainerOf, parseContainerName, NODE_LABEL, TASK_LABEL, INSTANCE_LABEL } from '../../src/core/docker/container-names';
import { orphansOf } from '../../src/core/diagnose';
import { trialNetwork } from '../../src/core/trial';

const uuid = '3f2b6c1e-8a4d-4e0b-9c57-2d1f0a6b7e93';

test('names are built the way upstream builds them', () => {
  assert.equal(containerName('square-v2', uuid, 3), `idm-square-v2-${uuid}-3`);
  // a name Docker would refuse is made safe (upstream's create fails on it instead)
  assert.equal(containerName('a b/c', 'n', 0), 'idm-a-b-c-n-0');
});

test('a name is read from the right, knowing the node ids', () => {
  assert.deepEqual(parseContainerName(`/idm-square-v2-${uuid}-12`, [uuid]), { task: 'square-v2', nodeId: uuid, instance: 12 });
  assert.deepEqual(parseContainerName('idm-my-task-host-1-0', ['host-1', 'host-2']), { task: 'my-task', nodeId: 'host-1', instance: 0 });
  // one id ends another: the longer one wins
  assert.deepEqual(parseContainerName('idm-t-a-b-1', ['b', 'a-b']), { task: 't', nodeId: 'a-b', instance: 1 });
  for (const name of ['idm-task-other-0', 'idm-host-1-0', 'gridcore-trial-x', `idm-t-${uuid}`, `xidm-t-${uuid}-0`, `idm-t-${uuid}-x`]) {
    assert.equal(parseContainerName(name, [uuid, 'host-1']), undefined, name);
  }
});

test('a container is recognised by our labels or by upstream\'s name alone', () => {
  const upstream = { Names: [`/idm-sq-${uuid}-0`], Labels: {} };
  assert.deepEqual(nodeContainerOf(upstream, [uuid]), { task: 'sq', nodeId: uuid, instance: 0, by: 'name' });
  const ours = { Names: ['/idm-my-task-n1-2'], Labels: { [NODE_LABEL]: 'n1', [TASK_LABEL]: 'my task', [INSTANCE_LABEL]: '2' } };
  assert.deepEqual(nodeContainerOf(ours, ['n1']), { task: 'my task', nodeId: 'n1', instance: 2, by: 'label' });
  assert.deepEqual(nodeContainerOf(ours, ['n1'], { labels: false }), { task: 'my-task', nodeId: 'n1', instance: 2, by: 'name' });
  assert.equal(nodeContainerOf(ours, ['n2']), undefined);
  assert.ok(isNodeContainer(undefined, [`/idm-sq-${uuid}-0`], uuid));
  assert.ok(!isNodeContainer(undefined, ['/redis'], uuid));
});

test('Diagnose: the orphans of a node in Error are the oldest running containers it does not count', () => {
  const c = (name: string, created: number, state = 'running') => ({ nodeId: 'n', task: 't', instance: 0, by: 'name' as const, id: name, name, state, status: '', created });
  const containers = [c('idm-t-n-1', 200), c('idm-t-n-0', 100), c('idm-old-n-0', 50, 'exited')];
  assert.deepEqual(orphansOf({ id: 'n', active_containers: 1 }, containers, []), ['idm-t-n-0']);
  assert.deepEqual(orphansOf({ id: 'n', active_containers: 2 }, containers, []), []);
  // from the node's kept lines, with Docker's own wording of the 409
  const line = 'Error response from daemon: Conflict. The container name "/idm-t-n-1" is already in use by container "0123abcd". You have to remove (or rename) that container to be able to reuse that name.';
  assert.deepEqual(orphansOf({ id: 'n', active_containers: 2 }, [], [{ nodeId: 'n', task: 't', instance: 1, code: -1, at: '', lines: [line] }]), ['idm-t-n-1']);
});

test('Try Task uses the network the cluster\'s nodes on this machine use', () => {
  const target = { name: 'c', redisUrl: 'redis://127.0.0.1:6379', local: true };
  assert.equal(trialNetwork({ target }).mode, 'host');
  assert.equal(trialNetwork({ target }, 'default').mode, undefined);
  assert.equal(trialNetwork({ target }, 'bridge').mode, undefined);
  assert.equal(trialNetwork({ target: { ...target, local: false } }, 'host').mode, 'host');
  assert.equal(trialNetwork({ target }, 'my-net').mode, 'my-net');
  assert.equal(trialNetwork({ target, networkMode: 'none' }, 'host').mode, 'none');
});
