// GarbageCollector index upkeep: an update that changes ownerReferences
// re-files the dependent under its new owner only (the reverse index that
// replaced the scan over every owner on each update).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../api/core/kinds.js';
import { ResourceRegistry } from '../api/registry.js';
import { MemoryStore } from '../store/memory-store.js';
import { GarbageCollector } from './garbage-collector.js';
import { ObjectService } from './object-service.js';

function setup() {
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  const svc = new ObjectService(new MemoryStore(), reg, () => Date.parse('2026-01-01T00:00:00Z'));
  svc.bootstrap();
  const gc = new GarbageCollector(svc);
  gc.start();
  return { svc, gc };
}

const ownerCm = (svc: ObjectService, name: string) => {
  const o = svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid: o.metadata.uid! };
};

describe('GarbageCollector owner index', () => {
  test('re-parented dependent follows its new owner, not the old one', () => {
    const { svc, gc } = setup();
    const a = ownerCm(svc, 'owner-a');
    const b = ownerCm(svc, 'owner-b');
    const dep = svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dep', namespace: 'default', ownerReferences: [a] } });
    svc.update('core/configmaps', { ...dep, metadata: { ...dep.metadata, ownerReferences: [b] } });
    gc.drain();
    svc.delete('core/configmaps', 'default', 'owner-a');
    gc.drain();
    assert.ok(svc.get('core/configmaps', 'default', 'dep'), 'deleting the old owner must not take the dependent');
    svc.delete('core/configmaps', 'default', 'owner-b');
    gc.drain();
    assert.throws(() => svc.get('core/configmaps', 'default', 'dep'), (e: any) => e.status === 404);
  });

  test('many updates of many dependents keep cascades exact', () => {
    const { svc, gc } = setup();
    const owners = Array.from({ length: 20 }, (_, i) => ownerCm(svc, `o${i}`));
    for (let i = 0; i < 200; i++) {
      const d = svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `d${i}`, namespace: 'default', ownerReferences: [owners[i % 20]!] } });
      svc.update('core/configmaps', { ...d, data: { n: String(i) } });
    }
    gc.drain();
    svc.delete('core/configmaps', 'default', 'o3');
    gc.drain();
    for (let i = 0; i < 200; i++) {
      const gone = i % 20 === 3;
      if (gone) assert.throws(() => svc.get('core/configmaps', 'default', `d${i}`), (e: any) => e.status === 404);
      else assert.ok(svc.get('core/configmaps', 'default', `d${i}`));
    }
  });
});
