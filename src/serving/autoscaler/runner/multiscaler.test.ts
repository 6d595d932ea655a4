import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, realClock } from '../../../controller/clock.js';
import { MemoryLogger } from '../../../controller/logger.js';
import { resolveScalingSpec } from '../annotations.js';
import { DEFAULT_AUTOSCALER_CONFIG } from '../config.js';
import { MultiScaler } from './multiscaler.js';

const KEY = 'ns/rev';
/** target 10 × 60 % = 6 concurrent requests per pod. */
const spec = (extra: Record<string, string> = {}) =>
  resolveScalingSpec({ 'autoscaling.knative.dev/target': '10', 'autoscaling.knative.dev/target-utilization-percentage': '60', ...extra }, 0, DEFAULT_AUTOSCALER_CONFIG);

function setup(ready = 1) {
  const clock = new FakeClock();
  const changes: Array<{ key: string; at: number }> = [];
  const state = { ready };
  const logger = new MemoryLogger();
  const ms = new MultiScaler({ clock, logger, readyPods: () => state.ready, onChange: (key) => changes.push({ key, at: clock.now() }) });
  return { clock, changes, state, ms, logger };
}

describe('MultiScaler', () => {
  test('ticks every 2 s and calls back when the desired scale changes', () => {
    const { clock, changes, ms } = setup();
    const s0 = ms.ensure(KEY, spec(), { reachable: true });
    assert.deepEqual([s0.desiredScale, s0.excessBurstCapacity, s0.numActivators], [-1, 1 * 10 - 211, 3]);
    const t0 = clock.now();
    clock.advance(1_000);
    ms.record(KEY, clock.now(), { concurrency: 20, rps: 0 });
    clock.advance(1_000); // first tick at t0 + 2 s
    assert.deepEqual(changes, [{ key: KEY, at: t0 + 2_000 }]);
    // 20 / 6 ⇒ 4 pods (panic: 4 / 1 ≥ 2, so panic also says 4).
    assert.equal(ms.status(KEY)!.desiredScale, 4);
    assert.equal(ms.status(KEY)!.panicking, true);
    ms.record(KEY, clock.now(), { concurrency: 20, rps: 0 });
    clock.advance(2_000); // same decision: no callback
    assert.equal(changes.length, 1);
    assert.equal(ms.stats().ticks, 2);
    ms.stop();
  });

  test('no data ⇒ no decision (desired stays -1, no callback)', () => {
    const { clock, changes, ms } = setup();
    ms.ensure(KEY, spec(), { reachable: true });
    clock.advance(10_000);
    assert.equal(ms.status(KEY)!.desiredScale, -1);
    assert.equal(changes.length, 0);
    assert.equal(ms.stats().ticks, 5);
    ms.stop();
  });

  test('ticks are drift-corrected: a late tick does not delay the next slot; missed slots are skipped and counted', () => {
    const { clock, ms } = setup();
    const t0 = clock.now();
    ms.ensure(KEY, spec(), { reachable: true });
    clock.advance(2_000); // on time
    assert.equal(clock.nextDue(), t0 + 4_000);
    // The event loop was busy: the 4 s tick runs at 4.5 s.
    clock.set(t0 + 4_500);
    clock.advance(0);
    assert.equal(clock.nextDue(), t0 + 6_000, 'next slot stays on the 2 s grid');
    // Stalled past two slots: 6 s runs at 9.2 s; 8 s is skipped, next is 10 s.
    clock.set(t0 + 9_200);
    clock.advance(0);
    assert.equal(clock.nextDue(), t0 + 10_000);
    const st = ms.stats();
    assert.equal(st.ticks, 3);
    assert.equal(st.skippedTicks, 1);
    assert.equal(st.maxLatenessMs, 3_200);
    assert.equal(st.avgLatenessMs, (0 + 500 + 3_200) / 3);
    // Histogram buckets: ≤1, ≤5, ≤10, ≤25, ≤50, ≤100, ≤250, ≤500, ≤1000, >1000 ms.
    assert.deepEqual(st.latenessHistogram, [1, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    ms.resetStats();
    assert.deepEqual([ms.stats().ticks, ms.stats().maxLatenessMs, ms.stats().deciders], [0, 0, 1]);
    ms.stop();
  });

  test('logs a tick-integrity summary at debug once a minute', () => {
    const { clock, ms, logger } = setup();
    ms.ensure(KEY, spec(), { reachable: true });
    clock.advance(61_000);
    const lines = logger.entries.filter((e) => e.msg === 'autoscaler tick integrity');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'debug');
    assert.equal(lines[0].fields!.ticks, 30);
    ms.stop();
  });

  test('poke decides at once while desired is 0 (Knative Poke), not when pods are wanted', () => {
    const { clock, changes, ms, state } = setup(1);
    ms.ensure(KEY, spec(), { reachable: true });
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      ms.record(KEY, clock.now(), { concurrency: 0, rps: 0 });
    }
    assert.equal(ms.status(KEY)!.desiredScale, 0);
    changes.length = 0;
    state.ready = 0;
    // Between ticks, a request reaches the activator.
    clock.advance(500);
    ms.record(KEY, clock.now(), { concurrency: 1, rps: 1 });
    assert.equal(ms.poke(KEY), true);
    assert.equal(ms.status(KEY)!.desiredScale, 1);
    assert.deepEqual(changes, [{ key: KEY, at: clock.now() }]);
    assert.equal(ms.poke(KEY), false, 'desired is 1 now: no immediate decision');
    assert.equal(ms.stats().pokes, 1);
    assert.equal(ms.poke('ns/unknown'), false);
    ms.stop();
  });

  test('a poke before the first decision (desired -1) also decides at once', () => {
    const { clock, ms } = setup(0);
    ms.ensure(KEY, spec(), { reachable: true });
    clock.advance(300);
    ms.record(KEY, clock.now(), { concurrency: 1, rps: 1 });
    assert.equal(ms.poke(KEY), true);
    assert.equal(ms.status(KEY)!.desiredScale, 1);
    ms.stop();
  });

  test('ensure updates the spec when it changes and keeps the decider; delete stops its ticks', () => {
    const { clock, ms } = setup();
    ms.ensure(KEY, spec(), { reachable: true });
    clock.advance(1_000);
    ms.record(KEY, clock.now(), { concurrency: 20, rps: 0 });
    clock.advance(1_000);
    assert.equal(ms.status(KEY)!.desiredScale, 4);
    // New target 20 × 60 % = 12 ⇒ ceil(20/12) = 2, but panic (entered at 4) holds 4.
    ms.ensure(KEY, spec({ 'autoscaling.knative.dev/target': '20' }), { reachable: true });
    assert.equal(ms.specOf(KEY)!.target, 12);
    assert.equal(ms.status(KEY)!.desiredScale, 4, 'same decider: state kept');
    assert.equal(ms.delete(KEY), true);
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(ms.record(KEY, clock.now(), { concurrency: 1, rps: 0 }), false);
    assert.equal(ms.delete(KEY), false);
    ms.stop();
  });

  test('a decider created over several ready pods starts in panic at that scale', () => {
    const { clock, ms } = setup(5);
    ms.ensure(KEY, spec(), { reachable: true });
    clock.advance(1_000);
    ms.record(KEY, clock.now(), { concurrency: 0, rps: 0 });
    clock.advance(1_000);
    assert.equal(ms.status(KEY)!.desiredScale, 5);
    ms.stop();
  });

  test('a throwing ready-pod source or callback is logged and ticking goes on', () => {
    const clock = new FakeClock();
    const logger = new MemoryLogger();
    const ms = new MultiScaler({
      clock,
      logger,
      readyPods: () => 1,
      onChange: () => {
        throw new Error('boom');
      },
    });
    ms.ensure(KEY, spec(), { reachable: true });
    clock.advance(1_000);
    ms.record(KEY, clock.now(), { concurrency: 20, rps: 0 });
    clock.advance(5_000);
    assert.equal(ms.stats().errors, 1);
    assert.equal(ms.stats().ticks, 3);
    assert.ok(logger.entries.some((e) => e.level === 'error' && e.msg === 'decider tick failed'));
    ms.stop();
    assert.throws(() => ms.ensure(KEY, spec(), { reachable: true }), /stopped/);
  });

  test('real clock: a blocked event loop shows up as lateness and skipped slots', async () => {
    const ms = new MultiScaler({ clock: realClock, readyPods: () => 0, onChange: () => {}, tickMs: 20 });
    ms.ensure(KEY, spec(), { reachable: true });
    await new Promise((r) => setTimeout(r, 50));
    const until = Date.now() + 80;
    while (Date.now() < until) {
      // the data plane would be in its own thread; this is the main thread stalling
    }
    await new Promise((r) => setTimeout(r, 50));
    ms.stop();
    const st = ms.stats();
    assert.ok(st.ticks >= 3, `ticks ${st.ticks}`);
    assert.ok(st.maxLatenessMs >= 50, `max lateness ${st.maxLatenessMs} ms`);
    assert.ok(st.skippedTicks >= 1, `skipped ${st.skippedTicks}`);
  });
});
