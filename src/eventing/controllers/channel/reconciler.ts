// Channel (generic) reconciler (pkg/reconciler/channel/channel.go): creates the
// backing channel of the `spec.channelTemplate` kind with the SAME name
// (owned by the Channel; spec = template spec + the Channel's delivery), then
// mirrors it: `status.channel` names it, BackingChannelReady follows its Ready,
// `status.address` and `status.subscribers` are copied, DeadLetterSinkResolved
// follows its `deadLetterSinkUri`. Subscriptions to a Channel are written into
// the backing channel's `spec.subscribers` (see the subscription reconciler).
import type { KObject } from '../../../api/meta.js';
import { makeOwnerRef } from '../../../api/meta.js';
import { GR } from '../../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import type { Controller, Reconciler } from '../../../controller/controller.js';
import { keyOf } from '../../../controller/informer.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { C, CONDITION_SETS, DELIVERY_STATUS_KEYS, Wiring, condition, omit, ownedBy, type EventingControllerDeps } from '../common.js';

/** NewPhysicalChannel: the backing channel for a Channel. */
export function makeBackingChannel(c: KObject): KObject {
  const t = c.spec.channelTemplate;
  const spec: Record<string, unknown> = { ...(t.spec ?? {}) };
  if (c.spec.delivery) spec.delivery = structuredClone(c.spec.delivery);
  return {
    apiVersion: t.apiVersion,
    kind: t.kind,
    metadata: { name: c.metadata.name, namespace: c.metadata.namespace, ownerReferences: [makeOwnerRef(c)] },
    spec,
  };
}

export function newChannelReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.channels);
  const set = CONDITION_SETS.channel.withClock(deps.clock);

  return kindReconciler<KObject>({
    gr: GR.channels,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(c) {
      const ns = c.metadata.namespace!;
      const name = c.metadata.name!;
      let status = c.status as StatusWithConditions;
      const done = () => {
        c.status = status;
      };
      const t = c.spec?.channelTemplate ?? {};
      const ref = { apiVersion: t.apiVersion, kind: t.kind, name, namespace: ns };
      let backing: KObject | undefined;
      try {
        const gr = w.resolver.grFor(t.apiVersion ?? '', t.kind ?? '');
        backing = w.resolver.getTracked(gr, ns, name, keyOf(c));
        if (!backing) backing = await deps.client.create(gr, makeBackingChannel(c));
        else if (!ownedBy(backing, c)) {
          status = set.markFalse(status, C.backingChannelReady, 'ChannelFailure', 'problem reconciling the backing channel: %s %q already exists and is not owned by this Channel', t.kind, name);
          return done();
        }
      } catch (err) {
        status = set.markFalse(status, C.backingChannelReady, 'ChannelFailure', '%v', err);
        done();
        throw err;
      }
      status = { ...status, channel: ref };

      // PropagateStatuses.
      const rc = condition(backing, 'Ready');
      if (!rc) status = set.markUnknown(status, C.backingChannelReady, 'BackingChannelNotConfigured', 'BackingChannel has not yet been reconciled.');
      else if (rc.status === 'True') status = set.markTrue(status, C.backingChannelReady);
      else if (rc.status === 'False') status = set.markFalse(status, C.backingChannelReady, rc.reason ?? '', rc.message);
      else status = set.markUnknown(status, C.backingChannelReady, rc.reason ?? '', rc.message);
      const address = backing.status?.address;
      if (address?.url) {
        status = set.markTrue({ ...status, address: structuredClone(address) }, C.addressable);
      } else {
        status = set.markFalse(omit(status, 'address'), C.addressable, 'EmptyHostname', 'hostname is the empty string');
      }
      status = Array.isArray(backing.status?.subscribers) && backing.status.subscribers.length ? { ...status, subscribers: structuredClone(backing.status.subscribers) } : omit(status, 'subscribers');

      if (c.spec?.delivery?.deadLetterSink) {
        if (backing.status?.deadLetterSinkUri) {
          const ds: Record<string, string> = {};
          for (const k of DELIVERY_STATUS_KEYS) if (backing.status[k]) ds[k] = backing.status[k];
          status = set.markTrue({ ...omit(status, ...DELIVERY_STATUS_KEYS), ...ds }, C.dls);
        } else {
          status = set.markFalse(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, `Backing Channel ${name} didn't set status.deadLetterSinkURI`, '');
        }
      } else {
        status = set.markTrue(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.');
      }
      return done();
    },
  });
}

export function newChannelController(deps: EventingControllerDeps): Controller {
  const w = new Wiring(deps);
  const ctrl = w.bind('channel-controller', deps, newChannelReconciler(deps, w));
  deps.informers.informerFor(GR.channels).addEventHandler(ctrl.handler());
  return ctrl;
}
