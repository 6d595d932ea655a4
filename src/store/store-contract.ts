// One contract every Store implementation must pass (STYLE habit 7). Run by
// memory-store.test.ts and sqlite-store.test.ts with their own factories.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import type { Store, WatchEvent } from './store.js';

const cm = (ns: string, name: string, data: Record<string, string> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

export function runStoreContract(name: string, make: () => { store: Store; reopen?: () => Store; cleanup?: () => void }): void {
  describe(`Store contract: ${name}`, () => {
    test('create assigns increasing resourceVersions and get returns the object', () => {
      const { store, cleanup } = make();
      const a = store.create('core/configmaps', cm('default', 'a'));
      const b = store.create('core/configmaps', cm('default', 'b'));
      assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
      assert.equal(store.get('core/configmaps', 'default', 'a')?.metadata.resourceVersion, a.metadata.resourceVersion);
      assert.equal(store.revision(), Number(b.metadata.resourceVersion));
      store.close();
      cleanup?.();
    });

    test('create of an existing name is 409 AlreadyExists', () => {
      const { store, cleanup } = make();
      store.create('core/configmaps', cm('default', 'a'));
      assert.throws(() => store.create('core/configmaps', cm('default', 'a')), (e: any) => e.status === 409 && e.reason === 'AlreadyExists');
      // same name in another namespace is fine
      store.create('core/configmaps', cm('other', 'a'));
      store.close();
      cleanup?.();
    });

    test('update with a stale resourceVersion is 409 Conflict; missing is 404', () => {
      const { store, cleanup } = make();
      const a = store.create('core/configmaps', cm('default', 'a'));
      const a2 = store.update('core/configmaps', { ...a, data: { x: '1' } }, a.metadata.resourceVersion);
      assert.throws(() => store.update('core/configmaps', { ...a, data: { x: '2' } }, a.metadata.resourceVersion), (e: any) => e.status === 409 && e.reason === 'Conflict');
      assert.deepEqual(store.get('core/configmaps', 'default', 'a')?.data, { x: '1' });
      assert.throws(() => store.update('core/configmaps', cm('default', 'nope')), (e: any) => e.status === 404);
      assert.throws(() => store.delete('core/configmaps', 'default', 'a', a.metadata.resourceVersion), (e: any) => e.status === 409);
      store.delete('core/configmaps', 'default', 'a', a2.metadata.resourceVersion);
      assert.equal(store.get('core/configmaps', 'default', 'a'), undefined);
      assert.throws(() => store.delete('core/configmaps', 'default', 'a'), (e: any) => e.status === 404);
      store.close();
      cleanup?.();
    });

    test('returned objects are frozen; callers cannot corrupt the store', () => {
      const { store, cleanup } = make();
      const a = store.create('core/configmaps', cm('default', 'a', { k: 'v' }));
      assert.throws(() => {
        (a.data as Record<string, string>).k = 'changed';
      });
      assert.equal(store.get('core/configmaps', 'default', 'a')?.data.k, 'v');
      store.close();
      cleanup?.();
    });

    test('list filters by namespace and is sorted', () => {
      const { store, cleanup } = make();
      store.create('core/configmaps', cm('b', 'z'));
      store.create('core/configmaps', cm('a', 'y'));
      store.create('core/configmaps', cm('a', 'x'));
      store.create('core/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' } });
      assert.deepEqual(
        store.list('core/configmaps').items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
        ['a/x', 'a/y', 'b/z'],
      );
      assert.deepEqual(store.list('core/configmaps', 'a').items.map((o) => o.metadata.name), ['x', 'y']);
      assert.equal(store.list('core/nothing').items.length, 0);
      store.close();
      cleanup?.();
    });

    test('watch delivers ADDED/MODIFIED/DELETED in order, filtered by kind and namespace', () => {
      const { store, cleanup } = make();
      const seen: string[] = [];
      const stop = store.watch({ gr: 'core/configmaps', namespace: 'default' }, (ev: WatchEvent) => seen.push(`${ev.type}:${ev.object.metadata.name}`));
      const a = store.create('core/configmaps', cm('default', 'a'));
      store.create('core/configmaps', cm('other', 'b'));
      store.create('core/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' } });
      store.update('core/configmaps', { ...a, data: { k: 'v' } });
      store.delete('core/configmaps', 'default', 'a');
      stop();
      store.create('core/configmaps', cm('default', 'after-stop'));
      assert.deepEqual(seen, ['ADDED:a', 'MODIFIED:a', 'DELETED:a']);
      store.close();
      cleanup?.();
    });

    test('watch resumes from a resourceVersion, and answers 410 Gone when too old', () => {
      const { store, cleanup } = make();
      const a = store.create('core/configmaps', cm('default', 'a'));
      store.create('core/configmaps', cm('default', 'b'));
      store.create('core/configmaps', cm('default', 'c'));
      const seen: string[] = [];
      const stop = store.watch({ gr: 'core/configmaps', fromRevision: Number(a.metadata.resourceVersion) }, (ev) => seen.push(ev.object.metadata.name!));
      store.create('core/configmaps', cm('default', 'd'));
      stop();
      assert.deepEqual(seen, ['b', 'c', 'd']);
      assert.throws(() => store.watch({ fromRevision: -5 }, () => {}), (e: any) => e.status === 410);
      store.close();
      cleanup?.();
    });

    test('a throwing watcher does not break writes', () => {
      const { store, cleanup } = make();
      store.watch({}, () => {
        throw new Error('boom');
      });
      store.create('core/configmaps', cm('default', 'a'));
      store.create('core/configmaps', cm('default', 'b'));
      assert.equal(store.list('core/configmaps').items.length, 2);
      store.close();
      cleanup?.();
    });

    test('cluster-scoped objects (no namespace) are stored and listed', () => {
      const { store, cleanup } = make();
      store.create('core/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
      assert.ok(store.get('core/namespaces', '', 'ns1'));
      assert.equal(store.list('core/namespaces').items.length, 1);
      store.close();
      cleanup?.();
    });

    test('reopening keeps every acknowledged write and the revision counter', (t) => {
      const { store, reopen, cleanup } = make();
      if (!reopen) {
        t.skip('volatile store');
        store.close();
        return;
      }
      store.create('core/configmaps', cm('default', 'a', { k: '1' }));
      const b = store.create('core/configmaps', cm('default', 'b'));
      store.delete('core/configmaps', 'default', 'b', b.metadata.resourceVersion);
      const rev = store.revision();
      store.close();
      const s2 = reopen();
      assert.equal(s2.revision(), rev);
      assert.deepEqual(s2.get('core/configmaps', 'default', 'a')?.data, { k: '1' });
      assert.equal(s2.get('core/configmaps', 'default', 'b'), undefined);
      const c = s2.create('core/configmaps', cm('default', 'c'));
      assert.equal(Number(c.metadata.resourceVersion), rev + 1);
      // history does not survive a restart: resuming from before it is 410
      assert.throws(() => s2.watch({ fromRevision: rev - 1 }, () => {}), (e: any) => e.status === 410);
      s2.close();
      cleanup?.();
    });
  });
}
