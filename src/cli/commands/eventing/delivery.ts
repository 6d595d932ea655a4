// kn's delivery flags (`--dl-sink`, `--retry`, `--timeout`, `--backoff-policy`,
// `--backoff-delay`, `--retry-after-max`) and their mapping onto a duck
// DeliverySpec. Durations are checked here as ISO-8601 (PT0.2S) so a Go-style
// `2s` fails before any request, naming the flag. Pure except the dead-letter
// sink, which the caller resolves.
import type { FlagSpec } from '../../args.js';
import type { Flags } from '../../args.js';
import { KnError } from '../../knative-format.js';
import { DurationParseError, parseIsoDuration } from '../../../eventing/delivery/duration.js';
import { sinkFlag, type Destination } from './sink.js';

export interface DeliverySpecShape {
  deadLetterSink?: Destination;
  retry?: number;
  backoffPolicy?: string;
  backoffDelay?: string;
  timeout?: string;
  retryAfterMax?: string;
  format?: string;
}

/** Flag values as given (undefined = not given). */
export interface DeliveryFlagValues {
  retry?: number;
  backoffPolicy?: string;
  backoffDelay?: string;
  timeout?: string;
  retryAfterMax?: string;
}

export const DELIVERY_FLAG_NAMES = ['dl-sink', 'retry', 'timeout', 'backoff-policy', 'backoff-delay', 'retry-after-max'] as const;

export function deliveryFlagSpecs(): FlagSpec[] {
  return [
    sinkFlag('dl-sink', undefined, 'The sink receiving event that could not be sent to a destination (same forms as --sink).'),
    { name: 'retry', type: 'int', placeholder: 'int32', description: 'The minimum number of retries the sender should attempt when sending an event before moving it to the dead letter sink.' },
    { name: 'timeout', type: 'string', placeholder: 'ISO-8601', description: 'The timeout of each single request, an ISO-8601 duration (e.g. PT30S). The value must be greater than 0.' },
    { name: 'backoff-policy', type: 'string', placeholder: 'linear|exponential', description: 'The retry backoff policy (linear, exponential).' },
    { name: 'backoff-delay', type: 'string', placeholder: 'ISO-8601', description: 'The delay before retrying, an ISO-8601 duration (e.g. PT0.2S).' },
    {
      name: 'retry-after-max',
      type: 'string',
      placeholder: 'ISO-8601',
      description:
        'An optional upper bound on the duration specified in a "Retry-After" header when calculating backoff times for retrying 429 and 503 response codes. ' +
        'Setting the value to zero ("PT0S") can be used to opt-out of respecting "Retry-After" header values altogether. ' +
        'Needs the delivery-retryafter feature (config-features).',
    },
  ];
}

export function deliveryFlagValues(flags: Flags): DeliveryFlagValues {
  const v: DeliveryFlagValues = {};
  if (flags.has('retry')) v.retry = flags.int('retry');
  if (flags.has('backoff-policy')) v.backoffPolicy = flags.string('backoff-policy');
  if (flags.has('backoff-delay')) v.backoffDelay = flags.string('backoff-delay');
  if (flags.has('timeout')) v.timeout = flags.string('timeout');
  if (flags.has('retry-after-max')) v.retryAfterMax = flags.string('retry-after-max');
  return v;
}

/** True when any delivery flag was given. */
export function anyDeliveryFlag(flags: Flags): boolean {
  return DELIVERY_FLAG_NAMES.some((n) => flags.has(n));
}

function checkDuration(flag: string, value: string, rule: 'nonNegative' | 'positive'): void {
  let ms: number;
  try {
    ms = parseIsoDuration(value);
  } catch (e) {
    if (e instanceof DurationParseError) throw new KnError(`invalid value '${value}' for '--${flag}': ${e.message}`, 'SKIFF_ERR_CLI_DURATION_INVALID');
    throw e;
  }
  if (rule === 'positive' && !(ms > 0)) throw new KnError(`invalid value '${value}' for '--${flag}': must be greater than zero`, 'SKIFF_ERR_CLI_DURATION_INVALID');
  if (rule === 'nonNegative' && ms < 0) throw new KnError(`invalid value '${value}' for '--${flag}': must not be negative`, 'SKIFF_ERR_CLI_DURATION_INVALID');
}

/**
 * Check the values and merge them (and a resolved dead-letter sink) into
 * `base` (an existing DeliverySpec on update, undefined on create). Returns
 * undefined when nothing is set at all. Empty string values are ignored, as
 * kn's builders do.
 */
export function applyDeliveryFlags(base: DeliverySpecShape | undefined, v: DeliveryFlagValues, deadLetterSink?: Destination): DeliverySpecShape | undefined {
  if (v.retry !== undefined && (v.retry < 0 || v.retry > 2147483647)) throw new KnError(`invalid value '${v.retry}' for '--retry': must be an integer >= 0`, 'SKIFF_ERR_CLI_RETRY_INVALID');
  if (v.backoffPolicy && v.backoffPolicy !== 'linear' && v.backoffPolicy !== 'exponential')
    throw new KnError(`invalid value '${v.backoffPolicy}' for '--backoff-policy': must be 'linear' or 'exponential'`, 'SKIFF_ERR_CLI_BACKOFF_POLICY_INVALID');
  if (v.backoffDelay) checkDuration('backoff-delay', v.backoffDelay, 'nonNegative');
  if (v.timeout) checkDuration('timeout', v.timeout, 'positive');
  if (v.retryAfterMax) checkDuration('retry-after-max', v.retryAfterMax, 'nonNegative');
  const out: DeliverySpecShape = { ...(base ?? {}) };
  if (deadLetterSink) out.deadLetterSink = deadLetterSink;
  if (v.retry !== undefined) out.retry = v.retry;
  if (v.backoffPolicy) out.backoffPolicy = v.backoffPolicy;
  if (v.backoffDelay) out.backoffDelay = v.backoffDelay;
  if (v.timeout) out.timeout = v.timeout;
  if (v.retryAfterMax) out.retryAfterMax = v.retryAfterMax;
  return Object.keys(out).length ? out : undefined;
}
