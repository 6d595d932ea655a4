import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriftFreeTicker, type Timers } from './ticker.js';

/** Fake clock + timers: run(ms) advances time, firing due timers; `lag` delays each callback. */
function fake() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  const t: Timers = {
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++ids });
      return ids;
    },
    clearTimeout: (h) => (timers = timers.filter((x) => x.id !== h)),
  };
  return {
    clock: { now: () => now },
    timers: t,
    run(until: number, lag = 0) {
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        now = Math.max(now, next.at) + lag;
        next.fn();
      }
      now = until;
    },
  };
}

test('ticks stay on the period grid even when every callback fires late', () => {
  const f = fake();
  const ticks: Array<[number, number]> = [];
  new DriftFreeTicker(1000, f.clock, (now, w) => ticks.push([now, w]), f.timers).start();
  f.run(5500, 30); // each timer fires 30 ms late
  assert.deepEqual(
    ticks.map(([t]) => t),
    [1030, 2030, 3030, 4030, 5030],
  );
  assert.deepEqual(
    ticks.map(([, w]) => w),
    [1030, 1000, 1000, 1000, 1000],
  );
});

test('a stall longer than a period skips the missed ticks instead of bursting', () => {
  const f = fake();
  const ticks: number[] = [];
  new DriftFreeTicker(1000, f.clock, (now) => ticks.push(now), f.timers).start();
  f.run(1000);
  f.run(3600, 2500); // the second callback comes 2.5 s late
  f.run(6000);
  assert.deepEqual(ticks, [1000, 4500, 5000, 6000]);
});

test('stop cancels the pending tick', () => {
  const f = fake();
  let n = 0;
  const t = new DriftFreeTicker(1000, f.clock, () => n++, f.timers);
  t.start();
  f.run(1500);
  t.stop();
  f.run(5000);
  assert.equal(n, 1);
});
