// Subscription reconciler (pkg/reconciler/subscription/subscription.go):
// finds the physical channel (the referenced InMemoryChannel, or a Channel's
// backing channel once the Channel is ready), resolves subscriber, reply and
// dead-letter sink into `status.physicalSubscription` (ReferencesResolved),
// writes the SubscriberSpec into the channel's `spec.subscribers` with a merge
// patch (AddedToChannel; the patch carries the cached resourceVersion so two
// subscriptions racing on one channel retry instead of dropping each other),
// and reports whether the channel marked it ready in `status.subscribers`
// (ChannelReady). A finalizer (`subscriptions.messaging.knative.dev`) removes
// the entry from the channel on delete.
// Difference: the channel entry's delivery also carries `format` (Knative copies every other
// DeliverySpec field but drops it).
import type { KObject } from '../../../api/meta.js';
import { featuresFrom } from '../../../api/eventing/config.js';
import { GR } from '../../../api/eventing/constants.js';
import { isEmptyDestination, stableJson } from '../../../api/eventing/duck.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import type { Controller, Reconciler } from '../../../controller/controller.js';
import { ReconcileEvent } from '../../../controller/errors.js';
import { isConflict } from '../../../controller/errors.js';
import { keyOf } from '../../../controller/informer.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { C, CONDITION_SETS, Wiring, condition, errText, isReady, withGone, type EventingControllerDeps } from '../common.js';
import { DestinationResolveError, type ResolvedAddress } from '../destination.js';

const DELIVERY_FIELDS = ['backoffPolicy', 'retry', 'backoffDelay', 'timeout', 'retryAfterMax', 'format'];

/** A channel (or backing channel) that does not exist. */
export class ChannelNotFoundError extends Error {
  readonly code = 'SKIFF_ERR_CHANNEL_NOT_FOUND';
  readonly status = 404;
}

function hasDeliveryFields(d: Record<string, unknown> | undefined): boolean {
  return !!d && DELIVERY_FIELDS.some((k) => d[k] !== undefined && d[k] !== null);
}

/** deliverySpec(): the delivery a channel entry carries (DLS in `uri` form + retry settings). */
export function entryDelivery(sub: KObject, channel: KObject): Record<string, unknown> | undefined {
  const ps = sub.status?.physicalSubscription ?? {};
  let d: Record<string, unknown> | undefined;
  if (ps.deadLetterSinkUri) {
    const dls: Record<string, string> = { uri: ps.deadLetterSinkUri };
    if (ps.deadLetterSinkCACerts) dls.CACerts = ps.deadLetterSinkCACerts;
    if (ps.deadLetterSinkAudience) dls.audience = ps.deadLetterSinkAudience;
    d = { deadLetterSink: dls };
  }
  const source = !sub.spec?.delivery && channel.spec?.delivery ? channel.spec.delivery : sub.spec?.delivery;
  if (hasDeliveryFields(source)) {
    d ??= {};
    for (const k of DELIVERY_FIELDS) if (source[k] !== undefined && source[k] !== null) d[k] = source[k];
  }
  return d;
}

/** The SubscriberSpec the subscription puts into its channel's `spec.subscribers`. */
export function subscriberEntry(sub: KObject, channel: KObject): Record<string, unknown> {
  const ps = sub.status?.physicalSubscription ?? {};
  const e: Record<string, unknown> = { name: sub.metadata.name, uid: sub.metadata.uid, generation: sub.metadata.generation };
  for (const k of ['subscriberUri', 'subscriberCACerts', 'subscriberAudience', 'replyUri', 'replyCACerts', 'replyAudience']) if (ps[k]) e[k] = ps[k];
  const d = entryDelivery(sub, channel);
  if (d) e.delivery = d;
  return e;
}

export function newSubscriptionReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.subscriptions);
  const configMaps = w.resolver.watch(GR.configMaps);
  const set = CONDITION_SETS.subscription.withClock(deps.clock);
  const crossNamespace = () => featuresFrom((gr, ns, name) => (gr === GR.configMaps ? configMaps.get(ns, name) : undefined)).crossNamespaceEventLinks;

  function getTracked(apiVersion: string, kind: string, ns: string, name: string, key: string): { obj: KObject; gr: string } {
    const gr = w.resolver.grFor(apiVersion, kind);
    const obj = w.resolver.getTracked(gr, ns, name, key);
    if (!obj) {
      const [group, resource] = gr.split('/');
      throw new ChannelNotFoundError(`${group === 'core' ? resource : `${resource}.${group}`} ${JSON.stringify(name)} not found`);
    }
    return { obj, gr };
  }

  /** The physical channel (getChannel). */
  function getChannel(sub: KObject): { obj: KObject; gr: string } {
    const ref = sub.spec?.channel ?? {};
    const ns = (crossNamespace() && ref.namespace) || sub.metadata.namespace!;
    const key = keyOf(sub);
    const found = getTracked(ref.apiVersion ?? '', ref.kind ?? '', ns, ref.name ?? '', key);
    if (found.gr !== GR.channels) return found;
    const ch = found.obj;
    if (!isReady(ch) || !ch.status?.channel) throw new Error('channel is not ready.');
    const b = ch.status.channel;
    return getTracked(b.apiVersion, b.kind, ns, b.name, key);
  }

  /** Add/refresh (or remove) this subscription's entry; true when the channel was patched. */
  async function syncChannel(channel: KObject, gr: string, sub: KObject, remove: boolean): Promise<boolean> {
    const subs: Array<Record<string, unknown>> = Array.isArray(channel.spec?.subscribers) ? channel.spec.subscribers : [];
    const idx = subs.findIndex((s) => s.uid === sub.metadata.uid);
    let next: Array<Record<string, unknown>>;
    if (remove) {
      if (idx < 0) return false;
      next = subs.filter((_, i) => i !== idx);
    } else {
      const entry = subscriberEntry(sub, channel);
      if (idx >= 0 && stableJson(subs[idx]) === stableJson(entry)) return false;
      next = idx >= 0 ? subs.map((s, i) => (i === idx ? entry : s)) : [...subs, entry];
    }
    await deps.client.patch(
      gr,
      channel.metadata.namespace!,
      channel.metadata.name!,
      { metadata: { resourceVersion: channel.metadata.resourceVersion }, spec: { subscribers: next.length ? next : null } },
      { type: 'merge' },
    );
    return true;
  }

  function resolve(dest: unknown, sub: KObject): ResolvedAddress {
    return w.resolver.resolve(dest as never, { namespace: sub.metadata.namespace!, key: keyOf(sub) });
  }

  const inner = kindReconciler<KObject>({
    gr: GR.subscriptions,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(sub) {
      let status = sub.status as StatusWithConditions;
      const done = () => {
        sub.status = status;
      };

      let channel: KObject;
      let gr: string;
      try {
        ({ obj: channel, gr } = getChannel(sub));
      } catch (err) {
        status = set.markUnknown(status, C.referencesResolved, 'ChannelReferenceFailed', 'Failed to get Spec.Channel or backing channel: %s', err);
        done();
        return new ReconcileEvent('Warning', 'ChannelReferenceFailed', `Failed to get Spec.Channel or backing channel: ${errText(err)}`);
      }

      // References.
      status = set.markUnknown(status, C.referencesResolved, 'Resolving', 'Subscription resolution interrupted.');
      const ps: Record<string, string> = {};
      const fail = (reason: string, what: string, err: unknown) => {
        status = set.markFalse({ ...status, physicalSubscription: ps }, C.referencesResolved, reason, 'Failed to resolve %s: %v', what, err);
        done();
        return new ReconcileEvent('Warning', reason, `Failed to resolve ${what}: ${errText(err)}`);
      };
      if (!isEmptyDestination(sub.spec?.subscriber)) {
        try {
          const a = resolve(sub.spec.subscriber, sub);
          ps.subscriberUri = a.url;
          if (a.CACerts) ps.subscriberCACerts = a.CACerts;
          if (a.audience) ps.subscriberAudience = a.audience;
        } catch (err) {
          return fail('SubscriberResolveFailed', 'spec.subscriber', err);
        }
      }
      if (!isEmptyDestination(sub.spec?.reply)) {
        try {
          const a = resolve(sub.spec.reply, sub);
          ps.replyUri = a.url;
          if (a.CACerts) ps.replyCACerts = a.CACerts;
          if (a.audience) ps.replyAudience = a.audience;
        } catch (err) {
          return fail('ReplyResolveFailed', 'spec.reply', err);
        }
      }
      if (sub.spec?.delivery?.deadLetterSink) {
        try {
          const a = resolve(sub.spec.delivery.deadLetterSink, sub);
          ps.deadLetterSinkUri = a.url;
          if (a.CACerts) ps.deadLetterSinkCACerts = a.CACerts;
          if (a.audience) ps.deadLetterSinkAudience = a.audience;
        } catch (err) {
          return fail('DeadLetterSinkResolveFailed', 'spec.delivery.deadLetterSink', err);
        }
      } else if (channel.spec?.delivery?.deadLetterSink) {
        if (!channel.status?.deadLetterSinkUri) {
          status = set.markFalse({ ...status, physicalSubscription: ps }, C.referencesResolved, 'DeadLetterSinkResolveFailed', 'channel %s didn\'t set status.deadLetterSinkURI', channel.metadata.name);
          done();
          return new ReconcileEvent('Warning', 'DeadLetterSinkResolveFailed', `channel ${channel.metadata.name} didn't set status.deadLetterSinkURI`);
        }
        for (const k of ['deadLetterSinkUri', 'deadLetterSinkCACerts', 'deadLetterSinkAudience']) if (channel.status[k]) ps[k] = channel.status[k];
      }
      status = set.markTrue({ ...status, physicalSubscription: ps }, C.referencesResolved);
      sub.status = status;

      // Into the channel.
      let patched: boolean;
      try {
        patched = await syncChannel(channel, gr, sub, false);
      } catch (err) {
        status = set.markFalse(status, C.addedToChannel, 'PhysicalChannelSyncFailed', 'Failed to sync physical Channel: %v', err);
        done();
        if (isConflict(err)) throw err; // stale cache: retry against the fresh channel
        return new ReconcileEvent('Warning', 'PhysicalChannelSyncFailed', `Failed to synchronize to channel ${JSON.stringify(channel.metadata.name)}: ${errText(err)}`);
      }
      status = set.markTrue(status, C.addedToChannel);
      if (patched) {
        done();
        return new ReconcileEvent('Normal', 'SubscriberSync', `Subscription was synchronized to channel ${JSON.stringify(channel.metadata.name)}`);
      }

      // Did the channel take it?
      const entry = (channel.status?.subscribers ?? []).find((s: Record<string, unknown>) => s.uid === sub.metadata.uid && s.observedGeneration === sub.metadata.generation);
      if (!entry) {
        const msg = `subscription ${JSON.stringify(sub.metadata.name)} not present in channel ${JSON.stringify(channel.metadata.name)} subscriber's list`;
        status = set.markUnknown(status, C.channelReady, 'SubscriptionNotMarkedReadyByChannel', 'Failed to get subscription status: %s', msg);
        done();
        return new ReconcileEvent('Warning', 'SubscriptionNotMarkedReadyByChannel', `Failed to get subscription status: ${msg}`);
      }
      if (entry.ready === 'True') status = set.markTrue(status, C.channelReady);
      else if (entry.ready === 'False') status = set.markFalse(status, C.channelReady, 'SubscriptionNotMarkedReadyByChannel', 'Subscription marked by Channel as False');
      else status = set.markUnknown(status, C.channelReady, 'SubscriptionNotMarkedReadyByChannel', 'Subscription marked by Channel as Unknown');
      return done();
    },
    async finalizeKind(sub) {
      let found: { obj: KObject; gr: string };
      try {
        found = getChannel(sub);
      } catch (err) {
        if (err instanceof ChannelNotFoundError) return; // channel gone: nothing to remove from
        if (err instanceof DestinationResolveError && !err.transient) return; // unknown kind: nothing to clean
        throw err;
      }
      if (condition(sub, C.addedToChannel)?.status !== 'True') return;
      if (await syncChannel(found.obj, found.gr, sub, true))
        return new ReconcileEvent('Normal', 'SubscriberRemoved', `Subscription was removed from channel ${JSON.stringify(found.obj.metadata.name)}`);
    },
  });
  return withGone(lister, inner, (ns, name) => w.tracker.untrackAll(`${ns}/${name}`));
}

export function newSubscriptionController(deps: EventingControllerDeps): Controller {
  const w = new Wiring(deps);
  const ctrl = w.bind('subscription-controller', deps, newSubscriptionReconciler(deps, w));
  deps.informers.informerFor(GR.subscriptions).addEventHandler(ctrl.handler());
  return ctrl;
}
