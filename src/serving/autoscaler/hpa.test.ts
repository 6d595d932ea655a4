import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScalingSpec } from './annotations.js';
import { DEFAULT_AUTOSCALER_CONFIG } from './config.js';
import { computeHpaReplicas, HpaAutoscaler, makeHpaSpec } from './hpa.js';

const A = 'autoscaling.knative.dev/';
const HPA = { [A + 'class']: 'hpa.autoscaling.knative.dev' };
const hpaSpec = (ann: Record<string, string>) => makeHpaSpec(resolveScalingSpec({ ...HPA, ...ann }, 0, DEFAULT_AUTOSCALER_CONFIG));
const t = (s: number) => 1_700_000_000_000 + s * 1000;

describe('computeHpaReplicas (replica calculator)', () => {
  const rows: Array<[string, number, number, number, number]> = [
    // name, current replicas, metric, target, want
    ['within tolerance above: 87/80 = 1.0875', 4, 87, 80, 4],
    ['within tolerance below: 73/80 = 0.9125', 4, 73, 80, 4],
    ['just outside: 89/80 = 1.1125 ⇒ ceil(4.45) = 5', 4, 89, 80, 5],
    ['half the target ⇒ half the pods', 4, 40, 80, 2],
    ['double the target ⇒ double', 3, 160, 80, 6],
    ['memory average value: 300 MiB vs 100 MiB ⇒ 3×', 2, 300, 100, 6],
  ];
  for (const [name, current, metric, target, want] of rows) test(name, () => assert.equal(computeHpaReplicas(current, metric, target), want));
  test('rejects a zero target', () => assert.throws(() => computeHpaReplicas(1, 1, 0), RangeError));
});

describe('makeHpaSpec (Knative MakeHPA)', () => {
  test('cpu target is a utilization percentage, rounded up', () => {
    const s = hpaSpec({ [A + 'target']: '74.5' });
    assert.deepEqual(s.target, { metric: 'cpu', type: 'Utilization', averageUtilization: 75 });
  });
  test('memory target is MiB per pod', () => {
    const s = hpaSpec({ [A + 'metric']: 'memory', [A + 'target']: '100' });
    assert.deepEqual(s.target, { metric: 'memory', type: 'AverageValue', averageValue: 100 * 1024 * 1024 });
  });
  test('custom metric uses the raw per-pod value', () => {
    const s = hpaSpec({ [A + 'metric']: 'queue-depth', [A + 'target']: '30' });
    assert.deepEqual(s.target, { metric: 'queue-depth', type: 'AverageValue', averageValue: 30 });
  });
  test('no target ⇒ Kubernetes default 80 % CPU; bounds default to 1..MaxInt32', () => {
    const s = hpaSpec({});
    assert.deepEqual(s.target, { metric: 'cpu', type: 'Utilization', averageUtilization: 80 });
    assert.equal(s.minReplicas, 1);
    assert.equal(s.maxReplicas, 2147483647);
    assert.equal(s.behavior.scaleUp.stabilizationWindowMs, 0);
    assert.equal(s.behavior.scaleDown.stabilizationWindowMs, 300_000);
    assert.equal(s.tolerance, 0.1);
  });
  test('min/max-scale and the window annotation', () => {
    const s = hpaSpec({ [A + 'min-scale']: '2', [A + 'max-scale']: '6', [A + 'window']: '2m' });
    assert.equal(s.minReplicas, 2);
    assert.equal(s.maxReplicas, 6);
    assert.equal(s.behavior.scaleUp.stabilizationWindowMs, 120_000);
    assert.equal(s.behavior.scaleDown.stabilizationWindowMs, 120_000);
  });
});

describe('HpaAutoscaler', () => {
  test('scale-down waits out the 300 s stabilization window', () => {
    const h = new HpaAutoscaler(hpaSpec({ [A + 'target']: '80' }));
    assert.equal(h.reconcile(t(0), 4, 80).desiredReplicas, 4); // at target: recommendation 4
    const held = h.reconcile(t(15), 4, 40); // wants 2; max(2, 4 @0 s) = 4
    assert.equal(held.desiredReplicas, 4);
    assert.equal(held.metricReplicas, 2);
    assert.equal(held.reason, 'ScaleDownStabilized');
    assert.equal(h.reconcile(t(299), 4, 40).desiredReplicas, 4); // 0 s is still inside
    const down = h.reconcile(t(301), 4, 40); // 0 s sample expired; 15 s and 299 s say 2
    assert.equal(down.desiredReplicas, 2);
  });

  test('scale-up is immediate but rate-limited: max(+4 pods, +100 %) per 15 s', () => {
    const h = new HpaAutoscaler(hpaSpec({ [A + 'target']: '100' }));
    const first = h.reconcile(t(0), 1, 1000); // wants 10; limit max(1+4, 2×1) = 5
    assert.equal(first.metricReplicas, 10);
    assert.equal(first.desiredReplicas, 5);
    assert.equal(first.reason, 'ScaleUpLimit');
    // 5 s later on 5 pods at 200 %: wants 10; period start = 5 − 4 = 1 ⇒ limit 5.
    assert.equal(h.reconcile(t(5), 5, 200).desiredReplicas, 5);
    // 16 s: the +4 event left the 15 s period ⇒ limit max(5+4, 10) = 10.
    assert.equal(h.reconcile(t(16), 5, 200).desiredReplicas, 10);
  });

  test('max-scale caps, min-scale floors', () => {
    const h = new HpaAutoscaler(hpaSpec({ [A + 'target']: '50', [A + 'min-scale']: '2', [A + 'max-scale']: '3' }));
    const up = h.reconcile(t(0), 2, 150); // wants 6, max 3
    assert.equal(up.desiredReplicas, 3);
    assert.equal(h.reconcile(t(1), 1, 50).desiredReplicas, 2); // below min ⇒ min
    assert.equal(h.reconcile(t(2), 5, 50).desiredReplicas, 3); // above max ⇒ max
  });

  test('window annotation also stabilizes scale-up', () => {
    const h = new HpaAutoscaler(hpaSpec({ [A + 'target']: '100', [A + 'window']: '30s' }));
    assert.equal(h.reconcile(t(0), 2, 100).desiredReplicas, 2);
    // Wants 4 but the 2 recommended at 0 s is inside the 30 s up-window: min(4, 2) = 2.
    const r = h.reconcile(t(10), 2, 200);
    assert.equal(r.desiredReplicas, 2);
    assert.equal(r.reason, 'ScaleUpStabilized');
    assert.equal(h.reconcile(t(31), 2, 200).desiredReplicas, 4); // 0 s sample expired
  });

  test('no metrics keeps the current scale; a target scaled to 0 is left alone', () => {
    const h = new HpaAutoscaler(hpaSpec({}));
    assert.deepEqual(h.reconcile(t(0), 3, null), { desiredReplicas: 3, reason: 'NoMetrics', metricReplicas: null });
    assert.equal(h.reconcile(t(1), 0, 500).reason, 'ScalingDisabled');
    assert.equal(h.reconcile(t(1), 0, 500).desiredReplicas, 0);
  });
});
