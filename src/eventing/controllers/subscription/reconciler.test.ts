import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { NS, T0, cond, conds, factoryFor, ksvc, ksvcRef, meta } from '../testing/builders.js';
import { newSubscriptionReconciler } from './reconciler.js';

const FINALIZER = 'subscriptions.messaging.knative.dev';
const IMC_REF = { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', name: 'imc01' };

function sub(spec: Record<string, unknown> = {}, extra: Partial<KObject['metadata']> = {}, status?: Record<string, unknown>): KObject {
  const o: KObject = {
    apiVersion: 'messaging.knative.dev/v1',
    kind: 'Subscription',
    metadata: meta('sub01', { finalizers: [FINALIZER], ...extra }),
    spec: { channel: IMC_REF, subscriber: ksvcRef('event-display'), ...spec },
  };
  if (status) o.status = status;
  return o;
}

function imc(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'messaging.knative.dev/v1',
    kind: 'InMemoryChannel',
    metadata: meta('imc01'),
    spec,
    status: { address: { name: 'http', url: `http://imc01-kn-channel.${NS}.svc.cluster.local` }, conditions: [cond('Ready', 'True')], observedGeneration: 1, ...status },
  };
}

function channel(ready: boolean): KObject {
  return {
    apiVersion: 'messaging.knative.dev/v1',
    kind: 'Channel',
    metadata: meta('ch1'),
    spec: { channelTemplate: { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' } },
    status: ready
      ? { observedGeneration: 1, channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', name: 'imc01', namespace: NS }, conditions: [cond('Ready', 'True')] }
      : { observedGeneration: 1, conditions: [cond('Ready', 'Unknown')] },
  };
}

const SUB_URI = `http://event-display.${NS}.svc.cluster.local`;
const ENTRY = { name: 'sub01', uid: 'sub01-uid', generation: 1, subscriberUri: SUB_URI };

function status(c: { refs?: ReturnType<typeof cond>; added?: ReturnType<typeof cond>; chReady?: ReturnType<typeof cond> }, ps?: Record<string, string>) {
  const refs = c.refs ?? cond(C.referencesResolved, 'True');
  const added = c.added ?? cond(C.addedToChannel, 'True');
  const chReady = c.chReady ?? cond(C.channelReady, 'Unknown');
  const deps = [refs, added, chReady];
  const bad = deps.find((x) => x.status === 'False') ?? deps.find((x) => x.status !== 'True');
  const ready = bad ? cond('Ready', bad.status, bad.reason, bad.message) : cond('Ready', 'True');
  return { ...(ps ? { physicalSubscription: ps } : {}), observedGeneration: 1, conditions: conds(refs, added, chReady, ready) };
}

const rows: TableRow[] = [
  {
    name: 'first reconcile adds the finalizer, then (channel missing) ReferencesResolved=Unknown ChannelReferenceFailed',
    key: `${NS}/sub01`,
    objects: [sub({}, { finalizers: undefined })],
    wantPatches: [{ namespace: NS, name: 'sub01', patch: { metadata: { finalizers: [FINALIZER] } } }],
    wantStatusUpdates: [
      {
        ...sub(),
        metadata: { ...sub().metadata, resourceVersion: '2' },
        status: status({
          refs: cond(C.referencesResolved, 'Unknown', 'ChannelReferenceFailed', 'Failed to get Spec.Channel or backing channel: inmemorychannels.messaging.knative.dev "imc01" not found'),
          added: cond(C.addedToChannel, 'Unknown'),
        }),
      },
    ],
    wantEvents: ['Warning ChannelReferenceFailed Failed to get Spec.Channel or backing channel: inmemorychannels.messaging.knative.dev "imc01" not found'],
  },
  {
    name: 'resolves the subscriber and writes the SubscriberSpec into the channel (merge patch); Normal SubscriberSync',
    key: `${NS}/sub01`,
    objects: [sub(), imc(), ksvc('event-display')],
    wantPatches: [{ namespace: NS, name: 'imc01', patch: { metadata: {}, spec: { subscribers: [ENTRY] } } }],
    wantStatusUpdates: [{ ...sub(), status: status({}, { subscriberUri: SUB_URI }) }],
    wantEvents: ['Normal SubscriberSync Subscription was synchronized to channel "imc01"'],
  },
  {
    name: 'already in the channel and marked ready there: ChannelReady=True, Ready=True, no patch',
    key: `${NS}/sub01`,
    objects: [sub(), imc({ subscribers: [ENTRY] }, { subscribers: [{ uid: 'sub01-uid', observedGeneration: 1, ready: 'True' }] }), ksvc('event-display')],
    wantStatusUpdates: [{ ...sub(), status: status({ chReady: cond(C.channelReady, 'True') }, { subscriberUri: SUB_URI }) }],
  },
  {
    name: 'in the channel but not yet in its status: ChannelReady=Unknown with the Knative message + Warning event',
    key: `${NS}/sub01`,
    objects: [sub(), imc({ subscribers: [ENTRY] }), ksvc('event-display')],
    wantStatusUpdates: [
      {
        ...sub(),
        status: status(
          { chReady: cond(C.channelReady, 'Unknown', 'SubscriptionNotMarkedReadyByChannel', 'Failed to get subscription status: subscription "sub01" not present in channel "imc01" subscriber\'s list') },
          { subscriberUri: SUB_URI },
        ),
      },
    ],
    wantEvents: ['Warning SubscriptionNotMarkedReadyByChannel Failed to get subscription status: subscription "sub01" not present in channel "imc01" subscriber\'s list'],
  },
  {
    name: 'subscriber missing: ReferencesResolved=False SubscriberResolveFailed',
    key: `${NS}/sub01`,
    objects: [sub(), imc()],
    wantStatusUpdates: [
      {
        ...sub(),
        status: status(
          {
            refs: cond(C.referencesResolved, 'False', 'SubscriberResolveFailed', 'Failed to resolve spec.subscriber: failed to get object default/event-display: services.serving.knative.dev "event-display" not found'),
            added: cond(C.addedToChannel, 'Unknown'),
          },
          {},
        ),
      },
    ],
    wantEvents: ['Warning SubscriberResolveFailed Failed to resolve spec.subscriber: failed to get object default/event-display: services.serving.knative.dev "event-display" not found'],
  },
  {
    name: 'a generic Channel that is not ready yet: ChannelReferenceFailed "channel is not ready."',
    key: `${NS}/sub01`,
    objects: [sub({ channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'ch1' } }), channel(false), ksvc('event-display')],
    wantStatusUpdates: [
      {
        ...sub({ channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'ch1' } }),
        status: status({
          refs: cond(C.referencesResolved, 'Unknown', 'ChannelReferenceFailed', 'Failed to get Spec.Channel or backing channel: channel is not ready.'),
          added: cond(C.addedToChannel, 'Unknown'),
        }),
      },
    ],
    wantEvents: ['Warning ChannelReferenceFailed Failed to get Spec.Channel or backing channel: channel is not ready.'],
  },
  {
    name: "a ready generic Channel: the entry goes into its backing channel; reply and the channel's delivery (with its DLS) are carried",
    key: `${NS}/sub01`,
    objects: [
      sub({ channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'ch1' }, reply: ksvcRef('reply') }),
      channel(true),
      imc({ delivery: { retry: 4, backoffDelay: 'PT1S', deadLetterSink: { uri: 'http://dls.example.com' } } }, { deadLetterSinkUri: 'http://dls.example.com' }),
      ksvc('event-display'),
      ksvc('reply'),
    ],
    wantPatches: [
      {
        namespace: NS,
        name: 'imc01',
        patch: {
          metadata: {},
          spec: {
            subscribers: [
              {
                ...ENTRY,
                replyUri: `http://reply.${NS}.svc.cluster.local`,
                delivery: { deadLetterSink: { uri: 'http://dls.example.com' }, retry: 4, backoffDelay: 'PT1S' },
              },
            ],
          },
        },
      },
    ],
    wantStatusUpdates: [
      {
        ...sub({ channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'ch1' }, reply: ksvcRef('reply') }),
        status: status({}, { subscriberUri: SUB_URI, replyUri: `http://reply.${NS}.svc.cluster.local`, deadLetterSinkUri: 'http://dls.example.com' }),
      },
    ],
    wantEvents: ['Normal SubscriberSync Subscription was synchronized to channel "imc01"'],
  },
  {
    name: 'deleted subscription: its entry is removed from the channel, then the finalizer',
    key: `${NS}/sub01`,
    objects: [
      sub({}, { deletionTimestamp: T0 }, status({}, { subscriberUri: SUB_URI })),
      imc({ subscribers: [ENTRY, { ...ENTRY, name: 'other', uid: 'other-uid' }] }),
    ],
    wantPatches: [
      { namespace: NS, name: 'imc01', patch: { metadata: {}, spec: { subscribers: [{ ...ENTRY, name: 'other', uid: 'other-uid' }] } } },
      { namespace: NS, name: 'sub01', patch: { metadata: { finalizers: [] } } },
    ],
    wantEvents: ['Normal SubscriberRemoved Subscription was removed from channel "imc01"'],
  },
];

describe('SubscriptionReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newSubscriptionReconciler(deps, w)));
});
