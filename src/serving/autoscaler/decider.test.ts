import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScalingSpec, type ScalingSpec } from './annotations.js';
import { parseAutoscalerConfig } from './config.js';
import { computeExcessBurstCapacity, computeNumActivators, Decider, initialExcessBurstCapacity, scrapeSampleSize, shouldPoke, type Stat } from './decider.js';
import { computeSksMode } from './scaler.js';

// Fake clock: T0 is aligned to 2 s so 1 s buckets and 2 s delay slots line up.
const T0 = 1_700_000_000_000;
const at = (sec: number) => T0 + sec * 1000;
const A = 'autoscaling.knative.dev/';

function spec(annotations: Record<string, string> = {}, config: Record<string, string> = {}, cc = 0): ScalingSpec {
  return resolveScalingSpec(annotations, cc, parseAutoscalerConfig(config));
}

/** Records `stat` once per second for seconds [from, to]. */
function feed(d: Decider, from: number, to: number, stat: Stat | number): void {
  const st = typeof stat === 'number' ? { concurrency: stat, rps: 0 } : stat;
  for (let sec = from; sec <= to; sec++) d.record(at(sec), st);
}

describe('Decider: stable mode', () => {
  test('default target 70: steady 140 on 2 pods stays at 2', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    feed(d, 0, 59, 140);
    const r = d.scale(at(59), 2);
    // stable = panic = 140; dspc = dppc = ceil(140/70) = 2; 2/2 = 1 < 2 ⇒ stable
    assert.equal(r.valid, true);
    assert.equal(r.desiredPodCount, 2);
    assert.equal(r.panicking, false);
    assert.equal(r.observedStableValue, 140);
    // EBC = floor(2×100 − 211 − 140) = −151
    assert.equal(r.excessBurstCapacity, -151);
    // activators = max(2, ceil((2×100 + 211)/100)) = ceil(4.11) = 5
    assert.equal(r.numActivators, 5);
    assert.deepEqual(d.status, { desiredScale: 2, excessBurstCapacity: -151 });
  });

  test('seed case: target 10 × 60 %, steady concurrency 20 ⇒ ceil(20/6) = 4 pods', () => {
    const d = new Decider({ spec: spec({ [A + 'target']: '10', [A + 'target-utilization-percentage']: '60' }), now: at(0) });
    feed(d, 0, 59, 20);
    // From 1 pod: dppc 4, 4/1 ≥ 2 ⇒ panic, desired max(4, 4) = 4.
    assert.equal(d.scale(at(59), 1).desiredPodCount, 4);
    // With the 4 pods ready the answer is still 4 (20/6 = 3.33 → 4).
    assert.equal(d.scale(at(61), 4).desiredPodCount, 4);
  });

  test('seed case in steady state (no panic history) is 4 as well', () => {
    const d = new Decider({ spec: spec({ [A + 'target']: '10', [A + 'target-utilization-percentage']: '60' }), now: at(0) });
    feed(d, 0, 59, 20);
    const r = d.scale(at(59), 4); // 4/4 = 1 < 2 ⇒ stable
    assert.equal(r.panicking, false);
    assert.equal(r.desiredPodCount, 4);
  });

  test('rps metric uses request counts and the 140 rps target', () => {
    const d = new Decider({ spec: spec({ [A + 'metric']: 'rps' }), now: at(0) });
    feed(d, 0, 59, { concurrency: 1000, rps: 280 });
    assert.equal(d.scale(at(59), 2).desiredPodCount, 2); // 280 / 140
  });

  test('proxied stats are subtracted; activator and scraper add up in one bucket', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    // Scraper: 30 in flight at the pods, 10 of them came via the activator.
    d.record(at(0), { concurrency: 30, rps: 5, proxiedConcurrency: 10, proxiedRps: 2 });
    // Activator: it is holding/forwarding 10 itself.
    d.record(at(0) + 300, { concurrency: 10, rps: 2 });
    const r = d.scale(at(0), 1);
    assert.equal(r.observedStableValue, 30); // (30 − 10) + 10
    assert.equal(r.desiredPodCount, 1);
  });
});

describe('Decider: panic mode', () => {
  // 54 s at 10, then 6 s at 300, on one pod.
  function burst(): Decider {
    const d = new Decider({ spec: spec(), now: at(0) });
    feed(d, 0, 53, 10);
    feed(d, 54, 59, 300);
    return d;
  }

  test('enters panic when the 6 s window needs ≥ 2× the ready pods', () => {
    const d = burst();
    const r = d.scale(at(59), 1);
    // stable = (54×10 + 6×300)/60 = 39 ⇒ dspc 1; panic = 300 ⇒ dppc ceil(4.29) = 5; 5/1 ≥ 2
    assert.equal(r.observedStableValue, 39);
    assert.equal(r.observedPanicValue, 300);
    assert.equal(r.panicking, true);
    assert.equal(r.desiredPodCount, 5);
  });

  test('ratchet: no scale-down while panicking; exit only after a full stable window', () => {
    const d = burst();
    assert.equal(d.scale(at(59), 1).desiredPodCount, 5); // panicTime = 59 s
    feed(d, 60, 61, 10);
    // 61 s on 5 pods: panic = (4×300 + 2×10)/6 = 203.33 ⇒ dppc 3; stable = 39 ⇒ dspc 1,
    // maxScaleDown = floor(5/2) = 2 ⇒ desiredStable 2; max(2, 3) = 3 < ratchet 5 ⇒ 5.
    const r61 = d.scale(at(61), 5);
    assert.equal(r61.panicking, true);
    assert.equal(r61.desiredPodCount, 5);
    for (let sec = 63; sec <= 119; sec += 2) {
      feed(d, sec - 1, sec, 10);
      const r = d.scale(at(sec), 5);
      assert.equal(r.desiredPodCount, 5, `held at ${sec} s`);
      assert.equal(r.panicking, true);
    }
    // 59 + 60 = 119: exit needs panicTime + window < now strictly ⇒ 121 s.
    feed(d, 120, 121, 10);
    const r121 = d.scale(at(121), 5);
    assert.equal(r121.panicking, false);
    // stable = 10 ⇒ dspc 1, but maxScaleDown = floor(5/2) = 2
    assert.equal(r121.desiredPodCount, 2);
  });

  test('a new over-threshold tick extends the panic', () => {
    const d = burst();
    d.scale(at(59), 1);
    feed(d, 60, 99, 10);
    feed(d, 100, 100, 2100); // panic window at 100 s = (5×10 + 2100)/6 = 358.3 ⇒ dppc 6; 6/3 ≥ 2
    const r100 = d.scale(at(100), 3);
    assert.equal(r100.panicking, true);
    assert.equal(r100.desiredPodCount, 6); // ratchet rises from 5 to 6
    feed(d, 101, 159, 10);
    assert.equal(d.scale(at(159), 6).panicking, true); // 100 + 60 = 160 not yet passed
    feed(d, 160, 161, 10);
    assert.equal(d.scale(at(161), 6).panicking, false);
  });

  test('a decider created over more than one ready pod starts in panic at that scale', () => {
    const d = new Decider({ spec: spec(), now: at(0), readyPods: 4 });
    assert.equal(d.panicking, true);
    feed(d, 0, 2, 0);
    // Idle: dspc 0, maxScaleDown floor(4/2) = 2 ⇒ 2, but the ratchet holds 4.
    assert.equal(d.scale(at(2), 4).desiredPodCount, 4);
    feed(d, 3, 60, 0);
    assert.equal(d.scale(at(60), 4).desiredPodCount, 4); // 0 + 60 = 60, not < 60
    feed(d, 61, 62, 0);
    const r = d.scale(at(62), 4);
    assert.equal(r.panicking, false);
    assert.equal(r.desiredPodCount, 2);
  });

  test('created over 0 or 1 ready pods: normal behaviour', () => {
    const d = new Decider({ spec: spec(), now: at(0), readyPods: 1 });
    assert.equal(d.panicking, false);
    feed(d, 0, 2, 0);
    assert.equal(d.scale(at(2), 1).desiredPodCount, 0); // floor(1/2) = 0
  });
});

describe('Decider: rate limits', () => {
  test('max-scale-up-rate 2 from 3 ready ⇒ at most ceil(2×3) = 6', () => {
    const d = new Decider({ spec: spec({}, { 'max-scale-up-rate': '2' }), now: at(0) });
    feed(d, 0, 59, 700); // 700/70 = 10 pods wanted
    const r = d.scale(at(59), 3);
    assert.equal(r.panicking, true); // 10/3 ≥ 2
    assert.equal(r.desiredPodCount, 6);
  });

  test('max-scale-up-rate 1.1 still grows by a pod: ceil(1.1×2) = 3', () => {
    const d = new Decider({ spec: spec({}, { 'max-scale-up-rate': '1.1' }), now: at(0) });
    feed(d, 0, 59, 350); // 5 wanted; 5/2 = 2.5 ≥ 2 ⇒ panic, but both clamp to 3
    assert.equal(d.scale(at(59), 2).desiredPodCount, 3);
  });

  test('max-scale-down-rate: default halves, 4 quarters, unreachable drops freely', () => {
    const load = 70; // 1 pod wanted
    const run = (config: Record<string, string>, reachable = true) => {
      const d = new Decider({ spec: spec({}, config), now: at(0), reachable });
      feed(d, 0, 59, load);
      return d.scale(at(59), 10).desiredPodCount;
    };
    assert.equal(run({}), 5); // floor(10/2)
    assert.equal(run({ 'max-scale-down-rate': '4' }), 2); // floor(10/4)
    assert.equal(run({}, false), 1); // no floor when unreachable
  });

  test('zero ready pods count as one for the rates', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    feed(d, 0, 0, 1);
    // readyPods max(1, 0) = 1: dspc = dppc = ceil(1/70) = 1; 1/1 < 2 ⇒ 1
    const r = d.scale(at(0), 0);
    assert.equal(r.desiredPodCount, 1);
    // EBC uses the actual 0: floor(0×100 − 211 − 1) = −212
    assert.equal(r.excessBurstCapacity, -212);
  });
});

describe('Decider: activation scale', () => {
  test('waking from zero goes straight to activation-scale', () => {
    const d = new Decider({ spec: spec({ [A + 'activation-scale']: '3' }), now: at(0) });
    feed(d, 0, 0, 1);
    assert.equal(d.scale(at(0), 0).desiredPodCount, 3); // dspc 1 < 3 ⇒ 3
  });

  test('no load stays at zero; load above activation scale is unaffected', () => {
    const idle = new Decider({ spec: spec({ [A + 'activation-scale']: '3' }), now: at(0) });
    feed(idle, 0, 5, 0);
    assert.equal(idle.scale(at(5), 0).desiredPodCount, 0);
    const busy = new Decider({ spec: spec({ [A + 'activation-scale']: '3' }), now: at(0) });
    feed(busy, 0, 59, 350);
    assert.equal(busy.scale(at(59), 5).desiredPodCount, 5);
  });
});

describe('Decider: scale-down delay (max over the delay, 2 s slots)', () => {
  // window 6 s (panic window round(0.6 s) → 1 s) keeps the arithmetic short.
  const ann = { [A + 'window']: '6s', [A + 'scale-down-delay']: '10s' };

  test('holds the higher scale for the delay; scale-ups pass at once', () => {
    const d = new Decider({ spec: spec(ann), now: at(0) });
    feed(d, 0, 5, 350);
    assert.equal(d.scale(at(5), 5).desiredPodCount, 5); // 350/70; slot 2
    feed(d, 6, 11, 70);
    // Undelayed: dspc 1, maxScaleDown floor(5/2) = 2 ⇒ 2. Delayed: max(5 @slot 2, 2) = 5.
    assert.equal(d.scale(at(11), 5).desiredPodCount, 5); // slot 5
    feed(d, 12, 13, 70);
    assert.equal(d.scale(at(13), 5).desiredPodCount, 5); // slot 6: 6 − 2 < 5 slots
    feed(d, 14, 15, 70);
    assert.equal(d.scale(at(15), 5).desiredPodCount, 2); // slot 7: the 5 has slid out
    feed(d, 16, 17, 700);
    // 700/70 = 10; 10/5 ≥ 2 ⇒ panic; scale-up not delayed.
    assert.equal(d.scale(at(17), 5).desiredPodCount, 10);
  });

  test('not applied to an unreachable revision', () => {
    const d = new Decider({ spec: spec(ann), now: at(0), reachable: false });
    feed(d, 0, 5, 350);
    assert.equal(d.scale(at(5), 5).desiredPodCount, 5);
    feed(d, 6, 11, 70);
    assert.equal(d.scale(at(11), 5).desiredPodCount, 1); // unreachable: no floor, no delay
  });

  test('scale to zero is delayed too', () => {
    const d = new Decider({ spec: spec(ann), now: at(0) });
    feed(d, 0, 5, 35);
    assert.equal(d.scale(at(5), 1).desiredPodCount, 1);
    feed(d, 6, 11, 0);
    assert.equal(d.scale(at(11), 1).desiredPodCount, 1); // 0 held back by the 1 @slot 2
    feed(d, 12, 15, 0);
    assert.equal(d.scale(at(15), 1).desiredPodCount, 0);
  });
});

describe('Decider: no data', () => {
  test('nothing recorded ⇒ no decision (desired −1), status untouched', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    const r = d.scale(at(2), 0);
    assert.equal(r.valid, false);
    assert.equal(r.desiredPodCount, -1);
    assert.equal(r.changed, false);
    assert.deepEqual(d.status, { desiredScale: -1, excessBurstCapacity: -111 }); // 1×100 − 211
  });

  test('a full window of silence is no data again', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    feed(d, 0, 0, 10);
    assert.equal(d.scale(at(60), 1).valid, true); // exactly one window: average 0
    assert.equal(d.scale(at(60), 1).desiredPodCount, 0);
    assert.equal(d.scale(at(61), 1).valid, false);
  });

  test('TBC −1 is not scraped, so empty windows simply mean 0', () => {
    const d = new Decider({ spec: spec({ [A + 'target-burst-capacity']: '-1' }), now: at(0) });
    const r = d.scale(at(2), 0);
    assert.equal(r.valid, true);
    assert.equal(r.desiredPodCount, 0);
    assert.equal(r.excessBurstCapacity, -1);
  });
});

describe('excess burst capacity and activator placement', () => {
  test('initial EBC before any decision', () => {
    assert.equal(initialExcessBurstCapacity(spec()), -111); // 1 × 100 − 211
    assert.equal(initialExcessBurstCapacity(spec({ [A + 'target-burst-capacity']: '0' })), 0);
    assert.equal(initialExcessBurstCapacity(spec({ [A + 'target-burst-capacity']: '-1' })), -1);
    assert.equal(initialExcessBurstCapacity(spec({ [A + 'initial-scale']: '3' })), 89); // 300 − 211
    assert.equal(new Decider({ spec: spec({ [A + 'target-burst-capacity']: '0' }), now: at(0) }).status.excessBurstCapacity, 0);
  });

  // [name, TBC, CC, ready, panic value, EBC, activators, mode for want>0]
  const rows: Array<[string, number, number, number, number, number, number, 'Serve' | 'Proxy']> = [
    // floor(3×100 − 211 − 50) = 39; ceil((300 + 211)/100) = 6
    ['TBC 211, 3 pods, light load', 211, 0, 3, 50, 39, 6, 'Serve'],
    // floor(2×100 − 211 − 0) = −11
    ['TBC 211, 2 pods idle', 211, 0, 2, 0, -11, 5, 'Proxy'],
    // CC 10: floor(21×10 − 211) = −1 ⇒ still proxied; ceil((210+211)/100) = 5
    ['TBC 211, CC 10, 21 pods', 211, 10, 21, 0, -1, 5, 'Proxy'],
    // floor(22×10 − 211) = 9; ceil((220+211)/100) = 5
    ['TBC 211, CC 10, 22 pods', 211, 10, 22, 0, 9, 5, 'Serve'],
    // TBC 0: EBC 0, 2 activators
    ['TBC 0', 0, 0, 3, 500, 0, 2, 'Serve'],
    // TBC −1: EBC −1 always; activators ceil(300/100) = 3
    ['TBC −1', -1, 0, 3, 0, -1, 3, 'Proxy'],
    ['TBC −1, no pods', -1, 0, 0, 0, -1, 2, 'Proxy'],
  ];
  for (const [name, tbc, cc, ready, panic, ebc, acts, mode] of rows) {
    test(name, () => {
      const sp = spec({ [A + 'target-burst-capacity']: String(tbc) }, {}, cc);
      const got = computeExcessBurstCapacity(ready, sp.totalValue, sp.targetBurstCapacity, panic);
      assert.equal(got, ebc);
      assert.equal(computeNumActivators(ready, sp), acts);
      assert.equal(computeSksMode(ready, got), mode);
    });
  }

  test('activator-capacity changes the subset size', () => {
    // ceil((10×100 + 211)/50) = ceil(24.22) = 25
    assert.equal(computeNumActivators(10, spec({}, { 'activator-capacity': '50' })), 25);
  });

  test('changed is set on desired change or EBC sign change only', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    feed(d, 0, 59, 0);
    const r1 = d.scale(at(59), 3); // desired floor(3/2) = 1 (was −1) ⇒ changed; EBC 300−211 = 89
    assert.equal(r1.changed, true);
    assert.equal(r1.excessBurstCapacity, 89);
    const r2 = d.scale(at(60), 3); // same desired, EBC 89 ⇒ unchanged
    assert.equal(r2.changed, false);
    feed(d, 61, 61, 180); // panic window (6 s): (0×5 + 180)/6 = 30 ⇒ EBC floor(300−211−30) = 59
    assert.equal(d.scale(at(61), 3).changed, false);
    feed(d, 62, 62, 600); // panic (180 + 600)/6 = 130 ⇒ EBC floor(89 − 130) = −41: sign flip
    const r4 = d.scale(at(62), 3);
    assert.equal(r4.excessBurstCapacity, -41);
    assert.equal(r4.changed, true);
  });
});

describe('poke', () => {
  test('only when the decider wants 0 and the activator sees requests', () => {
    assert.equal(shouldPoke(0, { concurrency: 1 }), true);
    assert.equal(shouldPoke(0, { concurrency: 0 }), false);
    assert.equal(shouldPoke(-1, { concurrency: 1 }), false); // no decision yet
    assert.equal(shouldPoke(2, { concurrency: 5 }), false);
  });

  test('scale-from-zero: idle decider is poked and asks for 1 pod', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    feed(d, 0, 59, 0);
    assert.equal(d.scale(at(59), 0).desiredPodCount, 0);
    const activatorStat = { concurrency: 1, rps: 1 };
    assert.equal(d.shouldPoke(activatorStat), true);
    d.record(at(60), activatorStat);
    // stable = 1/60 buckets… (59 zeros in window + 1) / 60 ⇒ dspc = ceil(0.0167/70) = 1
    assert.equal(d.scale(at(60), 0).desiredPodCount, 1);
    assert.equal(d.shouldPoke(activatorStat), false);
  });
});

describe('Decider.update', () => {
  test('a new target takes effect on the next tick; windows resize in place', () => {
    const d = new Decider({ spec: spec(), now: at(0) });
    feed(d, 0, 59, 140);
    assert.equal(d.scale(at(59), 2).desiredPodCount, 2);
    d.update(spec({ [A + 'target']: '20', [A + 'window']: '30s' }), at(59)); // target 20 × 0.7 = 14
    feed(d, 60, 61, 140);
    // 140/14 = 10; 10/2 ≥ 2 ⇒ panic; maxScaleUp 2000 ⇒ 10
    assert.equal(d.scale(at(61), 2).desiredPodCount, 10);
  });
});

test('scrape sample size (95 % confidence, MOE 5)', () => {
  // N ≤ 3 ⇒ N; 10 ⇒ ceil(153.664/24.3664) = ceil(6.31) = 7; 100 ⇒ ceil(1536.64/114.3664) = ceil(13.44) = 14
  assert.deepEqual([0, 1, 3, 4, 10, 100, 1000].map(scrapeSampleSize), [0, 1, 3, 4, 7, 14, 16]);
});
