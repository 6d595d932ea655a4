// ServiceReconciler table test (knative pkg/reconciler/service/service_test.go style) and builder tests.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import type { TrafficTarget } from '../../../api/serving/traffic.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { configStatus } from '../configuration/fixtures.js';
import { cond, NS, revision, T0 } from '../revision/fixtures.js';
import { newServiceReconciler } from './reconciler.js';
import { makeConfiguration } from './resources/configuration.js';
import { makeRoute } from './resources/route.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const T1 = '2024-01-01T01:00:00Z';
const KEY = `${NS}/hello`;

interface ServiceOptions {
  generation?: number;
  templateName?: string;
  traffic?: TrafficTarget[];
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  env?: string;
  status?: Record<string, unknown>;
}

function service(o: ServiceOptions = {}): KObject {
  const tplSpec = structuredClone(revision('hello-00001').spec);
  if (o.env) tplSpec.containers[0].env[0].value = o.env;
  const s: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name: 'hello',
      namespace: NS,
      uid: 'hello-svc-uid',
      generation: o.generation ?? 1,
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.labels ? { labels: o.labels } : {}),
    },
    spec: {
      template: { metadata: o.templateName ? { name: o.templateName } : {}, spec: tplSpec },
      traffic: o.traffic ?? [{ latestRevision: true, percent: 100 }],
    },
  };
  if (o.status) s.status = structuredClone(o.status);
  return s;
}

function config(svc: KObject, status?: Record<string, unknown>, generation = 1): KObject {
  const c = makeConfiguration(svc);
  c.metadata.uid = 'hello-cfg-uid';
  c.metadata.generation = generation;
  if (status) c.status = status;
  return c;
}

function route(svc: KObject, status?: Record<string, unknown>, generation = 1): KObject {
  const r = makeRoute(svc);
  r.metadata.uid = 'hello-route-uid';
  r.metadata.generation = generation;
  if (status) r.status = status;
  return r;
}

const URL_FIELDS = { url: 'http://hello.default.example.com', address: { url: 'http://hello.default.svc.cluster.local' } };

function routeStatus(o: { traffic?: TrafficTarget[]; ready?: ReturnType<typeof cond>; gen?: number } = {}): Record<string, unknown> {
  return {
    observedGeneration: o.gen ?? 1,
    ...URL_FIELDS,
    traffic: o.traffic ?? [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
    conditions: [cond('AllTrafficAssigned', 'True', T0), cond('IngressReady', 'True', T0), o.ready ?? cond('Ready', 'True', T0)],
  };
}

const readyConfig = configStatus({ created: 'hello-00001', ready: 'hello-00001' });

function serviceStatus(o: { cfg?: ReturnType<typeof cond>; rt?: ReturnType<typeof cond>; ready?: ReturnType<typeof cond>; gen?: number; fields?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    latestReadyRevisionName: 'hello-00001',
    latestCreatedRevisionName: 'hello-00001',
    ...URL_FIELDS,
    traffic: [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
    ...(o.fields ?? {}),
    observedGeneration: o.gen ?? 1,
    conditions: [o.cfg ?? cond('ConfigurationsReady', 'True', T0), o.ready ?? cond('Ready', 'True', T0), o.rt ?? cond('RoutesReady', 'True', T0)],
  };
}

const OUT_OF_DATE_CFG = 'The Configuration is still working to reflect the latest desired specification.';
const OUT_OF_DATE_RT = 'The Route is still working to reflect the latest desired specification.';

const rows: TableRow[] = [
  { name: 'key no longer exists: nothing to do', key: KEY },
  {
    name: 'first reconcile creates the Configuration and the Route, both OutOfDate',
    key: KEY,
    objects: [service()],
    wantCreates: [makeConfiguration(service()), makeRoute(service())],
    wantStatusUpdates: [
      {
        ...service(),
        status: {
          observedGeneration: 1,
          conditions: [cond('ConfigurationsReady', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_CFG), cond('Ready', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_RT), cond('RoutesReady', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_RT)],
        },
      },
    ],
    wantEvents: ['Normal Created Created Configuration "hello"', 'Normal Created Created Route "hello"'],
  },
  {
    name: 'a template-named revision: the Route waits until the Configuration has observed it',
    key: KEY,
    objects: [service({ templateName: 'hello-world' })],
    wantCreates: [makeConfiguration(service({ templateName: 'hello-world' }))],
    wantStatusUpdates: [
      {
        ...service({ templateName: 'hello-world' }),
        status: {
          observedGeneration: 1,
          conditions: [cond('ConfigurationsReady', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_CFG), cond('Ready', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_CFG), cond('RoutesReady', 'Unknown', T1)],
        },
      },
    ],
    wantEvents: ['Normal Created Created Configuration "hello"'],
  },
  {
    name: 'steady state: nothing written',
    key: KEY,
    objects: [service({ status: serviceStatus() }), config(service(), readyConfig), route(service(), routeStatus())],
  },
  {
    name: 'Configuration and Route ready: Service Ready with revisions, URL, address and traffic',
    key: KEY,
    objects: [service(), config(service(), readyConfig), route(service(), routeStatus())],
    wantStatusUpdates: [
      { ...service(), status: serviceStatus({ cfg: cond('ConfigurationsReady', 'True', T1), ready: cond('Ready', 'True', T1), rt: cond('RoutesReady', 'True', T1) }) },
    ],
  },
  {
    name: 'the Route still serves the old revision: RoutesReady Unknown TrafficNotMigrated',
    key: KEY,
    objects: [service({ status: serviceStatus() }), config(service(), configStatus({ created: 'hello-00002', ready: 'hello-00002' })), route(service(), routeStatus())],
    wantStatusUpdates: [
      {
        ...service(),
        status: serviceStatus({
          fields: { latestReadyRevisionName: 'hello-00002', latestCreatedRevisionName: 'hello-00002' },
          rt: cond('RoutesReady', 'Unknown', T1, 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.'),
          ready: cond('Ready', 'Unknown', T1, 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.'),
        }),
      },
    ],
  },
  {
    name: 'the Configuration failed: ConfigurationsReady False with its reason',
    key: KEY,
    objects: [
      service({ status: serviceStatus() }),
      config(service(), configStatus({ created: 'hello-00002', ready: 'hello-00001', readyCond: cond('Ready', 'False', T0, 'RevisionFailed', 'Revision "hello-00002" failed with message: Container failed with: boom.') })),
      route(service(), routeStatus()),
    ],
    wantStatusUpdates: [
      {
        ...service(),
        status: serviceStatus({
          fields: { latestCreatedRevisionName: 'hello-00002' },
          cfg: cond('ConfigurationsReady', 'False', T1, 'RevisionFailed', 'Revision "hello-00002" failed with message: Container failed with: boom.'),
          ready: cond('Ready', 'False', T1, 'RevisionFailed', 'Revision "hello-00002" failed with message: Container failed with: boom.'),
        }),
      },
    ],
  },
  {
    name: 'the Route failed: RoutesReady False with its reason',
    key: KEY,
    objects: [
      service({ status: serviceStatus() }),
      config(service(), readyConfig),
      route(service(), routeStatus({ ready: cond('Ready', 'False', T0, 'RevisionMissing', 'Configuration "hello" does not have any ready Revision.') })),
    ],
    wantStatusUpdates: [
      {
        ...service(),
        status: serviceStatus({
          rt: cond('RoutesReady', 'False', T1, 'RevisionMissing', 'Configuration "hello" does not have any ready Revision.'),
          ready: cond('Ready', 'False', T1, 'RevisionMissing', 'Configuration "hello" does not have any ready Revision.'),
        }),
      },
    ],
  },
  {
    name: 'a Configuration we do not own: ConfigurationsReady False NotOwned, error',
    key: KEY,
    objects: [service(), { ...config(service(), readyConfig), metadata: { ...config(service()).metadata, ownerReferences: [] } }],
    wantErr: 'service: "hello" does not own configuration: "hello"',
    wantStatusUpdates: [
      {
        ...service(),
        status: {
          observedGeneration: 1,
          conditions: [
            cond('ConfigurationsReady', 'False', T1, 'NotOwned', 'There is an existing Configuration "hello" that we do not own.'),
            cond('Ready', 'False', T1, 'NotOwned', 'There is an existing Configuration "hello" that we do not own.'),
            cond('RoutesReady', 'Unknown', T1),
          ],
        },
      },
    ],
    wantEvents: ['Warning InternalError service: "hello" does not own configuration: "hello"'],
  },
  {
    name: 'a Route we do not own: RoutesReady False NotOwned, error',
    key: KEY,
    objects: [service({ status: serviceStatus() }), config(service(), readyConfig), { ...route(service(), routeStatus()), metadata: { ...route(service()).metadata, ownerReferences: [] } }],
    wantErr: 'service: "hello" does not own route: "hello"',
    wantStatusUpdates: [
      {
        ...service(),
        status: serviceStatus({
          rt: cond('RoutesReady', 'False', T1, 'NotOwned', 'There is an existing Route "hello" that we do not own.'),
          ready: cond('Ready', 'False', T1, 'NotOwned', 'There is an existing Route "hello" that we do not own.'),
        }),
      },
    ],
    wantEvents: ['Warning InternalError service: "hello" does not own route: "hello"'],
  },
  {
    name: 'a new template: the Configuration is updated and is OutOfDate until it observes it',
    key: KEY,
    objects: [service({ generation: 2, env: 'World-2', status: serviceStatus() }), config(service(), readyConfig), route(service(), routeStatus())],
    wantUpdates: [config(service({ env: 'World-2' }), readyConfig)],
    wantStatusUpdates: [
      {
        ...service({ generation: 2, env: 'World-2' }),
        status: serviceStatus({
          gen: 2,
          cfg: cond('ConfigurationsReady', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_CFG),
          ready: cond('Ready', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_CFG),
        }),
      },
    ],
  },
  {
    name: 'new traffic: the Route is updated and is OutOfDate until it observes it',
    key: KEY,
    objects: [
      service({ generation: 2, traffic: [{ revisionName: 'hello-00001', latestRevision: false, percent: 100, tag: 'v1' }], status: serviceStatus() }),
      config(service(), readyConfig),
      route(service(), routeStatus()),
    ],
    wantUpdates: [route(service({ traffic: [{ revisionName: 'hello-00001', latestRevision: false, percent: 100, tag: 'v1' }] }), routeStatus())],
    wantStatusUpdates: [
      {
        ...service({ generation: 2, traffic: [{ revisionName: 'hello-00001', latestRevision: false, percent: 100, tag: 'v1' }] }),
        status: serviceStatus({ gen: 2, rt: cond('RoutesReady', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_RT), ready: cond('Ready', 'Unknown', T1, 'OutOfDate', OUT_OF_DATE_RT) }),
      },
    ],
  },
  {
    name: 'a template name taken by a conflicting revision: RoutesReady False RevisionNameTaken, the Route is left alone',
    key: KEY,
    objects: [
      service({ templateName: 'hello-world', status: serviceStatus() }),
      config(service({ templateName: 'hello-world' }), configStatus({ created: 'hello-00001', ready: 'hello-00001', readyCond: cond('Ready', 'False', T0, 'RevisionFailed', 'Revision creation failed with message: revisions.serving.knative.dev "hello-world" already exists.') })),
      revision('hello-world', (r) => (r.metadata.ownerReferences = [])),
      route(service(), routeStatus()),
    ],
    wantStatusUpdates: [
      {
        ...service({ templateName: 'hello-world' }),
        status: serviceStatus({
          cfg: cond('ConfigurationsReady', 'False', T1, 'RevisionFailed', 'Revision creation failed with message: revisions.serving.knative.dev "hello-world" already exists.'),
          rt: cond('RoutesReady', 'False', T1, 'RevisionNameTaken', 'The revision name "hello-world" is taken by a conflicting Revision, so traffic will not be migrated'),
          ready: cond('Ready', 'False', T1, 'RevisionNameTaken', 'The revision name "hello-world" is taken by a conflicting Revision, so traffic will not be migrated'),
        }),
      },
    ],
  },
  {
    name: 'creating the Configuration fails: CreationFailed event and error',
    key: KEY,
    objects: [service()],
    withClient: (c) => c.induceFailure('create', 'serving.knative.dev/configurations'),
    wantErr: 'failed to create Configuration: inducing failure for create configurations',
    wantCreates: [makeConfiguration(service())],
    wantStatusUpdates: [
      { ...service(), status: { observedGeneration: 1, conditions: [cond('ConfigurationsReady', 'Unknown', T1), cond('Ready', 'Unknown', T1, 'NewObservedGenFailure', 'unsuccessfully observed a new generation'), cond('RoutesReady', 'Unknown', T1)] } },
    ],
    wantEvents: [
      'Warning CreationFailed Failed to create Configuration "hello": inducing failure for create configurations',
      'Warning InternalError failed to create Configuration: inducing failure for create configurations',
    ],
  },
];

describe('ServiceReconciler (table)', () => {
  runTable(rows, (ctx) => newServiceReconciler(ctx), { now: NOW });
});

describe('Service resources', () => {
  const svc = service({
    annotations: {
      'serving.knative.dev/rollout-duration': '380s',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'serving.knative.dev/creator': 'alice',
    },
    labels: { 'networking.knative.dev/visibility': 'cluster-local', team: 'blue' },
    traffic: [
      { latestRevision: true, percent: 80 },
      { revisionName: 'hello-00001', latestRevision: false, percent: 20, tag: 'old' },
    ],
  });

  test('makeRoute: configuration targets filled in, rollout duration and visibility label carried, owned by the Service', () => {
    const r = makeRoute(svc);
    assert.equal(r.metadata.name, 'hello');
    assert.deepEqual(r.spec.traffic, [
      { latestRevision: true, percent: 80, configurationName: 'hello' },
      { revisionName: 'hello-00001', latestRevision: false, percent: 20, tag: 'old' },
    ]);
    assert.deepEqual(r.metadata.annotations, { 'serving.knative.dev/rollout-duration': '380s', 'serving.knative.dev/creator': 'alice' });
    assert.deepEqual(r.metadata.labels, { 'networking.knative.dev/visibility': 'cluster-local', team: 'blue', 'serving.knative.dev/service': 'hello' });
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', uid: 'hello-svc-uid', controller: true, blockOwnerDeletion: true }]);
  });

  test('makeConfiguration: rollout duration stripped, service labels and the routes annotation added', () => {
    const c = makeConfiguration(svc);
    assert.deepEqual(c.metadata.annotations, { 'serving.knative.dev/creator': 'alice', 'serving.knative.dev/routes': 'hello' });
    assert.deepEqual(c.metadata.labels, {
      'networking.knative.dev/visibility': 'cluster-local',
      team: 'blue',
      'serving.knative.dev/service': 'hello',
      'serving.knative.dev/serviceUID': 'hello-svc-uid',
    });
    assert.deepEqual(c.spec, { template: svc.spec.template });
    assert.equal('traffic' in c.spec, false, 'traffic belongs to the Route');
  });

  test('makeConfiguration keeps routes the labeler recorded', () => {
    const existing = makeConfiguration(svc);
    existing.metadata.annotations!['serving.knative.dev/routes'] = 'zeta,alpha';
    assert.equal(makeConfiguration(svc, existing).metadata.annotations!['serving.knative.dev/routes'], 'alpha,hello,zeta');
  });
});
