import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration } from '../deps.js';
import { backoffPolicy, crashLoopMessage, KUBELET_BACKOFF, nextBackoff, restartDelay, type BackoffEntry } from './backoff.js';

describe('crash-loop back-off', () => {
  test('first restart is immediate, then 10s, 20s, 40s … capped at 5m', () => {
    const p = KUBELET_BACKOFF;
    let entry: BackoffEntry | undefined;
    let now = 1_000_000;
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      // the container runs 1 s, then crashes
      now += 1000;
      const d = restartDelay(entry, now, now, p);
      waits.push(d);
      now += d;
      entry = nextBackoff(entry, now - d, now, p);
    }
    assert.deepEqual(waits, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  test('time already spent since the crash counts toward the wait', () => {
    const e: BackoffEntry = { backoffMs: 20_000, lastUpdate: 0 };
    assert.equal(restartDelay(e, 5_000, 12_000, KUBELET_BACKOFF), 13_000);
  });

  test('resets after running longer than 10 minutes', () => {
    const e: BackoffEntry = { backoffMs: 160_000, lastUpdate: 0 };
    const finished = 600_001;
    assert.equal(restartDelay(e, finished, finished, KUBELET_BACKOFF), 0);
    assert.deepEqual(nextBackoff(e, finished, finished, KUBELET_BACKOFF), { backoffMs: 10_000, lastUpdate: finished });
  });

  test('a small base for tests scales the cap; message uses Go durations', () => {
    assert.deepEqual(backoffPolicy({ initialMs: 50 }), { initialMs: 50, maxMs: 1500, resetAfterMs: 3000 });
    assert.equal(crashLoopMessage(20_000, 'app', 'web_default(u1)'), 'back-off 20s restarting failed container=app pod=web_default(u1)');
    assert.deepEqual([goDuration(80_000), goDuration(300_000), goDuration(100), goDuration(1500)], ['1m20s', '5m0s', '100ms', '1.5s']);
  });
});
