import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from './printers.js';

test('humanDuration matches kubectl', () => {
  const s = 1000;
  assert.equal(humanDuration(83 * s), '83s');
  assert.equal(humanDuration(200 * s), '3m20s');
  assert.equal(humanDuration(300 * s), '5m');
  assert.equal(humanDuration(41 * 60 * s), '41m');
  assert.equal(humanDuration((4 * 3600 + 57 * 60) * s), '4h57m');
  assert.equal(humanDuration(62 * 86400 * s), '62d');
});
