import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsCadence } from './cadence.js';

test('StatsCadence: windows, arrival gaps and delivery delays as min/max/avg', () => {
  const c = new StatsCadence(0);
  assert.deepEqual(c.snapshot(), { reports: 0, windowMs: { min: 0, max: 0, avg: 0 }, arrivalGapMs: { min: 0, max: 0, avg: 0 }, deliveryDelayMs: { min: 0, max: 0, avg: 0 }, since: 0 });
  c.record(1000, 1000, 1001);
  c.record(2000, 1000, 2003);
  c.record(3250, 1250, 3600); // worker tick 250 ms late, then 350 ms waiting for the main thread
  const s = c.snapshot();
  assert.equal(s.reports, 3);
  assert.deepEqual(s.windowMs, { min: 1000, max: 1250, avg: 1083.33 });
  assert.deepEqual(s.arrivalGapMs, { min: 1002, max: 1597, avg: 1299.5 });
  assert.deepEqual(s.deliveryDelayMs, { min: 1, max: 350, avg: 118 });
});

test('StatsCadence: reset starts a new series (no gap across the reset); clock skew never gives a negative delay', () => {
  const c = new StatsCadence(0);
  c.record(1000, 1000, 1000);
  c.reset(5000);
  c.record(6000, 1000, 5999);
  const s = c.snapshot();
  assert.equal(s.reports, 1);
  assert.equal(s.since, 5000);
  assert.deepEqual(s.arrivalGapMs, { min: 0, max: 0, avg: 0 });
  assert.equal(s.deliveryDelayMs.max, 0);
});
