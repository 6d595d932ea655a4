import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, setupRow, settle, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { FakeDataPlane } from '../testing/fake-dataplane.js';
import { NS, T0, cond, conds, factoryFor, ksvc, ksvcRef, meta, planeOf } from '../testing/builders.js';
import { newBrokerReconciler } from './reconciler.js';

const URL = `http://broker-ingress.knative-eventing.svc.cluster.local/${NS}/b1`;
const DELIVERY = { retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' };

function broker(cls: string, spec: Record<string, unknown> = { delivery: DELIVERY }, status?: Record<string, unknown>): KObject {
  const b: KObject = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: meta('b1', { annotations: { 'eventing.knative.dev/broker.class': cls } }), spec };
  if (status) b.status = status;
  return b;
}

const DLS_NOT_CONFIGURED = cond(C.dls, 'True', 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.');

function readyMT(extra: Record<string, unknown> = {}, dls = DLS_NOT_CONFIGURED) {
  return {
    ...extra,
    address: { name: 'http', url: URL },
    observedGeneration: 1,
    conditions: conds(cond(C.addressable, 'True'), dls, cond(C.filter, 'True'), cond(C.ingress, 'True'), cond('Ready', 'True'), cond(C.triggerChannel, 'True')),
  };
}

const mtConfigMap = (kind: string): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: meta('my-channel'),
  data: { 'channel-template-spec': `apiVersion: messaging.knative.dev/v1\nkind: ${kind}\n` },
});

const failRows: TableRow[] = [
  {
    name: 'the data plane refuses: error returned for retry, TriggerChannelReady=False ChannelFailure',
    key: `${NS}/b1`,
    objects: [broker('MTChannelBasedBroker', {})],
    wantErr: 'induced upsertBroker failure',
    wantStatusUpdates: [
      {
        ...broker('MTChannelBasedBroker', {}),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'Unknown'),
            DLS_NOT_CONFIGURED,
            cond(C.filter, 'Unknown'),
            cond(C.ingress, 'Unknown'),
            cond('Ready', 'False', 'ChannelFailure', 'induced upsertBroker failure'),
            cond(C.triggerChannel, 'False', 'ChannelFailure', 'induced upsertBroker failure'),
          ),
        },
      },
    ],
    wantEvents: ['Warning InternalError induced upsertBroker failure'],
  },
];

const rows: TableRow[] = [
  {
    name: 'MTChannelBasedBroker: registered with the data plane, address as Knative writes it, 6 conditions True',
    key: `${NS}/b1`,
    objects: [broker('MTChannelBasedBroker')],
    wantStatusUpdates: [{ ...broker('MTChannelBasedBroker'), status: readyMT() }],
    postConditions: (ctx) => {
      const plane = planeOf(ctx);
      assert.deepEqual(plane.calls, [`upsertBroker ${NS}/b1`]);
      assert.deepEqual(plane.brokers.get(`${NS}/b1`), { class: 'MTChannelBasedBroker', delivery: { retry: 10, backoffPolicy: 'exponential', backoffDelayMs: 200, format: 'binary' } });
    },
  },
  {
    name: 'SkiffLogBroker with a dead-letter sink: deadLetterSinkUri resolved, EventLogReady instead of TriggerChannelReady',
    key: `${NS}/b1`,
    objects: [broker('SkiffLogBroker', { delivery: { ...DELIVERY, deadLetterSink: ksvcRef('dls') } }), ksvc('dls')],
    wantStatusUpdates: [
      {
        ...broker('SkiffLogBroker', { delivery: { ...DELIVERY, deadLetterSink: ksvcRef('dls') } }),
        status: {
          address: { name: 'http', url: URL },
          deadLetterSinkUri: `http://dls.${NS}.svc.cluster.local`,
          observedGeneration: 1,
          conditions: conds(cond(C.addressable, 'True'), cond(C.dls, 'True'), cond(C.eventLog, 'True'), cond(C.filter, 'True'), cond(C.ingress, 'True'), cond('Ready', 'True')),
        },
      },
    ],
    postConditions: (ctx) => {
      const cfg = planeOf(ctx).brokers.get(`${NS}/b1`)!;
      assert.equal(cfg.class, 'SkiffLogBroker');
      assert.equal(cfg.deadLetterUri, `http://dls.${NS}.svc.cluster.local`);
      assert.equal(cfg.delivery?.deadLetterSinkUri, `http://dls.${NS}.svc.cluster.local`);
    },
  },
  {
    name: 'dead-letter sink that does not exist (yet): DeadLetterSinkResolved=False, not registered, the sink is tracked',
    key: `${NS}/b1`,
    objects: [broker('MTChannelBasedBroker', { delivery: { deadLetterSink: ksvcRef('missing') } })],
    wantStatusUpdates: [
      {
        ...broker('MTChannelBasedBroker', { delivery: { deadLetterSink: ksvcRef('missing') } }),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'Unknown'),
            cond(C.dls, 'False', "Unable to get the dead letter sink's URI", 'failed to get object default/missing: services.serving.knative.dev "missing" not found'),
            cond(C.filter, 'Unknown'),
            cond(C.ingress, 'Unknown'),
            cond('Ready', 'False', "Unable to get the dead letter sink's URI", 'failed to get object default/missing: services.serving.knative.dev "missing" not found'),
            cond(C.triggerChannel, 'Unknown'),
          ),
        },
      },
    ],
    postConditions: (ctx) => assert.deepEqual(planeOf(ctx).calls, []),
  },
  {
    name: 'an MT broker whose config map asks for another channel kind: TriggerChannelReady=False ChannelTemplateFailed',
    key: `${NS}/b1`,
    objects: [broker('MTChannelBasedBroker', { config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'my-channel', namespace: NS } }), mtConfigMap('KafkaChannel')],
    wantStatusUpdates: [
      {
        ...broker('MTChannelBasedBroker', { config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'my-channel', namespace: NS } }),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'Unknown'),
            cond(C.dls, 'Unknown'),
            cond(C.filter, 'Unknown'),
            cond(C.ingress, 'Unknown'),
            cond('Ready', 'False', 'ChannelTemplateFailed', "Error on setting up the ChannelTemplate: channel kind KafkaChannel (messaging.knative.dev/v1) is not supported by Skiff's MTChannelBasedBroker, which runs on the in-memory channel: use kind InMemoryChannel, or broker class SkiffLogBroker"),
            cond(C.triggerChannel, 'False', 'ChannelTemplateFailed', "Error on setting up the ChannelTemplate: channel kind KafkaChannel (messaging.knative.dev/v1) is not supported by Skiff's MTChannelBasedBroker, which runs on the in-memory channel: use kind InMemoryChannel, or broker class SkiffLogBroker"),
          ),
        },
      },
    ],
  },
  {
    name: 'an MT broker whose config map has an InMemoryChannel template is fine',
    key: `${NS}/b1`,
    objects: [broker('MTChannelBasedBroker', { config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'my-channel', namespace: NS } }), mtConfigMap('InMemoryChannel')],
    wantStatusUpdates: [{ ...broker('MTChannelBasedBroker', { config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'my-channel', namespace: NS } }), status: readyMT() }],
  },
  {
    name: 'a class no data plane implements: Ready=False BrokerClassNotSupported',
    key: `${NS}/b1`,
    objects: [broker('Kafka')],
    wantStatusUpdates: [
      {
        ...broker('Kafka'),
        status: { observedGeneration: 1, conditions: [cond('Ready', 'False', 'BrokerClassNotSupported', 'Broker class "Kafka" is not supported here; use one of MTChannelBasedBroker, SkiffLogBroker')] },
      },
    ],
  },
  {
    name: 'steady state: no status write (the plane is refreshed idempotently)',
    key: `${NS}/b1`,
    objects: [broker('MTChannelBasedBroker', { delivery: DELIVERY }, readyMT())],
    postConditions: (ctx) => assert.deepEqual(planeOf(ctx).calls, [`upsertBroker ${NS}/b1`]),
  },
];

describe('BrokerReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newBrokerReconciler(deps, w)));
  runTable(failRows, factoryFor((deps, w) => newBrokerReconciler(deps, w), () => new FakeDataPlane().fail('upsertBroker')));

  test('a deleted broker is removed from the data plane; a late dead-letter sink re-enqueues the broker', async () => {
    const plane = new FakeDataPlane();
    const enqueued: string[] = [];
    const { ctx, reconciler } = await setupRow([broker('MTChannelBasedBroker', { delivery: { deadLetterSink: ksvcRef('late') } })], (c) => {
      const r = factoryFor((d, w) => {
        w.controller = { enqueueKey: (k: string) => enqueued.push(k) } as never;
        return newBrokerReconciler(d, w);
      }, () => plane)(c);
      return r;
    });
    await reconciler.reconcile(`${NS}/b1`);
    assert.deepEqual(plane.calls, []);
    await ctx.client.create('serving.knative.dev/services', ksvc('late'));
    await settle();
    assert.deepEqual(enqueued, [`${NS}/b1`]);
    await reconciler.reconcile(`${NS}/b1`);
    assert.deepEqual(plane.calls, [`upsertBroker ${NS}/b1`]);
    const stored = ctx.client.peek('eventing.knative.dev/brokers', NS, 'b1')!;
    assert.equal(stored.status.deadLetterSinkUri, `http://late.${NS}.svc.cluster.local`);
    assert.equal(stored.status.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');

    await ctx.client.delete('eventing.knative.dev/brokers', NS, 'b1');
    await settle();
    await reconciler.reconcile(`${NS}/b1`);
    assert.deepEqual(plane.calls, [`upsertBroker ${NS}/b1`, `deleteBroker ${NS}/b1`]);
    assert.equal(T0, '2024-01-01T00:00:00Z');
    ctx.informers.stop();
  });
});
