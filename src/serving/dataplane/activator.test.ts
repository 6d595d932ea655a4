import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lbPolicyFor, RevisionActivator, type ActivatorPod } from './activator.js';
import type { QueueNode, WaitQueue } from './queue.js';

class W implements QueueNode {
  qPrev: QueueNode | null = null;
  qNext: QueueNode | null = null;
  qOwner: WaitQueue<QueueNode> | null = null;
  constructor(readonly id: number) {}
}
class P implements ActivatorPod {
  inFlight = 0;
  constructor(readonly name: string) {}
}

/** Drains every dispatchable request, counting each onto its pod (as the pod queue would). */
function dispatchAll(a: RevisionActivator<W, P>): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let d = a.nextDispatch(); d !== null; d = a.nextDispatch()) {
    d.pod.inFlight++;
    out.push([d.request.id, d.pod.name]);
  }
  return out;
}

describe('activator', () => {
  test('policy by containerConcurrency', () => {
    assert.equal(lbPolicyFor(0), 'random-choice-2');
    assert.equal(lbPolicyFor(1), 'first-available');
    assert.equal(lbPolicyFor(3), 'first-available');
    assert.equal(lbPolicyFor(4), 'round-robin');
  });
  test('holds at zero, pokes on the first request only, releases when a pod appears', () => {
    const a = new RevisionActivator<W, P>(0, 0);
    assert.equal(a.capacity, 0);
    assert.equal(a.hold(new W(1), 0), 'held-poke');
    assert.equal(a.hold(new W(2), 0), 'held');
    assert.equal(a.nextDispatch(), null);
    a.setPods([new P('p1')]);
    assert.equal(a.capacity, Infinity);
    assert.deepEqual(dispatchAll(a), [
      [1, 'p1'],
      [2, 'p1'],
    ]);
    // emptied and still has pods: no poke
    assert.equal(a.hold(new W(3), 0), 'held');
  });
  test('queue depth bound → full', () => {
    const a = new RevisionActivator<W, P>(1, 0, Math.random, 2);
    assert.equal(a.hold(new W(1), 0), 'held-poke');
    assert.equal(a.hold(new W(2), 0), 'held');
    assert.equal(a.hold(new W(3), 0), 'full');
    assert.equal(a.held.length, 2);
  });
  test('CC=1: first available, capacity CC × pods, rest waits until a slot frees', () => {
    const a = new RevisionActivator<W, P>(1, 0);
    const pods = [new P('b'), new P('a')];
    a.setPods(pods);
    assert.equal(a.capacity, 2);
    for (let i = 1; i <= 3; i++) a.hold(new W(i), 0);
    assert.deepEqual(dispatchAll(a), [
      [1, 'a'],
      [2, 'b'],
    ]);
    pods[0]!.inFlight--; // 'b' finished
    assert.deepEqual(dispatchAll(a), [[3, 'b']]);
  });
  test('CC=10: round robin skipping full pods', () => {
    const a = new RevisionActivator<W, P>(10, 0);
    const [p1, p2, p3] = [new P('p1'), new P('p2'), new P('p3')];
    a.setPods([p1, p2, p3]);
    p2.inFlight = 10;
    for (let i = 1; i <= 4; i++) a.hold(new W(i), 0);
    assert.deepEqual(dispatchAll(a), [
      [1, 'p1'],
      [2, 'p3'],
      [3, 'p1'],
      [4, 'p3'],
    ]);
  });
  test('CC=0: power of two choices picks the less loaded pod', () => {
    const seq = [0.0, 0.0]; // i = 0 (p1), j = 0 → bumped to 1 (p2)
    const a = new RevisionActivator<W, P>(0, 0, () => seq.shift() ?? 0);
    const [p1, p2] = [new P('p1'), new P('p2')];
    a.setPods([p1, p2]);
    p1.inFlight = 5;
    p2.inFlight = 1;
    assert.equal(a.pickPod(), p2);
  });
  test('cancel and stats: held time counts as activator concurrency', () => {
    const a = new RevisionActivator<W, P>(0, 0);
    const w = new W(1);
    a.hold(w, 0);
    a.hold(new W(2), 0);
    assert.equal(a.cancel(w, 500), true);
    assert.equal(a.cancel(w, 500), false);
    a.setPods([new P('p')]);
    dispatchAll(a);
    a.done(750);
    assert.deepEqual(a.report(1000), { averageConcurrency: 1.25, requestCount: 2 });
  });
});
