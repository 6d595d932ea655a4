// kn's Subscription pieces: the object `subscription create` builds, the
// `subscription list` table (NAME CHANNEL SUBSCRIBER REPLY DEAD LETTER SINK
// READY REASON) and the `subscription describe` layout (metadata, Channel,
// Subscriber, Reply, DeadLetterSink, conditions). Pure.
import type { KObject } from '../../../api/meta.js';
import { conditionsOf, DescribeWriter, nonReadyReason, readyStatus, writeConditions, writeMetadata } from '../../knative-format.js';
import { writeSink } from '../eventing/describe.js';
import { withNamespaceCell } from '../eventing/resources.js';
import { destinationText, type Destination } from '../eventing/sink.js';

export const SUBSCRIPTION_LIST_HEADERS = ['NAME', 'CHANNEL', 'SUBSCRIBER', 'REPLY', 'DEAD LETTER SINK', 'READY', 'REASON'];

export interface SubscriptionOptions {
  channel: { apiVersion: string; kind: string; name: string };
  subscriber?: Destination;
  reply?: Destination;
  deadLetterSink?: Destination;
}

export function buildSubscription(name: string, namespace: string, opts: SubscriptionOptions): KObject {
  const spec: Record<string, unknown> = { channel: opts.channel };
  if (opts.subscriber) spec.subscriber = opts.subscriber;
  if (opts.reply) spec.reply = opts.reply;
  if (opts.deadLetterSink) spec.delivery = { deadLetterSink: opts.deadLetterSink };
  return { apiVersion: 'messaging.knative.dev/v1', kind: 'Subscription', metadata: { name, namespace }, spec };
}

export function subscriptionListRows(items: KObject[], _now: number, withNamespace: boolean): string[][] {
  return items.map((sub) => {
    const ns = sub.metadata.namespace;
    const conds = conditionsOf(sub);
    const ch = sub.spec?.channel ?? {};
    return withNamespaceCell(
      sub,
      [
        sub.metadata.name ?? '',
        `${ch.kind ?? ''}:${ch.name ?? ''}`,
        destinationText(sub.spec?.subscriber, ns),
        destinationText(sub.spec?.reply, ns),
        destinationText(sub.spec?.delivery?.deadLetterSink, ns),
        readyStatus(conds),
        nonReadyReason(conds),
      ],
      withNamespace,
    );
  });
}

export function describeSubscription(sub: KObject, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  const ns = sub.metadata.namespace;
  writeMetadata(s, sub.metadata, now, details);
  const ch = sub.spec?.channel ?? {};
  s.attribute('Channel', `${ch.kind ?? ''}:${ch.name ?? ''} (${ch.apiVersion ?? ''})`);
  writeSink(s, 'Subscriber', ns, sub.spec?.subscriber);
  writeSink(s, 'Reply', ns, sub.spec?.reply);
  if (sub.spec?.delivery) writeSink(s, 'DeadLetterSink', ns, sub.spec.delivery.deadLetterSink);
  s.blank();
  w.flush();
  writeConditions(s, conditionsOf(sub), now, details);
  return w.text();
}
