import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostEntry } from '../dataplane/protocol.js';
import { HostClaims, SentTable } from './tables.js';

const entry = (kind: HostEntry['kind'], name: string): HostEntry => ({ kind, namespace: 'ns', name, visibility: 'ClusterLocal', splits: [], ingressKey: '' });

describe('SentTable', () => {
  test('hands out only real changes, once: upserts, unchanged values skipped, removals', () => {
    const t = new SentTable<{ n: number }>();
    assert.equal(t.take(), undefined, 'nothing yet');
    assert.equal(t.set('a', { n: 1 }), true);
    t.set('b', { n: 2 });
    assert.deepEqual(t.take(), { upsert: { a: { n: 1 }, b: { n: 2 } }, removed: [] });
    assert.equal(t.take(), undefined, 'taken');
    assert.equal(t.set('a', { n: 1 }), false, 'equal value: no change');
    assert.equal(t.take(), undefined);
    t.set('a', { n: 3 });
    t.delete('b');
    assert.equal(t.delete('zzz'), false, 'never sent: nothing to remove');
    assert.deepEqual(t.take(), { upsert: { a: { n: 3 } }, removed: ['b'] });
    // Removed then re-added within one push: an upsert only.
    t.delete('a');
    t.set('a', { n: 4 });
    assert.deepEqual(t.take(), { upsert: { a: { n: 4 } }, removed: [] });
    // Added then removed within one push: a removal of what the worker has.
    t.set('c', { n: 5 });
    t.take();
    t.set('c', { n: 6 });
    t.delete('c');
    assert.deepEqual(t.take(), { upsert: {}, removed: ['c'] });
    assert.equal(t.size, 1);
  });
});

describe('HostClaims', () => {
  test('ingress claims beat revision claims beat service claims; the earliest among equals; dirty names reported', () => {
    const c = new HostClaims();
    const dirty = new Set<string>();
    c.setSource('service', 'ns/s', { 'x.ns': entry('service', 's') }, dirty);
    c.setSource('revision', 'ns/x', { 'x.ns': entry('revision', 'x'), 'x.ns.svc': entry('revision', 'x') }, dirty);
    assert.deepEqual([...dirty].sort(), ['x.ns', 'x.ns.svc']);
    assert.equal(c.winner('x.ns')?.kind, 'revision');
    c.setSource('ingress', 'ns/i1', { 'x.ns': entry('route', 'first') }, dirty);
    c.setSource('ingress', 'ns/i2', { 'x.ns': entry('route', 'second') }, dirty);
    assert.equal(c.winner('x.ns')?.name, 'first');
    // Updating the first ingress keeps its precedence.
    c.setSource('ingress', 'ns/i1', { 'x.ns': entry('route', 'first-v2') }, dirty);
    assert.equal(c.winner('x.ns')?.name, 'first-v2');
    // Dropping claims: the next in line wins, then nothing.
    dirty.clear();
    c.setSource('ingress', 'ns/i1', {}, dirty);
    assert.deepEqual([...dirty], ['x.ns']);
    assert.equal(c.winner('x.ns')?.name, 'second');
    c.setSource('ingress', 'ns/i2', {}, dirty);
    c.setSource('revision', 'ns/x', {}, dirty);
    assert.equal(c.winner('x.ns')?.kind, 'service');
    assert.equal(c.winner('x.ns.svc'), undefined);
    c.setSource('service', 'ns/s', {}, dirty);
    assert.equal(c.winner('x.ns'), undefined);
    assert.equal(c.sources(), 0, 'no source left with claims');
  });
});
