// The one interface every channel implementation sits behind (in-memory, durable log, later
// Kafka), plus what they share: subscriber specs, delivery statistics and channel errors.
// A backend instance is one channel (or one broker's event stream). Brokers and channels above it
// only publish and set subscribers; how events are stored and fanned out is the backend's business.
//
// Guarantee each backend documents:
//   memory (`memory/`): volatile, best effort, no ordering; publish waits for the fan-out unless
//                       `asyncHandler` (Knative's InMemoryChannel).
//   log    (`log/`):    publish resolves once the events are committed to SQLite; at-least-once
//                       per subscriber from durable cursors; per-subscriber ordering configurable.

import type { CloudEventRecord } from '../cloudevents/event.js';
import type { Clock, DispatcherDeps } from '../delivery/dispatcher.js';
import type { SubscriberDeliveryResult, SubscriberSpec } from '../dispatcher/subscriber.js';

export type { SubscriberSpec, ReplySink, DeliveryOrdering } from '../dispatcher/subscriber.js';
export type { Clock, DispatcherDeps } from '../delivery/dispatcher.js';

export interface ChannelBackend {
  /** Backend kind, e.g. `memory`, `log`. */
  readonly kind: string;
  /**
   * Accept events. Resolves only when they are accepted per the backend's guarantee (log: committed
   * to disk; memory: fanned out, or queued when async). Rejects with a ChannelError (with
   * `httpStatus`) when they were not accepted.
   */
  publish(events: readonly CloudEventRecord[]): Promise<void>;
  /** Replace the subscriber set (the channel's `spec.subscribers`). Matched by `uid`. */
  setSubscribers(subs: readonly SubscriberSpec[]): void;
  /** Delivery counters, per subscriber. */
  stats(): ChannelStats;
  /** Stop delivering and release resources; durable data stays. Idempotent. */
  close(): Promise<void>;
  /** Close and delete everything stored for this channel (the channel was deleted). */
  destroy(): Promise<void>;
}

/** What backends need from the outside world: transport, clock, sleep (all injectable). */
export type ChannelDeps = DispatcherDeps;

export interface SubscriberStats {
  uid: string;
  /** Events handed to the subscriber successfully. */
  delivered: number;
  /** Events the subscriber's filter rejected. */
  filtered: number;
  /** Events that ended at the dead-letter sink. */
  deadLettered: number;
  /** Events lost for this subscriber: delivery failed with no DLS (or, memory only, DLS failed too). */
  dropped: number;
  /** Replies forwarded to the reply destination / dropped for lack of one. */
  repliesForwarded: number;
  repliesDropped: number;
  /** Rounds of retrying a failing dead-letter sink (log backend keeps trying). */
  deadLetterRetries: number;
  /** Events currently being delivered. */
  inFlight: number;
  /** Log backend: committed events not yet finished by this subscriber. */
  lag?: number;
  /** Log backend: events removed by retention before this subscriber got them. */
  lostToRetention?: number;
}

export interface ChannelStats {
  kind: string;
  /** Events accepted by publish. */
  published: number;
  subscribers: SubscriberStats[];
}

export function emptySubscriberStats(uid: string): SubscriberStats {
  return { uid, delivered: 0, filtered: 0, deadLettered: 0, dropped: 0, repliesForwarded: 0, repliesDropped: 0, deadLetterRetries: 0, inFlight: 0 };
}

export type ChannelErrorCode = 'SKIFF_ERR_CHANNEL_CLOSED' | 'SKIFF_ERR_CHANNEL_FANOUT_FAILED' | 'SKIFF_ERR_CHANNEL_FANOUT_TIMEOUT' | 'SKIFF_ERR_CHANNEL_STORAGE';

/** A publish that was not accepted; `httpStatus` is what an ingress answers. */
export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    readonly httpStatus: number,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ChannelError';
  }
}

export function channelClosedError(what: string): ChannelError {
  return new ChannelError('SKIFF_ERR_CHANNEL_CLOSED', 503, `${what} is closed and accepts no events`);
}

/**
 * Count one delivery outcome in `stats`. Returns false when the event ended nowhere (dropped or
 * dead-letter sink failed), which a synchronous fan-out reports as a failed publish.
 */
export function recordDeliveryResult(stats: SubscriberStats, result: SubscriberDeliveryResult): boolean {
  switch (result.kind) {
    case 'delivered':
      stats.delivered++;
      if (result.reply === 'forwarded') stats.repliesForwarded++;
      else if (result.reply === 'dropped') stats.repliesDropped++;
      return true;
    case 'deadLettered':
      stats.deadLettered++;
      return true;
    case 'dropped':
    case 'deadLetterFailed':
      stats.dropped++;
      return false;
    case 'aborted':
      return false;
  }
}
