// Every Knative Eventing kind Skiff serves, registered with Knative's names,
// short names, categories and printer columns (config/core/resources/*.yaml):
// eventing.knative.dev Broker, Trigger, EventType; messaging.knative.dev
// Channel (ch), InMemoryChannel (imc), Subscription (sub); flows.knative.dev
// Sequence, Parallel; sources.knative.dev PingSource, ApiServerSource,
// ContainerSource, SinkBinding. Admission helpers that live above src/api come in as deps.
import type { ResourceRegistry, ResourceType } from '../registry.js';
import type { EventingAdmissionDeps } from './deps.js';
import { brokerType, eventTypeType, triggerType } from './eventing.js';
import { parallelType, sequenceType } from './flows.js';
import { channelType, inMemoryChannelType, subscriptionType } from './messaging.js';
import { apiServerSourceType, containerSourceType, pingSourceType, sinkBindingType } from './sources.js';

export type { EventingAdmissionDeps } from './deps.js';

export function eventingKinds(deps: EventingAdmissionDeps): ResourceType[] {
  return [
    brokerType(deps),
    triggerType(deps),
    eventTypeType,
    channelType(deps),
    inMemoryChannelType(deps),
    subscriptionType(deps),
    sequenceType(deps),
    parallelType(deps),
    pingSourceType,
    apiServerSourceType(deps),
    containerSourceType,
    sinkBindingType,
  ];
}

export function registerEventingKinds(r: ResourceRegistry, deps: EventingAdmissionDeps): void {
  for (const t of eventingKinds(deps)) r.register(t);
}
