// InMemoryChannel reconciler (pkg/reconciler/inmemorychannel/controller +
// dispatcher): owns the ExternalName Service `{name}-kn-channel` (→
// imc-dispatcher.knative-eventing.svc.cluster.local, port 80 "http") that gives
// the channel its Knative address `http://{name}-kn-channel.{ns}.svc.cluster.local`,
// resolves the channel's dead-letter sink, and pushes `spec.subscribers` (written
// there by Subscriptions) with their compiled delivery to the data plane's
// memory backend, then reports each subscriber in `status.subscribers[]`
// ({uid, observedGeneration, ready}) as Knative's dispatcher does.
// Conditions: ServiceReady and EndpointsReady (Knative's dispatcher Service /
// endpoints; here: the data plane accepted the channel), ChannelServiceReady,
// Addressable, DeadLetterSinkResolved.
import type { KObject } from '../../../api/meta.js';
import { makeOwnerRef } from '../../../api/meta.js';
import { GR, IMC_DISPATCHER_HOST } from '../../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import { filterControllerGK, filteringHandler, type Controller, type Reconciler } from '../../../controller/controller.js';
import { keyOf } from '../../../controller/informer.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import {
  C,
  CONDITION_SETS,
  DELIVERY_STATUS_KEYS,
  Wiring,
  compileDelivery,
  errText,
  omit,
  ownedBy,
  withGone,
  type EventingControllerDeps,
} from '../common.js';
import type { ChannelSubscriberDataPlaneConfig } from '../dataplane.js';
import { deliveryStatusOf, type ResolvedAddress } from '../destination.js';
import { childName } from '../names.js';
import { stableJson } from '../../../api/eventing/duck.js';

export const MESSAGING_ROLE_LABEL = 'messaging.knative.dev/role';
export const MESSAGING_ROLE = 'in-memory-channel';

export function channelServiceName(imcName: string): string {
  return childName(imcName, '-kn-channel');
}

/** The channel's ExternalName Service (resources/service.go NewK8sService + ExternalService). */
export function makeChannelService(imc: KObject): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: channelServiceName(imc.metadata.name!),
      namespace: imc.metadata.namespace,
      labels: { [MESSAGING_ROLE_LABEL]: MESSAGING_ROLE },
      ownerReferences: [makeOwnerRef(imc)],
    },
    spec: { type: 'ExternalName', externalName: IMC_DISPATCHER_HOST, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }] },
  };
}

/** One `spec.subscribers[]` entry (SubscriberSpec) as the data plane wants it. */
export function subscriberConfig(s: Record<string, any>): ChannelSubscriberDataPlaneConfig {
  const out: ChannelSubscriberDataPlaneConfig = { uid: s.uid };
  if (s.subscriberUri) out.subscriberUri = s.subscriberUri;
  if (s.replyUri) out.replyUri = s.replyUri;
  const dlsUri: string | undefined = s.delivery?.deadLetterSink?.uri || undefined;
  const delivery = s.delivery ? compileDelivery(s.delivery, dlsUri) : undefined;
  if (delivery) out.delivery = delivery;
  if (dlsUri) out.deadLetterUri = dlsUri;
  return out;
}

export function newInMemoryChannelReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.inMemoryChannels);
  const services = deps.informers.lister(GR.services);
  const set = CONDITION_SETS.inMemoryChannel.withClock(deps.clock);
  const registered = new Set<string>();

  const inner = kindReconciler<KObject>({
    gr: GR.inMemoryChannels,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(imc) {
      const ns = imc.metadata.namespace!;
      const name = imc.metadata.name!;
      const key = keyOf(imc);
      let status = imc.status as StatusWithConditions;
      const done = () => {
        imc.status = status;
      };

      // The `{name}-kn-channel` Service.
      const desired = makeChannelService(imc);
      const existing = services.get(ns, desired.metadata.name!);
      try {
        if (!existing) await deps.client.create(GR.services, desired);
        else if (!ownedBy(existing, imc)) {
          status = set.markFalse(status, C.channelServiceReady, 'ChannelServiceFailed', 'Channel Service failed: inmemorychannel: %s does not own Service: %q', name, desired.metadata.name);
          return done();
        } else if (existing.spec?.type !== 'ExternalName' || existing.spec?.externalName !== IMC_DISPATCHER_HOST || stableJson(existing.spec?.ports) !== stableJson(desired.spec.ports)) {
          await deps.client.update(GR.services, { ...structuredClone(existing), spec: { ...existing.spec, ...desired.spec } });
        }
      } catch (err) {
        status = set.markFalse(status, C.channelServiceReady, 'ChannelServiceFailed', 'Channel Service failed: %v', err);
        done();
        throw err;
      }
      status = set.markTrue(status, C.channelServiceReady);

      // Dead-letter sink.
      let dls: ResolvedAddress | undefined;
      if (imc.spec?.delivery?.deadLetterSink) {
        try {
          dls = w.resolver.resolve(imc.spec.delivery.deadLetterSink, { namespace: ns, key });
        } catch (err) {
          status = set.markFalse(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, "Unable to get the DeadLetterSink's URI", '%v', err);
          return done();
        }
        status = set.markTrue({ ...omit(status, ...DELIVERY_STATUS_KEYS), ...deliveryStatusOf(dls) }, C.dls);
      } else {
        status = set.markTrue(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.');
      }

      // Subscribers → data plane.
      const specSubs: Array<Record<string, any>> = Array.isArray(imc.spec?.subscribers) ? imc.spec.subscribers : [];
      const subscribers: ChannelSubscriberDataPlaneConfig[] = [];
      const subStatus: Array<Record<string, unknown>> = [];
      for (const s of specSubs) {
        const st: Record<string, unknown> = { uid: s.uid };
        if (s.generation !== undefined) st.observedGeneration = s.generation;
        try {
          subscribers.push(subscriberConfig(s));
          st.ready = 'True';
        } catch (err) {
          st.ready = 'False';
          st.message = errText(err);
        }
        subStatus.push(st);
      }
      try {
        const delivery = compileDelivery(imc.spec?.delivery, dls?.url);
        await deps.dataPlane.upsertChannel(ns, name, {
          backend: 'memory',
          subscribers,
          ...(delivery ? { delivery } : {}),
          ...(dls ? { deadLetterUri: dls.url } : {}),
          ...(imc.metadata.annotations?.['messaging.knative.dev/async-handler'] === 'true' ? { asyncHandler: true } : {}),
        });
      } catch (err) {
        status = set.markFalse(status, C.endpointsReady, 'DispatcherFailed', '%v', err);
        done();
        throw err;
      }
      registered.add(key);
      status = set.markTrue(status, C.serviceReady);
      status = set.markTrue(status, C.endpointsReady);
      status = subStatus.length ? { ...status, subscribers: subStatus } : omit(status, 'subscribers');
      status = { ...status, address: { name: 'http', url: `http://${desired.metadata.name}.${ns}.svc.cluster.local` } };
      status = set.markTrue(status, C.addressable);
      return done();
    },
  });

  return withGone(lister, inner, async (ns, name) => {
    const key = `${ns}/${name}`;
    w.tracker.untrackAll(key);
    if (!registered.delete(key)) return;
    await deps.dataPlane.deleteChannel(ns, name);
  });
}

export function newInMemoryChannelController(deps: EventingControllerDeps): Controller {
  const w = new Wiring(deps);
  const ctrl = w.bind('inmemorychannel-controller', deps, newInMemoryChannelReconciler(deps, w));
  deps.informers.informerFor(GR.inMemoryChannels).addEventHandler(ctrl.handler());
  deps.informers
    .informerFor(GR.services)
    .addEventHandler(filteringHandler(filterControllerGK('messaging.knative.dev', 'InMemoryChannel'), ctrl.ownerHandler({ apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' })));
  return ctrl;
}
