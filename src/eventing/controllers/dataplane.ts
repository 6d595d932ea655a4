// The seam between the eventing reconcilers and whatever moves events: the
// controllers resolve URIs, compile filters and delivery policies, and hand the
// result to an EventingDataPlane; they never touch HTTP or storage. The
// embedded data plane (src/eventing/{broker,channel}: BrokerPlane,
// ChannelPlane) satisfies it through `eventingDataPlaneFrom`, a thin adapter;
// a Kafka-backed plane can implement the same interface later.
//
// Channel subscriptions travel the Knative way: a Subscription is written into
// its channel's `spec.subscribers`, and the channel's reconciler pushes the
// whole resolved subscriber list with `upsertChannel` (one call per channel
// change, so a plane never sees a half-updated list).
import type { DeliveryPolicy } from '../delivery/delivery-spec.js';
import type { EventFilter } from '../filter/attributes.js';

export type ChannelBackendKind = 'memory' | 'log';
export type DeliveryOrdering = 'ordered' | 'unordered';

export interface BrokerDataPlaneConfig {
  /** The broker class annotation (MTChannelBasedBroker, SkiffLogBroker). */
  class: string;
  /** Compiled `spec.delivery` (its deadLetterSinkUri = the resolved DLS): the default for triggers. */
  delivery?: DeliveryPolicy;
  /** Resolved `status.deadLetterSinkUri`. */
  deadLetterUri?: string;
  /** MTChannelBasedBroker: answer producers before fanning out (`messaging.knative.dev/async-handler`). */
  asyncHandler?: boolean;
}

export interface TriggerDataPlaneConfig {
  name: string;
  uid: string;
  /** Compiled `spec.filter` / `spec.filters`; absent = every event. */
  filter?: EventFilter;
  /** Resolved `status.subscriberUri`. */
  subscriberUri: string;
  /** The effective delivery: the trigger's `spec.delivery` as a whole, else the broker's. */
  delivery?: DeliveryPolicy;
  /** Resolved dead-letter sink: the trigger's, else the broker's. */
  deadLetterUri?: string;
  ordering?: DeliveryOrdering;
}

export interface ChannelSubscriberDataPlaneConfig {
  /** Subscription uid. */
  uid: string;
  subscriberUri?: string;
  replyUri?: string;
  /** The subscriber entry's compiled delivery; absent → the channel's. */
  delivery?: DeliveryPolicy;
  deadLetterUri?: string;
  ordering?: DeliveryOrdering;
}

export interface ChannelDataPlaneConfig {
  backend: ChannelBackendKind;
  subscribers: readonly ChannelSubscriberDataPlaneConfig[];
  /** Compiled channel `spec.delivery`: the default for subscribers without one. */
  delivery?: DeliveryPolicy;
  deadLetterUri?: string;
  asyncHandler?: boolean;
}

export interface EventingDataPlane {
  /** Broker classes this plane implements; brokers of other classes are marked not ready. */
  readonly brokerClasses: readonly string[];
  upsertBroker(namespace: string, name: string, config: BrokerDataPlaneConfig): void | Promise<void>;
  deleteBroker(namespace: string, name: string): void | Promise<void>;
  /** The broker may not exist (yet): the plane keeps the trigger until it does. */
  upsertTrigger(namespace: string, broker: string, config: TriggerDataPlaneConfig): void | Promise<void>;
  deleteTrigger(namespace: string, broker: string, name: string): void | Promise<void>;
  upsertChannel(namespace: string, name: string, config: ChannelDataPlaneConfig): void | Promise<void>;
  deleteChannel(namespace: string, name: string): void | Promise<void>;
}

// ---------------------------------------------------------------- adapter

/** What the adapter needs from the broker plane (src/eventing/broker/broker-plane.ts BrokerPlane). */
export interface BrokerPlaneLike {
  upsertBroker(ns: string, name: string, config: { class: any; delivery?: DeliveryPolicy; deadLetterUri?: string; asyncHandler?: boolean }): void;
  deleteBroker(ns: string, name: string): Promise<void>;
  upsertTrigger(ns: string, broker: string, trigger: TriggerDataPlaneConfig): void;
  deleteTrigger(ns: string, broker: string, name: string): void;
}

/** What the adapter needs from the channel plane (src/eventing/channel/channel-plane.ts ChannelPlane). */
export interface ChannelPlaneLike {
  upsertChannel(ns: string, name: string, config: ChannelDataPlaneConfig): void;
  deleteChannel(ns: string, name: string): Promise<void>;
}

/** The embedded planes as one EventingDataPlane. */
export function eventingDataPlaneFrom(planes: { broker: BrokerPlaneLike; channel: ChannelPlaneLike; brokerClasses: readonly string[] }): EventingDataPlane {
  const { broker, channel } = planes;
  return {
    brokerClasses: planes.brokerClasses,
    upsertBroker: (ns, name, config) => broker.upsertBroker(ns, name, config),
    deleteBroker: (ns, name) => broker.deleteBroker(ns, name),
    upsertTrigger: (ns, b, config) => broker.upsertTrigger(ns, b, config),
    deleteTrigger: (ns, b, name) => broker.deleteTrigger(ns, b, name),
    upsertChannel: (ns, name, config) => channel.upsertChannel(ns, name, { ...config, subscribers: [...config.subscribers] }),
    deleteChannel: (ns, name) => channel.deleteChannel(ns, name),
  };
}
