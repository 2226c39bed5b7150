import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeForEditor, isCompiledBinaryFile, isTaskFolder, toFinding } from '../../src/diagnostics/dockerfileRulesAdapter';
import { applyEdits } from '../../src/diagnostics/findings';

const CMD_ONLY = 'FROM python:3.11-slim\nCOPY consumer.py /app/\nCMD ["python", "/app/consumer.py"]\n';

test('core problems become editor findings; the quick fix edits the text', async () => {
  const found = await analyzeForEditor(CMD_ONLY);
  assert.equal(found.length, 1);
  const f = found[0];
  assert.deepEqual([f.rule, f.severity, f.line, f.column], ['cmdWithoutEntrypoint', 'warning', 2, 0]);
  assert.equal(f.fixes[0].preferred, true);
  assert.equal(applyEdits(CMD_ONLY, f.fixes[0].edits), CMD_ONLY.replace('CMD', 'ENTRYPOINT'));
  assert.equal(
    toFinding({ rule: 'hardcodedRedis', severity: 'information', message: 'm', range: { startLine: 1, startCharacter: 2, endLine: 3, endCharacter: 4 }, fixes: [] }).severity,
    'info',
  );
});

test('only task folders are checked: the Dockerfile or a file beside it uses what GridNode injects', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-df-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const web = join(dir, 'web');
  const task = join(dir, 'task');
  mkdirSync(web);
  mkdirSync(task);
  writeFileSync(join(web, 'Dockerfile'), CMD_ONLY);
  writeFileSync(join(web, 'app.py'), 'print("hello")\n');
  writeFileSync(join(task, 'Dockerfile'), CMD_ONLY);
  writeFileSync(join(task, 'consumer.py'), 'import os\nurl = os.environ["INPUT_REDIS_URL"]\n');
  assert.equal(await isTaskFolder(web, CMD_ONLY), false);
  assert.equal(await isTaskFolder(task, CMD_ONLY), true);
  assert.equal(await isTaskFolder(web, CMD_ONLY + 'ENV INPUT_QUEUE=x\n'), true);
  assert.deepEqual(await analyzeForEditor(CMD_ONLY, join(web, 'Dockerfile')), []);
  assert.deepEqual((await analyzeForEditor(CMD_ONLY, join(task, 'Dockerfile'))).map((f) => f.rule), ['cmdWithoutEntrypoint']);
});

test('a compiled program copied from the host is told by its content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-bin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'worker'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho $INPUT_QUEUE\n');
  assert.equal(isCompiledBinaryFile(join(dir, 'worker')), true);
  assert.equal(isCompiledBinaryFile(join(dir, 'run.sh')), false);
  assert.equal(isCompiledBinaryFile(join(dir, 'missing')), undefined);
  const text = 'FROM debian:12-slim\nCOPY worker /app/worker\nENTRYPOINT ["/app/worker"]\n';
  const found = await analyzeForEditor(text, join(dir, 'Dockerfile'));
  assert.deepEqual(found.map((f) => [f.rule, f.line]), [['hostBinary', 1]]);
});
