import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, setupRow, settle, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { FakeDataPlane } from '../testing/fake-dataplane.js';
import { NS, cond, conds, factoryFor, ksvcRef, meta, planeOf } from '../testing/builders.js';
import { makeChannelService, newInMemoryChannelReconciler } from './reconciler.js';

function imc(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KObject {
  const o: KObject = { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', metadata: meta('imc01', { annotations: { 'messaging.knative.dev/subscribable': 'v1' } }), spec };
  if (status) o.status = status;
  return o;
}

const ADDRESS = { name: 'http', url: `http://imc01-kn-channel.${NS}.svc.cluster.local` };
const DLS_NC = cond(C.dls, 'True', 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.');

function readyStatus(extra: Record<string, unknown> = {}, dls = DLS_NC) {
  return {
    address: ADDRESS,
    observedGeneration: 1,
    ...extra,
    conditions: conds(cond(C.addressable, 'True'), cond(C.channelServiceReady, 'True'), dls, cond(C.endpointsReady, 'True'), cond('Ready', 'True'), cond(C.serviceReady, 'True')),
  };
}

const SUBS = [
  { name: 'sub01', uid: 'sub01-uid', generation: 2, subscriberUri: 'http://event-display.default.svc.cluster.local', delivery: { retry: 3, deadLetterSink: { uri: 'http://dls.default.svc.cluster.local' } } },
  { name: 'sub02', uid: 'sub02-uid', generation: 1, subscriberUri: 'http://mirror.default.svc.cluster.local', replyUri: 'http://reply.default.svc.cluster.local' },
];

const rows: TableRow[] = [
  {
    name: 'new channel: owned ExternalName Service {name}-kn-channel created, address as Knative, registered on the memory backend',
    key: `${NS}/imc01`,
    objects: [imc()],
    wantCreates: [makeChannelService(imc())],
    wantStatusUpdates: [{ ...imc(), status: readyStatus() }],
    postConditions: (ctx) => {
      const plane = planeOf(ctx);
      assert.deepEqual(plane.calls, [`upsertChannel ${NS}/imc01`]);
      assert.deepEqual(plane.channels.get(`${NS}/imc01`), { backend: 'memory', subscribers: [] });
      assert.deepEqual(makeChannelService(imc()).spec, {
        type: 'ExternalName',
        externalName: 'imc-dispatcher.knative-eventing.svc.cluster.local',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
      });
    },
  },
  {
    name: 'subscribers from spec are compiled for the data plane and reported ready in status.subscribers',
    key: `${NS}/imc01`,
    objects: [imc({ subscribers: SUBS }), makeChannelService(imc())],
    wantStatusUpdates: [
      {
        ...imc({ subscribers: SUBS }),
        status: readyStatus({
          subscribers: [
            { uid: 'sub01-uid', observedGeneration: 2, ready: 'True' },
            { uid: 'sub02-uid', observedGeneration: 1, ready: 'True' },
          ],
        }),
      },
    ],
    postConditions: (ctx) => {
      const cfg = planeOf(ctx).channels.get(`${NS}/imc01`)!;
      assert.deepEqual(cfg.subscribers, [
        {
          uid: 'sub01-uid',
          subscriberUri: 'http://event-display.default.svc.cluster.local',
          delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelayMs: 0, format: 'binary', deadLetterSinkUri: 'http://dls.default.svc.cluster.local' },
          deadLetterUri: 'http://dls.default.svc.cluster.local',
        },
        { uid: 'sub02-uid', subscriberUri: 'http://mirror.default.svc.cluster.local', replyUri: 'http://reply.default.svc.cluster.local' },
      ]);
    },
  },
  {
    name: 'a Service of that name we do not own: ChannelServiceReady=False, nothing registered',
    key: `${NS}/imc01`,
    objects: [imc(), { ...makeChannelService(imc()), metadata: { name: 'imc01-kn-channel', namespace: NS } }],
    wantStatusUpdates: [
      {
        ...imc(),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'Unknown'),
            cond(C.channelServiceReady, 'False', 'ChannelServiceFailed', 'Channel Service failed: inmemorychannel: imc01 does not own Service: "imc01-kn-channel"'),
            cond(C.dls, 'Unknown'),
            cond(C.endpointsReady, 'Unknown'),
            cond('Ready', 'False', 'ChannelServiceFailed', 'Channel Service failed: inmemorychannel: imc01 does not own Service: "imc01-kn-channel"'),
            cond(C.serviceReady, 'Unknown'),
          ),
        },
      },
    ],
    postConditions: (ctx) => assert.deepEqual(planeOf(ctx).calls, []),
  },
  {
    name: 'dead-letter sink not found: DeadLetterSinkResolved=False',
    key: `${NS}/imc01`,
    objects: [imc({ delivery: { deadLetterSink: ksvcRef('nope') } }), makeChannelService(imc())],
    wantStatusUpdates: [
      {
        ...imc({ delivery: { deadLetterSink: ksvcRef('nope') } }),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'Unknown'),
            cond(C.channelServiceReady, 'True'),
            cond(C.dls, 'False', "Unable to get the DeadLetterSink's URI", 'failed to get object default/nope: services.serving.knative.dev "nope" not found'),
            cond(C.endpointsReady, 'Unknown'),
            cond('Ready', 'False', "Unable to get the DeadLetterSink's URI", 'failed to get object default/nope: services.serving.knative.dev "nope" not found'),
            cond(C.serviceReady, 'Unknown'),
          ),
        },
      },
    ],
  },
];

describe('InMemoryChannelReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newInMemoryChannelReconciler(deps, w)));

  test('a deleted channel is removed from the data plane', async () => {
    const plane = new FakeDataPlane();
    const { ctx, reconciler } = await setupRow([imc(), makeChannelService(imc())], factoryFor((d, w) => newInMemoryChannelReconciler(d, w), () => plane));
    await reconciler.reconcile(`${NS}/imc01`);
    await ctx.client.delete('messaging.knative.dev/inmemorychannels', NS, 'imc01');
    await settle();
    await reconciler.reconcile(`${NS}/imc01`);
    assert.deepEqual(plane.calls, [`upsertChannel ${NS}/imc01`, `deleteChannel ${NS}/imc01`]);
    ctx.informers.stop();
  });
});
