import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bindPodTemplate, bindingEnvOf } from './sinkbinding.js';
import { makeReceiveAdapter, makeSinkBinding, TEMPLATE_HASH_ANNOTATION } from './containersource.js';

const tpl = () => ({
  metadata: { labels: { app: 'x' } },
  spec: {
    initContainers: [{ name: 'init', image: 'busybox' }],
    containers: [
      { name: 'a', image: 'a', env: [{ name: 'FOO', value: '1' }] },
      { name: 'b', image: 'b', env: [{ name: 'K_SINK', value: 'http://old/' }] },
    ],
  },
});

describe('bindPodTemplate (SinkBinding Do/Undo)', () => {
  test('injects K_SINK and K_CE_OVERRIDES into every container and initContainer, replacing stale values', () => {
    const out = bindPodTemplate(tpl(), { sink: 'http://sink.default.svc.cluster.local', ceOverrides: '{"extensions":{"the":"42"}}' })!;
    const envOf = (c: { env?: Array<{ name: string; value?: string }> }) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    assert.deepEqual(envOf(out.spec.containers[0]), { FOO: '1', K_SINK: 'http://sink.default.svc.cluster.local', K_CE_OVERRIDES: '{"extensions":{"the":"42"}}' });
    assert.deepEqual(envOf(out.spec.containers[1]), { K_SINK: 'http://sink.default.svc.cluster.local', K_CE_OVERRIDES: '{"extensions":{"the":"42"}}' });
    assert.equal(envOf(out.spec.initContainers[0]).K_SINK, 'http://sink.default.svc.cluster.local');
    assert.equal(out.metadata.labels.app, 'x');
  });
  test('is idempotent: binding an already-bound template changes nothing', () => {
    const b = { sink: 'http://s/' };
    const once = bindPodTemplate(tpl(), b)!;
    assert.equal(bindPodTemplate(once, b), undefined);
  });
  test('unbinding removes only the K_* variables', () => {
    const out = bindPodTemplate(bindPodTemplate(tpl(), { sink: 'http://s/', caCerts: 'PEM' })!, undefined)!;
    assert.deepEqual(out.spec.containers[0].env, [{ name: 'FOO', value: '1' }]);
    assert.equal('env' in out.spec.containers[1], false);
  });
  test('no pod template → nothing to do', () => {
    assert.equal(bindPodTemplate(undefined, { sink: 'http://s/' }), undefined);
    assert.equal(bindPodTemplate({ spec: {} }, { sink: 'http://s/' }), undefined);
  });
  test('bindingEnvOf: ceOverrides as JSON, CA certs when the sink has them', () => {
    assert.deepEqual(bindingEnvOf({ url: 'https://s/', CACerts: 'PEM' }, { extensions: { a: 'b' } }), { sink: 'https://s/', ceOverrides: '{"extensions":{"a":"b"}}', caCerts: 'PEM' });
    assert.deepEqual(bindingEnvOf({ url: 'http://s/' }, undefined), { sink: 'http://s/' });
  });
});

describe('ContainerSource children', () => {
  const src = {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'ContainerSource',
    metadata: { name: 'containersource-heartbeat', namespace: 'default', uid: 'u-1' },
    spec: {
      template: { spec: { containers: [{ name: 'heartbeats', image: 'ikubernetes/containersource-heartbeats:latest', env: [{ name: 'POD_NAME', value: 'fixed' }] }] } },
      sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'event-display' } },
      ceOverrides: { extensions: { the: '42' } },
    },
  };
  test('Deployment {name}-deployment: 1 replica, source labels as selector, owned, POD_NAMESPACE added but user POD_NAME kept', () => {
    const d = makeReceiveAdapter(src);
    assert.equal(d.metadata.name, 'containersource-heartbeat-deployment');
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.selector.matchLabels, { 'sources.knative.dev/source': 'container-source-controller', 'sources.knative.dev/name': 'containersource-heartbeat' });
    assert.deepEqual(d.spec.template.metadata.labels, d.spec.selector.matchLabels);
    assert.equal(d.metadata.ownerReferences![0]!.uid, 'u-1');
    assert.equal(d.metadata.ownerReferences![0]!.controller, true);
    assert.deepEqual(d.spec.template.spec.containers[0].env, [
      { name: 'POD_NAME', value: 'fixed' },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
    assert.match(d.metadata.annotations![TEMPLATE_HASH_ANNOTATION]!, /^[0-9a-f]{16}$/);
    assert.equal(makeReceiveAdapter(src).metadata.annotations![TEMPLATE_HASH_ANNOTATION], d.metadata.annotations![TEMPLATE_HASH_ANNOTATION]);
  });
  test('SinkBinding {name}-sinkbinding: subject is the Deployment, sink (namespace defaulted) and ceOverrides copied', () => {
    const b = makeSinkBinding(src);
    assert.equal(b.metadata.name, 'containersource-heartbeat-sinkbinding');
    assert.deepEqual(b.spec.subject, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'containersource-heartbeat-deployment' });
    assert.deepEqual(b.spec.sink, { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'event-display', namespace: 'default' } });
    assert.deepEqual(b.spec.ceOverrides, { extensions: { the: '42' } });
    assert.equal(src.spec.sink.ref.hasOwnProperty('namespace'), false, 'source spec not mutated');
  });
});
