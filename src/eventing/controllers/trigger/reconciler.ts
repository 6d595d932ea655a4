// Trigger reconciler (pkg/reconciler/broker/trigger/trigger.go): propagates the
// broker's readiness (BrokerReady), resolves the subscriber into
// `status.subscriberUri` (SubscriberResolved) and the dead-letter sink — the
// trigger's, else the broker's resolved one — into `status.deadLetterSinkUri`
// (DeadLetterSinkResolved; True/DeadLetterSinkNotConfigured when neither has
// one), registers the compiled filter and the effective delivery (the
// trigger's `spec.delivery` as a whole, else the broker's) with the data plane
// (SubscriptionReady), and follows the `knative.dev/dependency` annotation
// (DependencyReady).
// Knative's MT broker realises a trigger as a Subscription on the broker's
// channel; Skiff registers it with the data plane directly (no Subscription
// object), so SubscriptionReady reports that registration.
import type { KObject } from '../../../api/meta.js';
import { featuresFrom } from '../../../api/eventing/config.js';
import { A, GR } from '../../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import type { Controller, Reconciler } from '../../../controller/controller.js';
import { keyOf } from '../../../controller/informer.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { compileTriggerFilter, type TriggerFilterSpec } from '../../filter/subscriptions-api.js';
import { CESQL_DEPS } from '../../register.js';
import {
  C,
  CONDITION_SETS,
  DELIVERY_STATUS_KEYS,
  Wiring,
  compileDelivery,
  condition,
  isReady,
  omit,
  withGone,
  type EventingControllerDeps,
} from '../common.js';
import { DestinationResolveError, deliveryStatusOf } from '../destination.js';

const SUBSCRIBER_KEYS = ['subscriberUri', 'subscriberCACerts', 'subscriberAudience'];

/** Namespace and name of the broker a trigger points at. */
export function brokerOfTrigger(t: KObject, crossNamespace: boolean): { namespace: string; name: string } {
  const ref = t.spec?.brokerRef;
  if (!t.spec?.broker && ref?.name) return { namespace: (crossNamespace && ref.namespace) || t.metadata.namespace!, name: ref.name };
  return { namespace: t.metadata.namespace!, name: t.spec?.broker ?? '' };
}

export function newTriggerReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.triggers);
  const brokers = w.resolver.watch(GR.brokers);
  const configMaps = w.resolver.watch(GR.configMaps);
  const set = CONDITION_SETS.trigger.withClock(deps.clock);
  /** trigger key → where it is registered on the plane. */
  const registered = new Map<string, { namespace: string; broker: string }>();

  const features = () => featuresFrom((gr, ns, name) => (gr === GR.configMaps ? configMaps.get(ns, name) : undefined));

  const inner = kindReconciler<KObject>({
    gr: GR.triggers,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(t) {
      const ns = t.metadata.namespace!;
      const key = keyOf(t);
      let status = t.status as StatusWithConditions;
      const done = () => {
        t.status = status;
      };
      const target = brokerOfTrigger(t, features().crossNamespaceEventLinks);

      // Broker.
      w.tracker.track({ gr: GR.brokers, namespace: target.namespace, name: target.name }, key);
      const b = brokers.get(target.namespace, target.name);
      if (!b) {
        status = set.markFalse(status, C.brokerReady, 'BrokerDoesNotExist', 'Broker %q does not exist', target.name);
        return done();
      }
      const bc = condition(b, 'Ready');
      if (!bc) status = set.markUnknown(status, C.brokerReady, 'BrokerNotConfigured', 'Broker has not yet been reconciled.');
      else if (bc.status === 'True') status = set.markTrue(status, C.brokerReady);
      else if (bc.status === 'False') status = set.markFalse(status, C.brokerReady, bc.reason ?? '', bc.message);
      else status = set.markUnknown(status, C.brokerReady, bc.reason ?? '', bc.message);
      if (!isReady(b)) return done();

      // Subscriber.
      let subscriberUri: string;
      try {
        const addr = w.resolver.resolve(t.spec?.subscriber, { namespace: ns, key });
        subscriberUri = addr.url;
        status = { ...omit(status, ...SUBSCRIBER_KEYS), subscriberUri: addr.url };
        if (addr.CACerts) status.subscriberCACerts = addr.CACerts;
        if (addr.audience) status.subscriberAudience = addr.audience;
        status = set.markTrue(status, C.subscriberResolved);
      } catch (err) {
        status = set.markFalse(omit(status, ...SUBSCRIBER_KEYS), C.subscriberResolved, "Unable to get the Subscriber's URI", '%v', err);
        return done();
      }

      // Dead-letter sink: the trigger's, else the broker's resolved one.
      let deadLetterUri: string | undefined;
      const ownDls = t.spec?.delivery?.deadLetterSink;
      if (ownDls) {
        try {
          const addr = w.resolver.resolve(ownDls, { namespace: ns, key });
          deadLetterUri = addr.url;
          status = set.markTrue({ ...omit(status, ...DELIVERY_STATUS_KEYS), ...deliveryStatusOf(addr) }, C.dls);
        } catch (err) {
          status = set.markFalse(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, "Unable to get the dead letter sink's URI", '%v', err);
          return done();
        }
      } else if (b.spec?.delivery?.deadLetterSink) {
        if (b.status?.deadLetterSinkUri) {
          deadLetterUri = b.status.deadLetterSinkUri;
          const inherited: Record<string, string> = {};
          for (const k of DELIVERY_STATUS_KEYS) if (b.status[k]) inherited[k] = b.status[k];
          status = set.markTrue({ ...omit(status, ...DELIVERY_STATUS_KEYS), ...inherited }, C.dls);
        } else {
          status = set.markFalse(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, `Broker ${b.metadata.name} didn't set status.deadLetterSinkURI`, '');
          return done();
        }
      } else {
        status = set.markTrue(omit(status, ...DELIVERY_STATUS_KEYS), C.dls, 'DeadLetterSinkNotConfigured', 'No dead letter sink is configured.');
      }

      // Data plane: compiled filter + effective delivery.
      let filter;
      try {
        filter = compileTriggerFilter({ filter: t.spec?.filter, filters: t.spec?.filters } as TriggerFilterSpec, CESQL_DEPS);
      } catch (err) {
        // Admission refuses invalid filters; this only catches objects stored before a rule existed.
        status = set.markFalse(status, C.subscriptionReady, 'FilterInvalid', '%v', err);
        return done();
      }
      try {
        const delivery = compileDelivery(t.spec?.delivery ?? b.spec?.delivery, deadLetterUri);
        await deps.dataPlane.upsertTrigger(target.namespace, target.name, {
          name: t.metadata.name!,
          uid: t.metadata.uid!,
          filter,
          subscriberUri,
          ...(delivery ? { delivery } : {}),
          ...(deadLetterUri ? { deadLetterUri } : {}),
        });
      } catch (err) {
        status = set.markFalse(status, C.subscriptionReady, 'NotSubscribed', '%v', err);
        done();
        throw err;
      }
      registered.set(key, { namespace: target.namespace, broker: target.name });
      status = set.markTrue(status, C.subscriptionReady);

      // Dependency.
      status = dependency(t, status, key);
      return done();
    },
  });

  function dependency(t: KObject, status: StatusWithConditions, key: string): StatusWithConditions {
    const raw = t.metadata.annotations?.[A.dependency];
    if (raw === undefined) return set.markTrue(status, C.dependency);
    let ref: { apiVersion?: string; kind?: string; name?: string };
    try {
      ref = JSON.parse(raw);
    } catch (err) {
      return set.markFalse(status, C.dependency, 'ReferenceError', 'Unable to unmarshal objectReference from dependency annotation of trigger: %v', err);
    }
    let dep: KObject | undefined;
    try {
      const gr = w.resolver.grFor(ref.apiVersion ?? '', ref.kind ?? '');
      dep = w.resolver.getTracked(gr, t.metadata.namespace!, ref.name ?? '', key);
    } catch (err) {
      if (err instanceof DestinationResolveError && !err.transient) return set.markUnknown(status, C.dependency, 'ListerDoesNotExist', 'Failed to retrieve lister: %v', err);
      return set.markUnknown(status, C.dependency, 'DependencyGetFailed', 'Failed to get dependency: %v', err);
    }
    if (!dep) return set.markFalse(status, C.dependency, 'DependencyDoesNotExist', 'Dependency does not exist: %s', `${ref.kind} ${JSON.stringify(ref.name)} not found`);
    if (dep.metadata.generation !== dep.status?.observedGeneration)
      return set.markUnknown(
        status,
        C.dependency,
        'GenerationNotEqual',
        "The dependency's metadata.generation, %q, is not equal to its status.observedGeneration, %q.",
        String(dep.metadata.generation),
        String(dep.status?.observedGeneration ?? ''),
      );
    const dc = condition(dep, 'Ready');
    if (!dc) return set.markUnknown(status, C.dependency, 'DependencyNotConfigured', 'Dependency has not yet been reconciled.');
    if (dc.status === 'True') return set.markTrue(status, C.dependency);
    if (dc.status === 'False') return set.markFalse(status, C.dependency, dc.reason ?? '', dc.message);
    return set.markUnknown(status, C.dependency, dc.reason ?? '', dc.message);
  }

  return withGone(lister, inner, async (ns, name) => {
    const key = `${ns}/${name}`;
    w.tracker.untrackAll(key);
    const reg = registered.get(key);
    if (!reg) return;
    registered.delete(key);
    await deps.dataPlane.deleteTrigger(reg.namespace, reg.broker, name);
  });
}

export function newTriggerController(deps: EventingControllerDeps): Controller {
  const w = new Wiring(deps);
  const ctrl = w.bind('trigger-controller', deps, newTriggerReconciler(deps, w));
  deps.informers.informerFor(GR.triggers).addEventHandler(ctrl.handler());
  return ctrl;
}

