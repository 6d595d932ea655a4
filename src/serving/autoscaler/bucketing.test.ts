import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWindowAverager, LinearBuckets, MaxTimeWindow, smoothingCoefficient, WeightedExponentialBuckets } from './bucketing.js';

// A fake clock origin aligned to 2 s so 1 s buckets and 2 s slots line up.
const T0 = 1_700_000_000_000;
const s = (sec: number) => T0 + sec * 1000;

describe('linear window average (60 s window, 1 s buckets)', () => {
  test('partial window: divides by the seconds seen so far', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(0), 10);
    b.record(s(1), 20);
    assert.equal(b.windowAverage(s(1)), 15); // (10 + 20) / 2
  });

  test('trailing empty seconds are dropped, not counted as zeros', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(0), 10);
    b.record(s(1), 20);
    assert.equal(b.windowAverage(s(5)), 15); // still (10 + 20) / 2
    assert.equal(b.windowAverage(s(5) + 999), 15); // ms within a second are truncated
  });

  test('gaps between writes count as zeros', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(0), 10);
    b.record(s(3), 20);
    assert.equal(b.windowAverage(s(3)), 7.5); // (10 + 0 + 0 + 20) / 4
  });

  test('several records in one second add up (activator + scraper)', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(0), 3);
    b.record(s(0) + 500, 4);
    assert.equal(b.windowAverage(s(0)), 7);
  });

  test('a full window of silence gives 0 and is empty a second later', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(0), 10);
    assert.equal(b.isEmpty(s(59)), false);
    assert.equal(b.windowAverage(s(59)), 10);
    assert.equal(b.windowAverage(s(60)), 0); // 60 s since the last write
    assert.equal(b.isEmpty(s(60)), false); // empty means strictly more than a window
    assert.equal(b.isEmpty(s(61)), true);
    assert.equal(new LinearBuckets(60_000).isEmpty(s(0)), true);
    assert.equal(new LinearBuckets(60_000).windowAverage(s(0)), 0);
  });

  test('history resets after a full empty window', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(0), 10);
    b.record(s(70), 30);
    assert.equal(b.windowAverage(s(70)), 30); // old 10 gone, divisor 1
  });

  test('a saturated window averages over exactly 60 buckets', () => {
    const b = new LinearBuckets(60_000);
    for (let i = 0; i < 60; i++) b.record(s(i), i + 1); // 1..60
    assert.equal(b.windowAverage(s(59)), 30.5); // 1830 / 60
    b.record(s(60), 0); // pushes out the 1
    assert.equal(b.windowAverage(s(60)), 30.483333); // 1829 / 60, 6 decimals
    // 10 s later with no writes: 50 valid buckets remain (values 12..60 and the 0).
    // sum = (12 + … + 60) + 0 = 1764; 1764 / 50 = 35.28
    assert.equal(b.windowAverage(s(70)), 35.28);
  });

  test('long-running revision: the divisor is the window, not the activity period', () => {
    const b = new LinearBuckets(60_000);
    for (let i = 0; i < 120; i++) b.record(s(i), 5);
    assert.equal(b.windowAverage(s(119)), 5);
  });

  test('late values inside the window are added and extend the period backwards', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(5), 10);
    b.record(s(3), 2);
    assert.equal(b.windowAverage(s(5)), 4); // (2 + 0 + 10) / 3
  });

  test('values more than a window older than the last write are ignored', () => {
    const b = new LinearBuckets(60_000);
    b.record(s(100), 10);
    b.record(s(30), 1000);
    assert.equal(b.windowAverage(s(100)), 10);
  });

  test('resize keeps the newest buckets', () => {
    const b = new LinearBuckets(6_000);
    for (let i = 0; i < 6; i++) b.record(s(i), 6); // 6 buckets of 6
    b.resizeWindow(3_000, s(5));
    assert.equal(b.windowMs, 3_000);
    assert.equal(b.windowAverage(s(5)), 6); // 3 newest, all 6
    b.resizeWindow(60_000, s(5));
    // Growing: 3 buckets copied, firstWrite = last − 2 s ⇒ (6+6+6)/3
    assert.equal(b.windowAverage(s(5)), 6);
  });
});

describe('weighted-exponential window average', () => {
  test('smoothing coefficient: 60 buckets ⇒ 0.2 floor, 6 buckets ⇒ ≈0.785', () => {
    assert.equal(smoothingCoefficient(60), 0.2); // 1 − 1e-4^(1/60) ≈ 0.142 < 0.2
    // 1 − 10^(−4/6) = 1 − 0.2154435 = 0.7845565
    assert.ok(Math.abs(smoothingCoefficient(6) - 0.7845565) < 1e-6);
    assert.equal(new WeightedExponentialBuckets(60_000).smoothingCoefficient, 0.2);
  });

  test('newest bucket weighs α, older ones α(1−α)^i, idle seconds decay', () => {
    const b = new WeightedExponentialBuckets(60_000);
    b.record(s(0), 10);
    assert.ok(Math.abs(b.windowAverage(s(0)) - 2) < 1e-9); // 10 × 0.2
    assert.ok(Math.abs(b.windowAverage(s(1)) - 1.6) < 1e-9); // 10 × 0.2 × 0.8
    b.record(s(1), 10);
    assert.ok(Math.abs(b.windowAverage(s(1)) - 3.6) < 1e-9); // 10×0.2 + 10×0.16
    b.record(s(2), 5);
    // 5×0.2 + 10×0.16 + 10×0.128 = 1 + 1.6 + 1.28 = 3.88
    assert.ok(Math.abs(b.windowAverage(s(2)) - 3.88) < 1e-9);
  });

  test('order matters, unlike linear: [5,5,10,10] vs [10,10,5,5]', () => {
    const rising = new WeightedExponentialBuckets(60_000);
    const falling = new WeightedExponentialBuckets(60_000);
    [5, 5, 10, 10].forEach((v, i) => rising.record(s(i), v));
    [10, 10, 5, 5].forEach((v, i) => falling.record(s(i), v));
    // rising: 10×.2 + 10×.16 + 5×.128 + 5×.1024 = 2 + 1.6 + .64 + .512 = 4.752
    assert.ok(Math.abs(rising.windowAverage(s(3)) - 4.752) < 1e-9);
    // falling: 5×.2 + 5×.16 + 10×.128 + 10×.1024 = 1 + .8 + 1.28 + 1.024 = 4.104
    assert.ok(Math.abs(falling.windowAverage(s(3)) - 4.104) < 1e-9);
  });

  test('a steady value over the whole window converges to it', () => {
    const b = new WeightedExponentialBuckets(60_000);
    for (let i = 0; i < 60; i++) b.record(s(i), 10);
    // 10 × (1 − 0.8^60) = 10 × (1 − 1.5e-6)
    assert.ok(Math.abs(b.windowAverage(s(59)) - 10) < 1e-4);
    assert.equal(b.windowAverage(s(200)), 0);
  });

  test('factory picks the algorithm', () => {
    assert.ok(createWindowAverager('linear', 6_000) instanceof LinearBuckets);
    assert.ok(!(createWindowAverager('linear', 6_000) instanceof WeightedExponentialBuckets));
    assert.ok(createWindowAverager('weighted-exponential', 6_000) instanceof WeightedExponentialBuckets);
  });
});

describe('max time window (scale-down delay, 2 s slots)', () => {
  test('holds the maximum for the window, then lets it go', () => {
    const w = new MaxTimeWindow(10_000, 2_000); // 5 slots
    w.record(s(0), 5);
    assert.equal(w.current(), 5);
    w.record(s(2), 3);
    assert.equal(w.current(), 5);
    w.record(s(8), 2); // slot 4: the 5 (slot 0) is still inside
    assert.equal(w.current(), 5);
    w.record(s(10), 1); // slot 5: slot 0 slides out, 3 (slot 1) remains
    assert.equal(w.current(), 3);
    w.record(s(12), 1); // slot 6: slot 1 out; 2 (slot 4) remains
    assert.equal(w.current(), 2);
    w.record(s(18), 1); // slot 9: slot 4 out
    assert.equal(w.current(), 1);
  });

  test('a larger value takes over immediately; a slot keeps its maximum', () => {
    const w = new MaxTimeWindow(10_000, 2_000);
    w.record(s(0), 2);
    w.record(s(1), 1); // same 2 s slot
    assert.equal(w.current(), 2);
    w.record(s(2), 9);
    assert.equal(w.current(), 9);
    assert.equal(new MaxTimeWindow(4_000).current(), 0);
  });
});
