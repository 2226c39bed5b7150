// What a new user reads every day (issue 13, item 5; item 4's push default): plurals, grouped
// numbers, local times instead of ISO stamps, no emoji in Diagnose, and the Push Data source
// that Enter takes. English and zh-cn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setDisplayLocale } from '../../src/core/l10n';
import { countItems } from '../../src/core/queues/sources';
import type { HubNode } from '../../src/core/types';
import { looksLikeData, sourceChoices } from '../../src/ui-model/push-input';
import { diagnosisMarkdown } from '../../src/ui-model/diagnosis-report';
import { containersText, formatLocalTime, formatWhen, itemsText, nodeDescription } from '../../src/ui-model/format';
import { taskDetailsMarkdown } from '../../src/ui-model/task-details';
import { inChinese } from '../support/zh';

const NOW = Date.parse('2026-11-29T18:34:26.888Z');
const node = (active: number, cpus = 4): HubNode => ({
  id: 'n1', hostname: 'h', architecture: 'x86_64', cpu_count: cpus, runtime_status: 'Running', active_containers: active, last_seen: '2026-11-29T18:34:20.000Z',
}) as HubNode;

test('plurals: one container, one CPU, one item; grouped numbers above a thousand', () => {
  assert.equal(containersText(1), '1 container');
  assert.equal(containersText(2), '2 containers');
  assert.equal(itemsText(1), '1 item');
  assert.equal(itemsText(20000), '20,000 items');
  assert.match(nodeDescription(node(1, 1), NOW, false), /1 CPU · Running · 1 container/);
  assert.match(nodeDescription(node(1200), NOW, false), /4 CPUs · Running · 1,200 containers/);
  inChinese(() => {
    assert.equal(containersText(1), '1 个容器');
    assert.equal(itemsText(20000), '20,000 项');
  });
});

test('times: relative and local, never the raw ISO stamp', () => {
  setDisplayLocale('en-US');
  try {
    const when = formatWhen('2026-11-29T18:31:26.888Z', NOW);
    assert.match(when, /^3 min ago \(.*2026.*\)$/);
    assert.ok(!when.includes('T18:31'), when);
    assert.ok(!formatLocalTime('2026-11-29T18:31:26.888Z').includes('Z'));
    const md = taskDetailsMarkdown('c', { name: 't', state: 'running', index: 0, record: { cluster: 'c', name: 't', registeredAt: '2026-11-29T18:31:26.888Z' } }, {}, undefined, NOW);
    assert.match(md, /\| Registered at \| 3 min ago \(/);
    assert.ok(!md.includes('2026-11-29T'), md);
    setDisplayLocale('zh-CN');
    inChinese(() => assert.match(formatWhen('2026-11-29T18:31:26.888Z', NOW), /^3 分钟前（2026年11月\d+日/));
  } finally {
    setDisplayLocale(undefined);
  }
});

test('Diagnose: inline icons with alt text, no emoji, a local time', () => {
  const md = diagnosisMarkdown('c', [
    { id: 'hubHealth', ok: true, detail: 'fine' },
    { id: 'redisPing', ok: false, code: 'unreachable', detail: 'refused' },
  ], new Date(NOW));
  assert.ok(!/[\u2705\u274c]|\p{Extended_Pictographic}/u.test(md), md);
  // markdown-it (the preview's renderer) drops data: images other than PNG, GIF, JPEG and WebP
  assert.match(md, /## !\[passed\]\(data:image\/png;base64,[A-Za-z0-9+/=]+\) Hub \/health/);
  assert.match(md, /## !\[failed\]\(data:image\/png;base64,/);
  const png = Buffer.from(/!\[passed\]\(data:image\/png;base64,([^)]+)\)/.exec(md)![1], 'base64');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 16, '16 px wide');
  assert.ok(!md.includes('2026-11-29T'), 'raw ISO stamp in the report');
});

test('Push Data: Enter never takes a Dockerfile; data files come first; scripts last', () => {
  assert.deepEqual(sourceChoices({ fileName: '/w/sq/Dockerfile', untitled: false, hasSelection: false }), ['file', 'range']);
  assert.deepEqual(sourceChoices({ fileName: '/w/sq/build.dockerfile', untitled: false, hasSelection: false }), ['file', 'range']);
  assert.deepEqual(sourceChoices({ fileName: '/w/numbers.txt', untitled: false, hasSelection: false }), ['current', 'file', 'range']);
  assert.deepEqual(sourceChoices({ fileName: '/w/items.jsonl', untitled: false, hasSelection: true }), ['selection', 'current', 'file', 'range']);
  assert.deepEqual(sourceChoices({ fileName: '/w/sq/consumer.sh', untitled: false, hasSelection: false }), ['file', 'range', 'current']);
  assert.deepEqual(sourceChoices({ fileName: 'Untitled-1', untitled: true, hasSelection: false }), ['current', 'file', 'range']);
  assert.deepEqual(sourceChoices(undefined), ['file', 'range']);
  assert.equal(looksLikeData('/w/README.md'), false);
  assert.equal(looksLikeData('/w/data.csv'), true);
});

test('the count said before a push is what the push parser yields', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-count-'));
  const f = join(dir, 'consumer.sh');
  writeFileSync(f, '#!/bin/sh\n\nset -e\nwhile true; do\n  x=1\ndone\n');
  assert.equal(await countItems({ kind: 'lines', file: f }), 5);
});

test('a late "finish task?" click acts on the task it names, or says it is already finished', async () => {
  const { alreadyFinished } = await import('../../src/ui-model/finish-flow');
  const running = (name: string, registeredAt?: string) => ({ name, state: 'running' as const, index: 0, record: registeredAt ? { cluster: 'c', name, registeredAt } : undefined });
  assert.equal(alreadyFinished('c', { taskName: 'a' }, running('a')), undefined);
  assert.equal(alreadyFinished('c', {}, running('b')), undefined, 'no name: the palette finishes what runs');
  assert.equal(alreadyFinished('c', { taskName: 'a' }, running('b')), 'Task a on c is already finished; b runs now and was left as it is.');
  assert.equal(alreadyFinished('c', { taskName: 'a' }, undefined), 'Task a on c is already finished.');
  // the same name registered again later is another task
  assert.match(alreadyFinished('c', { taskName: 'a', registeredAt: '2026-11-29T10:00:00Z' }, running('a', '2026-11-29T11:00:00Z')) ?? '', /already finished/);
  inChinese(() => assert.equal(alreadyFinished('c', { taskName: 'a' }, undefined), 'c 上的任务 a 已经结束。'));
});

test('a template goes to a free folder named after the task, never an existing one', async () => {
  const { freeFolder } = await import('../../src/core/templates');
  const taken = new Set([join('/w', 'sq'), join('/w', 'sq-2')]);
  assert.equal(freeFolder('/w', 'sq', (p) => taken.has(p)), join('/w', 'sq-3'));
  assert.equal(freeFolder('/w', 'new', (p) => taken.has(p)), join('/w', 'new'));
});

test('the activity-bar icon is a hub with nodes, not squares like the Extensions icon', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const file = pkg.contributes.viewsContainers.activitybar.find((c: { id: string }) => c.id === 'gridcore').icon;
  const svg = readFileSync(file, 'utf8');
  assert.doesNotMatch(svg, /<rect/);
  assert.ok((svg.match(/<circle/g) ?? []).length >= 4, 'a hub and its nodes');
  assert.match(svg, /currentColor/, 'monochrome: the theme colours it');
});
