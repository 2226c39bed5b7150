// The language model tools through vscode.lm, as a chat agent calls them: listed with their
// schemas, then the skill's whole flow on a real local cluster (start, status, build and
// register the offline template, push a range, progress, results, diagnose), the destructive
// tools' confirmations (what they ask, and that asking changes nothing; see below),
// clear errors for bad input and unknown names, and no secret in anything a tool returned.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { E2E_SECRETS } from '../secrets';
import { EXTENSION_ID, env, freePort, gridcore, stopLocalClusterConfirmed } from './helpers/gridcore';

const CLUSTER = 'local';
const TASK = 'chat-square';
const TAG = 'gridcore-e2e/chat-square:1';
const LONG = 'chat-long';

/** Everything a tool gave back (texts and error messages) and every confirmation shown, for the secrets audit. */
const seen: string[] = [];

async function invoke(name: string, input: object): Promise<string> {
  try {
    const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : JSON.stringify(p))).join('');
    seen.push(text);
    return text;
  } catch (e) {
    seen.push(e instanceof Error ? e.message : String(e));
    throw e;
  }
}

async function invokeError(name: string, input: object): Promise<string> {
  try {
    await invoke(name, input);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  assert.fail(`${name} ${JSON.stringify(input)} did not fail`);
}

/** What VS Code would ask the user before running a tool: the tool's own prepareInvocation. */
async function confirmationOf(name: string, input: object): Promise<{ title: string; message: string }> {
  const tool = (await (await gridcore()).chatTools!()).get(name)!;
  const prepared = await tool.prepareInvocation!({ input }, new vscode.CancellationTokenSource().token);
  assert.ok(prepared?.confirmationMessages, `${name} asks for no confirmation`);
  const { title, message } = prepared.confirmationMessages;
  const text = { title, message: typeof message === 'string' ? message : message.value };
  seen.push(text.title, text.message);
  return text;
}

async function queueLength(queue: string): Promise<number> {
  const api = await gridcore();
  return (await (await api.service!.queues(CLUSTER)).lengths([queue]))[queue] ?? 0;
}

async function setLocalClusterSettings(values: { hubPort?: number; redisPort?: number; parallelism?: number }): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('gridcore.localCluster');
  for (const key of ['hubPort', 'redisPort', 'parallelism'] as const) await cfg.update(key, values[key], vscode.ConfigurationTarget.Global);
}

describe('chat tools (vscode.lm)', function () {
  before(async function () {
    if (!process.env.GRIDCORE_E2E_DOCKER) {
      console.log(`  skipped: ${process.env.GRIDCORE_E2E_DOCKER_SKIP ?? 'no Docker engine'}`);
      this.skip();
    }
    await setLocalClusterSettings({ hubPort: await freePort(), redisPort: await freePort(), parallelism: 1 });
    const folder = join(vscode.workspace.workspaceFolders![0].uri.fsPath, TASK);
    cpSync(resolve(env('GRIDCORE_E2E_REPO'), 'media', 'templates', 'shell-square'), folder, { recursive: true });
  });

  after(async function () {
    this.timeout(60_000);
    if (!process.env.GRIDCORE_E2E_DOCKER) return;
    await stopLocalClusterConfirmed();
    await setLocalClusterSettings({});
    const api = await gridcore();
    await api.service?.profiles.remove(CLUSTER).catch(() => undefined);
  });

  it('lists every contributed tool in vscode.lm.tools with its schema and tags', async () => {
    await gridcore();
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { languageModelTools: Array<{ name: string; inputSchema: object; toolReferenceName: string }> } }).contributes.languageModelTools;
    assert.equal(contributed.length, 16);
    for (const c of contributed) {
      const listed = vscode.lm.tools.find((t) => t.name === c.name);
      assert.ok(listed, `${c.name} is not in vscode.lm.tools (listed: ${vscode.lm.tools.map((t) => t.name).join(', ')})`);
      assert.deepEqual(listed.inputSchema, c.inputSchema, `${c.name}: schema differs`);
      assert.ok(listed.tags.includes('gridcore'), `${c.name}: tags ${listed.tags.join(', ')}`);
      assert.ok(listed.description.length > 80, `${c.name}: the model description is missing`);
      assert.match(c.toolReferenceName, /^gridcore[A-Z]/);
    }
  });

  it('starts the local cluster and makes it active', async function () {
    this.timeout(180_000);
    const text = await invoke('gridcore_start_local_cluster', {});
    assert.match(text, /Local cluster started at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(text, /Redis redis:\/\/:\*\*\*\*@127\.0\.0\.1:\d+/);
    const api = await gridcore();
    assert.equal(await api.service!.profiles.getActive(), CLUSTER);
  });

  it('reports the cluster status: health, the node, tasks', async function () {
    this.timeout(60_000);
    let text = '';
    for (let i = 0; i < 40 && !text.includes(hostname()); i++) {
      text = await invoke('gridcore_cluster_status', {});
      if (!text.includes(hostname())) await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(text, /^Cluster local · active · local: hub http:\/\/127\.0\.0\.1:\d+, Redis redis:\/\/:\*\*\*\*@/);
    assert.match(text, /✓ Hub reachable\n✓ Token accepted\n✓ Redis reachable/);
    assert.match(text, /Nodes \(1\):\n- [^\n]+ \(id [^)]+\): x86_64|Nodes \(1\):\n- [^\n]+ \(id /);
    assert.ok(text.includes(hostname()), text);
    assert.match(text, /Tasks running \(0\): -/);
  });

  it('builds and registers the offline template; a failing step names its Dockerfile line; a missing Dockerfile is a clear error', async function () {
    this.timeout(240_000);
    const text = await invoke('gridcore_build_and_register', { folder: TASK, taskName: TASK, tag: TAG });
    assert.match(text, new RegExp(`Built ${TAG.replace(/[/.]/g, '\\$&')} from .*${TASK}/Dockerfile`));
    assert.match(text, /Build log, summarised:\nStep 1\/\d+ : FROM gridcore\/busybox-redis:local/);
    assert.match(text, /Task chat-square registered on local and started: nodes are pulling gridcore-e2e\/chat-square:1\./);
    assert.match(text, /Input queue chat-square:input, output queue chat-square:output/);
    const broken = join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'chat-broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'Dockerfile'), 'FROM gridcore/busybox-redis:local\nRUN echo step-two-output\nRUN echo about-to-fail && exit 3\nENTRYPOINT ["true"]\n');
    const failed = await invokeError('gridcore_build_and_register', { folder: broken, taskName: 'chat-broken', tag: 'gridcore-e2e/chat-broken:1' });
    assert.match(failed, /Failing step: Dockerfile line 3: RUN echo about-to-fail && exit 3/);
    assert.match(failed, /End of the build output:\n[^]*about-to-fail/);
    const api = await gridcore();
    assert.equal(api.service!.tasks.get(CLUSTER, 'chat-broken'), undefined, 'a task was registered after a failed build');
    const missing = await invokeError('gridcore_build_and_register', { folder: join(TASK, 'nothing-here'), taskName: 'nothing' });
    assert.match(missing, /The build folder .*nothing-here does not exist\. Open the task folder that holds the Dockerfile\./);
  });

  it('pushes a range to the task and follows its progress to the end', async function () {
    this.timeout(120_000);
    const pushed = await invoke('gridcore_push_data', { task: TASK, range: '1..200' });
    assert.match(pushed, /^Pushed 200 items to chat-square:input \(\d[\d,]* items\/s\)\./);
    assert.match(pushed, /Task chat-square has 200 items pushed through the extension in all/);
    let text = '';
    for (let i = 0; i < 90 && !/200 of 200 done/.test(text); i++) {
      text = await invoke('gridcore_task_progress', { task: TASK });
      if (!/200 of 200 done/.test(text)) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.match(text, /^Task chat-square on cluster local: 200 of 200 done \(100%\)\./, text);
    assert.match(text, /Input queue chat-square:input: 0\. Output queue chat-square:output: 200\./);
    assert.match(text, /Total: items pushed through the extension/);
    assert.match(text, /All items are done/);
  });

  it('reads results: newest, oldest, a search, values cut to the size it states', async function () {
    this.timeout(60_000);
    const newest = await invoke('gridcore_read_results', { task: TASK, count: 3 });
    assert.match(newest, /^Queue chat-square:output on cluster local holds 200 items\.\nNewest first, 3 items from offset 0\./);
    assert.equal(newest.split('\n').filter((l) => /^\[\d\] "\d+:\d+"$/.test(l)).length, 3, newest);
    const found = await invoke('gridcore_read_results', { task: TASK, search: '12:144' });
    assert.match(found, /Searched all 200 items .* for "12:144": 1 matches shown/);
    assert.match(found, /^\[\d+\] "12:144"$/m);
    // A JSON Lines file, relative to the workspace folder: each line one item (a string's value, other JSON as its text).
    writeFileSync(join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'chat-items.jsonl'), '{"n": 1}\n"two"\n3\n');
    assert.match(await invoke('gridcore_push_data', { queue: 'chat-file', file: 'chat-items.jsonl' }), /^Pushed 3 items to chat-file/);
    const fromFile = await invoke('gridcore_read_results', { queue: 'chat-file', from: 'oldest' });
    assert.deepEqual(fromFile.split('\n').filter((l) => l.startsWith('[')), ['[2] "{\\"n\\": 1}"', '[1] "two"', '[0] "3"']);
    const long = 'x'.repeat(5000) + '\u0007<b>';
    assert.match(await invoke('gridcore_push_data', { queue: LONG, items: [long] }), /Pushed 1 items to chat-long/);
    const cut = await invoke('gridcore_read_results', { queue: LONG, from: 'oldest', maxValueChars: 16 });
    assert.match(cut, /cut after 16 characters/);
    assert.match(cut, /^\[0\] "x{16}" \(cut: 5,004 bytes in all\)$/m);
  });

  it('diagnoses the cluster', async function () {
    this.timeout(60_000);
    const text = await invoke('gridcore_diagnose_cluster', {});
    assert.match(text, /^Diagnosis of cluster local: all \d+ checks passed\./);
    assert.match(text, /✓ Redis password/);
  });

  // A tool called outside a chat request (no toolInvocationToken) has its confirmation shown
  // in a workbench dialog (LanguageModelToolsService.invokeTool -> dialogService.confirm). In an
  // extension test run, VS Code's DialogService answers every confirm with "confirmed" without
  // showing it (DialogService.skipDialogs: extension development + extensionTestsLocationURI),
  // so a refusal cannot be acted out here (test/e2e/chat-confirm.test.ts does it in a normal
  // window). What is tested here: each destructive tool asks (its prepareInvocation returns
  // confirmationMessages with exactly what will happen), asking changes nothing, and the
  // confirmed call through vscode.lm.invokeTool does the work.
  it('clear queue: asks with the queue, cluster and length; asking deletes nothing; confirmed, it deletes', async function () {
    this.timeout(60_000);
    const ask = await confirmationOf('gridcore_clear_queue', { queue: LONG });
    assert.equal(ask.title, 'Delete queue chat-long and its 1 items?');
    assert.equal(ask.message, 'Cluster local. This removes the Redis list for good; it cannot be undone.');
    assert.equal(await queueLength(LONG), 1, 'preparing the call deleted the queue');
    assert.equal(await invoke('gridcore_clear_queue', { queue: LONG }), 'Queue chat-long deleted. It held 1 items.');
    assert.equal(await queueLength(LONG), 0);
  });

  it('finish: asks naming the task, the cluster and its queues; confirmed, it completes the task', async function () {
    this.timeout(60_000);
    const ask = await confirmationOf('gridcore_finish_task', { task: TASK });
    assert.equal(ask.title, 'Finish task chat-square on local?');
    assert.match(ask.message, /Its input queue is empty; 200 results in the output queue\. No task is pending, so the hub keeps handing chat-square to nodes/);
    const api = await gridcore();
    assert.equal((await api.service!.listTasks(CLUSTER)).find((t) => t.state === 'running')?.name, TASK, 'preparing the call finished the task');
    assert.match(await invokeError('gridcore_finish_task', { task: 'not-running' }), /Task not-running is not the running task of local: chat-square is/);
    assert.match(await invoke('gridcore_finish_task', { task: TASK }), /^Task chat-square completed\. No task is pending/);
    assert.equal((await api.service!.listTasks(CLUSTER)).find((t) => t.state === 'running'), undefined);
  });

  it('stop node: asks with the hostname, id, cluster and containers; asking stops nothing', async function () {
    this.timeout(60_000);
    const hub = await (await gridcore()).service!.hub(CLUSTER);
    const [node] = await hub.listNodes();
    const ask = await confirmationOf('gridcore_stop_node', { node: node.hostname });
    assert.equal(ask.title, `Stop node ${hostname()} (${node.id})?`);
    assert.match(ask.message, /^Cluster local\. The node receives the request on its next heartbeat, stops its containers \([\d,]+ containers?\) and exits\./);
    assert.equal((await hub.listNodes()).length, 1, 'preparing the call stopped the node');
  });

  it('answers bad input and unknown names with clear errors', async function () {
    this.timeout(60_000);
    assert.match(await invokeError('gridcore_read_results', { task: TASK, count: 'ten' }), /The input of gridcore_read_results does not match its schema: `count` must be a whole number/);
    assert.match(await invokeError('gridcore_read_results', { task: TASK, count: 500 }), /`count` must be at most 100/);
    assert.match(await invokeError('gridcore_cluster_status', { clusterName: 'x' }), /`clusterName` is not an input of this tool \(it takes: cluster\)/);
    assert.match(await invokeError('gridcore_finish_task', {}), /`task` is required/);
    assert.match(await invokeError('gridcore_push_data', { task: TASK }), /Give exactly one of `range`, `file` or `items`/);
    assert.match(await invokeError('gridcore_push_data', { task: TASK, range: '10..1' }), /Write a range like 1\.\.10000/);
    assert.match(await invokeError('gridcore_cluster_status', { cluster: 'nope' }), /There is no cluster named "nope"\. Configured clusters: .*local/);
    assert.match(await invokeError('gridcore_task_progress', { task: 'nope' }), /There is no task named "nope" on cluster local\. Its tasks: chat-square/);
    assert.match(await invokeError('gridcore_read_results', { queue: 'nope:nothing' }), /There is no list named nope:nothing in the Redis of cluster local/);
    assert.match(await invokeError('gridcore_clear_queue', { queue: 'nope:nothing' }), /Queue nope:nothing on cluster local is empty or does not exist: there is nothing to clear/);
    assert.match(await invokeError('gridcore_stop_node', { node: 'no-such-node' }), /There is no node "no-such-node" on cluster local\. Its nodes: /);
  });

  it('never returns a token or a password (secrets audit of every result, error and confirmation)', async () => {
    const api = await gridcore();
    const secrets = await api.service!.profiles.secrets(CLUSTER);
    const resolved = await api.service!.profiles.resolve(CLUSTER);
    const values = [secrets.token, secrets.redisPassword, resolved.token, ...Object.values(E2E_SECRETS)].filter((v): v is string => !!v && v.length >= 4);
    assert.ok(secrets.token && secrets.redisPassword, 'the local cluster has no token or password to look for');
    assert.ok(seen.length > 20, `only ${seen.length} results were collected`);
    const leaks = values.filter((v) => seen.some((t) => t.includes(v)));
    assert.deepEqual(leaks.map((v) => `${v.slice(0, 3)}…`), [], 'a secret appeared in a tool result');
  });
});
