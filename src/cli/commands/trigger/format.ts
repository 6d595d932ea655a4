// kn's Trigger pieces: the object `trigger create` builds, the `trigger list`
// table (NAME BROKER SINK AGE CONDITIONS READY REASON) and the `trigger
// describe` layout (metadata, Broker, Filter / Filters, Sink, the effective
// Delivery — Skiff's addition, saying whether it is the trigger's own or the
// broker's — and the conditions). Pure: callers pass the broker and `now`.
import type { KObject } from '../../../api/meta.js';
import {
  conditionsOf,
  conditionsValue,
  DescribeWriter,
  listAge,
  nonReadyReason,
  readyStatus,
  writeConditions,
  writeMetadata,
  type DescribeSection,
} from '../../knative-format.js';
import type { DeliverySpecShape } from '../eventing/delivery.js';
import { hasDelivery, writeDelivery, writeSink } from '../eventing/describe.js';
import { withNamespaceCell } from '../eventing/resources.js';
import { destinationText, type Destination } from '../eventing/sink.js';
import type { SubscriptionsApiFilter, TriggerFilterSpec } from './filters.js';

export const TRIGGER_LIST_HEADERS = ['NAME', 'BROKER', 'SINK', 'AGE', 'CONDITIONS', 'READY', 'REASON'];

export function triggerListRows(items: KObject[], now: number, withNamespace: boolean): string[][] {
  return items.map((t) => {
    const conds = conditionsOf(t);
    return withNamespaceCell(
      t,
      [
        t.metadata.name ?? '',
        t.spec?.broker ?? '',
        destinationText(t.spec?.subscriber, t.metadata.namespace),
        listAge(t.metadata.creationTimestamp, now),
        conditionsValue(conds),
        readyStatus(conds),
        nonReadyReason(conds),
      ],
      withNamespace,
    );
  });
}

export interface TriggerOptions {
  broker: string;
  subscriber: Destination;
  filters: TriggerFilterSpec;
  delivery?: DeliverySpecShape;
}

export function buildTrigger(name: string, namespace: string, opts: TriggerOptions): KObject {
  const spec: Record<string, unknown> = { broker: opts.broker };
  if (opts.filters.filter) spec.filter = opts.filters.filter;
  if (opts.filters.filters) spec.filters = opts.filters.filters;
  spec.subscriber = opts.subscriber;
  if (opts.delivery) spec.delivery = opts.delivery;
  return { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', metadata: { name, namespace }, spec };
}

export interface EffectiveDelivery {
  /** The spec whose retry/backoff/timeout apply (undefined: none at all). */
  delivery?: DeliverySpecShape;
  /** Who supplies it: 'trigger', 'broker', or 'none'. */
  source: 'trigger' | 'broker' | 'none';
  /** The dead letter sink that applies and whose it is. */
  deadLetterSink?: Destination;
  deadLetterSource?: 'trigger' | 'broker';
}

/**
 * What the trigger's deliveries use (Skiff's trigger reconciler, as Knative's
 * MT broker): the trigger's `delivery` as a whole when set, else the
 * broker's; the dead letter sink is the trigger's, else the broker's.
 */
export function effectiveDelivery(trigger: KObject, broker: KObject | undefined): EffectiveDelivery {
  const own = trigger.spec?.delivery as DeliverySpecShape | undefined;
  const inherited = broker?.spec?.delivery as DeliverySpecShape | undefined;
  const out: EffectiveDelivery = hasDelivery(own) ? { delivery: own, source: 'trigger' } : hasDelivery(inherited) ? { delivery: inherited, source: 'broker' } : { source: 'none' };
  if (own?.deadLetterSink) {
    out.deadLetterSink = own.deadLetterSink;
    out.deadLetterSource = 'trigger';
  } else if (inherited?.deadLetterSink) {
    out.deadLetterSink = inherited.deadLetterSink;
    out.deadLetterSource = 'broker';
  }
  return out;
}

function writeMap(s: DescribeSection, label: string, m: Record<string, string> | undefined): void {
  if (!m || !Object.keys(m).length) return;
  const sub = s.attribute(label, '');
  for (const k of Object.keys(m).sort()) sub.attribute(k, m[k]);
}

/** kn's writeNestedFilters: one attribute per dialect, nested for all/any/not. */
function writeNestedFilter(s: DescribeSection, f: SubscriptionsApiFilter): void {
  if (f.all?.length) {
    const sub = s.attribute('all', '');
    for (const x of f.all) writeNestedFilter(sub, x);
  }
  if (f.any?.length) {
    const sub = s.attribute('any', '');
    for (const x of f.any) writeNestedFilter(sub, x);
  }
  if (f.not) writeNestedFilter(s.attribute('not', ''), f.not);
  writeMap(s, 'exact', f.exact);
  writeMap(s, 'prefix', f.prefix);
  writeMap(s, 'suffix', f.suffix);
  if (f.cesql) s.attribute('cesql', f.cesql);
}

/**
 * `broker` is the trigger's broker (undefined when it does not exist; then
 * only the trigger's own delivery can apply).
 */
export function describeTrigger(t: KObject, broker: KObject | undefined, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  const ns = t.metadata.namespace;
  writeMetadata(s, t.metadata, now, details);
  s.attribute('Broker', t.spec?.broker ?? '');
  const attrs = t.spec?.filter?.attributes as Record<string, string> | undefined;
  if (attrs && Object.keys(attrs).length) {
    const sub = s.attribute('Filter', '');
    for (const k of Object.keys(attrs).sort()) sub.attribute(k, attrs[k]);
  }
  const filters = t.spec?.filters as SubscriptionsApiFilter[] | undefined;
  if (filters?.length) {
    s.blank();
    const sub = s.attribute('Filters', '');
    for (const f of filters) writeNestedFilter(sub, f);
  }
  s.blank();
  w.flush();
  writeSink(s, 'Sink', ns, t.spec?.subscriber);
  s.blank();
  w.flush();
  const eff = effectiveDelivery(t, broker);
  const brokerName = t.spec?.broker ?? '';
  const from = eff.source === 'trigger' ? 'from trigger' : eff.source === 'broker' ? `from broker '${brokerName}'` : broker ? 'none (no retries)' : `none (broker '${brokerName}' not found)`;
  const dls = eff.deadLetterSink ? { dest: eff.deadLetterSink, note: eff.deadLetterSource !== eff.source ? `from ${eff.deadLetterSource === 'broker' ? `broker '${brokerName}'` : 'trigger'}` : '' } : undefined;
  writeDelivery(s, eff.delivery ? { ...eff.delivery, deadLetterSink: undefined } : undefined, ns, { from, dls });
  s.blank();
  w.flush();
  writeConditions(s, conditionsOf(t), now, details);
  return w.text();
}
