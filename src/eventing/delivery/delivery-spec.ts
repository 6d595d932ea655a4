// DeliverySpec (`pkg/apis/duck/v1/delivery_types.go`): validation with field paths, and
// compilation into the frozen DeliveryPolicy the dispatcher uses (ISO durations parsed once).
// Resolving `deadLetterSink` (a Destination) to a URL is the reconciler's job; it passes the URI in.

import type { FieldError } from '../filter/field-error.js';
import type { BackoffPolicy } from './backoff.js';
import { DurationParseError, parseIsoDuration } from './duration.js';

export type DeliveryFormat = 'binary' | 'json';

/** DeliverySpec as users write it (Trigger, Subscription, Broker, Channel `spec.delivery`). */
export interface DeliverySpec {
  deadLetterSink?: unknown;
  retry?: number;
  backoffPolicy?: BackoffPolicy;
  backoffDelay?: string;
  timeout?: string;
  retryAfterMax?: string;
  format?: DeliveryFormat;
}

/** What the dispatcher needs, with durations in ms. */
export interface DeliveryPolicy {
  /** Retries after the first attempt (total attempts = retry + 1). */
  readonly retry: number;
  readonly backoffPolicy: BackoffPolicy;
  /** 0 = retry immediately. */
  readonly backoffDelayMs: number;
  /** Per-attempt timeout; undefined = none. */
  readonly timeoutMs?: number;
  /** Cap for Retry-After on 429/503; undefined or 0 = ignore Retry-After. */
  readonly retryAfterMaxMs?: number;
  /** Force binary or structured (json) mode; default binary. */
  readonly format: DeliveryFormat;
  /** Resolved dead-letter sink URL, if any. */
  readonly deadLetterSinkUri?: string;
}

/** No retries, no dead-letter sink: the policy when `delivery` is not set. */
export const NO_RETRY_POLICY: DeliveryPolicy = Object.freeze({ retry: 0, backoffPolicy: 'exponential', backoffDelayMs: 0, format: 'binary' });

export interface DeliveryFeatures {
  /** Knative flag `delivery-timeout` (Beta, on by default). When off, `timeout` is rejected. */
  deliveryTimeout?: boolean;
  /** Knative flag `delivery-retryafter` (Alpha, off by default). When off, `retryAfterMax` is rejected. */
  deliveryRetryAfter?: boolean;
}

function durationError(value: unknown, path: string, what: string): FieldError | undefined {
  if (typeof value !== 'string') return { path, message: `${what} must be an ISO-8601 duration string like PT0.2S` };
  try {
    parseIsoDuration(value);
    return undefined;
  } catch (err) {
    return { path, message: err instanceof DurationParseError ? err.message : String(err) };
  }
}

/** Validate a DeliverySpec at `path` (e.g. `spec.delivery`); `deadLetterSink` is checked elsewhere. */
export function validateDeliverySpec(spec: unknown, path: string, features: DeliveryFeatures = {}): FieldError[] {
  const errors: FieldError[] = [];
  if (spec === undefined || spec === null) return errors;
  if (typeof spec !== 'object' || Array.isArray(spec)) return [{ path, message: 'must be an object' }];
  const s = spec as Record<string, unknown>;

  if (s.retry !== undefined && s.retry !== null) {
    if (typeof s.retry !== 'number' || !Number.isInteger(s.retry) || s.retry < 0 || s.retry > 2147483647) {
      errors.push({ path: `${path}.retry`, message: `must be an integer >= 0, got ${JSON.stringify(s.retry)}` });
    }
  }
  if (s.backoffPolicy !== undefined && s.backoffPolicy !== null && s.backoffPolicy !== 'linear' && s.backoffPolicy !== 'exponential') {
    errors.push({ path: `${path}.backoffPolicy`, message: `must be "linear" or "exponential", got ${JSON.stringify(s.backoffPolicy)}` });
  }
  if (s.backoffDelay !== undefined && s.backoffDelay !== null) {
    const err = durationError(s.backoffDelay, `${path}.backoffDelay`, 'backoffDelay');
    if (err) errors.push(err);
    else if (parseIsoDuration(s.backoffDelay as string) < 0) errors.push({ path: `${path}.backoffDelay`, message: 'must not be negative' });
  }
  if (s.timeout !== undefined && s.timeout !== null) {
    if (features.deliveryTimeout === false) {
      errors.push({ path: `${path}.timeout`, message: 'not allowed: the delivery-timeout feature is disabled' });
    } else {
      const err = durationError(s.timeout, `${path}.timeout`, 'timeout');
      if (err) errors.push(err);
      else if (!(parseIsoDuration(s.timeout as string) > 0)) errors.push({ path: `${path}.timeout`, message: 'must be greater than zero' });
    }
  }
  if (s.retryAfterMax !== undefined && s.retryAfterMax !== null) {
    if (features.deliveryRetryAfter !== true) {
      errors.push({ path: `${path}.retryAfterMax`, message: 'not allowed: the delivery-retryafter feature is disabled' });
    } else {
      const err = durationError(s.retryAfterMax, `${path}.retryAfterMax`, 'retryAfterMax');
      if (err) errors.push(err);
      else if (parseIsoDuration(s.retryAfterMax as string) < 0) errors.push({ path: `${path}.retryAfterMax`, message: 'must not be negative' });
    }
  }
  if (s.format !== undefined && s.format !== null && s.format !== 'json' && s.format !== 'binary') {
    errors.push({ path: `${path}.format`, message: `must be "json" or "binary", got ${JSON.stringify(s.format)}` });
  }
  return errors;
}

/**
 * Compile a (validated) DeliverySpec. A backoffDelay without a backoffPolicy uses exponential
 * (the Kafka broker's default); no backoffDelay means immediate retries. Throws
 * DurationParseError if a duration does not parse.
 */
export function compileDeliveryPolicy(spec: DeliverySpec | undefined | null, resolved: { deadLetterSinkUri?: string } = {}): DeliveryPolicy {
  const policy: {
    retry: number;
    backoffPolicy: BackoffPolicy;
    backoffDelayMs: number;
    timeoutMs?: number;
    retryAfterMaxMs?: number;
    format: DeliveryFormat;
    deadLetterSinkUri?: string;
  } = {
    retry: spec?.retry ?? 0,
    backoffPolicy: spec?.backoffPolicy ?? 'exponential',
    backoffDelayMs: spec?.backoffDelay ? Math.max(0, parseIsoDuration(spec.backoffDelay)) : 0,
    format: spec?.format ?? 'binary',
  };
  if (spec?.timeout) policy.timeoutMs = parseIsoDuration(spec.timeout);
  if (spec?.retryAfterMax) policy.retryAfterMaxMs = Math.max(0, parseIsoDuration(spec.retryAfterMax));
  if (resolved.deadLetterSinkUri) policy.deadLetterSinkUri = resolved.deadLetterSinkUri;
  return Object.freeze(policy);
}
