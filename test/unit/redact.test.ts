import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrl, passwordOf, redact } from '../../src/core/redact';

test('one passwordOf: decoded, also from a URL `new URL` rejects; none without a password', () => {
  assert.equal(passwordOf('redis://:s3cret@h:6379/0'), 's3cret');
  assert.equal(passwordOf('rediss://user:p%40ss%2Fw@h:6380'), 'p@ss/w');
  assert.equal(passwordOf('redis://:a b#c@h:6379'), 'a b#c', 'not a valid URL, the password is still found');
  assert.equal(passwordOf('redis://:%E0%A4%A@h'), '%E0%A4%A', 'bad escapes are kept as written');
  assert.equal(passwordOf('redis://user@h:6379'), undefined);
  assert.equal(passwordOf('redis://:@h:6379'), undefined);
  assert.equal(passwordOf('redis://h:6379'), undefined);
});

test('masked URLs and redacted texts never show the password', () => {
  const url = 'redis://:s3cret@h:6379';
  assert.equal(maskUrl(url), 'redis://:****@h:6379');
  assert.equal(redact(`NOAUTH for ${url}`, [passwordOf(url)]), 'NOAUTH for redis://:****@h:6379');
});
