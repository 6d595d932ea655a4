import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../api/core/kinds.js';
import { ResourceRegistry } from '../api/registry.js';
import { MemoryStore } from '../store/memory-store.js';
import { GarbageCollector } from './garbage-collector.js';
import { ObjectService } from './object-service.js';
import type { KObject } from '../api/meta.js';

function setup() {
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  const svc = new ObjectService(new MemoryStore(), reg, () => Date.parse('2026-01-01T00:00:00Z'));
  svc.bootstrap();
  const gc = new GarbageCollector(svc);
  gc.start();
  return { svc, gc };
}

const deploy = (name: string, replicas = 1): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});

describe('ObjectService', () => {
  test('system namespaces exist from the start', () => {
    const { svc } = setup();
    for (const ns of ['default', 'knative-serving', 'knative-eventing']) assert.ok(svc.get('core/namespaces', '', ns));
  });

  test('create sets uid, creationTimestamp, generation and defaults; rejects bad names with 422 naming the field', () => {
    const { svc } = setup();
    const d = svc.create('apps/deployments', deploy('web'));
    assert.match(d.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.equal(d.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.spec.strategy.type, 'RollingUpdate');
    assert.throws(
      () => svc.create('apps/deployments', deploy('Bad_Name')),
      (e: any) => e.status === 422 && /metadata\.name/.test(e.message),
    );
    assert.throws(() => svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'nope' } }), (e: any) => e.status === 404 && /namespaces "nope" not found/.test(e.message));
    assert.throws(() => svc.create('core/configmaps', { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'x' } }), (e: any) => e.status === 400 && /apiVersion/.test(e.message));
  });

  test('generation bumps on spec change only; status changes go through /status only', () => {
    const { svc } = setup();
    const d = svc.create('apps/deployments', deploy('web'));
    const labelled = svc.update('apps/deployments', { ...d, metadata: { ...d.metadata, labels: { a: 'b' } } });
    assert.equal(labelled.metadata.generation, 1);
    const scaled = svc.update('apps/deployments', { ...labelled, spec: { ...labelled.spec, replicas: 3 } });
    assert.equal(scaled.metadata.generation, 2);
    const ignored = svc.update('apps/deployments', { ...scaled, status: { replicas: 99 } });
    assert.equal(ignored.status, undefined, 'main resource ignores status');
    const st = svc.update('apps/deployments', { ...scaled, status: { replicas: 3 }, spec: { ...scaled.spec, replicas: 7 } }, { subresource: 'status' });
    assert.equal(st.status.replicas, 3);
    assert.equal(st.spec.replicas, 3, '/status ignores spec');
    assert.equal(st.metadata.generation, 2);
  });

  test('stale resourceVersion → 409; a no-op update keeps the resourceVersion', () => {
    const { svc } = setup();
    const cm = svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    const same = svc.update('core/configmaps', { ...cm });
    assert.equal(same.metadata.resourceVersion, cm.metadata.resourceVersion);
    svc.update('core/configmaps', { ...cm, data: { a: '2' } });
    assert.throws(() => svc.update('core/configmaps', { ...cm, data: { a: '3' } }), (e: any) => e.status === 409 && e.reason === 'Conflict');
  });

  test('patch: merge, json and strategic; resourceVersion in a patch is a precondition', () => {
    const { svc } = setup();
    svc.create('apps/deployments', deploy('web'));
    let d = svc.patch('apps/deployments', 'default', 'web', { spec: { replicas: 2 } }, 'merge');
    assert.equal(d.spec.replicas, 2);
    d = svc.patch('apps/deployments', 'default', 'web', [{ op: 'replace', path: '/spec/replicas', value: 4 }], 'json');
    assert.equal(d.spec.replicas, 4);
    d = svc.patch('apps/deployments', 'default', 'web', { spec: { template: { spec: { containers: [{ name: 'c', image: 'y' }] } } } }, 'strategic');
    assert.equal(d.spec.template.spec.containers.length, 1);
    assert.equal(d.spec.template.spec.containers[0].image, 'y');
    assert.throws(() => svc.patch('apps/deployments', 'default', 'web', { metadata: { resourceVersion: '1' }, spec: { replicas: 1 } }, 'merge'), (e: any) => e.status === 409);
  });

  test('scale subresource reads and writes spec.replicas', () => {
    const { svc } = setup();
    svc.create('apps/deployments', deploy('web', 1));
    const s = svc.getScale('apps/deployments', 'default', 'web');
    assert.equal(s.kind, 'Scale');
    assert.equal(s.spec.replicas, 1);
    svc.patch('apps/deployments', 'default', 'web', { spec: { replicas: 5 } }, 'merge', { subresource: 'scale' });
    assert.equal(svc.get('apps/deployments', 'default', 'web').spec.replicas, 5);
    assert.throws(() => svc.updateScale('apps/deployments', 'default', 'web', { ...s, spec: { replicas: -1 } }), (e: any) => e.status === 422 && /spec\.replicas/.test(e.message));
  });

  test('finalizers hold a delete until removed', () => {
    const { svc } = setup();
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['example.com/hold'] } });
    const d = svc.delete('core/configmaps', 'default', 'c');
    assert.ok(d.metadata.deletionTimestamp);
    assert.ok(svc.get('core/configmaps', 'default', 'c'));
    const cur = svc.get('core/configmaps', 'default', 'c');
    assert.throws(() => svc.update('core/configmaps', { ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/hold', 'new'] } }), (e: any) => e.status === 422);
    svc.update('core/configmaps', { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
    assert.throws(() => svc.get('core/configmaps', 'default', 'c'), (e: any) => e.status === 404);
  });

  test('garbage collection: background cascade and foreground deletion', () => {
    const { svc, gc } = setup();
    const owner = svc.create('apps/deployments', deploy('web'));
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'child', ownerReferences: [ref] } });
    svc.delete('apps/deployments', 'default', 'web');
    gc.drain();
    assert.throws(() => svc.get('core/configmaps', 'default', 'child'), (e: any) => e.status === 404);

    const o2 = svc.create('apps/deployments', deploy('web2'));
    const ref2 = { ...ref, name: 'web2', uid: o2.metadata.uid! };
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'child2', ownerReferences: [ref2] } });
    const marked = svc.delete('apps/deployments', 'default', 'web2', { propagationPolicy: 'Foreground' });
    assert.ok(marked.metadata.finalizers?.includes('foregroundDeletion'));
    gc.drain();
    assert.throws(() => svc.get('core/configmaps', 'default', 'child2'), (e: any) => e.status === 404);
    assert.throws(() => svc.get('apps/deployments', 'default', 'web2'), (e: any) => e.status === 404);
  });

  test('orphan policy keeps dependents and strips the owner reference', () => {
    const { svc, gc } = setup();
    const owner = svc.create('apps/deployments', deploy('web'));
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner.metadata.uid! };
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'child', ownerReferences: [ref] } });
    svc.delete('apps/deployments', 'default', 'web', { propagationPolicy: 'Orphan' });
    gc.drain();
    const child = svc.get('core/configmaps', 'default', 'child');
    assert.equal(child.metadata.ownerReferences, undefined);
  });

  test('deleting a namespace removes its contents, then the namespace', () => {
    const { svc, gc } = setup();
    svc.create('core/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'tmp' } });
    const ns = svc.delete('core/namespaces', '', 'tmp');
    assert.equal(ns.status.phase, 'Terminating');
    assert.throws(() => svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'tmp' } }), (e: any) => e.status === 403);
    gc.drain();
    gc.drain();
    assert.throws(() => svc.get('core/namespaces', '', 'tmp'), (e: any) => e.status === 404);
    assert.throws(() => svc.delete('core/namespaces', '', 'default'), (e: any) => e.status === 403);
  });

  test('secrets fold stringData into base64 data', () => {
    const { svc } = setup();
    const s = svc.create('core/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } });
    assert.equal(s.data.password, Buffer.from('hunter2').toString('base64'));
    assert.equal(s.stringData, undefined);
  });

  test('list filters by label and field selectors', () => {
    const { svc } = setup();
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { app: 'x' } } });
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', labels: { app: 'y' } } });
    assert.deepEqual(svc.list('core/configmaps', { namespace: 'default', labelSelector: 'app=x' }).items.map((o) => o.metadata.name), ['a']);
    assert.deepEqual(svc.list('core/configmaps', { fieldSelector: 'metadata.name=b' }).items.map((o) => o.metadata.name), ['b']);
  });
});
