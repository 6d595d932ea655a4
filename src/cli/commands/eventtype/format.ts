// kn's EventType pieces over Skiff's stored v1beta3 shape (CloudEvents
// attributes in `spec.attributes[]` instead of v1beta2's `spec.type/source`):
// the object `eventtype create` builds, the `eventtype list` table (NAME TYPE
// SOURCE REFERENCE AGE READY) and the `eventtype describe` layout. Pure.
import type { KObject } from '../../../api/meta.js';
import { conditionsOf, DescribeWriter, listAge, readyStatus, writeConditions, writeMetadata } from '../../knative-format.js';
import { withNamespaceCell } from '../eventing/resources.js';
import type { KReference } from '../eventing/sink.js';

export const EVENTTYPE_LIST_HEADERS = ['NAME', 'TYPE', 'SOURCE', 'REFERENCE', 'AGE', 'READY'];

/** A CloudEvents attribute's value: v1beta3 `spec.attributes[]`, else a v1beta2 field. */
export function eventTypeAttribute(et: KObject, name: string): string {
  const attrs = et.spec?.attributes;
  if (Array.isArray(attrs)) {
    const a = attrs.find((x: { name?: string }) => x?.name === name);
    if (a?.value !== undefined) return String(a.value);
  }
  const legacy = et.spec?.[name];
  return typeof legacy === 'string' ? legacy : '';
}

export interface EventTypeOptions {
  type: string;
  source?: string;
  reference?: KReference;
}

export function buildEventType(name: string, namespace: string, opts: EventTypeOptions): KObject {
  const attributes: Array<Record<string, unknown>> = [
    { name: 'specversion', required: true },
    { name: 'id', required: true },
    { name: 'type', required: true, value: opts.type },
    opts.source ? { name: 'source', required: true, value: opts.source } : { name: 'source', required: true },
  ];
  const spec: Record<string, unknown> = { attributes };
  if (opts.reference) spec.reference = opts.reference;
  return { apiVersion: 'eventing.knative.dev/v1beta3', kind: 'EventType', metadata: { name, namespace }, spec };
}

export function eventTypeListRows(items: KObject[], now: number, withNamespace: boolean): string[][] {
  return items.map((et) =>
    withNamespaceCell(
      et,
      [et.metadata.name ?? '', eventTypeAttribute(et, 'type'), eventTypeAttribute(et, 'source'), et.spec?.reference?.name ?? '', listAge(et.metadata.creationTimestamp, now), readyStatus(conditionsOf(et))],
      withNamespace,
    ),
  );
}

export function describeEventType(et: KObject, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  writeMetadata(s, et.metadata, now, details);
  s.attribute('Type', eventTypeAttribute(et, 'type'));
  s.attribute('Source', eventTypeAttribute(et, 'source'));
  if (et.spec?.description) s.attribute('Description', String(et.spec.description));
  const refW = s.attribute('Reference', '');
  const ref = et.spec?.reference;
  if (ref) {
    refW.attribute('APIVersion', ref.apiVersion ?? '');
    refW.attribute('Kind', ref.kind ?? '');
    refW.attribute('Name', ref.name ?? '');
    if (et.metadata.namespace && et.metadata.namespace !== ref.namespace) refW.attribute('Namespace', ref.namespace ?? '');
  }
  s.blank();
  s.blank();
  writeConditions(s, conditionsOf(et), now, details);
  return w.text();
}
