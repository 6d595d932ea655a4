// Labeler table test (knative pkg/reconciler/labeler/labeler_test.go style) and patch-builder tests.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import type { TrafficTarget } from '../../../api/serving/traffic.js';
import { Tracker } from '../../../controller/controller.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { configStatus, configuration } from '../configuration/fixtures.js';
import { GR } from '../names.js';
import { cond, NS, revision, T0, withAnnotation, withLabel, withRoutingState } from '../revision/fixtures.js';
import { makeMetadataPatch } from './accessors.js';
import { indexByListedRoutes, LABELER_FINALIZER, newLabelerReconciler } from './reconciler.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const T1 = '2024-01-01T01:00:00Z';
const KEY = `${NS}/hello`;

const latest: TrafficTarget = { configurationName: 'hello', latestRevision: true, percent: 100 };
const served = (rev: string): TrafficTarget => ({ revisionName: rev, latestRevision: true, percent: 100 });

function route(o: { spec?: TrafficTarget[]; status?: TrafficTarget[]; ready?: 'True' | 'False' | 'Unknown'; finalizer?: boolean; deleting?: boolean; name?: string } = {}): KObject {
  const r: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name: o.name ?? 'hello', namespace: NS, uid: 'route-uid', generation: 1, ...(o.finalizer === false ? {} : { finalizers: [LABELER_FINALIZER] }) },
    spec: { traffic: o.spec ?? [latest] },
    status: { observedGeneration: 1, traffic: o.status ?? [served('hello-00001')], conditions: [cond('Ready', o.ready ?? 'True', T0)] },
  };
  if (o.deleting) r.metadata.deletionTimestamp = T1;
  return r;
}

const cfg = (created = 'hello-00001', routes: string | null = 'hello') =>
  configuration('hello', { status: configStatus({ created, ready: created }), ...(routes ? { annotations: { 'serving.knative.dev/routes': routes } } : {}) });
const rev = (name: string, ...opts: Parameters<typeof revision>[1][]) => revision(name, ...opts);
const activeRev = (name: string, routes = 'hello') => rev(name, withRoutingState('active'), withAnnotation('serving.knative.dev/routes', routes));

const addRoute = (routes = 'hello') => ({ metadata: { labels: { 'serving.knative.dev/routingState': 'active' }, annotations: { 'serving.knative.dev/routes': routes, 'serving.knative.dev/routingStateModified': T1 } } });
const toReserve = { metadata: { labels: { 'serving.knative.dev/routingState': 'reserve' }, annotations: { 'serving.knative.dev/routes': null, 'serving.knative.dev/routingStateModified': T1 } } };
const cfgRoutes = (routes: string | null) => ({ metadata: { annotations: { 'serving.knative.dev/routes': routes } } });

const rows: TableRow[] = [
  { name: 'key no longer exists: nothing to do', key: KEY },
  {
    name: 'first reconcile: finalizer added, the served revision becomes active and both record the route',
    key: KEY,
    objects: [route({ finalizer: false }), cfg('hello-00001', null), rev('hello-00001')],
    wantPatches: [
      { name: 'hello', patch: { metadata: { finalizers: [LABELER_FINALIZER] } } },
      { namespace: NS, name: 'hello-00001', patch: addRoute() },
      { namespace: NS, name: 'hello', patch: cfgRoutes('hello') },
    ].map((p) => ({ namespace: NS, ...p })),
  },
  {
    name: 'steady state: nothing written',
    key: KEY,
    objects: [route(), cfg(), activeRev('hello-00001')],
  },
  {
    name: 'a new latest-created revision is marked active before it takes traffic; the serving one keeps its mark',
    key: KEY,
    objects: [route(), cfg('hello-00002'), activeRev('hello-00001'), rev('hello-00002', withLabel('serving.knative.dev/configurationGeneration', '2'))],
    wantPatches: [{ namespace: NS, name: 'hello-00002', patch: addRoute() }],
  },
  {
    name: 'traffic moved on and the route is Ready: the old revision goes to reserve',
    key: KEY,
    objects: [route({ status: [served('hello-00002')] }), cfg('hello-00002'), activeRev('hello-00001'), activeRev('hello-00002')],
    wantPatches: [{ namespace: NS, name: 'hello-00001', patch: toReserve }],
  },
  {
    name: 'a failed route is resolved too: stale marks are cleared',
    key: KEY,
    objects: [route({ status: [served('hello-00002')], ready: 'False' }), cfg('hello-00002'), activeRev('hello-00001'), activeRev('hello-00002')],
    wantPatches: [{ namespace: NS, name: 'hello-00001', patch: toReserve }],
  },
  {
    name: 'route not resolved yet: nothing is taken away',
    key: KEY,
    objects: [route({ status: [served('hello-00002')], ready: 'Unknown' }), cfg('hello-00002'), activeRev('hello-00001'), activeRev('hello-00002')],
  },
  {
    name: 'a pinned revision marks its Configuration too',
    key: KEY,
    objects: [
      route({ spec: [{ revisionName: 'hello-00001', latestRevision: false, percent: 100 }], status: [{ revisionName: 'hello-00001', latestRevision: false, percent: 100 }] }),
      cfg('hello-00002', null),
      rev('hello-00001', withRoutingState('reserve')),
      rev('hello-00002', withLabel('serving.knative.dev/configurationGeneration', '2')),
    ],
    wantPatches: [
      { namespace: NS, name: 'hello-00001', patch: addRoute() },
      { namespace: NS, name: 'hello', patch: cfgRoutes('hello') },
    ],
  },
  {
    name: 'a revision still listed by another route keeps routingState active when this route lets go',
    key: KEY,
    objects: [route({ status: [served('hello-00002')] }), cfg('hello-00002'), activeRev('hello-00001', 'canary,hello'), activeRev('hello-00002')],
    wantPatches: [{ namespace: NS, name: 'hello-00001', patch: { metadata: { annotations: { 'serving.knative.dev/routes': 'canary' } } } }],
  },
  {
    name: 'route deleted: its marks are removed everywhere, then the finalizer',
    key: KEY,
    objects: [route({ deleting: true }), cfg(), activeRev('hello-00001')],
    wantPatches: [
      { namespace: NS, name: 'hello-00001', patch: toReserve },
      { namespace: NS, name: 'hello', patch: cfgRoutes(null) },
      { namespace: NS, name: 'hello', patch: { metadata: { finalizers: [] } } },
    ],
  },
  {
    name: 'a patch fails: error returned for retry',
    key: KEY,
    objects: [route(), cfg(), rev('hello-00001')],
    withClient: (c) => c.induceFailure('patch', GR.revisions),
    wantErr: 'failed to add route annotation to Revision "default/hello-00001": inducing failure for patch revisions',
    wantPatches: [{ namespace: NS, name: 'hello-00001', patch: addRoute() }],
    wantEvents: ['Warning InternalError failed to add route annotation to Revision "default/hello-00001": inducing failure for patch revisions'],
  },
];

describe('Labeler (table)', () => {
  runTable(rows, (ctx) => newLabelerReconciler({ ...ctx, tracker: new Tracker(() => {}) }), { now: NOW });

  test('targets that do not exist yet are tracked so the route comes back when they appear', async () => {
    const { runRow } = await import('../../../controller/testing/table.js');
    const fired: string[] = [];
    const tracker = new Tracker((k) => fired.push(k));
    await runRow(
      { name: 'missing', key: KEY, objects: [route({ spec: [latest, { revisionName: 'hello-00009', latestRevision: false, percent: 0, tag: 't' }] })] },
      (ctx) => newLabelerReconciler({ ...ctx, tracker }),
      { now: NOW },
    );
    assert.deepEqual(tracker.trackersOf(GR.revisions, NS, 'hello-00001'), [KEY]);
    assert.deepEqual(tracker.trackersOf(GR.revisions, NS, 'hello-00009'), [KEY]);
    assert.deepEqual(tracker.trackersOf(GR.configurations, NS, 'hello'), [KEY]);
    tracker.onChanged(GR.revisions, rev('hello-00009'));
    assert.deepEqual(fired, [KEY]);
  });
});

describe('makeMetadataPatch', () => {
  const now = { nowMs: NOW };
  test('adding a route to an unrouted revision makes it active', () => {
    assert.deepEqual(makeMetadataPatch(rev('hello-00001'), 'hello', { withRoutingState: true, remove: false, ...now }), addRoute());
  });
  test('Configurations carry no routing state', () => {
    assert.deepEqual(makeMetadataPatch(cfg('hello-00001', null), 'hello', { withRoutingState: false, remove: false, ...now }), cfgRoutes('hello'));
  });
  test('nothing to do gives no patch', () => {
    assert.equal(makeMetadataPatch(activeRev('hello-00001'), 'hello', { withRoutingState: true, remove: false, ...now }), undefined);
    assert.equal(makeMetadataPatch(rev('hello-00001'), 'hello', { withRoutingState: false, remove: true, ...now }), undefined);
  });
  test('lists stay sorted and a state change is time-stamped', () => {
    assert.deepEqual(makeMetadataPatch(activeRev('hello-00001', 'zeta'), 'alpha', { withRoutingState: true, remove: false, ...now }), {
      metadata: { annotations: { 'serving.knative.dev/routes': 'alpha,zeta' } },
    });
    assert.deepEqual(makeMetadataPatch(activeRev('hello-00001'), 'hello', { withRoutingState: true, remove: true, ...now }), toReserve);
  });
});

describe('indexByListedRoutes', () => {
  test('indexes an object under namespace/route for every route its annotation lists', () => {
    const o: KObject = { apiVersion: 'v1', kind: 'Revision', metadata: { name: 'r', namespace: 'ns', annotations: { 'serving.knative.dev/routes': 'a,b' } } };
    assert.deepEqual(indexByListedRoutes(o).sort(), ['ns/a', 'ns/b']);
    assert.deepEqual(indexByListedRoutes({ ...o, metadata: { name: 'r', namespace: 'ns' } }), []);
  });
});
