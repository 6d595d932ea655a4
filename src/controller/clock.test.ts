import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, rfc3339 } from './clock.js';

describe('FakeClock', () => {
  test('starts at 2024-01-01 and only moves when advanced', () => {
    const c = new FakeClock();
    assert.equal(c.now(), Date.UTC(2024, 0, 1));
    c.advance(1500);
    assert.equal(c.now(), Date.UTC(2024, 0, 1) + 1500);
  });

  test('fires due timers in due order, ties in scheduling order, with now() at the due time', () => {
    const c = new FakeClock(0);
    const seen: string[] = [];
    c.setTimeout(() => seen.push(`b@${c.now()}`), 20);
    c.setTimeout(() => seen.push(`a@${c.now()}`), 10);
    c.setTimeout(() => seen.push(`c@${c.now()}`), 20);
    c.setTimeout(() => seen.push('late'), 31);
    assert.equal(c.advance(30), 3);
    assert.deepEqual(seen, ['a@10', 'b@20', 'c@20']);
    assert.equal(c.now(), 30);
    assert.equal(c.pendingTimers(), 1);
  });

  test('a timer scheduled by a firing timer fires within the same advance when due', () => {
    const c = new FakeClock(0);
    const seen: number[] = [];
    c.setTimeout(() => {
      seen.push(c.now());
      c.setTimeout(() => seen.push(c.now()), 5);
    }, 5);
    c.advance(10);
    assert.deepEqual(seen, [5, 10]);
  });

  test('clearTimeout cancels; advanceToNext jumps to the next timer', () => {
    const c = new FakeClock(0);
    let fired = 0;
    const h = c.setTimeout(() => fired++, 10);
    c.setTimeout(() => fired++, 50);
    c.clearTimeout(h);
    assert.equal(c.nextDue(), 50);
    assert.equal(c.advanceToNext(), true);
    assert.equal(fired, 1);
    assert.equal(c.now(), 50);
    assert.equal(c.advanceToNext(), false);
  });

  test('refuses to go backwards', () => {
    const c = new FakeClock(100);
    assert.throws(() => c.advance(-1), RangeError);
    assert.throws(() => c.set(50), RangeError);
  });
});

test('rfc3339 truncates to whole seconds like metav1.Time', () => {
  assert.equal(rfc3339(Date.UTC(2024, 0, 1, 12, 30, 5, 999)), '2024-01-01T12:30:05Z');
});
