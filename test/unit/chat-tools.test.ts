// The chat tools' text: sizes capped and said, values as quoted text, the status bar's
// numbers, secrets masked; the schema check's messages; tools and contributions in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLogSummary, progressText, resultsText, RESULT_LIMITS, statusText, valueText } from '../../src/tools/format';
import { schemaProblems, type JsonSchema } from '../../src/tools/schema-check';
import { toolCluster, toolNode } from '../../src/tools/targets';
import { TOOL_SPECS } from '../../src/tools/index';
import { maskSecrets } from '../../src/core/redact';
import type { GridCoreService, PageItem } from '../../src/core/service-api';
import type { HubNode, ProgressReport, TaskView } from '../../src/core/types';
import { statusBarText } from '../../src/ui-model/format';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tools: Array<{ name: string; toolReferenceName: string; displayName: string; modelDescription: string; userDescription: string; canBeReferencedInPrompt: boolean; tags: string[]; inputSchema: JsonSchema }> = pkg.contributes.languageModelTools;

const item = (index: number, value: string, truncated = false, length = Buffer.byteLength(value)): PageItem => ({ index, value, length, truncated });

test('a value is a JSON string: quotes, line breaks and control characters stay visible', () => {
  assert.equal(valueText('a"b\nc\u0007', 6, 200, false), '"a\\"b\\nc\\u0007"');
  assert.equal(valueText('<script>alert(1)</script>', 25, 200, false), '"<script>alert(1)</script>"');
});

test('a long value is cut at the stated size, with its full size', () => {
  assert.equal(valueText('x'.repeat(5000), 5000, 16, false), `"${'x'.repeat(16)}" (cut: 5,000 bytes in all)`);
  // cut by characters, never inside a surrogate pair
  assert.equal(valueText('😀'.repeat(20), 80, 3, false), '"😀😀😀" (cut: 80 bytes in all)');
  // cut already by the page read (bytes): said even when it fits the characters
  assert.equal(valueText('abc', 9000, 200, true), '"abc" (cut: 9,000 bytes in all)');
});

test('a listing is capped in total and says how many items it left out', () => {
  const items = Array.from({ length: 100 }, (_, i) => item(i, 'v'.repeat(2000)));
  const text = resultsText({ cluster: 'c', queue: 'q', total: 1e6, items, maxValueChars: RESULT_LIMITS.maxValueChars, mode: { kind: 'page', from: 'newest', offset: 0 } });
  assert.ok(text.length <= RESULT_LIMITS.maxTotalChars, `${text.length} characters`);
  assert.match(text, /^Queue q on cluster c holds 1,000,000 items\.\nNewest first, 100 items from offset 0\./);
  assert.match(text, /Each line is \[index\] value: the index in the list \(0 is the newest\), the value as a JSON string cut after 2000 characters\./);
  const shown = text.split('\n').filter((l) => l.startsWith('[')).length;
  assert.ok(shown > 0 && shown < 100);
  assert.match(text, new RegExp(`${100 - shown} more items not shown: a result is capped at 20,000 characters`));
});

test('an empty queue and a search say what they did', () => {
  assert.match(resultsText({ cluster: 'c', queue: 'q', total: 0, items: [], maxValueChars: 200, mode: { kind: 'page', from: 'oldest', offset: 0 } }), /It is empty/);
  const found = resultsText({ cluster: 'c', queue: 'q', total: 50, items: [item(7, '12:144')], maxValueChars: 200, mode: { kind: 'search', needle: '144', scanned: 50, complete: true } });
  assert.match(found, /Searched all 50 items of queue q on cluster c for "144": 1 matches shown\./);
  assert.match(found, /^\[7\] "12:144"$/m);
});

test('progress reads the status bar\'s numbers', () => {
  const r: ProgressReport = { total: 10_000, done: 6512, inFlight: 12, remaining: 3488, percent: 65.12, rate: 1234, etaSeconds: 2.8, finished: false };
  const text = progressText({ cluster: 'c', task: 'sqrt-calc', report: r, input: 3476, output: 6512, inputQueue: 'sqrt:input', outputQueue: 'sqrt:output', totalFromPushed: true });
  assert.equal(statusBarText('sqrt-calc', r), '$(sync~spin) sqrt-calc 6,512/10,000 65% · 1.2k/s · ETA 3s');
  assert.match(text, /^Task sqrt-calc on cluster c: 6,512 of 10,000 done \(65%\)\./);
  assert.match(text, /In flight: 12\. Remaining: 3,488\./);
  assert.match(text, /Rate: 1\.2k items\/s\./);
  assert.match(text, /ETA: 3s\./);
  assert.match(text, /Input queue sqrt:input: 3,476\. Output queue sqrt:output: 6,512\./);
});

test('a tool\'s text goes out with URL passwords and known secrets masked', () => {
  const node: HubNode = { id: 'n1', hostname: 'box', architecture: 'x86_64', cpu_count: 2, last_seen: new Date(0).toISOString(), status: 'Online', runtime_status: 'Running', active_containers: 2 };
  const text = statusText({
    cluster: 'c',
    computehubUrl: 'http://hub:8080',
    redisUrl: 'redis://:s3cret-pw@redis:6379/0',
    active: true,
    local: false,
    snapshot: { at: 0, hub: { ok: true }, token: { ok: false, message: 'token tok-abcdef rejected' }, redis: { ok: true }, nodes: [node], tasks: [] },
    now: 1000,
    others: ['prod'],
  });
  const masked = maskSecrets(text, ['tok-abcdef', 's3cret-pw']);
  assert.ok(!masked.includes('s3cret-pw') && !masked.includes('tok-abcdef'), masked);
  assert.match(masked, /Redis redis:\/\/:\*\*\*\*@redis:6379\/0/);
  assert.match(masked, /✗ Token rejected: token \*\*\*\* rejected/);
  assert.match(masked, /- box \(id n1\): x86_64 · 2 CPUs · Running · 2 containers/);
  assert.match(masked, /Other clusters \(name one to see it\): prod\./);
});

test('the build log summary keeps every step and the last lines', () => {
  const log = ['Step 1/3 : FROM a', ' ---> 123', 'Step 2/3 : RUN x', '\u001b[31mnoise\u001b[0m', 'Step 3/3 : ENTRYPOINT y', 'Successfully built 42'];
  assert.deepEqual(buildLogSummary(log, 2), ['Step 1/3 : FROM a', 'Step 2/3 : RUN x', 'Step 3/3 : ENTRYPOINT y', '…', 'Successfully built 42']);
});

test('the schema check names each field a model got wrong', () => {
  const schema = tools.find((t) => t.name === 'gridcore_read_results')!.inputSchema;
  assert.deepEqual(schemaProblems({ count: 'ten' }, schema), ['`count` must be a whole number']);
  assert.deepEqual(schemaProblems({ count: 500, from: 'middle' }, schema), ['`count` must be at most 100', '`from` must be one of: newest, oldest']);
  assert.match(schemaProblems({ bogus: 1 }, schema)[0], /^`bogus` is not an input of this tool \(it takes: cluster, task, queue, /);
  assert.deepEqual(schemaProblems({ task: 't', count: 5 }, schema), []);
  assert.deepEqual(schemaProblems({}, tools.find((t) => t.name === 'gridcore_finish_task')!.inputSchema), ['`task` is required']);
  assert.deepEqual(schemaProblems('x', schema), ['`input` must be an object']);
});

test('every contributed tool has its implementation, a reference name and both languages', () => {
  assert.deepEqual(tools.map((t) => t.name), TOOL_SPECS.map((s) => s.name));
  const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
  const zh = JSON.parse(readFileSync(join(root, 'package.nls.zh-cn.json'), 'utf8'));
  for (const t of tools) {
    assert.match(t.name, /^gridcore_[a-z_]+$/);
    assert.ok(t.canBeReferencedInPrompt && t.toolReferenceName, t.name);
    assert.ok(t.tags.includes('gridcore'));
    assert.equal(t.inputSchema.type, 'object');
    assert.equal(t.inputSchema.additionalProperties, false, `${t.name} accepts unknown inputs`);
    for (const field of [t.displayName, t.modelDescription, t.userDescription]) {
      const key = /^%(.+)%$/.exec(field)?.[1];
      assert.ok(key && en[key] && zh[key], `${t.name}: ${field} is not in both nls files`);
    }
  }
  // Destructive tools confirm first: they have a prepare step.
  for (const name of ['gridcore_finish_task', 'gridcore_stop_node', 'gridcore_clear_queue']) assert.ok(TOOL_SPECS.find((s) => s.name === name)?.prepare, name);
});

test('the tool table is the one definition: package.json contributes its schemas, titles and descriptions', () => {
  const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
  for (const t of tools) {
    const spec = TOOL_SPECS.find((s) => s.name === t.name)!;
    assert.deepEqual(t.inputSchema, spec.inputSchema, `${t.name}: package.json's inputSchema differs from src/tools`);
    assert.equal(en[t.modelDescription.slice(1, -1)], spec.description, `${t.name}: modelDescription differs from src/tools`);
    assert.equal(en[t.displayName.slice(1, -1)], `GridCore: ${spec.title}`, t.name);
  }
  for (const spec of TOOL_SPECS) {
    // Destructive tools, and only they, confirm first.
    if (spec.effects.destructive) assert.ok(spec.prepare && !spec.effects.readOnly, spec.name);
  }
});

test('names a model passes: unknown ones are errors that list the known ones', async () => {
  const service = { profiles: { list: async () => [{ name: 'a' }, { name: 'b' }], getActive: async () => undefined } } as unknown as GridCoreService;
  await assert.rejects(toolCluster(service, 'nope'), /There is no cluster named "nope"\. Configured clusters: a, b\./);
  await assert.rejects(toolCluster(service, undefined), /No cluster is active\. Name one of: a, b\./);
  assert.equal(await toolCluster(service, 'b'), 'b');
  const node = (id: string, hostname: string) => ({ id, hostname }) as HubNode;
  assert.throws(() => toolNode([node('1', 'x'), node('2', 'x')], 'c', 'x'), /Several nodes of c are called x: name one by id \(1, 2\)\./);
  assert.equal(toolNode([node('1', 'x'), node('2', 'y')], 'c', 'y').id, '2');
  assert.throws(() => toolNode([], 'c', 'z'), /There is no node "z" on cluster c\. Its nodes: none registered\./);
});

test('progress: the status bar\'s own figures while it shows the task, else fresh samples through the same maths until it has a rate', async () => {
  const { progressTool } = await import('../../src/tools/progress');
  const { progress } = await import('../../src/core/progress');
  const lengths = [{ 'sq:in': 150, 'sq:out': 850 }, { 'sq:in': 100, 'sq:out': 900 }, { 'sq:in': 50, 'sq:out': 950 }];
  let clock = 0;
  const slept: number[] = [];
  const service = {
    profiles: { list: async () => [{ name: 'c' }], getActive: async () => 'c' },
    listTasks: async () => [{ name: 'sq', state: 'running', index: 0, record: { cluster: 'c', name: 'sq', inputQueue: 'sq:in', outputQueue: 'sq:out', pushed: 1000 } }],
    queues: async () => ({ probe: async () => ({ lengths: lengths.shift() }) }),
    progress,
  } as unknown as GridCoreService;
  const deps = {
    service,
    samples: new Map(),
    now: () => clock,
    sleep: async (ms: number) => {
      slept.push(ms);
      clock += ms;
    },
    statusBarProgress: () => undefined,
  } as never;
  const text = await progressTool.run({}, deps, { isCancellationRequested: false });
  // results were already flowing at the first sample: one whole interval measures the rate
  assert.deepEqual(slept, [1000], 'fresh samples a second apart until the rate is measured');
  assert.match(text, /^Task sq on cluster c: 900 of 1,000 done \(90%\)\./);
  assert.match(text, /Rate: 50 items\/s\./);
  assert.match(text, /ETA: 2s\./);

  const bar = { cluster: 'c', task: 'sq', inputQueue: 'sq:in', outputQueue: 'sq:out', input: 1, output: 2, report: { total: 1000, done: 2, inFlight: 997, remaining: 998, percent: 0.2, rate: 3, etaSeconds: 333, finished: false } };
  const fromBar = await progressTool.run({}, { ...(deps as object), statusBarProgress: () => bar } as never, { isCancellationRequested: false });
  assert.match(fromBar, /^Task sq on cluster c: 2 of 1,000 done \(0%\)\.\nIn flight: 997\./);
  assert.match(fromBar, /ETA: 5m 33s\./);
});

test('a status lists the first 50 nodes and counts the rest', () => {
  const nodes: HubNode[] = Array.from({ length: 1000 }, (_, i) => ({ id: `n${i}`, hostname: `box-${i}`, architecture: 'x86_64', cpu_count: 2, last_seen: new Date(0).toISOString(), status: i < 990 ? 'Online' : 'Offline', runtime_status: 'Running', active_containers: 1 }));
  const text = statusText({ cluster: 'c', computehubUrl: 'http://hub:8080', redisUrl: 'redis://h:6379', active: true, local: false, snapshot: { at: 0, hub: { ok: true }, token: { ok: true }, redis: { ok: true }, nodes, tasks: [] }, now: 1000, others: [] });
  assert.match(text, /Nodes \(1,000\):/);
  assert.equal(text.split('\n').filter((l) => l.startsWith('- box-')).length, 50);
  assert.match(text, /- … and 950 more \(a status lists 50\); 990 of all 1,000 nodes are online\./);
  assert.ok(text.length < 6000, `${text.length} characters`);
  const tasks = Array.from({ length: 10_000 }, (_, i) => ({ name: `task-${i}`, state: i ? 'pending' : 'running' }) as TaskView);
  const many = statusText({ cluster: 'c', computehubUrl: 'http://hub:8080', redisUrl: 'redis://h:6379', active: true, local: false, snapshot: { at: 0, hub: { ok: true }, token: { ok: true }, redis: { ok: true }, nodes: [], tasks }, now: 1000, others: [] });
  assert.match(many, /Tasks pending \(9,999\):\n(- task-\d+\n){50}- … and 9,949 more \(a status lists 50 per state\)\./);
});
