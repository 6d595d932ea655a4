import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bloatLine, largestPrimeBelow, parseAutoscaleQuery, primeLine, sleptLine } from './work.cjs';

describe('autoscale-go work', () => {
  test('largest prime strictly below N (the sample documents 10000 → 9973)', () => {
    assert.equal(largestPrimeBelow(10000), 9973);
    assert.equal(largestPrimeBelow(100), 97);
    assert.equal(largestPrimeBelow(8), 7);
    assert.equal(largestPrimeBelow(3), 2);
    assert.equal(largestPrimeBelow(2), undefined);
    assert.equal(largestPrimeBelow(1), undefined);
    assert.equal(largestPrimeBelow(400000), 399989);
  });

  test('response lines use the sample wording', () => {
    assert.equal(primeLine(10000, 9973), 'The largest prime less than 10000 is 9973.\n');
    assert.equal(primeLine(2, undefined), 'There are no primes smaller than 2.\n');
    assert.equal(bloatLine(5), 'Allocated 5 Mb of memory.\n');
    assert.equal(sleptLine(100.1342), 'Slept for 100.13 milliseconds.\n');
    assert.equal(sleptLine(0), 'Slept for 0.00 milliseconds.\n');
  });

  test('query parsing: Atoi rules, 0 means absent, Go error texts', () => {
    assert.deepEqual(parseAutoscaleQuery(new URLSearchParams('sleep=100&prime=10000&bloat=5')), {
      ok: true,
      request: { sleepMs: 100, prime: 10000, bloatMb: 5 },
    });
    assert.deepEqual(parseAutoscaleQuery(new URLSearchParams('sleep=0&prime=&other=1')), { ok: true, request: {} });
    assert.deepEqual(parseAutoscaleQuery(new URLSearchParams('sleep=1s')), {
      ok: false,
      error: 'strconv.Atoi: parsing "1s": invalid syntax',
    });
    assert.deepEqual(parseAutoscaleQuery(new URLSearchParams('sleep=-5')), { ok: true, request: { sleepMs: 0 } });
    assert.deepEqual(parseAutoscaleQuery(new URLSearchParams('bloat=-1')), { ok: false, error: 'Negative query params are not supported' });
  });
});
