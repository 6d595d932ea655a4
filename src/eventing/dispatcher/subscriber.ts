// One subscriber of a channel or broker, and delivering one event to it with Knative's
// subscription semantics (eventing.md §1.3–1.5, §1.8):
//   subscriber (with `Prefer: reply`, retries, backoff, per-attempt timeout)
//   → a reply, if any, goes to the reply destination (an in-process sink such as the broker, or
//     `replyUri` over HTTP with the same retry policy; no reply destination → the reply is dropped)
//   → if the subscriber or the reply destination finally failed, the ORIGINAL event goes to the
//     dead-letter sink with knativeerrordest/code/data (dest = the URL that failed).
// Used by every channel backend (memory, log, later Kafka), so they share one behaviour.
// What to do when even the dead-letter sink fails is the backend's choice (the durable log keeps
// retrying it; the in-memory channel gives up), hence `deadLetterFailed` carries the event.

import type { CloudEventRecord } from '../cloudevents/event.js';
import type { EventFilter } from '../filter/attributes.js';
import { type DeliveryFailure, makeDeadLetterEvent } from '../delivery/dead-letter.js';
import { type DeliveryPolicy, NO_RETRY_POLICY } from '../delivery/delivery-spec.js';
import { type DeliveryTarget, type DispatcherDeps, type SendFn, type SendResponse, deliverWithRetry } from '../delivery/dispatcher.js';

export type { DispatcherDeps } from '../delivery/dispatcher.js';

/** Per-subscriber event order. `ordered`: one event in flight; `unordered`: a bounded window. */
export type DeliveryOrdering = 'ordered' | 'unordered';

/**
 * In-process reply destination (the broker re-entry). Receives the reply and the event it answers;
 * a rejection is a failed reply delivery (its `httpStatus`, default 500, becomes knativeerrorcode).
 */
export type ReplySink = (reply: CloudEventRecord, original: CloudEventRecord) => Promise<void>;

/** What a channel needs to know about one subscriber (Knative's SubscriberSpec, resolved). */
export interface SubscriberSpec {
  /** Stable id (Subscription / Trigger uid): keys the durable cursor. */
  uid: string;
  /** Where events go. Absent: every event is passed straight to the reply destination. */
  subscriberUri?: string;
  /** Where replies go over HTTP. Ignored when `replySink` is set. No reply destination → dropped. */
  replyUri?: string;
  /** In-process reply destination (broker triggers: back into the broker). */
  replySink?: ReplySink;
  /** URL reported as knativeerrordest when `replySink` fails (e.g. the broker address). */
  replyAddress?: string;
  /** Retry policy; its `deadLetterSinkUri` is the dead-letter sink. Default: no retries, no DLS. */
  delivery?: DeliveryPolicy;
  /** Dead-letter sink URL; overrides `delivery.deadLetterSinkUri` when set. */
  deadLetterUri?: string;
  /** Only events passing this are delivered (broker triggers). Must be pure and fast. */
  filter?: EventFilter;
  /** Transform applied to the event sent to the subscriber only (broker: strip the TTL). */
  prepareEvent?: (event: CloudEventRecord) => CloudEventRecord;
  /** Headers sent with every request to subscriber, reply and DLS (e.g. `kn-namespace`). */
  headers?: Record<string, string>;
  /**
   * A 2xx response whose body is not a CloudEvent: `ignore` (channel subscriptions, as Knative's
   * dispatcher) or `error` (broker triggers, as Knative's broker filter: 502 → retry / DLS).
   */
  nonEventReply?: 'ignore' | 'error';
  /** Backends that support it: `ordered` = one event in flight. Default `unordered`. */
  ordering?: DeliveryOrdering;
}

/** A SubscriberSpec with its policies and targets worked out once (not per event). */
export interface CompiledSubscriber {
  readonly spec: SubscriberSpec;
  readonly uid: string;
  readonly filter: EventFilter | undefined;
  readonly subscriber: DeliveryTarget | undefined;
  readonly reply: DeliveryTarget | undefined;
  readonly deadLetter: DeliveryTarget | undefined;
  /** The policy for each hop (retries, timeout, format) with the DLS removed: we do DLS ourselves. */
  readonly hopPolicy: DeliveryPolicy;
  readonly ordering: DeliveryOrdering;
}

export function compileSubscriber(spec: SubscriberSpec): CompiledSubscriber {
  if (typeof spec.uid !== 'string' || spec.uid === '') throw new TypeError('subscriber uid must be a non-empty string');
  const policy = spec.delivery ?? NO_RETRY_POLICY;
  const dls = spec.deadLetterUri ?? policy.deadLetterSinkUri;
  const { deadLetterSinkUri: _dropped, ...rest } = policy;
  const hopPolicy: DeliveryPolicy = Object.freeze(rest);
  const target = (url: string | undefined): DeliveryTarget | undefined =>
    url === undefined || url === '' ? undefined : spec.headers === undefined ? { url } : { url, headers: spec.headers };
  return {
    spec,
    uid: spec.uid,
    filter: spec.filter,
    subscriber: target(spec.subscriberUri),
    reply: spec.replySink !== undefined ? undefined : target(spec.replyUri),
    deadLetter: target(dls),
    hopPolicy,
    ordering: spec.ordering ?? 'unordered',
  };
}

/** Outcome of handing one event to one subscriber. */
export type SubscriberDeliveryResult =
  /** Subscriber took it (and its reply, if any, was forwarded or deliberately dropped). */
  | { kind: 'delivered'; reply: 'none' | 'forwarded' | 'dropped' }
  /** Subscriber (or reply destination) failed; the event is now at the dead-letter sink. */
  | { kind: 'deadLettered'; failure: DeliveryFailure }
  /** Failed and there is no dead-letter sink: the event is lost for this subscriber. */
  | { kind: 'dropped'; failure: DeliveryFailure }
  /** Failed, and the dead-letter sink failed too. `deadLetterEvent` can be retried with `sendToDeadLetter`. */
  | { kind: 'deadLetterFailed'; failure: DeliveryFailure; deadLetterEvent: CloudEventRecord }
  /** The backend is closing: nothing definite happened. */
  | { kind: 'aborted' };

/** True when `sub` wants `event` (no filter = everything). A throwing filter counts as no match. */
export function subscriberWants(sub: CompiledSubscriber, event: CloudEventRecord): boolean {
  if (sub.filter === undefined) return true;
  try {
    return sub.filter(event);
  } catch {
    return false;
  }
}

/** Remembers the body of the last response, so a dead-letter event can carry knativeerrordata. */
class ResponseCapture implements DispatcherDeps {
  lastBody: Buffer | undefined;
  readonly send: SendFn;
  readonly clock: DispatcherDeps['clock'];
  readonly sleep: DispatcherDeps['sleep'];
  constructor(inner: DispatcherDeps) {
    this.clock = inner.clock;
    this.sleep = inner.sleep;
    this.send = (url, event, options) =>
      inner.send(url, event, options).then(
        (r: SendResponse) => {
          this.lastBody = r.body;
          return r;
        },
        (err: unknown) => {
          this.lastBody = undefined;
          throw err;
        },
      );
  }
}

const DELIVERED_NO_REPLY: SubscriberDeliveryResult = Object.freeze({ kind: 'delivered', reply: 'none' });
const DELIVERED_FORWARDED: SubscriberDeliveryResult = Object.freeze({ kind: 'delivered', reply: 'forwarded' });
const DELIVERED_DROPPED: SubscriberDeliveryResult = Object.freeze({ kind: 'delivered', reply: 'dropped' });
const ABORTED: SubscriberDeliveryResult = Object.freeze({ kind: 'aborted' });

/**
 * Deliver `event` (already filtered) to `sub`: subscriber → reply → dead-letter sink.
 * Never rejects for delivery problems; `signal` aborts waits and requests (result `aborted`).
 */
export async function deliverToSubscriber(
  event: CloudEventRecord,
  sub: CompiledSubscriber,
  deps: DispatcherDeps,
  signal?: AbortSignal,
): Promise<SubscriberDeliveryResult> {
  // Capturing response bodies costs a closure per delivery: only pay it when a DLS will need them.
  const capture = sub.deadLetter !== undefined ? new ResponseCapture(deps) : undefined;
  const hopDeps = capture ?? deps;
  const options = signal === undefined ? { nonEventReply: sub.spec.nonEventReply } : { nonEventReply: sub.spec.nonEventReply, signal };
  let reply: CloudEventRecord | undefined;
  let failure: DeliveryFailure | undefined;

  if (sub.subscriber !== undefined) {
    const outgoing = sub.spec.prepareEvent === undefined ? event : sub.spec.prepareEvent(event);
    const out = await deliverWithRetry(outgoing, sub.subscriber, sub.hopPolicy, hopDeps, options);
    if (signal?.aborted) return ABORTED;
    if (out.result === 'delivered') {
      reply = out.reply;
    } else {
      failure = failureOf(sub.subscriber.url, out.lastStatus, capture?.lastBody, out.lastError);
    }
  } else {
    // A Subscription without a subscriber forwards every event to its reply (Knative).
    reply = event;
  }

  if (failure === undefined) {
    if (reply === undefined) return DELIVERED_NO_REPLY;
    failure = await forwardReply(reply, event, sub, hopDeps, capture, signal);
    if (signal?.aborted) return ABORTED;
    if (failure === undefined) return sub.spec.replySink !== undefined || sub.reply !== undefined ? DELIVERED_FORWARDED : DELIVERED_DROPPED;
  }

  if (sub.deadLetter === undefined) return { kind: 'dropped', failure };
  return sendToDeadLetter(makeDeadLetterEvent(event, failure), failure, sub, deps, signal);
}

/** Send a prepared dead-letter event to the subscriber's DLS (retried per the policy). */
export async function sendToDeadLetter(
  deadLetterEvent: CloudEventRecord,
  failure: DeliveryFailure,
  sub: CompiledSubscriber,
  deps: DispatcherDeps,
  signal?: AbortSignal,
): Promise<SubscriberDeliveryResult> {
  if (sub.deadLetter === undefined) return { kind: 'dropped', failure };
  const out = await deliverWithRetry(deadLetterEvent, sub.deadLetter, sub.hopPolicy, deps, signal === undefined ? {} : { signal });
  if (signal?.aborted) return ABORTED;
  if (out.result === 'delivered') return { kind: 'deadLettered', failure };
  return { kind: 'deadLetterFailed', failure, deadLetterEvent };
}

async function forwardReply(
  reply: CloudEventRecord,
  original: CloudEventRecord,
  sub: CompiledSubscriber,
  deps: DispatcherDeps,
  capture: ResponseCapture | undefined,
  signal: AbortSignal | undefined,
): Promise<DeliveryFailure | undefined> {
  const sink = sub.spec.replySink;
  if (sink !== undefined) {
    try {
      await sink(reply, original);
      return undefined;
    } catch (err) {
      const status = (err as { httpStatus?: unknown } | null)?.httpStatus;
      const message = err instanceof Error ? err.message : String(err);
      return {
        destination: sub.spec.replyAddress ?? 'reply',
        status: typeof status === 'number' ? status : 500,
        body: Buffer.from(message, 'utf8'),
      };
    }
  }
  if (sub.reply === undefined) return undefined; // no reply destination: dropped, as Knative does
  if (capture !== undefined) capture.lastBody = undefined;
  const out = await deliverWithRetry(reply, sub.reply, sub.hopPolicy, deps, signal === undefined ? {} : { signal });
  if (out.result === 'delivered') return undefined;
  return failureOf(sub.reply.url, out.lastStatus, capture?.lastBody, out.lastError);
}

function failureOf(destination: string, status: number | undefined, body: Buffer | undefined, error: string | undefined): DeliveryFailure {
  const f: DeliveryFailure = { destination };
  if (status !== undefined) {
    f.status = status;
    if (body !== undefined) f.body = body;
  } else if (error !== undefined) {
    f.error = error;
  }
  return f;
}
