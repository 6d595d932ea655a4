// What every eventing reconciler shares: its dependencies, the per-controller
// wiring (tracker + destination resolver bound to the controller's queue),
// Knative's condition sets, and small status helpers.
import { condition, type KObject } from '../../api/meta.js';
import type { ApiClient } from '../../client/client.js';
import type { Clock } from '../../controller/clock.js';
import { ConditionSet, type StatusWithConditions } from '../../controller/conditions.js';
import { Controller, Tracker, type Reconciler } from '../../controller/controller.js';
import type { EventRecorder } from '../../controller/events.js';
import type { Lister, SharedInformerFactory } from '../../controller/informer.js';
import { splitKey } from '../../controller/informer.js';
import type { Logger } from '../../controller/logger.js';
import { compileDeliveryPolicy, type DeliveryPolicy, type DeliverySpec } from '../delivery/delivery-spec.js';
import type { EventingDataPlane } from './dataplane.js';
import { DestinationResolver, type KindToGr } from './destination.js';

export interface EventingControllerDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  dataPlane: EventingDataPlane;
  /** apiVersion/kind → group-resource (e.g. the registry's); default: Knative's plural guess. */
  kindToGr?: KindToGr;
  /** Workers per controller (default 2, Knative's threadiness). */
  workers?: number;
}

/** A controller's tracker and resolver, bound to its queue once the Controller exists. */
export class Wiring {
  controller?: Controller;
  readonly tracker: Tracker;
  readonly resolver: DestinationResolver;

  constructor(deps: EventingControllerDeps) {
    const enqueue = (key: string) => this.controller?.enqueueKey(key);
    this.tracker = new Tracker(enqueue, { clock: deps.clock });
    this.resolver = new DestinationResolver({ informers: deps.informers, tracker: this.tracker, enqueue, kindToGr: deps.kindToGr });
  }

  /** Make the Controller and bind the wiring to it. */
  bind(name: string, deps: EventingControllerDeps, reconciler: Reconciler): Controller {
    this.controller = new Controller({ name, reconciler, clock: deps.clock, logger: deps.logger, workers: deps.workers });
    return this.controller;
  }
}

// ---------------------------------------------------------------- condition sets (Knative's, minus OIDC/EventPolicies)

export const C = {
  ready: 'Ready',
  ingress: 'IngressReady',
  triggerChannel: 'TriggerChannelReady',
  eventLog: 'EventLogReady',
  filter: 'FilterReady',
  addressable: 'Addressable',
  dls: 'DeadLetterSinkResolved',
  brokerReady: 'BrokerReady',
  subscriptionReady: 'SubscriptionReady',
  dependency: 'DependencyReady',
  subscriberResolved: 'SubscriberResolved',
  serviceReady: 'ServiceReady',
  endpointsReady: 'EndpointsReady',
  channelServiceReady: 'ChannelServiceReady',
  backingChannelReady: 'BackingChannelReady',
  referencesResolved: 'ReferencesResolved',
  addedToChannel: 'AddedToChannel',
  channelReady: 'ChannelReady',
  referenceExists: 'ReferenceExists',
  channelsReady: 'ChannelsReady',
  subscriptionsReady: 'SubscriptionsReady',
} as const;

export const CONDITION_SETS = {
  /** pkg/apis/eventing/v1/broker_lifecycle.go (MTChannelBasedBroker). */
  brokerMT: ConditionSet.living([C.ingress, C.triggerChannel, C.filter, C.addressable, C.dls]),
  /**
   * SkiffLogBroker: the MT set with the trigger channel replaced by the event log that backs the
   * broker (so `kn broker list` reads "6 OK / 6" for both classes).
   */
  brokerLog: ConditionSet.living([C.ingress, C.eventLog, C.filter, C.addressable, C.dls]),
  /** A broker of a class no data plane implements: Ready only. */
  brokerUnsupported: ConditionSet.living([]),
  trigger: ConditionSet.living([C.brokerReady, C.subscriptionReady, C.dependency, C.subscriberResolved, C.dls]),
  inMemoryChannel: ConditionSet.living([C.serviceReady, C.endpointsReady, C.addressable, C.channelServiceReady, C.dls]),
  channel: ConditionSet.living([C.backingChannelReady, C.addressable, C.dls]),
  subscription: ConditionSet.living([C.referencesResolved, C.addedToChannel, C.channelReady]),
  eventType: ConditionSet.living([C.referenceExists]),
  sequence: ConditionSet.living([C.channelsReady, C.subscriptionsReady, C.addressable]),
  parallel: ConditionSet.living([C.channelsReady, C.subscriptionsReady, C.addressable]),
};

// ---------------------------------------------------------------- helpers

export { condition };

/** Ready=True for the object's current generation (Knative's IsReady). */
export function isReady(obj: KObject | undefined): boolean {
  return !!obj && condition(obj)?.status === 'True' && (obj.metadata.generation === undefined || obj.status?.observedGeneration === obj.metadata.generation);
}

/** Copy of `status` with the listed keys removed (for clearing resolved URIs). */
export function omit<S extends StatusWithConditions>(status: S, ...keys: string[]): S {
  const out = { ...status } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as S;
}

export const DELIVERY_STATUS_KEYS = ['deadLetterSinkUri', 'deadLetterSinkCACerts', 'deadLetterSinkAudience'];

export function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** compileDeliveryPolicy, or undefined when there is no spec and no dead-letter sink. */
export function compileDelivery(spec: DeliverySpec | undefined | null, deadLetterSinkUri?: string): DeliveryPolicy | undefined {
  if (!spec && !deadLetterSinkUri) return undefined;
  return compileDeliveryPolicy(spec ?? {}, deadLetterSinkUri ? { deadLetterSinkUri } : {});
}

/**
 * A Reconciler that also notices objects that are gone (the key is no longer
 * in the cache) and calls `onGone` — how data-plane registrations are dropped
 * without finalizers (nothing blocks a delete while Skiff is down).
 */
export function withGone(lister: Lister, inner: Reconciler, onGone: (namespace: string, name: string) => Promise<void> | void): Reconciler {
  return {
    async reconcile(key) {
      if (!lister.getByKey(key)) {
        const { namespace, name } = splitKey(key);
        await onGone(namespace ?? '', name);
        return;
      }
      return inner.reconcile(key);
    },
  };
}

/** Try several kind reconcilers in turn (each filters on what it handles). */
export function firstOf(...reconcilers: Reconciler[]): Reconciler {
  return {
    async reconcile(key) {
      let last;
      for (const r of reconcilers) last = (await r.reconcile(key)) ?? last;
      return last;
    },
  };
}

export function ownedBy(child: KObject, parent: KObject): boolean {
  return !!child.metadata.ownerReferences?.some((r) => r.controller && r.uid === parent.metadata.uid);
}

/** `{apiVersion, kind, name, namespace}` of an object (corev1.ObjectReference as Knative writes it in status). */
export function objectRef(o: KObject): { apiVersion: string; kind: string; name: string; namespace: string } {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, namespace: o.metadata.namespace ?? '' };
}
