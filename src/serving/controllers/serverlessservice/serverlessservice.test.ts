// ServerlessService: the Service builders (Knative's names and ports, the
// seed's `kubectl get svc` rows) and table tests for the reconciler.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { serviceType } from '../../../api/core/kinds.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { c, deployment, NOW, NS, pod, REV, REV_UID, sks as paSks, T_NOW } from '../podautoscaler/testing.js';
import { makePrivateService, makePublicService, normalizePorts, type ServerlessService } from './resources/services.js';
import { newServerlessServiceReconciler, scaleTargetGr } from './serverlessservice.js';

const SKS_UID = 'sks-uid';

/** A bare SKS (no status), as the KPA creates it, with a uid. */
function sks(mode: 'Serve' | 'Proxy' = 'Proxy', o: { protocol?: 'h2c'; status?: ServerlessService['status']; generation?: number } = {}): ServerlessService {
  const s = paSks(mode);
  s.metadata.uid = SKS_UID;
  s.metadata.generation = o.generation ?? 1;
  if (o.protocol) s.spec.protocolType = o.protocol;
  delete s.status;
  if (o.status) s.status = o.status;
  return s;
}

/** The `kubectl get svc` PORT(S) column. */
const servicePorts = (svc: KObject): string => String(serviceType.printerColumns!.find((col) => col.name === 'Port(s)')!.value!(svc, NOW));

const SELECTOR = { 'serving.knative.dev/revisionUID': REV_UID };

describe('ServerlessService services', () => {
  test('public service: selector-less ClusterIP, port 80 "http" → 8012, labelled and owned', () => {
    const svc = makePublicService(sks());
    assert.equal(svc.metadata.name, REV);
    assert.equal(svc.spec.selector, undefined);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.deepEqual(svc.spec.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8012 }]);
    assert.equal(svc.metadata.labels!['networking.internal.knative.dev/serverlessservice'], REV);
    assert.equal(svc.metadata.labels!['networking.internal.knative.dev/serviceType'], 'Public');
    assert.equal(svc.metadata.labels!['serving.knative.dev/revision'], REV, 'SKS labels are carried over');
    assert.deepEqual(svc.metadata.ownerReferences, [
      { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'ServerlessService', name: REV, uid: SKS_UID, controller: true, blockOwnerDeletion: true },
    ]);
  });

  test('private service: Knative port names, selector on the pods, the seed\'s PORT(S) column', () => {
    const svc = makePrivateService(sks(), SELECTOR);
    assert.equal(svc.metadata.name, `${REV}-private`);
    assert.deepEqual(svc.spec.selector, SELECTOR);
    assert.deepEqual(
      svc.spec.ports.map((p: { name: string; port: number; targetPort: number | string }) => [p.name, p.port, p.targetPort]),
      [
        ['http', 80, 8012],
        ['http-autometric', 9090, 'http-autometric'],
        ['http-usermetric', 9091, 'http-usermetric'],
        ['http-queueadm', 8022, 8022],
        ['http-istio', 8012, 8012],
      ],
    );
    assert.equal(svc.metadata.labels!['networking.internal.knative.dev/serviceType'], 'Private');
    assert.equal(servicePorts(svc), '80/TCP,9090/TCP,9091/TCP,8022/TCP,8012/TCP');
    assert.equal(servicePorts(makePublicService(sks())), '80/TCP');
  });

  test('h2c revisions use http2 on 81 → 8013', () => {
    const s = sks('Serve', { protocol: 'h2c' });
    assert.deepEqual(makePublicService(s).spec.ports, [{ name: 'http2', protocol: 'TCP', port: 81, targetPort: 8013 }]);
    const priv = makePrivateService(s, SELECTOR).spec.ports;
    assert.deepEqual([priv[0].name, priv[0].port, priv[0].targetPort], ['http2', 80, 8013]);
    assert.deepEqual([priv[4].name, priv[4].port], ['http2-istio', 8013]);
  });

  test('normalizePorts fills what the API server defaults', () => {
    assert.deepEqual(normalizePorts([{ port: 80 }]), [{ name: '', protocol: 'TCP', port: 80, targetPort: 80 }]);
    assert.deepEqual(normalizePorts(undefined), []);
  });

  test('scaleTargetGr maps apiVersion/kind to a group-resource', () => {
    assert.equal(scaleTargetGr({ apiVersion: 'apps/v1', kind: 'Deployment' }), 'apps/deployments');
    assert.equal(scaleTargetGr({ apiVersion: 'v1', kind: 'ReplicationController' }), 'core/replicationcontrollers');
    assert.equal(scaleTargetGr(undefined), undefined);
  });
});

const LONG = '2024-01-01T00:00:00Z';
const readyStatus = (activatorInPath: boolean, ltt = LONG): ServerlessService['status'] => ({
  observedGeneration: 1,
  serviceName: REV,
  privateServiceName: `${REV}-private`,
  conditions: [
    activatorInPath
      ? { ...c('ActivatorEndpointsPopulated', 'True', ltt, 'ActivatorEndpointsPopulated', 'Revision is backed by Activator'), severity: 'Info' }
      : { ...c('ActivatorEndpointsPopulated', 'False', ltt, 'ActivatorEndpointsRemoved', 'Revision is backed by its pods'), severity: 'Info' },
    c('EndpointsPopulated', 'True', ltt),
    c('Ready', 'True', ltt),
  ],
});

const withStatus = (o: ServerlessService, status: ServerlessService['status']): ServerlessService => ({ ...o, status });

const rows: TableRow[] = [
  {
    name: 'new SKS: creates both services, Ready, activator in path (Proxy)',
    key: `${NS}/${REV}`,
    objects: [sks('Proxy'), deployment(1)],
    wantCreates: [makePublicService(sks('Proxy')), makePrivateService(sks('Proxy'), SELECTOR)],
    wantStatusUpdates: [withStatus(sks('Proxy'), readyStatus(true, T_NOW))],
  },
  {
    name: 'Serve mode with a ready pod: the activator leaves the path',
    key: `${NS}/${REV}`,
    objects: [sks('Serve', { status: readyStatus(true) }), deployment(1), pod(0), makePublicService(sks()), makePrivateService(sks(), SELECTOR)],
    wantStatusUpdates: [
      withStatus(sks('Serve'), {
        ...readyStatus(true),
        conditions: [
          { ...c('ActivatorEndpointsPopulated', 'False', T_NOW, 'ActivatorEndpointsRemoved', 'Revision is backed by its pods'), severity: 'Info' },
          c('EndpointsPopulated', 'True', LONG),
          c('Ready', 'True', LONG),
        ],
      }),
    ],
  },
  {
    name: 'Serve mode without a ready pod falls back to the activator (no write when already so)',
    key: `${NS}/${REV}`,
    objects: [sks('Serve', { status: readyStatus(true) }), deployment(1), pod(0, false), makePublicService(sks()), makePrivateService(sks(), SELECTOR)],
  },
  {
    name: 'drifted private service ports and selector are put back',
    key: `${NS}/${REV}`,
    objects: [
      sks('Proxy', { status: readyStatus(true) }),
      deployment(1),
      makePublicService(sks()),
      { ...makePrivateService(sks(), { app: 'other' }), spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 8080 }], selector: { app: 'other' } } },
    ],
    wantUpdates: [makePrivateService(sks(), SELECTOR)],
  },
  {
    name: 'a Service we do not own: EndpointsPopulated False NotOwned and a warning',
    key: `${NS}/${REV}`,
    objects: [sks('Proxy'), deployment(1), { ...makePublicService(sks()), metadata: { ...makePublicService(sks()).metadata, ownerReferences: [] } }],
    wantStatusUpdates: [
      withStatus(sks('Proxy'), {
        observedGeneration: 1,
        conditions: [
          c('EndpointsPopulated', 'False', T_NOW, 'NotOwned', 'There is an existing placeholder Service "rev" that we do not own.'),
          c('Ready', 'False', T_NOW, 'NotOwned', 'There is an existing placeholder Service "rev" that we do not own.'),
        ],
      }),
    ],
    wantEvents: ['Warning NotOwned Service "rev" is not owned by ServerlessService "rev"'],
  },
  {
    name: 'no Deployment yet: error, retried',
    key: `${NS}/${REV}`,
    objects: [sks('Proxy')],
    wantErr: /error retrieving deployment selector spec/,
    wantStatusUpdates: [
      withStatus(sks('Proxy'), {
        observedGeneration: 1,
        conditions: [c('EndpointsPopulated', 'Unknown', T_NOW), c('Ready', 'Unknown', T_NOW, 'NewObservedGenFailure', 'unsuccessfully observed a new generation')],
      }),
    ],
    wantEvents: ['Warning InternalError error retrieving deployment selector spec: apps/deployments "rev-deployment" not found'],
  },
];

describe('ServerlessService reconciler', () => {
  runTable(
    rows,
    (ctx) => newServerlessServiceReconciler({ client: ctx.client, informers: ctx.informers, recorder: ctx.recorder, clock: ctx.clock, logger: ctx.logger }),
    { now: NOW },
  );
});

