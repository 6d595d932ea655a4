import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../core/kinds.js';
import { ResourceRegistry } from '../registry.js';
import { MemoryStore } from '../../store/memory-store.js';
import { ObjectService } from '../../apiserver/object-service.js';
import { registerServingKinds } from './kinds.js';
import type { KObject } from '../meta.js';

function svc() {
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  registerServingKinds(reg);
  const s = new ObjectService(new MemoryStore(), reg);
  s.bootstrap();
  return s;
}

const ksvc = (spec: any, name = 'hello'): KObject => ({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name }, spec });
const tpl = (extra: any = {}) => ({ metadata: extra.metadata, spec: { containers: [{ image: 'ikubernetes/helloworld-go', ...(extra.container ?? {}) }], ...(extra.spec ?? {}) } });

function rejects(s: ObjectService, obj: KObject, re: RegExp, gr = 'serving.knative.dev/services') {
  assert.throws(() => s.create(gr, obj), (e: any) => {
    assert.equal(e.status, 422, e.message);
    assert.match(e.message, re);
    return true;
  });
}

describe('serving kinds: defaulting', () => {
  test('ksvc gets container name, concurrency, timeout, readiness probe and 100% latest traffic', () => {
    const s = svc();
    const o = s.create('serving.knative.dev/services', ksvc({ template: tpl() }));
    const c = o.spec.template.spec.containers[0];
    assert.equal(c.name, 'user-container');
    assert.deepEqual(c.readinessProbe, { successThreshold: 1, tcpSocket: { port: 0 } });
    assert.equal(o.spec.template.spec.containerConcurrency, 0);
    assert.equal(o.spec.template.spec.timeoutSeconds, 300);
    assert.deepEqual(o.spec.traffic, [{ latestRevision: true, percent: 100 }]);
  });

  test('containers always carry resources: {} so kubectl- and kn-written templates compare equal', () => {
    const s = svc();
    const o = s.create('serving.knative.dev/services', ksvc({ template: tpl() }));
    assert.deepEqual(o.spec.template.spec.containers[0].resources, {});
    // kn sends the template back with resources: {} and only a traffic change: same spec, no new generation's template.
    const back = structuredClone(o);
    back.spec.traffic = [{ latestRevision: true, percent: 100, tag: 'x' }];
    const u = s.update('serving.knative.dev/services', back);
    assert.deepEqual(u.spec.template, o.spec.template);
    const kept = s.create('serving.knative.dev/services', ksvc({ template: tpl({ container: { resources: { limits: { cpu: '1' } } } }) }, 'kept'));
    assert.deepEqual(kept.spec.template.spec.containers[0].resources, { limits: { cpu: '1' } });
  });

  test('config-defaults is honoured (revision-timeout-seconds, container-concurrency)', () => {
    const s = svc();
    s.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-defaults', namespace: 'knative-serving' }, data: { 'revision-timeout-seconds': '120', 'container-concurrency': '5' } });
    const o = s.create('serving.knative.dev/services', ksvc({ template: tpl() }));
    assert.equal(o.spec.template.spec.timeoutSeconds, 120);
    assert.equal(o.spec.template.spec.containerConcurrency, 5);
  });
});

describe('serving kinds: validation (Knative wording)', () => {
  const s = svc();
  test('template name must carry the service prefix', () => {
    rejects(s, ksvc({ template: tpl({ metadata: { name: 'other-v1' } }) }), /spec\.template\.metadata\.name: "other-v1" must have prefix "hello-"/);
  });
  test('traffic must sum to 100; configurationName forbidden in a Service; tags unique and DNS-1035', () => {
    rejects(s, ksvc({ template: tpl(), traffic: [{ latestRevision: true, percent: 90 }] }), /Traffic targets sum to 90, want 100/);
    rejects(s, ksvc({ template: tpl(), traffic: [{ configurationName: 'x', percent: 100 }] }), /spec\.traffic\[0\]\.configurationName/);
    rejects(s, ksvc({ template: tpl(), traffic: [{ tag: 'a', percent: 50 }, { tag: 'a', revisionName: 'hello-1', percent: 50 }] }), /Multiple definitions for "a"/);
    rejects(s, ksvc({ template: tpl(), traffic: [{ tag: 'Bad_Tag', percent: 100 }] }), /spec\.traffic\[0\]\.tag/);
    rejects(s, ksvc({ template: tpl(), traffic: [{ revisionName: 'hello-1', latestRevision: true, percent: 100 }] }), /may not set revisionName "hello-1" when latestRevision is true/);
  });
  test('route: revisionName XOR configurationName', () => {
    const route = (traffic: any): KObject => ({ apiVersion: 'serving.knative.dev/v1', kind: 'Route', metadata: { name: 'r' }, spec: { traffic } });
    rejects(s, route([{ revisionName: 'a', configurationName: 'b', percent: 100 }]), /expected exactly one, got both/, 'serving.knative.dev/routes');
    rejects(s, route([{ percent: 100 }]), /expected exactly one, got neither/, 'serving.knative.dev/routes');
  });
  test('reserved env vars, ports and container names; one port only; image required', () => {
    rejects(s, ksvc({ template: tpl({ container: { env: [{ name: 'PORT', value: '1' }] } }) }), /"PORT" is a reserved environment variable/);
    rejects(s, ksvc({ template: tpl({ container: { ports: [{ containerPort: 8012 }] } }) }), /port 8012 is reserved/);
    rejects(s, ksvc({ template: tpl({ container: { name: 'queue-proxy' } }) }), /reserved container name/);
    rejects(s, ksvc({ template: tpl({ container: { ports: [{ containerPort: 1 }, { containerPort: 2 }] } }) }), /Only a single port is allowed/);
    rejects(s, ksvc({ template: { spec: { containers: [{}] } } }), /spec\.template\.spec\.containers\[0\]\.image: Required value/);
    rejects(s, ksvc({ template: tpl({ spec: { containerConcurrency: 5000 } }) }), /containerConcurrency: expected 0 <= 5000 <= 1000/);
    rejects(s, ksvc({ template: tpl({ spec: { timeoutSeconds: 601 } }) }), /timeoutSeconds: expected 0 <= 601 <= 600/);
  });
  test('a changed template with the same name is refused', () => {
    const s2 = svc();
    const o = s2.create('serving.knative.dev/services', ksvc({ template: tpl({ metadata: { name: 'hello-world' } }) }));
    const changed = structuredClone(o);
    changed.spec.template.spec.containers[0].env = [{ name: 'TARGET', value: 'x' }];
    assert.throws(() => s2.update('serving.knative.dev/services', changed), /Saw the following changes without a name change/);
  });
  test('revision spec is immutable', () => {
    const s2 = svc();
    const r = s2.create('serving.knative.dev/revisions', { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', metadata: { name: 'hello-00001' }, spec: { containers: [{ image: 'x' }] } });
    const changed = structuredClone(r);
    changed.spec.containers[0].image = 'y';
    assert.throws(() => s2.update('serving.knative.dev/revisions', changed), /Immutable fields changed/);
  });
  test('objects stored before a default existed (no resources: {}) still take label edits and same-template applies', () => {
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServingKinds(reg);
    const store = new MemoryStore();
    const s2 = new ObjectService(store, reg);
    s2.bootstrap();
    const oldSpec = { containerConcurrency: 0, timeoutSeconds: 300, containers: [{ name: 'user-container', image: 'x', readinessProbe: { successThreshold: 1, tcpSocket: { port: 0 } } }] };
    store.create('serving.knative.dev/revisions', {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: { name: 'hello-world', namespace: 'default', uid: 'u1', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: oldSpec,
    });
    const rev = structuredClone(s2.get('serving.knative.dev/revisions', 'default', 'hello-world'));
    rev.metadata.labels = { 'serving.knative.dev/routingState': 'reserve' };
    assert.equal(s2.update('serving.knative.dev/revisions', rev).metadata.labels?.['serving.knative.dev/routingState'], 'reserve');

    store.create('serving.knative.dev/services', {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: 'default', uid: 'u2', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: { template: { metadata: { name: 'hello-world' }, spec: oldSpec }, traffic: [{ latestRevision: true, percent: 100 }] },
    });
    const again = ksvc({ template: tpl({ metadata: { name: 'hello-world' }, container: { image: 'x' } }) });
    again.metadata.namespace = 'default';
    again.metadata.resourceVersion = s2.get('serving.knative.dev/services', 'default', 'hello').metadata.resourceVersion;
    assert.doesNotThrow(() => s2.update('serving.knative.dev/services', again));
  });

  test('domain mapping names must be FQDNs and refs complete', () => {
    rejects(s, { apiVersion: 'serving.knative.dev/v1beta1', kind: 'DomainMapping', metadata: { name: 'nodot' }, spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello' } } }, /fully qualified/, 'serving.knative.dev/domainmappings');
    rejects(s, { apiVersion: 'serving.knative.dev/v1beta1', kind: 'DomainMapping', metadata: { name: 'a.b.com' }, spec: { ref: { kind: 'Service' } } }, /spec\.ref\.name/, 'serving.knative.dev/domainmappings');
  });
});

describe('serving kinds: autoscaling annotations are validated at admission', () => {
  test('out-of-range annotations are refused with the annotation path', async () => {
    const { registerServing } = await import('../../serving/register.js');
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServing(reg);
    const s = new ObjectService(new MemoryStore(), reg);
    s.bootstrap();
    assert.throws(
      () => s.create('serving.knative.dev/services', ksvc({ template: tpl({ metadata: { annotations: { 'autoscaling.knative.dev/target-utilization-percentage': '500' } } }) })),
      (e: any) => e.status === 422 && /spec\.template\.metadata\.annotations/.test(e.message) && /target-utilization-percentage/.test(e.message),
    );
    const ok = s.create('serving.knative.dev/services', ksvc({ template: tpl({ metadata: { annotations: { 'autoscaling.knative.dev/target': '10', 'autoscaling.knative.dev/target-utilization-percentage': '60' } } }) }));
    assert.ok(ok.metadata.uid);
  });
});
