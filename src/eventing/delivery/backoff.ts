// Waiting time between delivery attempts.
//
// Convention (Knative's API documentation, and what the Kafka broker's dispatcher does): the wait
// before retry k (k = 1 … retry) is
//   linear:      backoffDelay × k        (PT0.2S → 0.2 s, 0.4 s, 0.6 s, …)
//   exponential: backoffDelay × 2^k      (PT0.2S → 0.4 s, 0.8 s, 1.6 s, …)
// Knative's Go dispatcher is one step earlier (delay × (k−1) and delay × 2^(k−1)); the spec text
// says linear is constant. We follow the documented formula (eventing.md §1.3).
// Without a backoffDelay there is no wait: retries are immediate, as in Knative's Go dispatcher.
//
// Retry-After (seconds or HTTP-date) is honoured only when retryAfterMax is set (> 0) and the
// response is 429 or 503: wait = max(backoff, min(Retry-After, retryAfterMax)).
// Every wait is capped at MAX_WAIT_MS, the longest timer Node can arm (about 24.8 days); longer
// values would make setTimeout fire immediately.

export type BackoffPolicy = 'linear' | 'exponential';

export const MAX_WAIT_MS = 2 ** 31 - 1;

/** Wait before retry `k` (1-based) from the backoff policy alone. */
export function backoffWaitMs(policy: BackoffPolicy, delayMs: number, k: number): number {
  if (!(delayMs > 0) || k < 1) return 0;
  const wait = policy === 'linear' ? delayMs * k : delayMs * 2 ** k;
  return Math.min(wait, MAX_WAIT_MS);
}

/**
 * Parse a Retry-After header value to a wait in ms: delta-seconds (`120`) or an HTTP-date
 * (relative to `nowMs`; a past date means 0). Undefined when absent or unparseable.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, MAX_WAIT_MS);
  // HTTP-date (IMF-fixdate and the obsolete forms) — Date.parse understands all three.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_WAIT_MS);
}

export interface RetryWaitInput {
  policy: BackoffPolicy;
  delayMs: number;
  /** Which retry is about to happen: 1 for the first retry. */
  retry: number;
  /** Status of the failed attempt (undefined for a network error). */
  status?: number;
  /** Retry-After header of the failed attempt, if any. */
  retryAfter?: string;
  /** DeliverySpec.retryAfterMax in ms; undefined or 0 = ignore Retry-After. */
  retryAfterMaxMs?: number;
  nowMs: number;
}

/** Wait before the next attempt: the backoff, stretched by Retry-After where allowed. */
export function retryWaitMs(input: RetryWaitInput): number {
  const backoff = backoffWaitMs(input.policy, input.delayMs, input.retry);
  const cap = input.retryAfterMaxMs;
  if (cap === undefined || !(cap > 0) || (input.status !== 429 && input.status !== 503)) return backoff;
  const retryAfter = parseRetryAfterMs(input.retryAfter, input.nowMs);
  if (retryAfter === undefined) return backoff;
  return Math.max(backoff, Math.min(retryAfter, cap));
}
