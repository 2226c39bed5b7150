// A results panel VS Code restores after a window reload: the host reads the webview's saved
// state and reopens the same list, or says in the panel why it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors';
import { messageHtml } from '../../src/views/results/html';
import { planRestore, savedTarget } from '../../src/views/results/restore';
import { ResultsSession } from '../../src/views/results/session';
import type { WebviewState } from '../../src/views/results/protocol';
import { FakeQueues, arrayList } from '../support/fake-queues';

const saved: WebviewState = { cluster: 'demo', queue: 'sqrt:output', inputQueue: 'sqrt:input', order: 'oldest', offset: 400, filter: 'x', selected: 3, expanded: [7] };

function deps(names: string[], queues = new FakeQueues({ 'sqrt:output': arrayList(['b', 'a']) })) {
  const asked: string[] = [];
  return {
    asked,
    deps: {
      clusterNames: async () => names,
      queues: async (cluster: string) => {
        asked.push(cluster);
        return queues;
      },
    },
  };
}

test('reopens the saved list on its cluster, with the input queue to tell it is running', async () => {
  const d = deps(['other', 'demo']);
  const plan = await planRestore(saved, d.deps);
  assert.equal(plan.kind, 'open');
  assert.ok(plan.kind === 'open');
  assert.deepEqual(plan.target, { cluster: 'demo', queue: 'sqrt:output', inputQueue: 'sqrt:input' });
  assert.deepEqual(d.asked, ['demo']);
  // The restored panel reads the same list through the session as a new one does.
  const page = await new ResultsSession(plan.queues, plan.target.queue).page('newest', 0, 10);
  assert.deepEqual(page.rows.map((r) => r.value), ['b', 'a']);
});

test('a cluster removed since the reload: a message naming it, and no connection attempt', async () => {
  const d = deps(['other']);
  const plan = await planRestore(saved, d.deps);
  assert.equal(plan.kind, 'message');
  assert.ok(plan.kind === 'message');
  assert.match(plan.message, /"demo" no longer exists/);
  assert.match(plan.message, /sqrt:output/);
  assert.match(plan.message, /Open Results/);
  assert.equal(plan.title, 'Results: sqrt:output');
  assert.deepEqual(d.asked, []);
});

test('a cluster whose queues cannot be opened: the error is shown in the panel, not thrown', async () => {
  const plan = await planRestore(saved, {
    clusterNames: async () => ['demo'],
    queues: async () => {
      throw new ConfigError('missingField', 'No Redis password for "demo": edit the cluster and enter it again.');
    },
  });
  assert.ok(plan.kind === 'message');
  assert.match(plan.message, /Could not reopen the results of sqrt:output on demo: No Redis password/);
});

test('a state that does not name a list (older panel, foreign data) is a message too', async () => {
  for (const state of [undefined, null, 'x', {}, { cluster: 'demo' }, { cluster: '', queue: 'q' }, { cluster: 1, queue: 'q' }]) {
    const plan = await planRestore(state, deps(['demo']).deps);
    assert.equal(plan.kind, 'message', JSON.stringify(state));
  }
  assert.deepEqual(savedTarget({ cluster: 'c', queue: 'q', inputQueue: 5 }), { cluster: 'c', queue: 'q' });
});

test('the message page has the panel CSP, no script, and the message as text', () => {
  const html = messageHtml({ cspSource: 'vscode-resource:', nonce: 'abc', styleUri: 'vscode-resource:/media/results.css', title: 'T', lang: 'en', message: 'cluster "<img src=x>" gone' });
  assert.match(html, /default-src &#39;none&#39;; script-src &#39;nonce-abc&#39;/);
  assert.doesNotMatch(html, /<script/);
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /cluster &quot;&lt;img src=x&gt;&quot; gone/);
});
