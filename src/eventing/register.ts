// Wires Eventing into a registry: the Knative kinds (src/api/eventing) with the
// admission checks that live in the eventing modules — trigger filter dialects
// with CESQL parsed at admission (an invalid expression is a 422 naming
// `spec.filters[i].cesql`) and DeliverySpec validation.
import type { ResourceRegistry } from '../api/registry.js';
import { registerEventingKinds, type EventingAdmissionDeps } from '../api/eventing/kinds.js';
import { validateDeliverySpec } from './delivery/delivery-spec.js';
import { compileCesql, cesqlMatches } from './filter/cesql/index.js';
import { validateFilters, validateTriggerFilterSpec, type CesqlDeps, type TriggerFilterSpec } from './filter/subscriptions-api.js';

/** The CESQL implementation filters are compiled and validated with. */
export const CESQL_DEPS: CesqlDeps = { compileCesql, cesqlMatches: cesqlMatches as CesqlDeps['cesqlMatches'] };

export const EVENTING_ADMISSION_DEPS: EventingAdmissionDeps = {
  validateTriggerFilters: (spec, specPath) => validateTriggerFilterSpec(spec as TriggerFilterSpec, specPath, CESQL_DEPS),
  validateFilters: (filters, path) => validateFilters(filters, path, CESQL_DEPS),
  validateDeliverySpec,
};

export function registerEventing(r: ResourceRegistry): void {
  registerEventingKinds(r, EVENTING_ADMISSION_DEPS);
}
