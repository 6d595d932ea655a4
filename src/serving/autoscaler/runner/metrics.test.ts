import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../controller/clock.js';
import { resolveScalingSpec, type ScalingSpec } from '../annotations.js';
import { DEFAULT_AUTOSCALER_CONFIG } from '../config.js';
import type { Stat } from '../decider.js';
import { activatorStat, MetricsSink, sumPodStats, type MetricsTarget } from './metrics.js';
import { MultiScaler } from './multiscaler.js';

const KEY = 'ns/rev';
const spec = (extra: Record<string, string> = {}): ScalingSpec =>
  resolveScalingSpec({ 'autoscaling.knative.dev/target': '10', 'autoscaling.knative.dev/target-utilization-percentage': '60', ...extra }, 0, DEFAULT_AUTOSCALER_CONFIG);

/** Records what the sink hands the multiscaler. */
function fakeTarget(s: ScalingSpec | undefined = spec()) {
  const records: Array<{ key: string; now: number; stat: Stat }> = [];
  const pokes: Array<{ key: string; now: number }> = [];
  const target: MetricsTarget = {
    specOf: (key) => (key === KEY ? s : undefined),
    record: (key, now, stat) => {
      records.push({ key, now, stat });
      return true;
    },
    poke: (key, now) => {
      pokes.push({ key, now: now! });
      return true;
    },
  };
  return { target, records, pokes };
}

describe('metrics aggregation', () => {
  test('pods sum to a revision-wide total with the proxied parts alongside', () => {
    assert.deepEqual(
      sumPodStats([
        { pod: 'a', averageConcurrency: 3, requestCount: 30, proxiedConcurrency: 1, proxiedRequestCount: 10 },
        { pod: 'b', averageConcurrency: 5, requestCount: 50 },
      ]),
      { concurrency: 8, rps: 80, proxiedConcurrency: 1, proxiedRps: 10 },
    );
    assert.equal(sumPodStats([]), undefined);
  });

  test('bad numbers read as 0 and are counted', () => {
    const bad = { count: 0 };
    assert.deepEqual(sumPodStats([{ pod: 'a', averageConcurrency: NaN, requestCount: -1, proxiedConcurrency: Infinity }], bad), {
      concurrency: 0,
      rps: 0,
      proxiedConcurrency: 0,
      proxiedRps: 0,
    });
    assert.equal(bad.count, 3);
    assert.deepEqual(activatorStat({ averageConcurrency: 2, requestCount: 7 }), { concurrency: 2, rps: 7 });
  });

  test('sink records pods and activator into the same decider; an activator stat with traffic pokes', () => {
    const { target, records, pokes } = fakeTarget();
    const sink = new MetricsSink(target);
    assert.equal(
      sink.record(KEY, 1_000, {
        pods: [{ pod: 'a', averageConcurrency: 10, requestCount: 20, proxiedConcurrency: 4, proxiedRequestCount: 8 }],
        activator: { averageConcurrency: 4, requestCount: 8 },
      }),
      true,
    );
    assert.deepEqual(records, [
      { key: KEY, now: 1_000, stat: { concurrency: 10, rps: 20, proxiedConcurrency: 4, proxiedRps: 8 } },
      { key: KEY, now: 1_000, stat: { concurrency: 4, rps: 8 } },
    ]);
    assert.deepEqual(pokes, [{ key: KEY, now: 1_000 }]);
  });

  test('no pods ⇒ no pod stat (an empty revision has no scraped stat); an idle activator does not poke', () => {
    const { target, records, pokes } = fakeTarget();
    const sink = new MetricsSink(target);
    sink.record(KEY, 1_000, { pods: [], activator: { averageConcurrency: 0, requestCount: 0 } });
    assert.deepEqual(records, [{ key: KEY, now: 1_000, stat: { concurrency: 0, rps: 0 } }]);
    assert.equal(pokes.length, 0);
  });

  test('target-burst-capacity -1: only the activator is recorded', () => {
    const { target, records } = fakeTarget(spec({ 'autoscaling.knative.dev/target-burst-capacity': '-1' }));
    const sink = new MetricsSink(target);
    sink.record(KEY, 1_000, { pods: [{ pod: 'a', averageConcurrency: 9, requestCount: 9 }], activator: { averageConcurrency: 9, requestCount: 9 } });
    assert.deepEqual(records, [{ key: KEY, now: 1_000, stat: { concurrency: 9, rps: 9 } }]);
  });

  test('stats for a revision without a decider are dropped and counted', () => {
    const { target, records } = fakeTarget();
    const sink = new MetricsSink(target);
    assert.equal(sink.record('ns/other', 1_000, { pods: [{ pod: 'a', averageConcurrency: 1, requestCount: 1 }] }), false);
    assert.equal(sink.poke('ns/other', 1_000), false);
    assert.equal(records.length, 0);
    assert.deepEqual(sink.stats(), { records: 0, dropped: 2, pokes: 0, badValues: 0 });
  });

  test('malformed reports are counted, not thrown', () => {
    const { target, records } = fakeTarget();
    const sink = new MetricsSink(target);
    assert.equal(sink.record(KEY, 1_000, null as never), false);
    assert.equal(sink.record(42 as never, 1_000, { pods: [] }), false);
    assert.equal(sink.poke(KEY, NaN), false);
    assert.equal(sink.record(KEY, 1_000, { pods: 'x' as never, activator: 3 as never }), true);
    assert.equal(records.length, 0);
    assert.equal(sink.stats().badValues, 3);
  });

  test('poke records the activator\'s first-request stat (concurrency 1) and pokes', () => {
    const { target, records, pokes } = fakeTarget();
    const sink = new MetricsSink(target);
    assert.equal(sink.poke(KEY, 5_000), true);
    assert.deepEqual(records, [{ key: KEY, now: 5_000, stat: { concurrency: 1, rps: 1 } }]);
    assert.deepEqual(pokes, [{ key: KEY, now: 5_000 }]);
  });

  test('end to end: proxied requests are counted once (pods minus proxied, plus activator)', () => {
    const clock = new FakeClock();
    const ms = new MultiScaler({ clock, readyPods: () => 2, onChange: () => {} });
    ms.ensure(KEY, spec(), { reachable: true });
    const sink = new MetricsSink(ms);
    // 18 in flight per second: 12 direct to the pods, 6 through the activator (which the pods see too).
    for (let i = 0; i < 2; i++) {
      clock.advance(1_000);
      sink.record(KEY, clock.now(), {
        pods: [
          { pod: 'a', averageConcurrency: 9, requestCount: 9, proxiedConcurrency: 3, proxiedRequestCount: 3 },
          { pod: 'b', averageConcurrency: 9, requestCount: 9, proxiedConcurrency: 3, proxiedRequestCount: 3 },
        ],
        activator: { averageConcurrency: 6, requestCount: 6 },
      });
    }
    // 18 / 6 = 3 pods; double counting would have said ceil(24 / 6) = 4.
    assert.equal(ms.status(KEY)!.desiredScale, 3);
    ms.stop();
  });
});
