// The author's whole loop through `node dist/mcp.js`, as an agent outside VS Code drives it:
// the SDK's client over stdio, the local cluster on a real Docker engine (its state file in
// the skill folder the server reads). Status, a task folder from a template, a trial on a
// sample (with progress), build and register, a pushed range (with progress), progress to the
// end, results, export, nothing stranded to requeue, and finish: refused without consent,
// done with it. No response and no log line holds the token or the Redis password.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLocalCluster, stopLocalCluster, type LocalClusterInfo } from '../../src/local/cluster';
import { freePort } from '../support/redis';
import { secretsIn, startMcp, type McpSession } from '../support/mcp';
import { useLocalTestEnv } from './fixtures';

const TASK = 'mcp-square';
const TAG = 'gridcore-test/mcp-square:1';
const env = useLocalTestEnv({ tempDir: 'gridcore-mcp-loop-', stopFirst: stopLocalCluster });

test('an MCP client drives the loop on the local cluster', { timeout: 900_000 }, async () => {
  const info: LocalClusterInfo = await startLocalCluster({
    hubPort: await freePort(),
    redisPort: await freePort(),
    skillDir: env.dir,
    dockerSocket: env.dockerd.socketPath,
    node: { parallelism: 2, heartbeatIntervalMs: 300, taskPollIntervalMs: 300, stopTimeoutMs: 1000, containerMemoryMb: 128 },
  });
  const token = info.profile.token;
  const password = decodeURIComponent(new URL(info.profile.redisUrl).password);
  let s: McpSession | undefined;
  try {
    s = await startMcp({ configDir: env.dir, cwd: env.dir, env: { DOCKER_HOST: `unix://${env.dockerd.socketPath}` } });

    const status = await s.call('gridcore_cluster_status');
    assert.equal(status.isError, false, status.text);
    assert.match(status.text, /^Cluster local · active · local: hub http:\/\/127\.0\.0\.1:\d+, Redis redis:\/\/:\*\*\*\*@127\.0\.0\.1:\d+/);
    assert.match(status.text, /Nodes \(1\):/);

    const created = await s.call('gridcore_new_task_from_template', { template: 'shell-square', taskName: TASK });
    assert.equal(created.isError, false, created.text);

    const phases: string[] = [];
    const trial = await s.call('gridcore_try_task_locally', { folder: TASK, range: '1..8', tag: TAG }, { onprogress: (p) => p.message && phases.push(p.message) });
    assert.equal(trial.isError, false, trial.text);
    assert.match(trial.text, /^# Trial of gridcore-test\/mcp-square:1\n\n## Findings\n\nNone: the consumer took the sample and wrote results/);
    assert.match(trial.text, /8 of 8 taken, 8 results/);
    assert.ok(phases.length >= 3, `progress by phase: ${phases.join(' | ')}`);

    const built = await s.call('gridcore_build_and_register', { folder: TASK, taskName: TASK, tag: TAG });
    assert.equal(built.isError, false, built.text);
    assert.match(built.text, /Task mcp-square registered on local and started/);

    const pushedAt: number[] = [];
    const pushed = await s.call('gridcore_push_data', { task: TASK, range: '1..3000' }, { onprogress: (p) => pushedAt.push(p.progress) });
    assert.equal(pushed.isError, false, pushed.text);
    assert.match(pushed.text, /^Pushed 3,000 items to mcp-square:input/);
    // (the SDK's client may drop a notification that arrives with the result: not all are counted)
    assert.ok(pushedAt.length >= 1 && pushedAt.every((n) => n > 0 && n <= 3000), `push progress ${pushedAt.join(',')}`);

    let progress = '';
    for (let i = 0; i < 120 && !/All items are done/.test(progress); i++) {
      progress = (await s.call('gridcore_task_progress', { task: TASK })).text;
    }
    assert.match(progress, /^Task mcp-square on cluster local: 3,000 of 3,000 done \(100%\)\./);

    const results = await s.call('gridcore_read_results', { task: TASK, search: '3000:', count: 1 });
    assert.match(results.text, /"3000:9000000"/);

    const exported = await s.call('gridcore_export_results', { task: TASK, path: 'out/squares.txt' }, {});
    assert.equal(exported.isError, true, 'the folder out/ does not exist: the error says so');
    const file = join(env.dir, 'squares.txt');
    const ok = await s.call('gridcore_export_results', { task: TASK, path: file });
    assert.equal(ok.text, `Exported 3,000 items of mcp-square:output (cluster local) to ${file}.`);
    assert.equal(readFileSync(file, 'utf8').trimEnd().split('\n').length, 3000);

    const requeue = await s.call('gridcore_requeue_stranded', { task: TASK });
    assert.match(requeue.text, /^No stranded items in the processing lists of mcp-square:input/);

    const refused = await s.call('gridcore_finish_task', { task: TASK });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /^Not done: [^\n]+\n[^\n]*mcp-square/);
    assert.match((await s.call('gridcore_cluster_status')).text, /Tasks running \(1\):\n- mcp-square/);
    const finished = await s.call('gridcore_finish_task', { task: TASK, confirm: true });
    assert.equal(finished.isError, false, finished.text);
    assert.match(finished.text, /^Task mcp-square completed\./);

    assert.deepEqual(secretsIn(s, [token, password]), []);
  } finally {
    await s?.close();
  }
});
