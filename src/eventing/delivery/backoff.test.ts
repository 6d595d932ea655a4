import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WAIT_MS, backoffWaitMs, parseRetryAfterMs, retryWaitMs } from './backoff.js';
import { classifyStatus, isRetryableStatus } from './retry-policy.js';

describe('backoffWaitMs', () => {
  test('linear: delay × k', () => {
    assert.deepEqual([1, 2, 3, 4].map((k) => backoffWaitMs('linear', 200, k)), [200, 400, 600, 800]);
  });

  test('exponential: delay × 2^k (first retry after 2 × delay)', () => {
    assert.deepEqual([1, 2, 3, 10].map((k) => backoffWaitMs('exponential', 200, k)), [400, 800, 1600, 204_800]);
  });

  test('no delay → no wait; huge exponents are capped at the timer limit', () => {
    assert.equal(backoffWaitMs('exponential', 0, 5), 0);
    assert.equal(backoffWaitMs('linear', 0, 5), 0);
    assert.equal(backoffWaitMs('exponential', 200, 200), MAX_WAIT_MS);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');

  test('parses delta-seconds and HTTP-dates', () => {
    assert.equal(parseRetryAfterMs('120', now), 120_000);
    assert.equal(parseRetryAfterMs('Mon, 01 Jan 2024 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfterMs('Sun, 31 Dec 2023 23:00:00 GMT', now), 0, 'a past date means no extra wait');
    assert.equal(parseRetryAfterMs('soon', now), undefined);
    assert.equal(parseRetryAfterMs('-5', now), undefined);
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
  });

  test('ignored without retryAfterMax (or with PT0S)', () => {
    const base = { policy: 'linear' as const, delayMs: 100, retry: 1, status: 429, retryAfter: '10', nowMs: now };
    assert.equal(retryWaitMs(base), 100);
    assert.equal(retryWaitMs({ ...base, retryAfterMaxMs: 0 }), 100);
  });

  test('with retryAfterMax: max(backoff, min(Retry-After, retryAfterMax)) for 429 and 503 only', () => {
    const base = { policy: 'linear' as const, delayMs: 100, retry: 1, retryAfterMaxMs: 5000, nowMs: now };
    assert.equal(retryWaitMs({ ...base, status: 429, retryAfter: '2' }), 2000);
    assert.equal(retryWaitMs({ ...base, status: 503, retryAfter: '60' }), 5000, 'capped by retryAfterMax');
    assert.equal(retryWaitMs({ ...base, status: 503, retryAfter: '0' }), 100, 'never shorter than the backoff');
    assert.equal(retryWaitMs({ ...base, status: 500, retryAfter: '2' }), 100, 'other statuses ignore Retry-After');
    assert.equal(retryWaitMs({ ...base, status: 429, retryAfter: 'garbage' }), 100);
    assert.equal(retryWaitMs({ ...base, status: 429 }), 100);
  });
});

describe('retry policy', () => {
  test('retryable: 404, 408, 409, 429, 5xx', () => {
    for (const s of [404, 408, 409, 429, 500, 502, 503, 504, 599]) assert.equal(isRetryableStatus(s), true, String(s));
  });

  test('not retried: other 4xx, 1xx, 3xx', () => {
    for (const s of [400, 401, 403, 405, 410, 413, 415, 422, 100, 101, 301, 302, 304, 307]) {
      assert.equal(classifyStatus(s), 'fail', String(s));
    }
  });

  test('2xx is success', () => {
    for (const s of [200, 201, 202, 204, 299]) assert.equal(classifyStatus(s), 'success');
  });
});
