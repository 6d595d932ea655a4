import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { KnError } from '../../knative-format.js';
import { applyDeliveryFlags } from './delivery.js';

const DLS = { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'dls', namespace: 'default' } };

describe('delivery flags → DeliverySpec', () => {
  test('only given flags are set; nothing given is undefined', () => {
    assert.equal(applyDeliveryFlags(undefined, {}), undefined);
    assert.deepEqual(applyDeliveryFlags(undefined, { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', timeout: 'PT30S', retryAfterMax: 'PT0S' }, DLS), {
      deadLetterSink: DLS,
      retry: 3,
      backoffPolicy: 'exponential',
      backoffDelay: 'PT0.2S',
      timeout: 'PT30S',
      retryAfterMax: 'PT0S',
    });
    // kn's builders ignore empty strings.
    assert.deepEqual(applyDeliveryFlags(undefined, { backoffDelay: '', retry: 0 }), { retry: 0 });
  });

  test('update merges into the existing spec', () => {
    const base = { retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', deadLetterSink: { uri: 'http://old/' } };
    assert.deepEqual(applyDeliveryFlags(base, { retry: 2 }), { ...base, retry: 2 });
    assert.deepEqual(applyDeliveryFlags(base, {}, DLS), { ...base, deadLetterSink: DLS });
    assert.equal(base.retry, 10, 'input untouched');
  });

  test('ISO-8601 durations are checked, naming the flag', () => {
    const msg = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof KnError);
        return e.message;
      }
      assert.fail('no error');
    };
    assert.match(msg(() => applyDeliveryFlags(undefined, { backoffDelay: '2s' })), /^invalid value '2s' for '--backoff-delay': invalid ISO-8601 duration "2s": Go\/kubectl-style durations are not accepted here; expected a form like PT0\.2S/);
    assert.match(msg(() => applyDeliveryFlags(undefined, { timeout: 'P1H' })), /^invalid value 'P1H' for '--timeout': invalid ISO-8601 duration "P1H": hours, minutes and seconds must come after "T"/);
    assert.equal(msg(() => applyDeliveryFlags(undefined, { timeout: 'PT0S' })), "invalid value 'PT0S' for '--timeout': must be greater than zero");
    assert.equal(msg(() => applyDeliveryFlags(undefined, { backoffDelay: '-PT1S' })), "invalid value '-PT1S' for '--backoff-delay': must not be negative");
    assert.match(msg(() => applyDeliveryFlags(undefined, { retryAfterMax: 'soon' })), /^invalid value 'soon' for '--retry-after-max': invalid ISO-8601 duration/);
    assert.equal(msg(() => applyDeliveryFlags(undefined, { backoffPolicy: 'fast' })), "invalid value 'fast' for '--backoff-policy': must be 'linear' or 'exponential'");
    assert.equal(msg(() => applyDeliveryFlags(undefined, { retry: -1 })), "invalid value '-1' for '--retry': must be an integer >= 0");
    // Fractions and calendar units are fine.
    assert.deepEqual(applyDeliveryFlags(undefined, { backoffDelay: 'PT0,5S', timeout: 'P1DT2H' }), { backoffDelay: 'PT0,5S', timeout: 'P1DT2H' });
  });
});
