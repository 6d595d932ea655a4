import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, formatTable, intArg, median, parseCpuMs, percentile, summarize } from './lib.js';

describe('bench statistics', () => {
  test('nearest-rank percentiles, summary and median', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(xs, 0.5), 50);
    assert.equal(percentile(xs, 0.99), 99);
    assert.equal(percentile(xs, 1), 100);
    assert.equal(percentile([7], 0.99), 7);
    assert.ok(Number.isNaN(percentile([], 0.5)));
    const s = summarize([5, 1, 4, 2, 3]);
    assert.deepEqual(s, { n: 5, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
    assert.equal(median([3, 1, 2]), 2);
  });

  test('fmt and formatTable: right-aligned numbers, dashes for missing values', () => {
    assert.equal(fmt(1.23456, 2), '1.23');
    assert.equal(fmt(undefined), '-');
    assert.equal(fmt(NaN), '-');
    assert.equal(formatTable(['name', 'p50'], [['a', '1.5'], ['longer', '12.25']]), ['name    p50', '------  -----', 'a         1.5', 'longer  12.25'].join('\n'));
  });

  test('intArg reads --name=N and refuses non-positive or non-integer values', () => {
    assert.equal(intArg(['--cycles=12'], 'cycles', 10), 12);
    assert.equal(intArg([], 'cycles', 10), 10);
    assert.throws(() => intArg(['--cycles=0'], 'cycles', 10), /--cycles: want a positive integer, got "0"/);
    assert.throws(() => intArg(['--cycles=x'], 'cycles', 10), /--cycles/);
  });

  test('parseCpuMs: utime + stime (fields 14, 15) of /proc/<pid>/stat, command names with spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0 12345 0 0';
    assert.equal(parseCpuMs(stat), 3250);
    assert.equal(parseCpuMs('garbage'), undefined);
  });
});
