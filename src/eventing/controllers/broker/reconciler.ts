// Broker reconciler (pkg/reconciler/broker/broker.go): resolves the dead-letter
// sink, registers the broker with the data plane under its class, and writes
// the status Knative writes — `address {name: http, url:
// http://broker-ingress.knative-eventing.svc.cluster.local/{ns}/{name}}`,
// `deadLetterSinkUri`, and the class's conditions.
//
// Classes:
// - MTChannelBasedBroker: IngressReady, TriggerChannelReady, FilterReady, Addressable,
//   DeadLetterSinkResolved. Knative backs it with a real `{broker}-kne-trigger` channel of the
//   kind in spec.config's `channel-template-spec`; Skiff runs it directly on the data plane's
//   in-memory channel (no channel object, no `knative.dev/channel*` status annotations), so
//   only InMemoryChannel templates are accepted (anything else: TriggerChannelReady=False
//   ChannelTemplateFailed).
// - SkiffLogBroker (durable, the embedded default): the same set with EventLogReady in place of
//   TriggerChannelReady.
// - any other class: Ready=False BrokerClassNotSupported (no data plane would serve it).
// A deleted broker is removed from the data plane when its key is no longer in the cache.
import type { KObject } from '../../../api/meta.js';
import { parseChannelTemplateSpec } from '../../../api/eventing/config.js';
import { A, BROKER_CLASS_LOG, BROKER_CLASS_MT, GR, SYSTEM_NAMESPACE, brokerAddress } from '../../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import type { Controller, Reconciler } from '../../../controller/controller.js';
import { keyOf } from '../../../controller/informer.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import {
  C,
  CONDITION_SETS,
  DELIVERY_STATUS_KEYS,
  Wiring,
  compileDelivery,
  errText,
  firstOf,
  omit,
  withGone,
  type EventingControllerDeps,
} from '../common.js';
import { deliveryStatusOf, type ResolvedAddress } from '../destination.js';

const ASYNC_HANDLER = 'messaging.knative.dev/async-handler';

export function brokerClassOf(b: KObject): string {
  return b.metadata.annotations?.[A.brokerClass] ?? '';
}

/** The channel template an MT broker's spec.config names (`channel-template-spec`), or why not. */
function mtChannelTemplate(b: KObject, w: Wiring): { ok: true } | { ok: false; message: string } {
  const key = keyOf(b);
  const cfg = b.spec?.config;
  let ns = SYSTEM_NAMESPACE;
  let name = 'config-br-default-channel';
  if (cfg) {
    if (cfg.kind !== 'ConfigMap' || (cfg.apiVersion ?? 'v1') !== 'v1') return { ok: false, message: 'Broker.Spec.Config configuration not supported, only [kind: ConfigMap, apiVersion: v1]' };
    ns = cfg.namespace || b.metadata.namespace!;
    name = cfg.name;
  }
  let cm: KObject | undefined;
  try {
    cm = w.resolver.getTracked(GR.configMaps, ns, name, key);
  } catch (err) {
    return { ok: false, message: errText(err) };
  }
  if (!cm) {
    if (cfg) return { ok: false, message: `configmap ${JSON.stringify(name)} not found in namespace ${JSON.stringify(ns)}` };
    return { ok: true }; // Knative's default template (InMemoryChannel)
  }
  try {
    const t = parseChannelTemplateSpec(name, cm.data);
    if (t.kind !== 'InMemoryChannel')
      return { ok: false, message: `channel kind ${t.kind} (${t.apiVersion}) is not supported by Skiff's MTChannelBasedBroker, which runs on the in-memory channel: use kind InMemoryChannel, or broker class ${BROKER_CLASS_LOG}` };
    return { ok: true };
  } catch (err) {
    return { ok: false, message: errText(err) };
  }
}

export function newBrokerReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.brokers);
  w.resolver.watch(GR.configMaps);
  const registered = new Set<string>();
  // Classes this controller implements on the data plane (both, unless the plane offers fewer).
  const supported = new Set<string>(deps.dataPlane.brokerClasses.filter((c) => c === BROKER_CLASS_MT || c === BROKER_CLASS_LOG));

  function variant(cls: string, channelCondition: string) {
    const set = (cls === BROKER_CLASS_MT ? CONDITION_SETS.brokerMT : CONDITION_SETS.brokerLog).withClock(deps.clock);
    return kindReconciler<KObject>({
      gr: GR.brokers,
      client: deps.client,
      lister,
      recorder: deps.recorder,
      logger: deps.logger,
      conditionSet: set,
      filter: (b) => brokerClassOf(b) === cls && supported.has(cls),
      async reconcileKind(b) {
        const ns = b.metadata.namespace!;
        const name = b.metadata.name!;
        const key = keyOf(b);
        let status = b.status as StatusWithConditions;
        const done = () => {
          b.status = status;
        };

        if (cls === BROKER_CLASS_MT) {
          const tpl = mtChannelTemplate(b, w);
          if (!tpl.ok) {
            status = set.markFalse(status, channelCondition, 'ChannelTemplateFailed', 'Error on setting up the ChannelTemplate: %s', tpl.message);
            return done();
          }
        }

        // Dead-letter sink.
        let dls: ResolvedAddress | undefined;
        const dlsSpec = b.spec?.delivery?.deadLetterSink;
        if (dlsSpec) {
          try {
            dls = w.resolver.resolve(dlsSpec, { namespace: ns, key });
          } catch (err) {
            status = set.markFalse(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, "Unable to get the dead letter sink's URI", '%v', err);
            return done();
          }
          status = set.markTrue({ ...omit(status, ...DELIVERY_STATUS_KEYS), ...deliveryStatusOf(dls) }, C.dls);
        } else {
          status = set.markTrue(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.');
        }

        // Data plane.
        try {
          const delivery = compileDelivery(b.spec?.delivery, dls?.url);
          await deps.dataPlane.upsertBroker(ns, name, {
            class: cls,
            ...(delivery ? { delivery } : {}),
            ...(dls ? { deadLetterUri: dls.url } : {}),
            ...(cls === BROKER_CLASS_MT && b.metadata.annotations?.[ASYNC_HANDLER] === 'true' ? { asyncHandler: true } : {}),
          });
        } catch (err) {
          status = set.markFalse(status, channelCondition, cls === BROKER_CLASS_MT ? 'ChannelFailure' : 'EventLogFailure', '%v', err);
          done();
          throw err;
        }
        registered.add(key);
        status = set.markTrue(status, channelCondition);
        status = set.markTrue(status, C.filter);
        status = set.markTrue(status, C.ingress);
        status = { ...status, address: { name: 'http', url: brokerAddress(ns, name) } };
        status = set.markTrue(status, C.addressable);
        return done();
      },
    });
  }

  const unsupportedSet = CONDITION_SETS.brokerUnsupported.withClock(deps.clock);
  const unsupported = kindReconciler<KObject>({
    gr: GR.brokers,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: unsupportedSet,
    filter: (b) => !supported.has(brokerClassOf(b)),
    async reconcileKind(b) {
      const cls = brokerClassOf(b);
      b.status = unsupportedSet.markFalse(
        omit(b.status as StatusWithConditions, 'address'),
        C.ready,
        'BrokerClassNotSupported',
        'Broker class %q is not supported here; use one of %s',
        cls,
        [...supported].join(', '),
      );
    },
  });

  const inner = firstOf(variant(BROKER_CLASS_MT, C.triggerChannel), variant(BROKER_CLASS_LOG, C.eventLog), unsupported);
  return withGone(lister, inner, async (ns, name) => {
    const key = `${ns}/${name}`;
    w.tracker.untrackAll(key);
    if (!registered.delete(key)) return;
    await deps.dataPlane.deleteBroker(ns, name);
  });
}

export function newBrokerController(deps: EventingControllerDeps): Controller {
  const w = new Wiring(deps);
  const ctrl = w.bind('broker-controller', deps, newBrokerReconciler(deps, w));
  deps.informers.informerFor(GR.brokers).addEventHandler(ctrl.handler());
  return ctrl;
}
