import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Breaker,
  ConcurrencyMeter,
  DeadlineSweeper,
  PodQueue,
  WaitQueue,
  expiredTimeout,
  type QueueNode,
  type TimedRequest,
  type TimeoutKind,
} from './queue.js';

class W implements QueueNode {
  qPrev: QueueNode | null = null;
  qNext: QueueNode | null = null;
  qOwner: WaitQueue<QueueNode> | null = null;
  constructor(readonly id: number) {}
}

describe('WaitQueue', () => {
  test('FIFO with removal from the middle', () => {
    const q = new WaitQueue<W>();
    const [a, b, c] = [new W(1), new W(2), new W(3)];
    q.push(a);
    q.push(b);
    q.push(c);
    assert.equal(q.remove(b), true);
    assert.equal(q.remove(b), false);
    assert.equal(q.length, 2);
    assert.equal(q.shift(), a);
    assert.equal(q.shift(), c);
    assert.equal(q.shift(), null);
    assert.equal(q.length, 0);
  });
});

describe('Breaker (Knative queue.Breaker)', () => {
  test('CC=1, queue 10: 1 runs, 10 wait, the 12th is rejected', () => {
    const b = new Breaker<W>(1, 10);
    const ws = Array.from({ length: 12 }, (_, i) => new W(i));
    assert.equal(b.acquire(ws[0]!), 'run');
    for (let i = 1; i <= 10; i++) assert.equal(b.acquire(ws[i]!), 'queued');
    assert.equal(b.acquire(ws[11]!), 'full');
    assert.equal(b.pending, 11);
    // release hands the slot to the oldest waiter
    assert.equal(b.release(), ws[1]);
    assert.equal(b.inFlight, 1);
    assert.equal(b.queued, 9);
  });
  test('cancelled waiters are skipped and free a queue place', () => {
    const b = new Breaker<W>(1, 1);
    const [a, c, d] = [new W(1), new W(2), new W(3)];
    b.acquire(a);
    assert.equal(b.acquire(c), 'queued');
    assert.equal(b.acquire(d), 'full');
    assert.equal(b.cancel(c), true);
    assert.equal(b.acquire(d), 'queued');
    assert.equal(b.release(), d);
    assert.equal(b.release(), null);
    assert.equal(b.inFlight, 0);
  });
  test('CC=0 is pass-through', () => {
    const b = new Breaker<W>(0, 0);
    for (let i = 0; i < 1000; i++) assert.equal(b.acquire(new W(i)), 'run');
    assert.equal(b.inFlight, 1000);
  });
});

describe('ConcurrencyMeter (time-weighted)', () => {
  test('one request for half the window = 0.5; arrivals counted', () => {
    const m = new ConcurrencyMeter(0);
    m.arrive(0);
    m.depart(500);
    m.arrive(800);
    assert.deepEqual(m.report(1000), { averageConcurrency: 0.7, requestCount: 2 });
    // next window: the request still in flight from 800 counts fully until it leaves
    m.depart(1500);
    assert.deepEqual(m.report(2000), { averageConcurrency: 0.5, requestCount: 0 });
    assert.equal(m.quiet, true);
  });
  test('steady 3 in flight → 3', () => {
    const m = new ConcurrencyMeter(0);
    for (let i = 0; i < 3; i++) m.arrive(0);
    assert.equal(m.report(1000).averageConcurrency, 3);
    assert.equal(m.report(2000).averageConcurrency, 3);
  });
});

describe('PodQueue', () => {
  test('direct vs proxied stats; rejected requests still count as arrivals', () => {
    const q = new PodQueue<W>(1, 0);
    const [a, b] = [new W(1), new W(2)];
    assert.equal(q.enter(a, false, 0), 'run');
    assert.equal(q.enter(b, true, 0), 'queued');
    for (let i = 0; i < 10; i++) q.enter(new W(10 + i), false, 0); // 9 queue, 1 rejected
    assert.equal(q.inFlight, 11);
    assert.equal(q.leave(false, 250), b); // b runs now
    assert.equal(q.leave(true, 500)?.id, 10);
    const s = q.report(1000);
    assert.equal(s.requestCount, 12);
    assert.equal(s.proxiedRequestCount, 1);
    assert.equal(s.proxiedConcurrency, 0.5);
    // all: 11 for 250 ms, 10 for 250, 9 for 500 → (2750+2500+4500)/1000
    assert.equal(s.averageConcurrency, 9.75);
  });
  test('cancelQueued removes the waiter and its concurrency', () => {
    const q = new PodQueue<W>(1, 0);
    const [a, b] = [new W(1), new W(2)];
    q.enter(a, false, 0);
    q.enter(b, false, 0);
    q.cancelQueued(b, false, 0);
    assert.equal(q.inFlight, 1);
    assert.equal(q.leave(false, 0), null);
    assert.equal(q.inFlight, 0);
  });
});

class T implements TimedRequest {
  tPrev: TimedRequest | null = null;
  tNext: TimedRequest | null = null;
  tListed = false;
  fired: TimeoutKind[] = [];
  constructor(
    public deadlineAt: number,
    public responseStartAt = Infinity,
    public idleMs = 0,
    public lastWriteAt = 0,
  ) {}
  onTimeout(kind: TimeoutKind): void {
    this.fired.push(kind);
  }
}

describe('timeouts with a fake clock', () => {
  test('expiredTimeout: request, responseStart, idle', () => {
    assert.equal(expiredTimeout(new T(1000), 999), null);
    assert.equal(expiredTimeout(new T(1000), 1000), 'request');
    assert.equal(expiredTimeout(new T(5000, 300), 300), 'responseStart');
    assert.equal(expiredTimeout(new T(5000, Infinity, 200, 100), 299), null);
    assert.equal(expiredTimeout(new T(5000, Infinity, 200, 100), 300), 'idle');
  });
  test('sweeper fires each expired request once and keeps the rest', () => {
    const s = new DeadlineSweeper();
    const a = new T(1000);
    const b = new T(3000, 500);
    const c = new T(3000, Infinity, 1000, 0);
    [a, b, c].forEach((r) => s.add(r));
    assert.equal(s.sweep(400), 0);
    assert.equal(s.sweep(600), 1);
    assert.deepEqual(b.fired, ['responseStart']);
    c.lastWriteAt = 900; // a write re-arms the idle timer
    assert.equal(s.sweep(1200), 1);
    assert.deepEqual(a.fired, ['request']);
    assert.deepEqual(c.fired, []);
    assert.equal(s.sweep(1900), 1);
    assert.deepEqual(c.fired, ['idle']);
    assert.equal(s.size, 0);
    assert.equal(s.sweep(10_000), 0);
  });
  test('removed requests never fire', () => {
    const s = new DeadlineSweeper();
    const a = new T(10);
    s.add(a);
    s.remove(a);
    s.remove(a);
    assert.equal(s.sweep(100), 0);
    assert.equal(s.size, 0);
  });
});
