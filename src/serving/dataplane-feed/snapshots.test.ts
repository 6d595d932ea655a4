import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { hostsFromIngresses, hostsFromRevisions, revisionsSnapshot, servicesSnapshot } from './snapshots.js';

const ready = [{ type: 'Ready', status: 'True' }];
const pod = (name: string, labels: Record<string, string>, port: number, opts: { ready?: boolean; deleting?: boolean } = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    labels,
    annotations: { 'skiff.dev/ports': JSON.stringify([{ container: 'user-container', name: 'user-port', containerPort: 8080, hostPort: port }]) },
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  status: { conditions: opts.ready === false ? [] : ready },
});

test('KIngress rules become host entries with splits, tags and tag-header paths', () => {
  const ing: KObject = {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: 'hello', namespace: 'default', annotations: { 'networking.internal.knative.dev/tag-to-host': JSON.stringify({ staging: ['staging-hello.default.example.com'] }) } },
    spec: {
      rules: [
        {
          hosts: ['hello.default.example.com'],
          visibility: 'ExternalIP',
          http: {
            paths: [
              { headers: { 'Knative-Serving-Tag': { exact: 'staging' } }, splits: [{ serviceName: 'hello-00003', serviceNamespace: 'default', percent: 100 }] },
              { splits: [{ serviceName: 'hello-00002', serviceNamespace: 'default', percent: 90, appendHeaders: { 'Knative-Serving-Revision': 'hello-00002' } }, { serviceName: 'hello-00001', percent: 10 }] },
            ],
          },
        },
        { hosts: ['Staging-Hello.default.example.com'], visibility: 'ExternalIP', http: { paths: [{ splits: [{ serviceName: 'hello-00003', percent: 100 }] }] } },
      ],
    },
  };
  const hosts = hostsFromIngresses([ing]);
  const main = hosts['hello.default.example.com'];
  assert.equal(main.kind, 'route');
  assert.deepEqual(main.splits.map((s) => [s.revision, s.namespace, s.percent]), [['hello-00002', 'default', 90], ['hello-00001', 'default', 10]]);
  assert.deepEqual(main.splits[0].headers, { 'Knative-Serving-Revision': 'hello-00002' });
  assert.deepEqual(main.tagHeaders?.staging.map((s) => s.revision), ['hello-00003']);
  assert.equal(hosts['staging-hello.default.example.com'].tag, 'staging');
  assert.equal(main.ingressKey, 'default/hello');
});

test('revision hosts never shadow route hosts; revision specs carry limits, mode, TBC and endpoints', () => {
  const rev: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { name: 'hello-00001', namespace: 'default', annotations: { 'autoscaling.knative.dev/target-burst-capacity': '-1' } },
    spec: { containerConcurrency: 10, timeoutSeconds: 30, containers: [{ ports: [{ containerPort: 8080, name: 'h2c' }] }] },
  };
  const hosts: Record<string, any> = { 'hello-00001.default': { kind: 'route' } };
  hostsFromRevisions([rev], hosts);
  assert.equal(hosts['hello-00001.default'].kind, 'route');
  assert.equal(hosts['hello-00001.default.svc.cluster.local'].kind, 'revision');
  const pods = [pod('p-b', {}, 40002), pod('p-a', {}, 40001, { ready: false }), pod('p-c', {}, 40003, { deleting: true })];
  const out = revisionsSnapshot([rev], () => ({ apiVersion: 'v1alpha1', kind: 'ServerlessService', metadata: {}, spec: { mode: 'Serve' } }), () => pods, 211);
  const spec = out['default/hello-00001'];
  assert.equal(spec.containerConcurrency, 10);
  assert.equal(spec.timeoutSeconds, 30);
  assert.equal(spec.protocol, 'h2c');
  assert.equal(spec.mode, 'Serve');
  assert.equal(spec.targetBurstCapacity, -1);
  assert.deepEqual(spec.endpoints, [
    { pod: 'default/p-a', port: 40001, ready: false },
    { pod: 'default/p-b', port: 40002, ready: true },
    { pod: 'default/p-c', port: 40003, ready: false, draining: true },
  ]);
  const noSks = revisionsSnapshot([{ ...rev, metadata: { name: 'x', namespace: 'default' } }], () => undefined, () => [], 211);
  assert.equal(noSks['default/x'].mode, 'Proxy');
  assert.equal(noSks['default/x'].targetBurstCapacity, 211);
});

test('plain Services with a selector route to their ready pods; ExternalName and selector-less ones are skipped', () => {
  const svc = (name: string, spec: any): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
  const pods = [pod('d-1', { app: 'display' }, 41001), pod('d-2', { app: 'display' }, 41002, { ready: false }), pod('o-1', { app: 'other' }, 41003)];
  const hosts: Record<string, any> = {};
  const out = servicesSnapshot(
    [svc('event-display', { selector: { app: 'display' }, ports: [{ port: 80, targetPort: 8080 }] }), svc('hello', { type: 'ExternalName', externalName: 'x' }), svc('rev', { ports: [{ port: 80 }] })],
    () => pods,
    hosts,
  );
  assert.deepEqual(out, { 'default/event-display': [{ pod: 'default/d-1', port: 41001 }] });
  assert.equal(hosts['event-display.default.svc.cluster.local'].kind, 'service');
  assert.equal(hosts['hello.default'], undefined);
});
