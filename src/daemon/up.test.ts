// `skiff up` flag and environment parsing (the start/stop contract itself is test/e2e/up.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_WARM_POOL, parseUpArgs } from './up.js';

describe('parseUpArgs --warm-pool', () => {
  test('default 1, flag wins over SKIFF_WARM_POOL, 0 turns it off', () => {
    assert.equal(DEFAULT_WARM_POOL, 1);
    assert.equal(parseUpArgs([], {}).warmPool, 1);
    assert.equal(parseUpArgs([], { SKIFF_WARM_POOL: '3' }).warmPool, 3);
    assert.equal(parseUpArgs(['--warm-pool=0'], { SKIFF_WARM_POOL: '3' }).warmPool, 0);
    assert.equal(parseUpArgs(['--warm-pool', '2'], {}).warmPool, 2);
  });

  test('a bad size is a usage error naming the flag', () => {
    for (const v of ['-1', '1.5', 'two', '17']) {
      assert.throws(() => parseUpArgs([`--warm-pool=${v}`], {}), (e: Error & { code?: string }) => e.code === 'SKIFF_ERR_UP_USAGE' && /--warm-pool: invalid size/.test(e.message));
    }
  });
});
