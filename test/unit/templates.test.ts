// Task templates: listed with the offline one first, copied with the task name substituted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFromTemplate, listTemplates, validateTaskName } from '../../src/core/templates';
import { ConfigError } from '../../src/core/errors';

test('lists the shipped templates, offline first', async () => {
  const list = await listTemplates();
  assert.deepEqual(list.map((t) => t.id), ['shell-square', 'python-sqrt']);
  assert.equal(list[0].offline, true);
  assert.deepEqual(list[0].files, ['Dockerfile', 'README.md', 'consumer.sh']);
  assert.ok(list[1].files.includes('consumer.py'));
});

test('copies a template with {{TASK_NAME}} replaced and refuses to overwrite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gc-tpl-'));
  try {
    const written = await createFromTemplate('python-sqrt', join(dir, 'task'), { taskName: 'my-sqrt' });
    assert.equal(written.length, 4);
    const readme = readFileSync(join(dir, 'task', 'README.md'), 'utf8');
    assert.match(readme, /^# my-sqrt$/m);
    assert.doesNotMatch(readme, /\{\{TASK_NAME\}\}/);
    await assert.rejects(createFromTemplate('python-sqrt', join(dir, 'task'), { taskName: 'my-sqrt' }), (e) => e instanceof ConfigError && /already has/.test(e.message));
    await createFromTemplate('python-sqrt', join(dir, 'task'), { taskName: 'other' }, { overwrite: true });
    assert.match(readFileSync(join(dir, 'task', 'README.md'), 'utf8'), /^# other$/m);
    await createFromTemplate('shell-square', join(dir, 'sq'), { taskName: 'sq' });
    assert.ok(statSync(join(dir, 'sq', 'consumer.sh')).mode & 0o400);
    await assert.rejects(createFromTemplate('nope', join(dir, 'x'), { taskName: 'x' }), ConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('task names must suit container names', () => {
  assert.equal(validateTaskName('sqrt-calc_2.v1'), undefined);
  assert.ok(validateTaskName('bad name'));
  assert.ok(validateTaskName('-x'));
  assert.ok(validateTaskName(''));
});
