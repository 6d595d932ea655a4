import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScalingSpec, type ScalingSpec } from './annotations.js';
import { parseAutoscalerConfig } from './config.js';
import { Decider } from './decider.js';
import {
  activationTimeoutMs,
  activatorCount,
  activeThreshold,
  applyBounds,
  boundDesiredScale,
  computeActiveCondition,
  computeKpaScale,
  computeSksMode,
  handleScaleToZero,
  lastPodRetentionMs,
  nextStatusDesiredScale,
  scaleBounds,
  type ActiveState,
  type ScaleToZeroDecision,
  type ScaleToZeroInput,
} from './scaler.js';

const A = 'autoscaling.knative.dev/';
const NOW = 1_700_000_000_000;
const sec = (n: number) => n * 1000;

function spec(annotations: Record<string, string> = {}, config: Record<string, string> = {}): ScalingSpec {
  return resolveScalingSpec(annotations, 0, parseAutoscalerConfig(config));
}

describe('bounds and initial scale', () => {
  test('applyBounds: max 0 is unbounded', () => {
    assert.equal(applyBounds(2, 5, 0), 2);
    assert.equal(applyBounds(2, 5, 9), 5);
    assert.equal(applyBounds(2, 5, 3), 3);
    assert.equal(applyBounds(0, 0, 99), 99);
    assert.equal(applyBounds(0, 0, -1), 0);
  });

  test('min is ignored for an unreachable revision', () => {
    const s = spec({ [A + 'min-scale']: '2', [A + 'max-scale']: '5' });
    assert.deepEqual(scaleBounds(s, true), { min: 2, max: 5 });
    assert.deepEqual(scaleBounds(s, false), { min: 0, max: 5 });
  });

  const rows: Array<[string, Record<string, string>, number, boolean, boolean, number]> = [
    // name, annotations, desired, reachable, initialized, want
    ['clamped up to min', { [A + 'min-scale']: '2' }, 0, true, true, 2],
    ['clamped down to max', { [A + 'max-scale']: '5' }, 9, true, true, 5],
    ['initial 3 floors until initialised', { [A + 'initial-scale']: '3' }, 1, true, false, 3],
    ['initial ignored once initialised', { [A + 'initial-scale']: '3' }, 1, true, true, 1],
    ['initial ignored when unreachable', { [A + 'initial-scale']: '3' }, 1, false, false, 1],
    ['min ≥ initial wins', { [A + 'initial-scale']: '3', [A + 'min-scale']: '4' }, 0, true, false, 4],
    // Knative's applyBounds checks min first, so an initial scale above max-scale wins until initialised.
    ['initial above max wins (Knative quirk)', { [A + 'initial-scale']: '3', [A + 'max-scale']: '2' }, 0, true, false, 3],
    ['max caps once initialised', { [A + 'initial-scale']: '3', [A + 'max-scale']: '2' }, 9, true, true, 2],
    ['unreachable may go to 0 despite min', { [A + 'min-scale']: '2' }, 0, false, true, 0],
  ];
  for (const [name, ann, desired, reachable, initialized, want] of rows) {
    test(name, () => assert.equal(boundDesiredScale(desired, spec(ann), { reachable, scaleTargetInitialized: initialized }), want));
  }

  test('seed: max-scale 3 caps a decider asking for ceil(50/6) = 9', () => {
    const s = spec({ [A + 'target']: '10', [A + 'target-utilization-percentage']: '60', [A + 'max-scale']: '3', [A + 'initial-scale']: '1' });
    const d = new Decider({ spec: s, now: NOW });
    for (let i = 0; i < 60; i++) d.record(NOW + sec(i), { concurrency: 50, rps: 0 });
    const r = d.scale(NOW + sec(59), 3);
    assert.equal(r.desiredPodCount, 9); // 50/6 = 8.33 → 9
    const out = computeKpaScale({
      now: NOW + sec(59),
      desiredScale: r.desiredPodCount,
      spec: s,
      reachable: true,
      activeState: 'active',
      activeSince: NOW,
      scaleTargetInitialized: true,
      activationTimeoutMs: activationTimeoutMs(),
    });
    assert.deepEqual(out, { scale: 3, apply: true, requeueAfterMs: null, probe: null });
  });
});

describe('handleScaleToZero', () => {
  const base: ScaleToZeroInput = {
    now: NOW,
    desiredScale: 0,
    enableScaleToZero: true,
    activeState: 'inactive',
    activeSince: NOW,
    stableWindowMs: sec(60),
    gracePeriodMs: sec(30),
    retentionMs: 0,
    targetBurstCapacity: 211,
    activationTimeoutMs: activationTimeoutMs(), // 600 s + 30 s
    sksMode: 'Proxy',
    sksProxySince: null,
    activatorInPath: true,
  };
  const d = (scale: number, apply: boolean, requeueAfterMs: number | null = null, probe: ScaleToZeroDecision['probe'] = null) => ({
    scale,
    apply,
    requeueAfterMs,
    probe,
  });

  const rows: Array<[string, Partial<ScaleToZeroInput>, ScaleToZeroDecision]> = [
    ['non-zero passes through', { desiredScale: 3 }, d(3, true)],
    ['enable-scale-to-zero=false ⇒ 1', { enableScaleToZero: false }, d(1, true)],
    // Activating: activation timeout 630 s.
    ['activating, within timeout ⇒ -1, recheck after the timeout', { activeState: 'activating', activeSince: NOW - sec(10) }, d(-1, false, sec(630))],
    ['activating exactly at timeout ⇒ still waiting', { activeState: 'activating', activeSince: NOW - sec(630) }, d(-1, false, sec(630))],
    ['activating past timeout ⇒ 0', { activeState: 'activating', activeSince: NOW - sec(630) - 1 }, d(0, true)],
    // Active: hold 1 until a stable window has passed.
    ['active 20 s ⇒ hold 1 for the other 40 s', { activeState: 'active', activeSince: NOW - sec(20) }, d(1, true, sec(40))],
    ['active 60 s, SKS serving ⇒ report 0, do not apply', { activeState: 'active', activeSince: NOW - sec(60), sksMode: 'Serve' }, d(0, false)],
    ['active 60 s, SKS proxying ⇒ also requeue in 3 s', { activeState: 'active', activeSince: NOW - sec(60), sksMode: 'Proxy' }, d(0, false, sec(3))],
    // Inactive: activator probe.
    ['inactive, probe not done ⇒ ask for a sync probe', { activatorInPath: undefined }, d(0, false, null, 'sync')],
    ['inactive, activator not in path ⇒ async probe', { activatorInPath: false, activeSince: NOW - sec(100) }, d(0, false, null, 'async')],
    // Grace period.
    ['inactive 31 s ≥ grace 30 s ⇒ 0', { activeSince: NOW - sec(31) }, d(0, true)],
    ['inactive 10 s, proxied 35 s ⇒ fast path 0', { activeSince: NOW - sec(10), sksProxySince: NOW - sec(35) }, d(0, true)],
    ['inactive 10 s, proxied 12 s ⇒ wait the other 18 s', { activeSince: NOW - sec(10), sksProxySince: NOW - sec(12) }, d(0, false, sec(18))],
    ['inactive 5 s, never proxied ⇒ wait the full grace', { activeSince: NOW - sec(5) }, d(0, false, sec(30))],
    // Retention: max(grace, retention) is the hard stop, retention is a floor.
    ['retention 90 s, inactive 40 s ⇒ wait 50 s even though proxied long', { retentionMs: sec(90), activeSince: NOW - sec(40), sksProxySince: NOW - sec(400) }, d(0, false, sec(50))],
    ['retention 90 s, inactive 90 s ⇒ 0', { retentionMs: sec(90), activeSince: NOW - sec(90) }, d(0, true)],
    ['retention 10 s, inactive 15 s, proxied 20 s ⇒ grace 30 s not met, wait 10 s', { retentionMs: sec(10), activeSince: NOW - sec(15), sksProxySince: NOW - sec(20) }, d(0, false, sec(10))],
    // TBC −1: the activator is always in path, no probe.
    ['unreachable: retention 90 s is ignored, fast path applies', { reachable: false, retentionMs: sec(90), activeSince: NOW - sec(10), sksProxySince: NOW - sec(40) }, d(0, true)],
    ['TBC −1 needs no probe', { targetBurstCapacity: -1, activatorInPath: undefined, activeSince: NOW - sec(5), sksProxySince: NOW - sec(40) }, d(0, true)],
  ];
  for (const [name, over, want] of rows) {
    test(name, () => assert.deepEqual(handleScaleToZero({ ...base, ...over }), want));
  }

  test('retention is 0 for an unreachable revision', () => {
    const s = spec({ [A + 'scale-to-zero-pod-retention-period']: '5m' });
    assert.equal(lastPodRetentionMs(s, true), sec(300));
    assert.equal(lastPodRetentionMs(s, false), 0);
  });
});

describe('computeKpaScale', () => {
  const s = spec();
  const input = {
    now: NOW,
    spec: s,
    reachable: true,
    scaleTargetInitialized: true,
    activationTimeoutMs: activationTimeoutMs(),
  };

  test('no metrics yet and not activating ⇒ do nothing', () => {
    assert.deepEqual(computeKpaScale({ ...input, desiredScale: -1, activeState: 'active', activeSince: NOW }), {
      scale: -1,
      apply: false,
      requeueAfterMs: null,
      probe: null,
    });
  });

  test('no metrics while activating goes through the activation timeout', () => {
    // -1 is clamped to min 0, so the scale-to-zero gate decides.
    const waiting = computeKpaScale({ ...input, desiredScale: -1, activeState: 'activating', activeSince: NOW - sec(5) });
    assert.deepEqual(waiting, { scale: -1, apply: false, requeueAfterMs: sec(630), probe: null });
    const timedOut = computeKpaScale({ ...input, desiredScale: -1, activeState: 'activating', activeSince: NOW - sec(700) });
    assert.deepEqual(timedOut, { scale: 0, apply: true, requeueAfterMs: null, probe: null });
  });

  test('progress-deadline annotation feeds the activation timeout', () => {
    assert.equal(activationTimeoutMs(), sec(630));
    assert.equal(activationTimeoutMs(sec(120)), sec(150));
  });

  test('min-scale keeps a revision from the scale-to-zero gate', () => {
    const withMin = spec({ [A + 'min-scale']: '1' });
    const out = computeKpaScale({ ...input, spec: withMin, desiredScale: 0, activeState: 'active', activeSince: NOW - sec(600) });
    assert.deepEqual(out, { scale: 1, apply: true, requeueAfterMs: null, probe: null });
  });

  test('enable-scale-to-zero=false in the config keeps one pod', () => {
    const noZero = spec({}, { 'enable-scale-to-zero': 'false' });
    const out = computeKpaScale({ ...input, spec: noZero, desiredScale: 0, activeState: 'inactive', activeSince: NOW - sec(600) });
    assert.deepEqual(out, { scale: 1, apply: true, requeueAfterMs: null, probe: null });
  });

  test('unreachable revision ignores retention and uses the fast path', () => {
    const keep = spec({ [A + 'scale-to-zero-pod-retention-period']: '5m' });
    const common = { ...input, spec: keep, desiredScale: 0, activeState: 'inactive' as const, activeSince: NOW - sec(5), sksProxySince: NOW - sec(60), activatorInPath: true };
    assert.deepEqual(computeKpaScale({ ...common, reachable: true }), { scale: 0, apply: false, requeueAfterMs: sec(295), probe: null });
    assert.deepEqual(computeKpaScale({ ...common, reachable: false }), { scale: 0, apply: true, requeueAfterMs: null, probe: null });
  });
});

describe('computeActiveCondition (§2.8 table)', () => {
  // [want, ready, minReady, prior, expected mark, reason]
  const rows: Array<[number, number, number, ActiveState, ActiveState | 'unchanged', string | undefined]> = [
    [0, 0, 1, 'activating', 'inactive', 'TimedOut'],
    [0, 0, 1, 'active', 'inactive', 'NoTraffic'],
    [0, 3, 1, 'inactive', 'inactive', 'NoTraffic'],
    [-1, 0, 0, 'activating', 'inactive', 'NoTraffic'], // minReady 0 (initial-scale 0)
    [2, 0, 1, 'inactive', 'activating', 'Queued'],
    [2, 0, 1, 'active', 'activating', 'Queued'],
    [2, 1, 1, 'activating', 'active', undefined],
    [2, 1, 1, 'inactive', 'active', undefined],
    [-1, 0, 1, 'inactive', 'inactive', 'NoTraffic'],
    [-1, 0, 1, 'active', 'activating', 'Queued'],
    [-1, 0, 1, 'activating', 'activating', 'Queued'],
    [-1, 1, 1, 'activating', 'active', undefined],
    [-1, 1, 1, 'active', 'active', undefined],
    [-1, 1, 1, 'inactive', 'unchanged', undefined],
  ];
  for (const [want, ready, minReady, prior, mark, reason] of rows) {
    test(`want ${want}, ready ${ready}/${minReady}, ${prior} ⇒ ${mark}${reason ? ` ${reason}` : ''}`, () => {
      const r = computeActiveCondition({ want, ready, minReady, prior, hasServiceName: true });
      assert.equal(r.mark, mark);
      assert.equal(r.reason, reason);
    });
  }

  test('ScaleTargetInitialized needs enough ready pods and a service name', () => {
    assert.equal(computeActiveCondition({ want: 1, ready: 1, minReady: 1, prior: 'activating', hasServiceName: true }).markScaleTargetInitialized, true);
    assert.equal(computeActiveCondition({ want: 1, ready: 1, minReady: 1, prior: 'activating', hasServiceName: false }).markScaleTargetInitialized, false);
    assert.equal(computeActiveCondition({ want: 3, ready: 2, minReady: 3, prior: 'activating', hasServiceName: true }).markScaleTargetInitialized, false);
  });

  test('activeThreshold: max(min, initial) until initialised, then max(min, 1)', () => {
    const s = spec({ [A + 'initial-scale']: '3', [A + 'min-scale']: '2' });
    assert.equal(activeThreshold(s, { reachable: true, scaleTargetInitialized: false }), 3);
    assert.equal(activeThreshold(s, { reachable: true, scaleTargetInitialized: true }), 2);
    assert.equal(activeThreshold(spec(), { reachable: true, scaleTargetInitialized: true }), 1);
    assert.equal(activeThreshold(s, { reachable: false, scaleTargetInitialized: true }), 1);
    const zero = resolveScalingSpec({ [A + 'initial-scale']: '0' }, 0, parseAutoscalerConfig({ 'allow-zero-initial-scale': 'true' }));
    assert.equal(activeThreshold(zero, { reachable: true, scaleTargetInitialized: false }), 0);
  });
});

describe('SKS mode and activators', () => {
  const rows: Array<[number, number, 'Serve' | 'Proxy']> = [
    [3, 0, 'Serve'],
    [3, 39, 'Serve'],
    [3, -1, 'Proxy'],
    [0, 10, 'Proxy'],
    [-1, 10, 'Proxy'],
  ];
  for (const [want, ebc, mode] of rows) test(`want ${want}, EBC ${ebc} ⇒ ${mode}`, () => assert.equal(computeSksMode(want, ebc), mode));

  test('unknown want keeps Serve on a PA that is not inactive (kpa.go), Proxy on an inactive one', () => {
    assert.equal(computeSksMode(-1, 10, { paInactive: false }), 'Serve');
    assert.equal(computeSksMode(-1, 10, { paInactive: true }), 'Proxy');
    assert.equal(computeSksMode(-1, -5, { paInactive: false }), 'Proxy');
  });

  test('two activators before a decider exists', () => {
    assert.equal(activatorCount(0, null), 2);
    assert.equal(activatorCount(3, spec()), 6); // ceil((300 + 211)/100)
  });

  test('status.desiredScale ignores a transient -1 after an autoscaler restart', () => {
    assert.equal(nextStatusDesiredScale(3, -1), 3);
    assert.equal(nextStatusDesiredScale(null, -1), -1);
    assert.equal(nextStatusDesiredScale(3, 0), 0);
  });
});

describe('worked example (§2.10): wake from zero, burst, back to proxy', () => {
  test('decider + KPA decisions step by step', () => {
    const s = spec(); // CC 0 ⇒ total 100, target 70, TBC 211
    const at = (n: number) => NOW + sec(n);
    const d = new Decider({ spec: s, now: at(0), readyPods: 1 });
    for (let i = 0; i <= 59; i++) d.record(at(i), { concurrency: 0, rps: 0 });
    assert.equal(d.scale(at(59), 1).desiredPodCount, 0); // idle: floor(1/2) = 0
    // The pod is gone; no stats for a while. A request reaches the activator at 200 s.
    const activatorStat = { concurrency: 1, rps: 1 };
    assert.equal(d.shouldPoke(activatorStat), true);
    d.record(at(200), activatorStat);
    const woke = d.scale(at(200), 0);
    // History reset (idle > 60 s): S = P = 1 ⇒ ceil(1/70) = 1; 1/1 < 2 ⇒ 1 pod.
    assert.equal(woke.desiredPodCount, 1);
    assert.equal(woke.excessBurstCapacity, -212); // floor(0×100 − 211 − 1)
    const kpa = computeKpaScale({
      now: at(200),
      desiredScale: woke.desiredPodCount,
      spec: s,
      reachable: true,
      activeState: 'inactive',
      activeSince: at(90),
      scaleTargetInitialized: true,
      activationTimeoutMs: activationTimeoutMs(),
    });
    assert.deepEqual(kpa, { scale: 1, apply: true, requeueAfterMs: null, probe: null });
    assert.equal(computeSksMode(kpa.scale, woke.excessBurstCapacity), 'Proxy');
    const cond = computeActiveCondition({ want: 1, ready: 0, minReady: activeThreshold(s, { reachable: true, scaleTargetInitialized: true }), prior: 'inactive', hasServiceName: true });
    assert.deepEqual([cond.mark, cond.reason], ['activating', 'Queued']);
    // Burst of 300 concurrent through the activator on the single new pod.
    for (let i = 202; i <= 207; i++) d.record(at(i), { concurrency: 300, rps: 0 });
    const burst = d.scale(at(207), 1);
    // P = 300 ⇒ dppc ceil(4.29) = 5; 5/1 ≥ 2 ⇒ panic. S = (1 + 0 + 6×300)/8 = 225.125 ⇒ 4.
    assert.equal(burst.panicking, true);
    assert.equal(burst.observedStableValue, 225.125);
    assert.equal(burst.desiredPodCount, 5);
  });
});
