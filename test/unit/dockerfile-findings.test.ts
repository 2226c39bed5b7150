import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../src/diagnostics/findings';
import { isDockerfileName } from '../../src/ui-model/build-plan';

test('applyEdits replaces ranges bottom-up, including multi-line ones', () => {
  const text = 'FROM x\nCMD ["a"]\nRUN b \\\n  c\n';
  assert.equal(applyEdits(text, [{ line: 1, column: 0, endLine: 1, endColumn: 3, newText: 'ENTRYPOINT' }]), 'FROM x\nENTRYPOINT ["a"]\nRUN b \\\n  c\n');
  assert.equal(
    applyEdits(text, [
      { line: 0, column: 5, endLine: 0, endColumn: 6, newText: 'y' },
      { line: 2, column: 4, endLine: 3, endColumn: 3, newText: 'bc' },
    ]),
    'FROM y\nCMD ["a"]\nRUN bc\n',
  );
});

test('Dockerfile names', () => {
  for (const ok of ['Dockerfile', '/a/Dockerfile', 'Dockerfile.gpu', 'C:\\x\\worker.dockerfile']) assert.ok(isDockerfileName(ok), ok);
  for (const no of ['Dockerfile_notes', 'docker.txt', 'main.go']) assert.ok(!isDockerfileName(no), no);
});
