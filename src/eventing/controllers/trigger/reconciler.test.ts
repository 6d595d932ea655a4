import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, KObject } from '../../../api/meta.js';
import { runTable, setupRow, settle, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { FakeDataPlane } from '../testing/fake-dataplane.js';
import { NS, cond, conds, factoryFor, k8sService, ksvc, ksvcRef, meta, planeOf } from '../testing/builders.js';
import { newTriggerReconciler } from './reconciler.js';
import type { CloudEventRecord } from '../../cloudevents/event.js';

const BROKER_DELIVERY = { retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' };

function broker(opts: { ready?: boolean | 'Unknown'; delivery?: unknown; status?: Record<string, unknown>; generation?: number } = {}): KObject {
  const ready = opts.ready ?? true;
  const st = ready === true ? 'True' : ready === 'Unknown' ? 'Unknown' : 'False';
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Broker',
    metadata: meta('b1', { annotations: { 'eventing.knative.dev/broker.class': 'SkiffLogBroker' }, generation: opts.generation ?? 1 }),
    spec: { delivery: opts.delivery ?? BROKER_DELIVERY },
    status: {
      observedGeneration: 1,
      address: { name: 'http', url: `http://broker-ingress.knative-eventing.svc.cluster.local/${NS}/b1` },
      conditions: [st === 'True' ? cond('Ready', 'True') : cond('Ready', st, 'EventLogFailure', 'disk full')],
      ...opts.status,
    },
  };
}

function trigger(spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KObject {
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Trigger',
    metadata: meta('t1', { labels: { 'eventing.knative.dev/broker': 'b1' }, ...(annotations ? { annotations } : {}) }),
    spec: { broker: 'b1', filter: { attributes: { type: 'dev.example.push' } }, subscriber: ksvcRef('event-display'), ...spec },
  };
}

function triggerStatus(over: Record<string, Condition> = {}, extra: Record<string, unknown> = {}) {
  const base: Record<string, Condition> = {
    [C.brokerReady]: cond(C.brokerReady, 'True'),
    [C.dls]: cond(C.dls, 'True', 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.'),
    [C.dependency]: cond(C.dependency, 'True'),
    [C.subscriberResolved]: cond(C.subscriberResolved, 'True'),
    [C.subscriptionReady]: cond(C.subscriptionReady, 'True'),
    ...over,
  };
  const deps = [C.brokerReady, C.subscriptionReady, C.dependency, C.subscriberResolved, C.dls].map((t) => base[t]);
  const bad = deps.find((c) => c.status === 'False') ?? deps.find((c) => c.status !== 'True');
  const ready = bad ? cond('Ready', bad.status, bad.reason, bad.message) : cond('Ready', 'True');
  return { observedGeneration: 1, ...extra, conditions: conds(...Object.values(base), ready) };
}

const SUB_URI = `http://event-display.${NS}.svc.cluster.local`;
const unknown = (t: string) => cond(t, 'Unknown');

const ev = (type: string): CloudEventRecord => ({ specversion: '1.0', id: '1', source: 's', type }) as CloudEventRecord;

const rows: TableRow[] = [
  {
    name: 'broker missing: BrokerReady=False BrokerDoesNotExist; nothing registered',
    key: `${NS}/t1`,
    objects: [trigger(), ksvc('event-display')],
    wantStatusUpdates: [
      {
        ...trigger(),
        status: triggerStatus({
          [C.brokerReady]: cond(C.brokerReady, 'False', 'BrokerDoesNotExist', 'Broker "b1" does not exist'),
          [C.dls]: unknown(C.dls),
          [C.dependency]: unknown(C.dependency),
          [C.subscriberResolved]: unknown(C.subscriberResolved),
          [C.subscriptionReady]: unknown(C.subscriptionReady),
        }),
      },
    ],
    postConditions: (ctx) => assert.deepEqual(planeOf(ctx).calls, []),
  },
  {
    name: 'broker not ready: its condition is propagated; nothing registered',
    key: `${NS}/t1`,
    objects: [trigger(), broker({ ready: false }), ksvc('event-display')],
    wantStatusUpdates: [
      {
        ...trigger(),
        status: triggerStatus({
          [C.brokerReady]: cond(C.brokerReady, 'False', 'EventLogFailure', 'disk full'),
          [C.dls]: unknown(C.dls),
          [C.dependency]: unknown(C.dependency),
          [C.subscriberResolved]: unknown(C.subscriberResolved),
          [C.subscriptionReady]: unknown(C.subscriptionReady),
        }),
      },
    ],
    postConditions: (ctx) => assert.deepEqual(planeOf(ctx).calls, []),
  },
  {
    name: "happy path: subscriberUri resolved from the ksvc, broker's delivery used as a whole, compiled filter registered",
    key: `${NS}/t1`,
    objects: [trigger(), broker(), ksvc('event-display')],
    wantStatusUpdates: [{ ...trigger(), status: triggerStatus({}, { subscriberUri: SUB_URI }) }],
    postConditions: (ctx) => {
      const plane = planeOf(ctx);
      assert.deepEqual(plane.calls, [`upsertTrigger ${NS}/b1/t1`]);
      const cfg = plane.triggers.get(`${NS}/b1/t1`)!;
      assert.equal(cfg.uid, 't1-uid');
      assert.equal(cfg.subscriberUri, SUB_URI);
      assert.deepEqual(cfg.delivery, { retry: 10, backoffPolicy: 'exponential', backoffDelayMs: 200, format: 'binary' });
      assert.equal(cfg.deadLetterUri, undefined);
      assert.equal(cfg.filter!(ev('dev.example.push')), true);
      assert.equal(cfg.filter!(ev('dev.example.issue')), false);
    },
  },
  {
    name: "trigger delivery wins as a whole; its own dead-letter sink is resolved into deadLetterSinkUri",
    key: `${NS}/t1`,
    objects: [trigger({ delivery: { retry: 2, deadLetterSink: ksvcRef('dls') } }), broker(), ksvc('event-display'), ksvc('dls')],
    wantStatusUpdates: [
      {
        ...trigger({ delivery: { retry: 2, deadLetterSink: ksvcRef('dls') } }),
        status: triggerStatus({ [C.dls]: cond(C.dls, 'True') }, { subscriberUri: SUB_URI, deadLetterSinkUri: `http://dls.${NS}.svc.cluster.local` }),
      },
    ],
    postConditions: (ctx) => {
      const cfg = planeOf(ctx).triggers.get(`${NS}/b1/t1`)!;
      assert.deepEqual(cfg.delivery, { retry: 2, backoffPolicy: 'exponential', backoffDelayMs: 0, format: 'binary', deadLetterSinkUri: `http://dls.${NS}.svc.cluster.local` });
      assert.equal(cfg.deadLetterUri, `http://dls.${NS}.svc.cluster.local`);
    },
  },
  {
    name: "no trigger DLS: the broker's resolved dead-letter sink is used",
    key: `${NS}/t1`,
    objects: [trigger(), broker({ delivery: { ...BROKER_DELIVERY, deadLetterSink: ksvcRef('bdls') }, status: { deadLetterSinkUri: 'http://bdls.default.svc.cluster.local' } }), ksvc('event-display')],
    wantStatusUpdates: [
      { ...trigger(), status: triggerStatus({ [C.dls]: cond(C.dls, 'True') }, { subscriberUri: SUB_URI, deadLetterSinkUri: 'http://bdls.default.svc.cluster.local' }) },
    ],
    postConditions: (ctx) => assert.equal(planeOf(ctx).triggers.get(`${NS}/b1/t1`)!.deadLetterUri, 'http://bdls.default.svc.cluster.local'),
  },
  {
    name: "broker has a DLS it did not resolve: DeadLetterSinkResolved=False",
    key: `${NS}/t1`,
    objects: [trigger(), broker({ delivery: { deadLetterSink: ksvcRef('bdls') } }), ksvc('event-display')],
    wantStatusUpdates: [
      {
        ...trigger(),
        status: triggerStatus(
          { [C.dls]: cond(C.dls, 'False', "Broker b1 didn't set status.deadLetterSinkURI"), [C.dependency]: unknown(C.dependency), [C.subscriptionReady]: unknown(C.subscriptionReady) },
          { subscriberUri: SUB_URI },
        ),
      },
    ],
  },
  {
    name: 'subscriber that does not exist: SubscriberResolved=False, subscriberUri absent',
    key: `${NS}/t1`,
    objects: [trigger({ subscriber: ksvcRef('nope') }), broker()],
    wantStatusUpdates: [
      {
        ...trigger({ subscriber: ksvcRef('nope') }),
        status: triggerStatus({
          [C.subscriberResolved]: cond(C.subscriberResolved, 'False', "Unable to get the Subscriber's URI", 'failed to get object default/nope: services.serving.knative.dev "nope" not found'),
          [C.dls]: unknown(C.dls),
          [C.dependency]: unknown(C.dependency),
          [C.subscriptionReady]: unknown(C.subscriptionReady),
        }),
      },
    ],
  },
  {
    name: 'subscriber: a plain v1 Service with a relative uri resolves to http://name.ns.svc.cluster.local/path',
    key: `${NS}/t1`,
    objects: [trigger({ subscriber: { ref: { apiVersion: 'v1', kind: 'Service', name: 'event-display', namespace: NS }, uri: '/events' } }), broker(), k8sService('event-display')],
    wantStatusUpdates: [
      {
        ...trigger({ subscriber: { ref: { apiVersion: 'v1', kind: 'Service', name: 'event-display', namespace: NS }, uri: '/events' } }),
        status: triggerStatus({}, { subscriberUri: `http://event-display.${NS}.svc.cluster.local/events` }),
      },
    ],
  },
  {
    name: 'dependency annotation naming a missing source: DependencyReady=False (the trigger still receives events)',
    key: `${NS}/t1`,
    objects: [trigger({}, { 'knative.dev/dependency': '{"kind":"PingSource","name":"ping","apiVersion":"sources.knative.dev/v1"}' }), broker(), ksvc('event-display')],
    wantStatusUpdates: [
      {
        ...trigger({}, { 'knative.dev/dependency': '{"kind":"PingSource","name":"ping","apiVersion":"sources.knative.dev/v1"}' }),
        status: triggerStatus({ [C.dependency]: cond(C.dependency, 'False', 'DependencyDoesNotExist', 'Dependency does not exist: PingSource "ping" not found') }, { subscriberUri: SUB_URI }),
      },
    ],
    postConditions: (ctx) => assert.deepEqual(planeOf(ctx).calls, [`upsertTrigger ${NS}/b1/t1`]),
  },
  {
    name: "dependency ready: its Ready condition is propagated",
    key: `${NS}/t1`,
    objects: [
      trigger({}, { 'knative.dev/dependency': '{"kind":"PingSource","name":"ping","apiVersion":"sources.knative.dev/v1"}' }),
      broker(),
      ksvc('event-display'),
      { apiVersion: 'sources.knative.dev/v1', kind: 'PingSource', metadata: meta('ping'), spec: {}, status: { observedGeneration: 1, conditions: [cond('Ready', 'True')] } },
    ],
    wantStatusUpdates: [{ ...trigger({}, { 'knative.dev/dependency': '{"kind":"PingSource","name":"ping","apiVersion":"sources.knative.dev/v1"}' }), status: triggerStatus({}, { subscriberUri: SUB_URI }) }],
  },
];

const failRows: TableRow[] = [
  {
    name: 'the data plane refuses: SubscriptionReady=False NotSubscribed, error returned',
    key: `${NS}/t1`,
    objects: [trigger(), broker(), ksvc('event-display')],
    wantErr: 'induced upsertTrigger failure',
    wantStatusUpdates: [
      {
        ...trigger(),
        status: triggerStatus(
          { [C.subscriptionReady]: cond(C.subscriptionReady, 'False', 'NotSubscribed', 'induced upsertTrigger failure'), [C.dependency]: unknown(C.dependency) },
          { subscriberUri: SUB_URI },
        ),
      },
    ],
    wantEvents: ['Warning InternalError induced upsertTrigger failure'],
  },
];

describe('TriggerReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newTriggerReconciler(deps, w)));
  runTable(failRows, factoryFor((deps, w) => newTriggerReconciler(deps, w), () => new FakeDataPlane().fail('upsertTrigger')));

  test('a deleted trigger is removed from the data plane; a broker turning ready re-enqueues its triggers', async () => {
    const plane = new FakeDataPlane();
    const enqueued: string[] = [];
    const { ctx, reconciler } = await setupRow([trigger(), broker({ ready: 'Unknown' }), ksvc('event-display')], (c) =>
      factoryFor((d, w) => {
        w.controller = { enqueueKey: (k: string) => enqueued.push(k) } as never;
        return newTriggerReconciler(d, w);
      }, () => plane)(c),
    );
    await reconciler.reconcile(`${NS}/t1`);
    assert.deepEqual(plane.calls, []);
    const b = ctx.client.peek('eventing.knative.dev/brokers', NS, 'b1')!;
    await ctx.client.updateStatus('eventing.knative.dev/brokers', { ...structuredClone(b), status: { ...b.status, conditions: [cond('Ready', 'True')] } });
    await settle();
    assert.ok(enqueued.includes(`${NS}/t1`));
    await reconciler.reconcile(`${NS}/t1`);
    assert.deepEqual(plane.calls, [`upsertTrigger ${NS}/b1/t1`]);
    await ctx.client.delete('eventing.knative.dev/triggers', NS, 't1');
    await settle();
    await reconciler.reconcile(`${NS}/t1`);
    assert.deepEqual(plane.calls, [`upsertTrigger ${NS}/b1/t1`, `deleteTrigger ${NS}/b1/t1`]);
    ctx.informers.stop();
  });
});
