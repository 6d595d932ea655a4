import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { NO_RETRY_POLICY, compileDeliveryPolicy, validateDeliverySpec } from './delivery-spec.js';

describe('validateDeliverySpec', () => {
  test('a full valid spec', () => {
    const spec = { retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', timeout: 'PT30S', retryAfterMax: 'PT2M', format: 'json' };
    assert.deepEqual(validateDeliverySpec(spec, 'spec.delivery', { deliveryRetryAfter: true }), []);
    assert.deepEqual(validateDeliverySpec(undefined, 'spec.delivery'), []);
  });

  test('field errors with paths', () => {
    const errs = validateDeliverySpec(
      { retry: -1, backoffPolicy: 'fibonacci', backoffDelay: '200ms', timeout: 'PT0S', format: 'xml' },
      'spec.delivery',
    );
    assert.deepEqual(
      errs.map((e) => e.path),
      ['spec.delivery.retry', 'spec.delivery.backoffPolicy', 'spec.delivery.backoffDelay', 'spec.delivery.timeout', 'spec.delivery.format'],
    );
    assert.match(errs[0]!.message, /integer >= 0/);
    assert.match(errs[2]!.message, /invalid ISO-8601 duration "200ms"/);
    assert.match(errs[3]!.message, /greater than zero/);
  });

  test('feature flags: retryAfterMax needs delivery-retryafter; timeout can be disabled', () => {
    assert.match(validateDeliverySpec({ retryAfterMax: 'PT1M' }, 'd')[0]!.message, /delivery-retryafter feature is disabled/);
    assert.match(validateDeliverySpec({ timeout: 'PT1S' }, 'd', { deliveryTimeout: false })[0]!.message, /delivery-timeout feature is disabled/);
    assert.match(validateDeliverySpec({ retryAfterMax: '-PT1S' }, 'd', { deliveryRetryAfter: true })[0]!.message, /negative/);
  });
});

describe('compileDeliveryPolicy', () => {
  test('parses durations once and freezes', () => {
    const p = compileDeliveryPolicy(
      { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.5S', timeout: 'PT10S', retryAfterMax: 'PT1M', format: 'json' },
      { deadLetterSinkUri: 'http://dls/' },
    );
    assert.deepEqual(p, { retry: 3, backoffPolicy: 'linear', backoffDelayMs: 500, timeoutMs: 10_000, retryAfterMaxMs: 60_000, format: 'json', deadLetterSinkUri: 'http://dls/' });
    assert.ok(Object.isFrozen(p));
  });

  test('defaults: no retries, exponential when only a delay is given, binary', () => {
    assert.deepEqual(compileDeliveryPolicy(undefined), NO_RETRY_POLICY);
    assert.equal(compileDeliveryPolicy({ retry: 2, backoffDelay: 'PT1S' }).backoffPolicy, 'exponential');
    assert.equal(compileDeliveryPolicy({ retry: 2 }).backoffDelayMs, 0);
  });
});
