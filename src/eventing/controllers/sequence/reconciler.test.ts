import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { NS, T0, cond, conds, factoryFor, ksvcRef, meta } from '../testing/builders.js';
import { makeSequenceSubscription, newSequenceReconciler } from './reconciler.js';

const IMC = { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' };
const OWNER = [{ apiVersion: 'flows.knative.dev/v1', kind: 'Sequence', name: 'sq-demo', uid: 'sq-demo-uid', controller: true, blockOwnerDeletion: true }];

function seq(steps = ['sq-appender-01', 'sq-appender-02', 'sq-appender-03'], extra: Record<string, unknown> = { reply: ksvcRef('event-display') }, status?: Record<string, unknown>): KObject {
  const o: KObject = {
    apiVersion: 'flows.knative.dev/v1',
    kind: 'Sequence',
    metadata: meta('sq-demo'),
    spec: { channelTemplate: IMC, steps: steps.map((s) => ksvcRef(s)), ...extra },
  };
  if (status) o.status = status;
  return o;
}

function channel(i: number, ready = true): KObject {
  const name = `sq-demo-kn-sequence-${i}`;
  return {
    ...IMC,
    metadata: meta(name, { ownerReferences: OWNER }),
    spec: {},
    status: ready ? { address: { name: 'http', url: `http://${name}-kn-channel.${NS}.svc.cluster.local` }, conditions: [cond('Ready', 'True')] } : undefined,
  };
}

function subscription(i: number, s = seq()): KObject {
  const sub = makeSequenceSubscription(s, i);
  return { ...sub, metadata: { ...meta(sub.metadata.name!), ownerReferences: OWNER }, status: { conditions: [cond('Ready', 'True')] } };
}

const createdChannel = (i: number): KObject => ({ ...IMC, metadata: { name: `sq-demo-kn-sequence-${i}`, namespace: NS, ownerReferences: OWNER }, spec: {} });

const rows: TableRow[] = [
  {
    name: 'new Sequence: creates {seq}-kn-sequence-{i} channels and subscriptions chained step → next channel → reply',
    key: `${NS}/sq-demo`,
    objects: [seq()],
    wantCreates: [
      createdChannel(0),
      createdChannel(1),
      createdChannel(2),
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: { name: 'sq-demo-kn-sequence-0', namespace: NS, ownerReferences: OWNER },
        spec: {
          channel: { ...IMC, name: 'sq-demo-kn-sequence-0' },
          subscriber: ksvcRef('sq-appender-01'),
          reply: { ref: { ...IMC, name: 'sq-demo-kn-sequence-1', namespace: NS } },
        },
      },
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: { name: 'sq-demo-kn-sequence-1', namespace: NS, ownerReferences: OWNER },
        spec: {
          channel: { ...IMC, name: 'sq-demo-kn-sequence-1' },
          subscriber: ksvcRef('sq-appender-02'),
          reply: { ref: { ...IMC, name: 'sq-demo-kn-sequence-2', namespace: NS } },
        },
      },
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: { name: 'sq-demo-kn-sequence-2', namespace: NS, ownerReferences: OWNER },
        spec: { channel: { ...IMC, name: 'sq-demo-kn-sequence-2' }, subscriber: ksvcRef('sq-appender-03'), reply: ksvcRef('event-display') },
      },
    ],
    wantStatusUpdates: [
      {
        ...seq(),
        status: {
          observedGeneration: 1,
          channelStatuses: [0, 1, 2].map((i) => ({
            channel: { ...IMC, name: `sq-demo-kn-sequence-${i}`, namespace: NS },
            ready: { type: 'Ready', status: 'Unknown', reason: 'NoReady', message: 'Channel does not have Ready condition', lastTransitionTime: T0 },
          })),
          subscriptionStatuses: [0, 1, 2].map((i) => ({
            subscription: { apiVersion: 'messaging.knative.dev/v1', kind: 'Subscription', name: `sq-demo-kn-sequence-${i}`, namespace: NS },
            ready: { type: 'Ready', status: 'Unknown', reason: 'NoReady', message: 'Subscription does not have Ready condition', lastTransitionTime: T0 },
          })),
          conditions: conds(
            cond(C.addressable, 'Unknown', 'emptyAddress', 'addressable is nil'),
            cond(C.channelsReady, 'Unknown', 'ChannelsNotReady', 'Channels are not ready yet, or there are none'),
            cond('Ready', 'Unknown', 'SubscriptionsNotReady', 'Subscriptions are not ready yet, or there are none'),
            cond(C.subscriptionsReady, 'Unknown', 'SubscriptionsNotReady', 'Subscriptions are not ready yet, or there are none'),
          ),
        },
      },
    ],
  },
  {
    name: "all children ready: address = channel 0's (as the seed's `kubectl get sequence` URL), Ready=True",
    key: `${NS}/sq-demo`,
    objects: [seq(), channel(0), channel(1), channel(2), subscription(0), subscription(1), subscription(2)],
    wantStatusUpdates: [
      {
        ...seq(),
        status: {
          observedGeneration: 1,
          address: { url: `http://sq-demo-kn-sequence-0-kn-channel.${NS}.svc.cluster.local` },
          channelStatuses: [0, 1, 2].map((i) => ({ channel: { ...IMC, name: `sq-demo-kn-sequence-${i}`, namespace: NS }, ready: cond('Ready', 'True') })),
          subscriptionStatuses: [0, 1, 2].map((i) => ({
            subscription: { apiVersion: 'messaging.knative.dev/v1', kind: 'Subscription', name: `sq-demo-kn-sequence-${i}`, namespace: NS },
            ready: cond('Ready', 'True'),
          })),
          conditions: conds(cond(C.addressable, 'True'), cond(C.channelsReady, 'True'), cond('Ready', 'True'), cond(C.subscriptionsReady, 'True')),
        },
      },
    ],
  },
  {
    name: 'a step removed: its channel and subscription are deleted; the new last step replies to spec.reply',
    key: `${NS}/sq-demo`,
    objects: [seq(['sq-appender-01', 'sq-appender-02']), channel(0), channel(1), channel(2), subscription(0), subscription(1), subscription(2)],
    wantUpdates: [
      {
        ...subscription(1),
        spec: { channel: { ...IMC, name: 'sq-demo-kn-sequence-1' }, subscriber: ksvcRef('sq-appender-02'), reply: ksvcRef('event-display') },
      },
    ],
    wantDeletes: [
      { namespace: NS, name: 'sq-demo-kn-sequence-2' },
      { namespace: NS, name: 'sq-demo-kn-sequence-2' },
    ],
    postConditions: (ctx) => {
      assert.deepEqual(ctx.client.deletes().map((d) => d.gr), ['messaging.knative.dev/inmemorychannels', 'messaging.knative.dev/subscriptions']);
      const st = ctx.client.peek('flows.knative.dev/sequences', NS, 'sq-demo')!.status;
      assert.equal(st.channelStatuses.length, 2);
      assert.equal(st.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');
    },
    wantStatusUpdates: [
      {
        ...seq(['sq-appender-01', 'sq-appender-02']),
        status: {
          observedGeneration: 1,
          address: { url: `http://sq-demo-kn-sequence-0-kn-channel.${NS}.svc.cluster.local` },
          channelStatuses: [0, 1].map((i) => ({ channel: { ...IMC, name: `sq-demo-kn-sequence-${i}`, namespace: NS }, ready: cond('Ready', 'True') })),
          subscriptionStatuses: [0, 1].map((i) => ({
            subscription: { apiVersion: 'messaging.knative.dev/v1', kind: 'Subscription', name: `sq-demo-kn-sequence-${i}`, namespace: NS },
            ready: cond('Ready', 'True'),
          })),
          conditions: conds(cond(C.addressable, 'True'), cond(C.channelsReady, 'True'), cond('Ready', 'True'), cond(C.subscriptionsReady, 'True')),
        },
      },
    ],
  },
  {
    name: 'a channel of that name owned by someone else: ChannelsReady=Unknown, no retry',
    key: `${NS}/sq-demo`,
    objects: [seq(['a']), { ...channel(0), metadata: meta('sq-demo-kn-sequence-0') }],
    wantStatusUpdates: [
      {
        ...seq(['a']),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'Unknown'),
            cond(C.channelsReady, 'Unknown', 'ChannelsNotReady', 'failed to reconcile channel sq-demo-kn-sequence-0 at step 0: InMemoryChannel "sq-demo-kn-sequence-0" already exists and is not owned by Sequence "sq-demo"'),
            cond('Ready', 'Unknown', 'ChannelsNotReady', 'failed to reconcile channel sq-demo-kn-sequence-0 at step 0: InMemoryChannel "sq-demo-kn-sequence-0" already exists and is not owned by Sequence "sq-demo"'),
            cond(C.subscriptionsReady, 'Unknown'),
          ),
        },
      },
    ],
  },
];

describe('SequenceReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newSequenceReconciler(deps, w)));
});
