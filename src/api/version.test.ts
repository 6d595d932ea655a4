import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIFF_VERSION, KUBE_COMPAT } from './version.js';

test('version strings are well formed', () => {
  assert.match(SKIFF_VERSION, /^\d+\.\d+\.\d+$/);
  assert.match(KUBE_COMPAT.gitVersion, /^v1\.\d+\.\d+/);
});
