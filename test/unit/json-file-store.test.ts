import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors';
import { JsonFileStore } from '../../src/core/json-file-store';

test('JsonFileStore keeps values across instances, writes in order, private file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-kv-'));
  try {
    const file = join(dir, 'sub', 'state.json');
    const a = new JsonFileStore(file);
    assert.equal(a.get('x'), undefined);
    void a.update('x', 1);
    void a.update('x', 2);
    await a.update('y', { deep: [1, 2] });
    const got = a.get<{ deep: number[] }>('y');
    got!.deep.push(3);
    assert.deepEqual(a.get('y'), { deep: [1, 2] }, 'values are copies');
    const b = new JsonFileStore(file);
    assert.equal(b.get('x'), 2);
    await b.update('x', undefined);
    assert.equal(new JsonFileStore(file).get('x'), undefined);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.doesNotThrow(() => JSON.parse(readFileSync(file, 'utf8')));
    writeFileSync(file, '[1,2]');
    assert.throws(() => new JsonFileStore(file), (e: ConfigError) => e.code === 'malformedJson' && e.file === file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
