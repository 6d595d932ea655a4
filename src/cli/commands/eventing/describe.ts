// Describe blocks the eventing nouns share: a Destination (kn's
// printers/describe.Sink: Name, Namespace when it differs, `Resource: Kind
// (apiVersion)`, URI) and a Delivery block (retry, backoff, timeouts, dead
// letter sink) — the latter is Skiff's addition, kn prints no delivery. Pure.
import type { DescribeSection } from '../../knative-format.js';
import type { DeliverySpecShape } from './delivery.js';
import type { Destination } from './sink.js';

/** kn's Sink block: nothing for an absent destination. */
export function writeSink(s: DescribeSection, label: string, namespace: string | undefined, dest: Destination | undefined | null, value = ''): void {
  if (!dest) return;
  const sub = s.attribute(label, value);
  const ref = dest.ref;
  if (ref) {
    sub.attribute('Name', ref.name ?? '');
    if (ref.namespace && ref.namespace !== namespace) sub.attribute('Namespace', ref.namespace);
    sub.attribute('Resource', `${ref.kind ?? ''} (${ref.apiVersion ?? ''})`);
  }
  if (dest.uri) sub.attribute('URI', dest.uri);
}

export function hasDelivery(d: DeliverySpecShape | undefined | null): d is DeliverySpecShape {
  return !!d && typeof d === 'object' && Object.keys(d).length > 0;
}

/**
 * `Delivery:` with its fields. `from` is the value on the Delivery line (e.g.
 * `from broker 'b1'`); `dls` overrides the dead letter sink shown (with its own
 * note, e.g. when a trigger inherits the broker's).
 */
export function writeDelivery(
  s: DescribeSection,
  delivery: DeliverySpecShape | undefined,
  namespace: string | undefined,
  opts: { from?: string; dls?: { dest: Destination; note: string } } = {},
): void {
  const sub = s.attribute('Delivery', opts.from ?? '');
  const d = delivery ?? {};
  if (d.retry !== undefined) sub.attribute('Retry', String(d.retry));
  if (d.backoffPolicy) sub.attribute('Backoff Policy', d.backoffPolicy);
  if (d.backoffDelay) sub.attribute('Backoff Delay', d.backoffDelay);
  if (d.timeout) sub.attribute('Timeout', d.timeout);
  if (d.retryAfterMax) sub.attribute('Retry After Max', d.retryAfterMax);
  if (d.format) sub.attribute('Format', d.format);
  if (opts.dls) writeSink(sub, 'Dead Letter Sink', namespace, opts.dls.dest, opts.dls.note);
  else writeSink(sub, 'Dead Letter Sink', namespace, d.deadLetterSink);
}
