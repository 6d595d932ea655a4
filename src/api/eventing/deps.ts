// What eventing admission needs from modules above src/api (the filter
// dialects with the CESQL parser, DeliverySpec checks). src/eventing/register.ts
// supplies the real ones; keeping them injected keeps src/api free of upward imports.
import type { FieldError } from '../errors.js';
import type { DeliverySpecValidator } from './duck.js';

export interface EventingAdmissionDeps {
  /** Trigger `filter.attributes` + `filters` (every dialect; CESQL parsed), paths under `specPath`. */
  validateTriggerFilters(spec: { filter?: unknown; filters?: unknown }, specPath: string): FieldError[];
  /** A bare Subscriptions API `filters` list at `path` (ApiServerSource `spec.filters`). */
  validateFilters(filters: unknown, path: string): FieldError[];
  /** DeliverySpec fields other than `deadLetterSink` (retry, backoff, timeout, retryAfterMax, format). */
  validateDeliverySpec: DeliverySpecValidator;
}
