import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { MemoryStore } from './memory-store.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('memory', () => ({ store: new MemoryStore() }));

describe('MemoryStore watch history', () => {
  const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { v } });

  test('keeps only the last historyLimit events: older resumes are 410 Gone, newer ones replay', () => {
    const store = new MemoryStore(undefined, undefined, { historyLimit: 10 });
    store.create('core/configmaps', cm('a', '0'));
    for (let i = 1; i < 30; i++) store.update('core/configmaps', { ...store.get('core/configmaps', 'ns', 'a')!, data: { v: String(i) } });
    assert.equal(store.revision(), 30);
    assert.equal(store.oldestWatchableRevision(), 20);
    assert.throws(() => store.watch({ fromRevision: 5 }, () => {}), (e: { status?: number }) => e.status === 410);
    const seen: string[] = [];
    const stop = store.watch({ fromRevision: 25 }, (ev) => seen.push(ev.object.data!.v!));
    assert.deepEqual(seen, ['25', '26', '27', '28', '29']);
    stop();
  });
});

describe('MemoryStore list order', () => {
  const cm = (ns: string, name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns } });
  const names = (items: KObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

  test('lists stay sorted by namespace/name across creates, updates and deletes (cached key order)', () => {
    const store = new MemoryStore();
    for (const [ns, n] of [['b', 'z'], ['a', 'y'], ['b', 'a'], ['ab', 'c']]) store.create('core/configmaps', cm(ns!, n!));
    assert.deepEqual(names(store.list('core/configmaps').items), ['a/y', 'ab/c', 'b/a', 'b/z']);
    assert.deepEqual(names(store.list('core/configmaps', 'a').items), ['a/y'], 'namespace "a" does not match "ab"');
    store.update('core/configmaps', { ...store.get('core/configmaps', 'b', 'a')!, data: { k: 'v' } });
    assert.deepEqual(store.list('core/configmaps', 'b').items[0]!.data, { k: 'v' }, 'the current version is listed');
    store.create('core/configmaps', cm('a', 'a'));
    store.delete('core/configmaps', 'b', 'z');
    assert.deepEqual(names(store.list('core/configmaps').items), ['a/a', 'a/y', 'ab/c', 'b/a']);
  });
});
