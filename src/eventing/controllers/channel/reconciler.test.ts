import { describe } from 'node:test';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { NS, cond, conds, factoryFor, meta } from '../testing/builders.js';
import { makeBackingChannel, newChannelReconciler } from './reconciler.js';

const TEMPLATE = { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' };

function channel(spec: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', metadata: meta('ch1'), spec: { channelTemplate: TEMPLATE, ...spec } };
}

function backing(status?: Record<string, unknown>, owned = true): KObject {
  const b = makeBackingChannel(channel());
  b.metadata = { ...b.metadata, uid: 'imc-uid', generation: 1 };
  if (!owned) delete b.metadata.ownerReferences;
  if (status) b.status = status;
  return b;
}

const REF = { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', name: 'ch1', namespace: NS };
const DLS_NC = cond(C.dls, 'True', 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.');

const rows: TableRow[] = [
  {
    name: 'creates the backing InMemoryChannel of the same name (owned, with the delivery); waits for it',
    key: `${NS}/ch1`,
    objects: [channel({ delivery: { retry: 2 } })],
    wantCreates: [
      {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'InMemoryChannel',
        metadata: { name: 'ch1', namespace: NS, ownerReferences: [{ apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'ch1', uid: 'ch1-uid', controller: true, blockOwnerDeletion: true }] },
        spec: { delivery: { retry: 2 } },
      },
    ],
    wantStatusUpdates: [
      {
        ...channel({ delivery: { retry: 2 } }),
        status: {
          channel: REF,
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'False', 'EmptyHostname', 'hostname is the empty string'),
            cond(C.backingChannelReady, 'Unknown', 'BackingChannelNotConfigured', 'BackingChannel has not yet been reconciled.'),
            DLS_NC,
            cond('Ready', 'False', 'EmptyHostname', 'hostname is the empty string'),
          ),
        },
      },
    ],
  },
  {
    name: 'mirrors a ready backing channel: address, subscribers, Ready',
    key: `${NS}/ch1`,
    objects: [
      channel(),
      backing({
        address: { name: 'http', url: `http://ch1-kn-channel.${NS}.svc.cluster.local` },
        subscribers: [{ uid: 'u1', observedGeneration: 1, ready: 'True' }],
        conditions: [cond('Ready', 'True')],
      }),
    ],
    wantStatusUpdates: [
      {
        ...channel(),
        status: {
          channel: REF,
          address: { name: 'http', url: `http://ch1-kn-channel.${NS}.svc.cluster.local` },
          subscribers: [{ uid: 'u1', observedGeneration: 1, ready: 'True' }],
          observedGeneration: 1,
          conditions: conds(cond(C.addressable, 'True'), cond(C.backingChannelReady, 'True'), DLS_NC, cond('Ready', 'True')),
        },
      },
    ],
  },
  {
    name: 'a channel of that name we do not own: BackingChannelReady=False',
    key: `${NS}/ch1`,
    objects: [channel(), backing(undefined, false)],
    wantStatusUpdates: [
      {
        ...channel(),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'Unknown'),
            cond(C.backingChannelReady, 'False', 'ChannelFailure', 'problem reconciling the backing channel: InMemoryChannel "ch1" already exists and is not owned by this Channel'),
            cond(C.dls, 'Unknown'),
            cond('Ready', 'False', 'ChannelFailure', 'problem reconciling the backing channel: InMemoryChannel "ch1" already exists and is not owned by this Channel'),
          ),
        },
      },
    ],
  },
  {
    name: "a dead-letter sink the backing channel resolved is reported; one it did not is False",
    key: `${NS}/ch1`,
    objects: [channel({ delivery: { deadLetterSink: { uri: 'http://dls.example.com' } } }), backing({ conditions: [cond('Ready', 'Unknown', 'Waiting', 'still starting')] })],
    wantStatusUpdates: [
      {
        ...channel({ delivery: { deadLetterSink: { uri: 'http://dls.example.com' } } }),
        status: {
          channel: REF,
          observedGeneration: 1,
          conditions: conds(
            cond(C.addressable, 'False', 'EmptyHostname', 'hostname is the empty string'),
            cond(C.backingChannelReady, 'Unknown', 'Waiting', 'still starting'),
            cond(C.dls, 'False', "Backing Channel ch1 didn't set status.deadLetterSinkURI"),
            cond('Ready', 'False', "Backing Channel ch1 didn't set status.deadLetterSinkURI"),
          ),
        },
      },
    ],
  },
];

describe('ChannelReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newChannelReconciler(deps, w)));
});
