import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage, l10n } from '../../src/core/l10n';
import { maskUrl } from '../../src/core/redact';

test('formatMessage fills named and positional placeholders', () => {
  assert.equal(formatMessage('a {x} b {y}', { x: 1, y: 'z' }), 'a 1 b z');
  assert.equal(formatMessage('a {0} b {1}', ['p', 'q']), 'a p b q');
  assert.equal(l10n.t('hello {name}', { name: 'w' }), 'hello w');
});

test('maskUrl hides passwords, keeps the rest whole', () => {
  assert.equal(maskUrl('redis://:secret@h:6379/2'), 'redis://:****@h:6379/2');
  assert.equal(maskUrl('rediss://user:pw@h:6380'), 'rediss://user:****@h:6380');
  assert.equal(maskUrl('redis://h:6379'), 'redis://h:6379');
});
