import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { autoscalerConfigHints, DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig } from './config.js';
import { AutoscalerConfigError } from './errors.js';

describe('parseAutoscalerConfig', () => {
  test('empty data gives Knative defaults, frozen', () => {
    const c = parseAutoscalerConfig({});
    assert.deepEqual(c, DEFAULT_AUTOSCALER_CONFIG);
    assert.ok(Object.isFrozen(c));
    // Spot-check the documented defaults and units.
    assert.equal(c.containerConcurrencyTargetFraction, 0.7);
    assert.equal(c.containerConcurrencyTargetDefault, 100);
    assert.equal(c.rpsTargetDefault, 200);
    assert.equal(c.targetBurstCapacity, 211);
    assert.equal(c.stableWindowMs, 60_000);
    assert.equal(c.scaleToZeroGracePeriodMs, 30_000);
    assert.equal(c.podAutoscalerClass, 'kpa.autoscaling.knative.dev');
    assert.equal(parseAutoscalerConfig(undefined).initialScale, 1);
  });

  test('every key parses', () => {
    const c = parseAutoscalerConfig({
      'container-concurrency-target-percentage': '80',
      'container-concurrency-target-default': '50',
      'requests-per-second-target-default': '150',
      'target-burst-capacity': '-1',
      'stable-window': '1m30s',
      'panic-window-percentage': '20',
      'panic-threshold-percentage': '300',
      'max-scale-up-rate': '10',
      'max-scale-down-rate': '4',
      'enable-scale-to-zero': 'false',
      'scale-to-zero-grace-period': '45s',
      'scale-to-zero-pod-retention-period': '1m',
      'pod-autoscaler-class': 'hpa.autoscaling.knative.dev',
      'activator-capacity': '200',
      'initial-scale': '0',
      'allow-zero-initial-scale': 'true',
      'min-scale': '1',
      'max-scale': '8',
      'scale-down-delay': '15s',
      'max-scale-limit': '10',
    });
    assert.deepEqual(
      { ...c },
      {
        containerConcurrencyTargetFraction: 0.8, // 80 % → fraction
        containerConcurrencyTargetDefault: 50,
        targetUtilization: 0.7, // not configurable
        rpsTargetDefault: 150,
        targetBurstCapacity: -1,
        stableWindowMs: 90_000,
        panicWindowPercentage: 20,
        panicThresholdPercentage: 300,
        maxScaleUpRate: 10,
        maxScaleDownRate: 4,
        enableScaleToZero: false,
        scaleToZeroGracePeriodMs: 45_000,
        scaleToZeroPodRetentionPeriodMs: 60_000,
        podAutoscalerClass: 'hpa.autoscaling.knative.dev',
        activatorCapacity: 200,
        initialScale: 0,
        allowZeroInitialScale: true,
        minScale: 1,
        maxScale: 8,
        scaleDownDelayMs: 15_000,
        maxScaleLimit: 10,
      },
    );
  });

  test('container-concurrency-target-percentage ≤ 1 is already a fraction', () => {
    assert.equal(parseAutoscalerConfig({ 'container-concurrency-target-percentage': '0.5' }).containerConcurrencyTargetFraction, 0.5);
    assert.equal(parseAutoscalerConfig({ 'container-concurrency-target-percentage': '1' }).containerConcurrencyTargetFraction, 1);
    assert.equal(parseAutoscalerConfig({ 'container-concurrency-target-percentage': '100' }).containerConcurrencyTargetFraction, 1);
  });

  const bad: Array<[string, Record<string, string>, string, RegExp]> = [
    ['unparsable bool', { 'enable-scale-to-zero': 'yes' }, 'enable-scale-to-zero', /failed to parse "enable-scale-to-zero"/],
    ['unparsable float', { 'max-scale-up-rate': 'fast' }, 'max-scale-up-rate', /failed to parse "max-scale-up-rate"/],
    ['int32 with decimals', { 'min-scale': '1.5' }, 'min-scale', /failed to parse "min-scale"/],
    ['duration without unit', { 'stable-window': '60' }, 'stable-window', /invalid duration "60"/],
    ['grace period 0', { 'scale-to-zero-grace-period': '0s' }, 'scale-to-zero-grace-period', /must be positive, was: 0s/],
    ['negative scale-down-delay', { 'scale-down-delay': '-1s' }, 'scale-down-delay', /cannot be negative, was: -1s/],
    ['sub-second scale-down-delay', { 'scale-down-delay': '1500ms' }, 'scale-down-delay', /scale-down-delay = 1.5s, must be specified with at most second precision/],
    ['negative retention', { 'scale-to-zero-pod-retention-period': '-5s' }, 'scale-to-zero-pod-retention-period', /cannot be negative/],
    ['TBC -2', { 'target-burst-capacity': '-2' }, 'target-burst-capacity', /non-negative or -1 \(for unlimited\), was: -2.000000/],
    ['percentage 0', { 'container-concurrency-target-percentage': '0' }, 'container-concurrency-target-percentage', /outside of valid range of \(0, 100\]/],
    ['percentage 150', { 'container-concurrency-target-percentage': '150' }, 'container-concurrency-target-percentage', /outside of valid range/],
    // 0.001 × 1 = 0.001 < 0.01
    ['target too small', { 'container-concurrency-target-percentage': '0.001', 'container-concurrency-target-default': '1' }, 'container-concurrency-target-default', /yield target concurrency of 0.001, can't be less than 0.01/],
    ['rps target', { 'requests-per-second-target-default': '0' }, 'requests-per-second-target-default', /must be at least 0.01/],
    ['activator capacity', { 'activator-capacity': '0.5' }, 'activator-capacity', /must be at least 1/],
    ['scale up rate 1', { 'max-scale-up-rate': '1' }, 'max-scale-up-rate', /must be greater than 1.0/],
    ['scale down rate 1', { 'max-scale-down-rate': '1.0' }, 'max-scale-down-rate', /must be greater than 1.0/],
    ['stable window 5s', { 'stable-window': '5s' }, 'stable-window', /stable-window = 5s, must be in \[6s; 1h0m0s\] range/],
    ['stable window 2h', { 'stable-window': '2h' }, 'stable-window', /stable-window = 2h0m0s, must be in/],
    ['stable window 6.5s', { 'stable-window': '6.5s' }, 'stable-window', /at most second precision/],
    ['panic window 0.5 %', { 'panic-window-percentage': '0.5' }, 'panic-window-percentage', /must be in \[1, 100\] interval/],
    ['initial-scale 0 not allowed', { 'initial-scale': '0' }, 'initial-scale', /or at least 1 when allow-zero-initial-scale is false/],
    ['initial-scale -1', { 'initial-scale': '-1', 'allow-zero-initial-scale': 'true' }, 'initial-scale', /must be at least 0/],
    ['min-scale -1', { 'min-scale': '-1' }, 'min-scale', /min-scale = -1, must be at least 0/],
    ['limit forbids unbounded max-scale', { 'max-scale-limit': '10' }, 'max-scale', /max-scale = 0, must be in \[1, max-scale-limit\(10\)\] range/],
    ['max-scale above limit', { 'max-scale-limit': '10', 'max-scale': '20' }, 'max-scale', /max-scale = 20/],
    ['negative limit', { 'max-scale-limit': '-1' }, 'max-scale-limit', /must be at least 0/],
    ['min above max', { 'min-scale': '5', 'max-scale': '3' }, 'min-scale', /min-scale \(5\) must be less than max-scale \(3\)/],
  ];
  for (const [name, data, key, message] of bad) {
    test(`rejects ${name}, naming ${key}`, () => {
      assert.throws(
        () => parseAutoscalerConfig(data),
        (e: unknown) => {
          assert.ok(e instanceof AutoscalerConfigError);
          assert.equal(e.code, 'SKIFF_ERR_INVALID_CONFIG');
          assert.equal(e.key, key);
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }

  test('reports every problem, not just the first', () => {
    try {
      parseAutoscalerConfig({ 'max-scale-up-rate': '0.5', 'stable-window': '1s', 'activator-capacity': '0' });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof AutoscalerConfigError);
      assert.deepEqual(
        e.problems.map((p) => p.key),
        ['activator-capacity', 'max-scale-up-rate', 'stable-window'],
      );
    }
  });

  test('allow-zero-initial-scale lets initial-scale be 0', () => {
    assert.equal(parseAutoscalerConfig({ 'initial-scale': '0', 'allow-zero-initial-scale': 'true' }).initialScale, 0);
  });
});

test('autoscalerConfigHints flags unknown keys with a suggestion and skips _example', () => {
  const hints = autoscalerConfigHints({ _example: '...', 'stable-windw': '60s', 'stable-window': '60s', 'tick-interval': '2s' });
  assert.equal(hints.length, 2);
  assert.match(hints[0], /unknown key "stable-windw" is ignored; did you mean "stable-window"\?/);
  assert.match(hints[1], /unknown key "tick-interval" is ignored/);
});
