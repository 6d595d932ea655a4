import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { NS, T0, cond, conds, factoryFor, ksvcRef, meta } from '../testing/builders.js';
import { makeBranchSubscription, makeFilterSubscription, newParallelReconciler } from './reconciler.js';

const IMC = { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' };
const OWNER = [{ apiVersion: 'flows.knative.dev/v1', kind: 'Parallel', name: 'filetype-parallel', uid: 'filetype-parallel-uid', controller: true, blockOwnerDeletion: true }];
const P = 'filetype-parallel';

function parallel(): KObject {
  return {
    apiVersion: 'flows.knative.dev/v1',
    kind: 'Parallel',
    metadata: meta(P),
    spec: {
      channelTemplate: IMC,
      branches: [
        { filter: ksvcRef('image-filter'), subscriber: ksvcRef('para-appender-image') },
        { subscriber: ksvcRef('para-appender-text'), reply: ksvcRef('text-reply'), delivery: { retry: 2 } },
      ],
      reply: ksvcRef('event-display'),
    },
  };
}

const created = (name: string): KObject => ({ ...IMC, metadata: { name, namespace: NS, ownerReferences: OWNER }, spec: {} });
const subMeta = (name: string) => ({ name, namespace: NS, ownerReferences: OWNER });

function readyChannel(name: string): KObject {
  return { ...IMC, metadata: meta(name, { ownerReferences: OWNER }), spec: {}, status: { address: { name: 'http', url: `http://${name}-kn-channel.${NS}.svc.cluster.local` }, conditions: [cond('Ready', 'True')] } };
}

function readySub(s: KObject): KObject {
  return { ...s, metadata: { ...meta(s.metadata.name!), ownerReferences: OWNER }, status: { conditions: [cond('Ready', 'True')] } };
}

const NO_READY = (what: string) => ({ type: 'Ready', status: 'Unknown', reason: 'NoReady', message: `${what} does not have Ready condition`, lastTransitionTime: T0 });
const NOT_ADDRESSABLE = { type: 'Ready', status: 'False', reason: 'NotAddressable', message: 'Channel is not addressable' };
const subRef = (name: string) => ({ apiVersion: 'messaging.knative.dev/v1', kind: 'Subscription', name, namespace: NS });
const chRef = (name: string) => ({ ...IMC, name, namespace: NS });

const rows: TableRow[] = [
  {
    name: 'new Parallel: ingress + branch channels, filter subscriptions on the ingress channel, branch subscriptions',
    key: `${NS}/${P}`,
    objects: [parallel()],
    wantCreates: [
      created(`${P}-kn-parallel`),
      created(`${P}-kn-parallel-0`),
      created(`${P}-kn-parallel-1`),
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: subMeta(`${P}-kn-parallel-filter-0`),
        spec: { channel: { ...IMC, name: `${P}-kn-parallel` }, subscriber: ksvcRef('image-filter'), reply: { ref: chRef(`${P}-kn-parallel-0`) } },
      },
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: subMeta(`${P}-kn-parallel-0`),
        spec: { channel: { ...IMC, name: `${P}-kn-parallel-0` }, subscriber: ksvcRef('para-appender-image'), reply: ksvcRef('event-display') },
      },
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: subMeta(`${P}-kn-parallel-filter-1`),
        spec: { channel: { ...IMC, name: `${P}-kn-parallel` }, subscriber: { ref: chRef(`${P}-kn-parallel-1`) } },
      },
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: subMeta(`${P}-kn-parallel-1`),
        spec: { channel: { ...IMC, name: `${P}-kn-parallel-1` }, subscriber: ksvcRef('para-appender-text'), delivery: { retry: 2 }, reply: ksvcRef('text-reply') },
      },
    ],
    wantStatusUpdates: [
      {
        ...parallel(),
        status: {
          observedGeneration: 1,
          ingressChannelStatus: { channel: chRef(`${P}-kn-parallel`), ready: NOT_ADDRESSABLE },
          branchStatuses: [0, 1].map((i) => ({
            filterSubscriptionStatus: { subscription: subRef(`${P}-kn-parallel-filter-${i}`), ready: NO_READY('Subscription') },
            filterChannelStatus: { channel: chRef(`${P}-kn-parallel-${i}`), ready: NOT_ADDRESSABLE },
            subscriberSubscriptionStatus: { subscription: subRef(`${P}-kn-parallel-${i}`), ready: NO_READY('Subscription') },
          })),
          conditions: conds(
            cond(C.addressable, 'False', 'emptyAddress', 'addressable is nil'),
            cond(C.channelsReady, 'False', 'ChannelsNotReady', 'Channels are not ready yet, or there are none'),
            cond('Ready', 'False', 'SubscriptionsNotReady', 'Subscriptions are not ready yet, or there are none'),
            cond(C.subscriptionsReady, 'False', 'SubscriptionsNotReady', 'Subscriptions are not ready yet, or there are none'),
          ),
        },
      },
    ],
  },
  {
    name: "everything ready: the Parallel's address is the ingress channel's (seed: filetype-parallel-kn-parallel-kn-channel)",
    key: `${NS}/${P}`,
    objects: [
      parallel(),
      readyChannel(`${P}-kn-parallel`),
      readyChannel(`${P}-kn-parallel-0`),
      readyChannel(`${P}-kn-parallel-1`),
      readySub(makeFilterSubscription(parallel(), 0)),
      readySub(makeFilterSubscription(parallel(), 1)),
      readySub(makeBranchSubscription(parallel(), 0)),
      readySub(makeBranchSubscription(parallel(), 1)),
    ],
    wantStatusUpdates: [
      {
        ...parallel(),
        status: {
          observedGeneration: 1,
          address: { name: 'http', url: `http://${P}-kn-parallel-kn-channel.${NS}.svc.cluster.local` },
          ingressChannelStatus: { channel: chRef(`${P}-kn-parallel`), ready: { type: 'Ready', status: 'True' } },
          branchStatuses: [0, 1].map((i) => ({
            filterSubscriptionStatus: { subscription: subRef(`${P}-kn-parallel-filter-${i}`), ready: cond('Ready', 'True') },
            filterChannelStatus: { channel: chRef(`${P}-kn-parallel-${i}`), ready: { type: 'Ready', status: 'True' } },
            subscriberSubscriptionStatus: { subscription: subRef(`${P}-kn-parallel-${i}`), ready: cond('Ready', 'True') },
          })),
          conditions: conds(cond(C.addressable, 'True'), cond(C.channelsReady, 'True'), cond('Ready', 'True'), cond(C.subscriptionsReady, 'True')),
        },
      },
    ],
    postConditions: (ctx) => assert.deepEqual(ctx.client.creates(), []),
  },
];

describe('ParallelReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newParallelReconciler(deps, w)));
});
