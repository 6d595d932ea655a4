// Knative Eventing API groups, group-resource keys, label/annotation keys and
// fixed names (pkg/apis/eventing/register.go, pkg/apis/messaging/register.go,
// pkg/reconciler/sugar). One place so admission and controllers agree.

export const EVENTING_GROUP = 'eventing.knative.dev';
export const MESSAGING_GROUP = 'messaging.knative.dev';
export const FLOWS_GROUP = 'flows.knative.dev';
export const SOURCES_GROUP = 'sources.knative.dev';

/** The namespace Knative Eventing's system objects (config maps, ingress) live in. */
export const SYSTEM_NAMESPACE = 'knative-eventing';

/** Group-resource keys (see api/registry.ts grOf). */
export const GR = {
  brokers: `${EVENTING_GROUP}/brokers`,
  triggers: `${EVENTING_GROUP}/triggers`,
  eventTypes: `${EVENTING_GROUP}/eventtypes`,
  channels: `${MESSAGING_GROUP}/channels`,
  inMemoryChannels: `${MESSAGING_GROUP}/inmemorychannels`,
  subscriptions: `${MESSAGING_GROUP}/subscriptions`,
  sequences: `${FLOWS_GROUP}/sequences`,
  parallels: `${FLOWS_GROUP}/parallels`,
  pingSources: `${SOURCES_GROUP}/pingsources`,
  apiServerSources: `${SOURCES_GROUP}/apiserversources`,
  containerSources: `${SOURCES_GROUP}/containersources`,
  sinkBindings: `${SOURCES_GROUP}/sinkbindings`,
  configMaps: 'core/configmaps',
  namespaces: 'core/namespaces',
  services: 'core/services',
} as const;

export const API_VERSION = {
  eventing: `${EVENTING_GROUP}/v1`,
  eventType: `${EVENTING_GROUP}/v1beta3`,
  messaging: `${MESSAGING_GROUP}/v1`,
  flows: `${FLOWS_GROUP}/v1`,
  sources: `${SOURCES_GROUP}/v1`,
} as const;

/** Annotation keys. */
export const A = {
  brokerClass: 'eventing.knative.dev/broker.class',
  /** Trigger: "enabled"/"disabled"; only with broker `default` (sugar). */
  injection: 'eventing.knative.dev/injection',
  /** Trigger: JSON ObjectReference of a source to wait for. */
  dependency: 'knative.dev/dependency',
  /** Channels: the subscribable duck version ("v1"). */
  subscribableDuckVersion: 'messaging.knative.dev/subscribable',
  /** InMemoryChannel: answer producers before fanning out. */
  asyncHandler: 'messaging.knative.dev/async-handler',
  /** Channel scope: "cluster" or "namespace". */
  scope: 'eventing.knative.dev/scope',
} as const;

/** Label keys. */
export const L = {
  /** Set on Triggers by defaulting: the broker name. */
  broker: 'eventing.knative.dev/broker',
  /** Set on brokers the sugar controller created. */
  injected: 'eventing.knative.dev/injected',
  /** Namespace label (seed: `kubectl label ns X eventing.knative.dev/injection=enabled`). */
  injection: 'eventing.knative.dev/injection',
} as const;

/** Knative's multi-tenant channel-based broker class (the default on a cluster). */
export const BROKER_CLASS_MT = 'MTChannelBasedBroker';
/**
 * Skiff's durable embedded broker class (the event log; 202 = on disk). Name agreed with the
 * eventing data plane (src/eventing/broker/broker-plane.ts); the embedded default.
 */
export const BROKER_CLASS_LOG = 'SkiffLogBroker';

export const BROKER_INGRESS_HOST = `broker-ingress.${SYSTEM_NAMESPACE}.svc.cluster.local`;
export const IMC_DISPATCHER_HOST = `imc-dispatcher.${SYSTEM_NAMESPACE}.svc.cluster.local`;

/** `http://broker-ingress.knative-eventing.svc.cluster.local/{ns}/{name}` (pkg/reconciler/broker/broker.go). */
export function brokerAddress(namespace: string, name: string): string {
  return `http://${BROKER_INGRESS_HOST}/${namespace}/${name}`;
}

/** The Service name an InMemoryChannel is reached by: `{name}-kn-channel`. */
export function channelServiceName(name: string): string {
  return `${name}-kn-channel`;
}

/** Name of the broker the sugar controller injects. */
export const DEFAULT_BROKER_NAME = 'default';
