import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.js';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, WorkQueue, defaultControllerRateLimiter } from './workqueue.js';

const newQueue = (clock = new FakeClock(0)) => ({ clock, q: new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000) }) });

describe('WorkQueue', () => {
  test('de-duplicates keys and hands them out in FIFO order', async () => {
    const { q } = newQueue();
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'ns/a');
    assert.equal(await q.get(), 'ns/b');
    assert.equal(q.len(), 0);
  });

  test('a key re-added while processing is not handed out concurrently, but re-queued on done', async () => {
    const { q } = newQueue();
    q.add('ns/a');
    const k = await q.get();
    q.add('ns/a');
    q.add('ns/a');
    assert.equal(q.len(), 0, 'must not be queued while in flight');
    let second: string | undefined;
    void q.get().then((x) => (second = x));
    await Promise.resolve();
    assert.equal(second, undefined);
    q.done(k!);
    await Promise.resolve();
    assert.equal(second, 'ns/a');
    assert.equal(q.len(), 0);
  });

  test('a waiting get resolves on the next add', async () => {
    const { q } = newQueue();
    const p = q.get();
    q.add('x');
    assert.equal(await p, 'x');
  });

  test('addAfter fires at the requested time; the earlier of two delays wins', async () => {
    const { q, clock } = newQueue();
    q.addAfter('k', 100);
    q.addAfter('k', 50);
    q.addAfter('k', 80);
    assert.equal(q.waitingLen(), 1);
    clock.advance(49);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    clock.advance(100);
    assert.equal(q.len(), 1, 'the cancelled later timers must not add again');
    assert.equal(await q.get(), 'k');
  });

  test('addAfter with 0 or negative delay adds immediately', () => {
    const { q } = newQueue();
    q.addAfter('k', 0);
    q.addAfter('j', -5);
    assert.equal(q.len(), 2);
  });

  test('addRateLimited backs off exponentially per key from 5ms; forget resets', async () => {
    const { q, clock } = newQueue();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      q.addRateLimited('k');
      for (let spins = 0; q.len() === 0 && spins < 1000; spins++) clock.advance(1);
      delays.push(clock.now() - start);
      q.done((await q.get())!);
    }
    assert.deepEqual(delays, [5, 10, 20, 40]);
    assert.equal(q.numRequeues('k'), 4);
    assert.equal(q.numRequeues('other'), 0);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
  });

  test('shutdown with drain hands out queued keys, drops new ones, cancels delayed, and waits for in-flight', async () => {
    const { q, clock } = newQueue();
    q.add('a');
    q.add('b');
    q.addAfter('later', 10);
    const inflight = (await q.get())!;
    let drained = false;
    const done = q.shutdown().then(() => (drained = true));
    q.add('c');
    clock.advance(20);
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
    q.done('b');
    await Promise.resolve();
    assert.equal(drained, false, 'a is still in flight');
    q.done(inflight);
    await done;
    assert.equal(drained, true);
    assert.equal(await q.get(), undefined);
  });

  test('shutdown without drain drops queued keys and releases waiting getters', async () => {
    const { q } = newQueue();
    const waiting = q.get();
    q.add('a');
    assert.equal(await waiting, 'a');
    q.add('b');
    const idle = q.get();
    assert.equal(await idle, 'b');
    q.add('c');
    const blocked = q.get(); // gets c
    assert.equal(await blocked, 'c');
    q.add('d');
    const stop = q.shutdown({ drain: false });
    assert.equal(await q.get(), undefined, 'd was dropped');
    q.done('a');
    q.done('b');
    q.done('c');
    await stop;
    assert.equal(q.shuttingDown(), true);
  });

  test('getters waiting at shutdown resolve undefined', async () => {
    const { q } = newQueue();
    const g1 = q.get();
    const g2 = q.get();
    await q.shutdown();
    assert.equal(await g1, undefined);
    assert.equal(await g2, undefined);
  });
});

describe('rate limiters', () => {
  test('ItemExponentialRateLimiter caps at maxMs (client-go: 1000 s) and never returns Infinity', () => {
    const l = new ItemExponentialRateLimiter(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 2000; i++) last = l.when('k');
    assert.equal(last, 1_000_000);
    assert.throws(() => new ItemExponentialRateLimiter(0, 10), RangeError);
  });

  test('BucketRateLimiter allows a burst then spaces requests at 1/qps', () => {
    const clock = new FakeClock(0);
    const b = new BucketRateLimiter(clock, 10, 3);
    assert.deepEqual([b.when(), b.when(), b.when()], [0, 0, 0]);
    assert.equal(b.when(), 100);
    assert.equal(b.when(), 200);
    clock.advance(1000);
    assert.equal(b.when(), 0, 'refilled');
  });

  test('MaxOf takes the largest delay; the default mixes per-item and overall limits', () => {
    const clock = new FakeClock(0);
    const m = new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1000), new BucketRateLimiter(clock, 1, 1));
    assert.equal(m.when('a'), 5);
    assert.equal(m.when('b'), 1000, 'bucket empty: 1 s until the next token');
    const d = defaultControllerRateLimiter(clock);
    assert.equal(d.when('x'), 5);
    assert.equal(d.when('x'), 10);
    d.forget('x');
    assert.equal(d.numRequeues('x'), 0);
  });
});
