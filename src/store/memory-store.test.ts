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
