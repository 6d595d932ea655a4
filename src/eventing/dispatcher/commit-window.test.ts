import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContiguousCommitTracker } from './commit-window.js';

test('committed moves only over a finished prefix', () => {
  const t = new ContiguousCommitTracker(10);
  for (const p of [11, 12, 13, 14]) t.begin(p);
  assert.equal(t.inFlight, 4);
  assert.equal(t.complete(13), false);
  assert.equal(t.committed, 10);
  assert.equal(t.complete(11), true);
  assert.equal(t.committed, 11);
  assert.equal(t.complete(12), true);
  assert.equal(t.committed, 13, 'jumps over the already finished 13');
  assert.equal(t.inFlight, 1);
  assert.equal(t.complete(14), true);
  assert.equal(t.committed, 14);
  assert.equal(t.inFlight, 0);
});

test('positions need only increase, not be contiguous; unknown and repeated completions are no-ops', () => {
  const t = new ContiguousCommitTracker(0);
  t.begin(5);
  t.begin(9);
  assert.equal(t.complete(7), false);
  assert.equal(t.complete(9), false);
  assert.equal(t.complete(9), false);
  assert.equal(t.complete(5), true);
  assert.equal(t.committed, 9);
  assert.throws(() => t.begin(9), /out of order/);
  assert.throws(() => t.begin(3), /out of order/);
});

test('long runs compact without losing track', () => {
  const t = new ContiguousCommitTracker(0);
  for (let i = 1; i <= 5000; i++) t.begin(i);
  for (let i = 5000; i >= 2; i--) t.complete(i);
  assert.equal(t.committed, 0);
  t.complete(1);
  assert.equal(t.committed, 5000);
  for (let i = 5001; i <= 10000; i++) {
    t.begin(i);
    t.complete(i);
  }
  assert.equal(t.committed, 10000);
  assert.equal(t.inFlight, 0);
});
