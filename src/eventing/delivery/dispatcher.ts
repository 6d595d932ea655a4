// Delivering one event to one destination with Knative's semantics (eventing.md §1.3–1.5):
// `Prefer: reply`, per-attempt timeout, retries with backoff on retryable outcomes, reply
// detection, and the dead-letter sink with knativeerror* extensions. Pure orchestration: the
// transport (`send`), the clock and sleeping are injected, so timing is testable with a fake clock.
// `http-sender.ts` provides the real undici transport.

import type { CloudEventRecord } from '../cloudevents/event.js';
import { type HttpHeadersInput, CloudEventParseError, getHeader, parseHttpEvents } from '../cloudevents/http.js';
import { retryWaitMs } from './backoff.js';
import { makeDeadLetterEvent } from './dead-letter.js';
import type { DeliveryFormat, DeliveryPolicy } from './delivery-spec.js';
import { classifyStatus } from './retry-policy.js';

export interface SendOptions {
  /** Abort the attempt after this many ms (counted as a network error). */
  timeoutMs?: number;
  /** Extra request headers (lower-case names). */
  headers?: Record<string, string>;
  /** Binary (default) or structured JSON mode. */
  format?: DeliveryFormat;
  signal?: AbortSignal;
}

export interface SendResponse {
  status: number;
  headers: HttpHeadersInput;
  body: Buffer;
}

/** Send one HTTP request carrying `event`. Rejects on network errors and timeouts. */
export type SendFn = (url: string, event: CloudEventRecord, options: SendOptions) => Promise<SendResponse>;

export interface Clock {
  now(): number;
}

export interface DispatcherDeps {
  send: SendFn;
  clock: Clock;
  /** Wait `ms`; should reject (or resolve early) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface DeliveryTarget {
  url: string;
  /** Headers for this destination (e.g. `kn-namespace`, pass-through trace headers). */
  headers?: Record<string, string>;
}

export interface DeliverOptions {
  signal?: AbortSignal;
  /**
   * What a 2xx response with a non-empty body that is not a CloudEvent means. `ignore` (default,
   * Knative's channel dispatcher): delivered, no reply. `error` (Knative's MT broker filter): the
   * attempt failed with 502 and is retried / dead-lettered.
   */
  nonEventReply?: 'ignore' | 'error';
}

/** Result of the attempts against one destination. */
export interface AttemptsSummary {
  attempts: number;
  /** Status of the last attempt; undefined when it got no response. */
  lastStatus?: number;
  /** Network error / timeout message of the last attempt, if it got no response. */
  lastError?: string;
}

export type DeliveryOutcome =
  | (AttemptsSummary & { result: 'delivered'; lastStatus: number; reply?: CloudEventRecord; responseHeaders: HttpHeadersInput })
  | (AttemptsSummary & { result: 'deadLettered'; deadLetter: AttemptsSummary & { lastStatus: number } })
  | (AttemptsSummary & { result: 'failed'; deadLetter?: AttemptsSummary });

interface AttemptsResult extends AttemptsSummary {
  ok: boolean;
  aborted: boolean;
  response?: SendResponse;
  reply?: CloudEventRecord;
}

const NON_EVENT_REPLY_STATUS = 502;

/**
 * Deliver `event` to `target` under `policy`. Total attempts = retry + 1; 1xx/3xx/other 4xx stop
 * at once. When every attempt failed and a dead-letter sink is configured, the original event plus
 * knativeerror* extensions goes there (retried with the same policy). The outcome is `failed`
 * whenever the event ended up nowhere — never reported as done.
 */
export async function deliverWithRetry(
  event: CloudEventRecord,
  target: string | DeliveryTarget,
  policy: DeliveryPolicy,
  deps: DispatcherDeps,
  options: DeliverOptions = {},
): Promise<DeliveryOutcome> {
  const url = typeof target === 'string' ? target : target.url;
  const extraHeaders = typeof target === 'string' ? undefined : target.headers;
  const headers = { ...extraHeaders, prefer: 'reply' };
  const first = await attemptWithRetries(url, event, headers, policy, deps, options, true);
  if (first.ok) {
    const delivered: DeliveryOutcome = {
      result: 'delivered',
      attempts: first.attempts,
      lastStatus: first.lastStatus!,
      responseHeaders: first.response!.headers,
    };
    if (first.reply !== undefined) delivered.reply = first.reply;
    return delivered;
  }
  const summary = summarize(first);
  const dls = policy.deadLetterSinkUri;
  if (dls === undefined || first.aborted) return { result: 'failed', ...summary };

  const deadLetterEvent = makeDeadLetterEvent(event, {
    destination: url,
    status: first.lastStatus,
    body: first.response?.body,
    error: first.lastError,
  });
  const second = await attemptWithRetries(dls, deadLetterEvent, extraHeaders, policy, deps, options, false);
  if (second.ok) return { result: 'deadLettered', ...summary, deadLetter: { ...summarize(second), lastStatus: second.lastStatus! } };
  return { result: 'failed', ...summary, deadLetter: summarize(second) };
}

function summarize(r: AttemptsResult): AttemptsSummary {
  const s: AttemptsSummary = { attempts: r.attempts };
  if (r.lastStatus !== undefined) s.lastStatus = r.lastStatus;
  if (r.lastError !== undefined) s.lastError = r.lastError;
  return s;
}

async function attemptWithRetries(
  url: string,
  event: CloudEventRecord,
  headers: Record<string, string> | undefined,
  policy: DeliveryPolicy,
  deps: DispatcherDeps,
  options: DeliverOptions,
  expectReply: boolean,
): Promise<AttemptsResult> {
  const sendOptions: SendOptions = { format: policy.format };
  if (headers !== undefined) sendOptions.headers = headers;
  if (policy.timeoutMs !== undefined) sendOptions.timeoutMs = policy.timeoutMs;
  if (options.signal !== undefined) sendOptions.signal = options.signal;
  const maxAttempts = policy.retry + 1;
  const result: AttemptsResult = { ok: false, aborted: false, attempts: 0 };

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (options.signal?.aborted) return abort(result);
    result.attempts = attempt;
    let response: SendResponse | undefined;
    try {
      response = await deps.send(url, event, sendOptions);
    } catch (err) {
      if (options.signal?.aborted) return abort(result);
      result.lastStatus = undefined;
      result.response = undefined;
      result.lastError = err instanceof Error ? err.message : String(err);
    }
    let retryable = true;
    if (response !== undefined) {
      result.response = response;
      result.lastStatus = response.status;
      result.lastError = undefined;
      const cls = classifyStatus(response.status);
      if (cls === 'success') {
        if (!expectReply || response.status === 202) {
          result.ok = true;
          return result;
        }
        const reply = readReply(response);
        if (reply !== NOT_AN_EVENT || options.nonEventReply !== 'error') {
          result.ok = true;
          if (reply !== undefined && reply !== NOT_AN_EVENT) result.reply = reply;
          return result;
        }
        result.lastStatus = NON_EVENT_REPLY_STATUS;
        result.lastError = 'subscriber answered 2xx with a body that is not a CloudEvent';
      } else if (cls === 'fail') {
        retryable = false;
      }
    }
    if (!retryable || attempt === maxAttempts) break;
    const wait = retryWaitMs({
      policy: policy.backoffPolicy,
      delayMs: policy.backoffDelayMs,
      retry: attempt,
      status: result.lastStatus,
      retryAfter: response === undefined ? undefined : getHeader(response.headers, 'retry-after'),
      retryAfterMaxMs: policy.retryAfterMaxMs,
      nowMs: deps.clock.now(),
    });
    if (wait > 0) {
      try {
        await deps.sleep(wait, options.signal);
      } catch {
        return abort(result);
      }
    }
  }
  return result;
}

function abort(result: AttemptsResult): AttemptsResult {
  result.aborted = true;
  result.lastError ??= 'delivery aborted';
  return result;
}

const NOT_AN_EVENT = Symbol('not an event');

/**
 * The reply carried by a 2xx response: undefined when there is none (empty body, no CloudEvent
 * headers), NOT_AN_EVENT when there is a body that does not decode as exactly one CloudEvent.
 */
function readReply(response: SendResponse): CloudEventRecord | undefined | typeof NOT_AN_EVENT {
  if (response.body.length === 0 && getHeader(response.headers, 'ce-specversion') === undefined) return undefined;
  try {
    const events = parseHttpEvents(response.headers, response.body);
    return events.length === 1 ? events[0]! : NOT_AN_EVENT;
  } catch (err) {
    if (err instanceof CloudEventParseError) return NOT_AN_EVENT;
    throw err;
  }
}

/** Real-time defaults for `clock` and `sleep`. */
export const systemClock: Clock = { now: () => Date.now() };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
