import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  autoscalingAnnotationHints,
  getAnnotation,
  resolveScalingSpec,
  validateAutoscalingAnnotations,
  validateNoAutoscalingAnnotations,
} from './annotations.js';
import { DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig } from './config.js';

const A = 'autoscaling.knative.dev/';
const P = 'metadata.annotations.autoscaling.knative.dev/';
const cfg = DEFAULT_AUTOSCALER_CONFIG;

describe('resolveScalingSpec', () => {
  test('defaults: concurrency, 100 × 0.7 = 70 per pod, 60 s / 6 s windows', () => {
    const s = resolveScalingSpec({}, 0, cfg);
    assert.ok(Object.isFrozen(s));
    assert.equal(s.class, 'kpa.autoscaling.knative.dev');
    assert.equal(s.metric, 'concurrency');
    assert.equal(s.totalValue, 100);
    assert.equal(s.target, 70);
    assert.equal(s.stableWindowMs, 60_000);
    assert.equal(s.windowAnnotationMs, null);
    assert.equal(s.panicWindowMs, 6_000); // round(60 s × 10 %)
    assert.equal(s.panicThreshold, 2); // 200 %
    assert.deepEqual([s.minScale, s.maxScale, s.initialScale, s.activationScale], [0, 0, 1, 0]);
    assert.equal(s.scaleDownDelayMs, 0);
    assert.equal(s.targetBurstCapacity, 211);
    assert.equal(s.scaleToZeroPodRetentionMs, 0);
    assert.equal(s.aggregationAlgorithm, 'linear');
    assert.equal(s.maxScaleUpRate, 1000);
    assert.equal(s.maxScaleDownRate, 2);
    assert.equal(s.annotationTarget, null);
  });

  // Target resolution table (§2.3). Expected values computed by hand.
  const targets: Array<[string, Record<string, string>, number, number, number]> = [
    // name, annotations, containerConcurrency, total, target
    ['seed: target 10 × 60 % = 6', { [A + 'target']: '10', [A + 'target-utilization-percentage']: '60' }, 0, 10, 6],
    ['CC 10, no annotation: 10 × 0.7 = 7', {}, 10, 10, 7],
    ['CC 10 caps target 20: min(20, 10) × 0.7 = 7', { [A + 'target']: '20' }, 10, 10, 7],
    ['CC 10, target 5: 5 × 0.7 = 3.5', { [A + 'target']: '5' }, 10, 5, 3.5],
    ['rps default: 200 × 0.7 = 140', { [A + 'metric']: 'rps' }, 0, 200, 140],
    ['rps ignores CC: 50 × 0.8 = 40', { [A + 'metric']: 'rps', [A + 'target']: '50', [A + 'target-utilization-percentage']: '80' }, 10, 50, 40],
    ['floor at 0.01: 0.01 × 0.5 → 0.01', { [A + 'target']: '0.01', [A + 'target-utilization-percentage']: '50' }, 0, 0.01, 0.01],
    ['legacy targetUtilizationPercentage: 100 × 0.5 = 50', { [A + 'targetUtilizationPercentage']: '50' }, 0, 100, 50],
  ];
  for (const [name, ann, cc, total, target] of targets) {
    test(name, () => {
      const s = resolveScalingSpec(ann, cc, cfg);
      assert.equal(s.totalValue, total);
      assert.equal(s.target, target);
    });
  }

  test('config drives the concurrency defaults', () => {
    const c = parseAutoscalerConfig({ 'container-concurrency-target-default': '50', 'container-concurrency-target-percentage': '80' });
    assert.equal(resolveScalingSpec({}, 0, c).target, 40); // 50 × 0.8
  });

  const panicWindows: Array<[string, string, number]> = [
    ['6s', '10', 1_000], // 0.6 s → rounds to 1 s
    ['6s', '5', 1_000], // 0.3 s → 0 → min 1 s
    ['15s', '10', 2_000], // 1.5 s → 2 s (half away from zero)
    ['25s', '10', 3_000], // 2.5 s → 3 s
    ['60s', '15', 9_000],
    ['2m', '100', 120_000],
  ];
  for (const [win, pct, want] of panicWindows) {
    test(`panic window: window ${win} × ${pct} % → ${want} ms`, () => {
      const s = resolveScalingSpec({ [A + 'window']: win, [A + 'panic-window-percentage']: pct }, 0, cfg);
      assert.equal(s.panicWindowMs, want);
    });
  }

  test('legacy camelCase aliases all resolve', () => {
    const s = resolveScalingSpec(
      {
        [A + 'minScale']: '2',
        [A + 'maxScale']: '5',
        [A + 'initialScale']: '3',
        [A + 'scaleDownDelay']: '30s',
        [A + 'panicWindowPercentage']: '20',
        [A + 'panicThresholdPercentage']: '300',
        [A + 'targetBurstCapacity']: '-1',
        [A + 'scaleToZeroPodRetentionPeriod']: '1m',
        [A + 'metricAggregationAlgorithm']: 'weightedExponential',
      },
      0,
      cfg,
    );
    assert.deepEqual([s.minScale, s.maxScale, s.initialScale], [2, 5, 3]);
    assert.equal(s.scaleDownDelayMs, 30_000);
    assert.equal(s.panicWindowMs, 12_000); // 60 s × 20 %
    assert.equal(s.panicThreshold, 3);
    assert.equal(s.targetBurstCapacity, -1);
    assert.equal(s.scaleToZeroPodRetentionMs, 60_000);
    assert.equal(s.aggregationAlgorithm, 'weighted-exponential');
  });

  test('canonical key wins over its alias', () => {
    const ann = { [A + 'minScale']: '7', [A + 'min-scale']: '2' };
    assert.deepEqual(getAnnotation(ann, 'minScale'), { key: A + 'min-scale', value: '2' });
    assert.equal(resolveScalingSpec(ann, 0, cfg).minScale, 2);
  });

  test('annotations override config; unparsable annotations fall back to config', () => {
    const c = parseAutoscalerConfig({ 'min-scale': '1', 'max-scale': '9', 'stable-window': '90s', 'target-burst-capacity': '0' });
    const s = resolveScalingSpec({ [A + 'min-scale']: 'abc', [A + 'max-scale']: '4', [A + 'window']: 'soon' }, 0, c);
    assert.equal(s.minScale, 1);
    assert.equal(s.maxScale, 4);
    assert.equal(s.stableWindowMs, 90_000);
    assert.equal(s.targetBurstCapacity, 0);
    const w = resolveScalingSpec({ [A + 'window']: '2m' }, 0, c);
    assert.equal(w.stableWindowMs, 120_000);
    assert.equal(w.windowAnnotationMs, 120_000);
  });

  test('initial-scale 0 only when the cluster allows it', () => {
    assert.equal(resolveScalingSpec({ [A + 'initial-scale']: '0' }, 0, cfg).initialScale, 1);
    const allow = parseAutoscalerConfig({ 'allow-zero-initial-scale': 'true' });
    assert.equal(resolveScalingSpec({ [A + 'initial-scale']: '0' }, 0, allow).initialScale, 0);
    assert.equal(resolveScalingSpec({ [A + 'initial-scale']: '4' }, 0, cfg).initialScale, 4);
  });

  test('max-scale-limit caps max-scale', () => {
    const c = parseAutoscalerConfig({ 'max-scale-limit': '10', 'max-scale': '5' });
    assert.equal(resolveScalingSpec({}, 0, c).maxScale, 5);
    assert.equal(resolveScalingSpec({ [A + 'max-scale']: '20' }, 0, c).maxScale, 10);
    assert.equal(resolveScalingSpec({ [A + 'max-scale']: '0' }, 0, c).maxScale, 10);
    assert.equal(resolveScalingSpec({ [A + 'max-scale']: '8' }, 0, c).maxScale, 8);
  });

  test('class decides the default metric', () => {
    assert.equal(resolveScalingSpec({ [A + 'class']: 'hpa.autoscaling.knative.dev' }, 0, cfg).metric, 'cpu');
    assert.equal(resolveScalingSpec({ [A + 'class']: 'custom.example.com' }, 0, cfg).metric, '');
    const hpaDefault = parseAutoscalerConfig({ 'pod-autoscaler-class': 'hpa.autoscaling.knative.dev' });
    const s = resolveScalingSpec({ [A + 'target']: '75' }, 0, hpaDefault);
    assert.equal(s.class, 'hpa.autoscaling.knative.dev');
    assert.equal(s.metric, 'cpu');
    assert.equal(s.annotationTarget, 75);
  });

  test('activation-scale and aggregation spellings', () => {
    assert.equal(resolveScalingSpec({ [A + 'activation-scale']: '3' }, 0, cfg).activationScale, 3);
    assert.equal(resolveScalingSpec({ [A + 'metric-aggregation-algorithm']: 'weighted-exponential' }, 0, cfg).aggregationAlgorithm, 'weighted-exponential');
    assert.equal(resolveScalingSpec({ [A + 'metric-aggregation-algorithm']: 'WEIGHTED-EXPONENTIAL' }, 0, cfg).aggregationAlgorithm, 'linear');
  });
});

describe('validateAutoscalingAnnotations', () => {
  test('a valid full set has no errors', () => {
    const errs = validateAutoscalingAnnotations(
      {
        [A + 'class']: 'kpa.autoscaling.knative.dev',
        [A + 'metric']: 'rps',
        [A + 'target']: '10',
        [A + 'target-utilization-percentage']: '60',
        [A + 'min-scale']: '1',
        [A + 'max-scale']: '3',
        [A + 'initial-scale']: '2',
        [A + 'activation-scale']: '2',
        [A + 'scale-down-delay']: '1m',
        [A + 'window']: '60s',
        [A + 'panic-window-percentage']: '10',
        [A + 'panic-threshold-percentage']: '200',
        [A + 'target-burst-capacity']: '-1',
        [A + 'scale-to-zero-pod-retention-period']: '1m',
        [A + 'metric-aggregation-algorithm']: 'weighted-exponential',
      },
      cfg,
    );
    assert.deepEqual(errs, []);
    assert.deepEqual(validateAutoscalingAnnotations(undefined, cfg), []);
  });

  // [name, annotations, config overrides, expected [path, message]]
  const rows: Array<[string, Record<string, string>, Record<string, string>, Array<[string, string]>]> = [
    ['min-scale negative', { [A + 'min-scale']: '-1' }, {}, [[P + 'min-scale', 'expected 0 <= -1 <= 2147483647']]],
    ['minScale alias not a number', { [A + 'minScale']: 'x' }, {}, [[P + 'minScale', 'invalid value: x']]],
    ['max-scale out of int32', { [A + 'max-scale']: '3000000000' }, {}, [[P + 'max-scale', 'expected 0 <= 3000000000 <= 2147483647']]],
    ['max below min', { [A + 'min-scale']: '3', [A + 'max-scale']: '2' }, {}, [[P + 'max-scale', 'max-scale=2 is less than min-scale=3']]],
    ['max above max-scale-limit', { [A + 'max-scale']: '11' }, { 'max-scale-limit': '10', 'max-scale': '5' }, [[P + 'max-scale', 'expected 1 <= 11 <= 10']]],
    ['unbounded max under a limit', { [A + 'maxScale']: '0' }, { 'max-scale-limit': '10', 'max-scale': '5' }, [[P + 'maxScale', 'max-scale=0 (unlimited), must be less than 10']]],
    ['activation-scale 1', { [A + 'activation-scale']: '1' }, {}, [[P + 'activation-scale', 'activation-scale=1 must be greater than 1']]],
    ['activation below min', { [A + 'min-scale']: '3', [A + 'activation-scale']: '2' }, {}, [[P + 'activation-scale', 'min-scale=3 is greater than activation-scale=2']]],
    ['activation above max', { [A + 'max-scale']: '2', [A + 'activation-scale']: '3' }, {}, [[P + 'activation-scale', 'max-scale=2 is less than activation-scale=3']]],
    ['activation not a number', { [A + 'activation-scale']: 'two' }, {}, [[P + 'activation-scale', 'invalid value: two']]],
    ['window too short', { [A + 'window']: '5s' }, {}, [[P + 'window', 'expected 6s <= 5s <= 1h0m0s']]],
    ['window sub-second', { [A + 'window']: '6500ms' }, {}, [[P + 'window', 'must be specified with at most second precision']]],
    ['window garbage', { [A + 'window']: 'abc' }, {}, [[P + 'window', 'invalid value: abc']]],
    ['panic window 0.5 %', { [A + 'panic-window-percentage']: '0.5' }, {}, [[P + 'panic-window-percentage', 'expected 1 <= 0.5 <= 100']]],
    ['panic threshold 105 % (alias)', { [A + 'panicThresholdPercentage']: '105' }, {}, [[P + 'panicThresholdPercentage', 'expected 110 <= 105 <= 1000']]],
    ['panic threshold garbage', { [A + 'panic-threshold-percentage']: 'lots' }, {}, [[P + 'panic-threshold-percentage', 'invalid value: lots']]],
    ['target too small', { [A + 'target']: '0.001' }, {}, [[P + 'target', 'target 0.001 should be at least 0.01']]],
    ['utilization 0', { [A + 'target-utilization-percentage']: '0' }, {}, [[P + 'target-utilization-percentage', 'expected 1 <= 0 <= 100']]],
    ['utilization 101 (alias)', { [A + 'targetUtilizationPercentage']: '101' }, {}, [[P + 'targetUtilizationPercentage', 'expected 1 <= 101 <= 100']]],
    ['TBC -2', { [A + 'target-burst-capacity']: '-2' }, {}, [[P + 'target-burst-capacity', 'invalid value: -2']]],
    ['TBC garbage (alias)', { [A + 'targetBurstCapacity']: 'big' }, {}, [[P + 'targetBurstCapacity', 'invalid value: big']]],
    ['scale-down-delay 2h', { [A + 'scale-down-delay']: '2h' }, {}, [[P + 'scale-down-delay', 'expected 0s <= 2h <= 1h0m0s']]],
    ['scaleDownDelay sub-second', { [A + 'scaleDownDelay']: '1.5s' }, {}, [[P + 'scaleDownDelay', 'must be specified with at most second precision']]],
    ['retention negative', { [A + 'scale-to-zero-pod-retention-period']: '-1s' }, {}, [[P + 'scale-to-zero-pod-retention-period', 'expected 0s <= -1s <= 1h0m0s']]],
    ['retention garbage (alias)', { [A + 'scaleToZeroPodRetentionPeriod']: 'forever' }, {}, [[P + 'scaleToZeroPodRetentionPeriod', 'invalid value: forever']]],
    ['cpu metric on KPA', { [A + 'metric']: 'cpu' }, {}, [[P + 'metric', 'invalid value: cpu']]],
    ['empty metric on HPA', { [A + 'class']: 'hpa.autoscaling.knative.dev', [A + 'metric']: '' }, {}, [[P + 'metric', 'invalid value: ']]],
    ['unknown knative class', { [A + 'class']: 'bogus.autoscaling.knative.dev' }, {}, [[P + 'class', 'invalid value: bogus.autoscaling.knative.dev']]],
    ['bad algorithm under explicit KPA class', { [A + 'class']: 'kpa.autoscaling.knative.dev', [A + 'metricAggregationAlgorithm']: 'median' }, {}, [[P + 'metricAggregationAlgorithm', 'invalid value: median']]],
    ['initial-scale 0 not allowed', { [A + 'initial-scale']: '0' }, {}, [[P + 'initial-scale', 'invalid value: 0: autoscaling.knative.dev/initial-scale=0 not allowed by cluster']]],
    ['initial-scale negative', { [A + 'initialScale']: '-2' }, { 'allow-zero-initial-scale': 'true' }, [[P + 'initialScale', 'invalid value: -2: must be greater than 0']]],
    ['initial-scale garbage', { [A + 'initial-scale']: 'one' }, {}, [[P + 'initial-scale', 'invalid value: one']]],
  ];
  for (const [name, ann, over, want] of rows) {
    test(name, () => {
      const errs = validateAutoscalingAnnotations(ann, parseAutoscalerConfig(over));
      assert.deepEqual(
        errs.map((e) => [e.path, e.message]),
        want,
      );
    });
  }

  test('leniencies Knative keeps', () => {
    // Cpu metric is fine for HPA, anything goes for custom classes.
    assert.deepEqual(validateAutoscalingAnnotations({ [A + 'class']: 'hpa.autoscaling.knative.dev', [A + 'metric']: 'memory' }, cfg), []);
    assert.deepEqual(validateAutoscalingAnnotations({ [A + 'class']: 'acme.example.com', [A + 'metric']: 'queue-depth' }, cfg), []);
    // The algorithm is only checked when the class annotation explicitly says KPA.
    assert.deepEqual(validateAutoscalingAnnotations({ [A + 'metric-aggregation-algorithm']: 'median' }, cfg), []);
    // Zero initial scale with the cluster's permission.
    assert.deepEqual(validateAutoscalingAnnotations({ [A + 'initial-scale']: '0' }, parseAutoscalerConfig({ 'allow-zero-initial-scale': 'true' })), []);
    // TBC -1 is "unlimited".
    assert.deepEqual(validateAutoscalingAnnotations({ [A + 'target-burst-capacity']: '-1' }, cfg), []);
  });

  test('several errors are all reported, under a custom base path', () => {
    const errs = validateAutoscalingAnnotations({ [A + 'min-scale']: '-1', [A + 'window']: '1s' }, cfg, 'spec.template.metadata.annotations');
    assert.deepEqual(
      errs.map((e) => e.path),
      ['spec.template.metadata.annotations.autoscaling.knative.dev/min-scale', 'spec.template.metadata.annotations.autoscaling.knative.dev/window'],
    );
  });
});

test('Service/Configuration metadata may not carry autoscaling annotations', () => {
  const errs = validateNoAutoscalingAnnotations({ [A + 'min-scale']: '1', 'example.com/x': 'y' });
  assert.equal(errs.length, 1);
  assert.equal(errs[0].path, 'metadata.annotations');
  assert.match(errs[0].message, /invalid key name "autoscaling.knative.dev\/min-scale": autoscaling annotations must be put under "spec.template.metadata.annotations"/);
});

test('hints for ignored autoscaling annotations (the seed uses stable-window)', () => {
  const hints = autoscalingAnnotationHints({ [A + 'stable-window']: '60s', [A + 'window']: '60s', [A + 'minScale']: '1', [A + 'frobnicate']: 'x' });
  assert.equal(hints.length, 2);
  assert.match(hints[0], /"autoscaling.knative.dev\/stable-window" .* ignored; did you mean "autoscaling.knative.dev\/window"\?/);
  assert.match(hints[1], /frobnicate/);
});
