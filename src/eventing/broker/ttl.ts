// Broker loop protection and arrival stamping, as Knative's MT broker does it (`pkg/broker/ttl.go`,
// ingress handler; eventing.md §1.4–1.5):
//   ingress: `knativebrokerttl` absent (or not an integer) → 255; present → decremented; a result
//            ≤ 0 is refused with 400 and the event dropped. `knativearrivaltime` = arrival time.
//   delivery: the TTL is stripped from the event the subscriber sees, and the same value is put
//            back on the subscriber's reply, so a reply loop burns one unit per pass through the
//            broker and dies after 255 hops.

import type { CloudEventRecord } from '../cloudevents/event.js';

export const TTL_ATTRIBUTE = 'knativebrokerttl';
export const ARRIVAL_TIME_ATTRIBUTE = 'knativearrivaltime';
/** Knative's `MAX_TTL` default. */
export const DEFAULT_BROKER_TTL = 255;

/** The event's TTL hop budget ran out (a reply loop, or a producer sending TTL ≤ 1). */
export class BrokerTtlExpiredError extends Error {
  readonly code = 'SKIFF_ERR_BROKER_TTL_EXPIRED';
  readonly httpStatus = 400;
  constructor(readonly eventId: string) {
    super(`event ${JSON.stringify(eventId)} dropped: attribute "${TTL_ATTRIBUTE}" reached 0 (the event looped through the broker too often)`);
    this.name = 'BrokerTtlExpiredError';
  }
}

/** Current TTL of an event, undefined when absent or not an integer (string values from binary mode too). */
export function readTtl(event: CloudEventRecord): number | undefined {
  const v = event[TTL_ATTRIBUTE];
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** TTL the ingress writes: `maxTtl` when absent, else one less (may be ≤ 0: refuse the event). */
export function nextTtl(event: CloudEventRecord, maxTtl = DEFAULT_BROKER_TTL): number {
  const ttl = readTtl(event);
  return ttl === undefined ? maxTtl : ttl - 1;
}

/**
 * Stamp an event entering the broker, IN PLACE (the ingress owns freshly parsed events; nothing
 * else has seen them yet). Throws BrokerTtlExpiredError when the TTL is used up.
 */
export function stampIngressEvent(event: CloudEventRecord, arrivalTime: string, maxTtl = DEFAULT_BROKER_TTL): CloudEventRecord {
  const ttl = nextTtl(event, maxTtl);
  if (ttl <= 0) throw new BrokerTtlExpiredError(event.id);
  event[TTL_ATTRIBUTE] = ttl;
  event[ARRIVAL_TIME_ATTRIBUTE] = arrivalTime;
  return event;
}

/** The event a trigger's subscriber sees: without the TTL (a copy; the stored event is shared). */
export function stripTtl(event: CloudEventRecord): CloudEventRecord {
  if (event[TTL_ATTRIBUTE] === undefined) return event;
  const { [TTL_ATTRIBUTE]: _ttl, ...rest } = event;
  return rest as CloudEventRecord;
}

/** Put the original event's TTL on its reply (IN PLACE: a reply is freshly parsed and ours). */
export function carryTtlToReply(reply: CloudEventRecord, original: CloudEventRecord): CloudEventRecord {
  const ttl = original[TTL_ATTRIBUTE];
  if (ttl !== undefined) reply[TTL_ATTRIBUTE] = ttl;
  else delete reply[TTL_ATTRIBUTE];
  return reply;
}
