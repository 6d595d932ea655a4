// kn's Broker pieces: the object `broker create` builds (class annotation,
// --broker-config reference, delivery), the `broker list` table (NAME URL AGE
// CONDITIONS READY REASON) and the `broker describe` layout (metadata,
// Address/URL, a Delivery block — Skiff's addition — and the conditions).
// Pure: callers pass `now`.
import type { KObject } from '../../../api/meta.js';
import {
  conditionsOf,
  conditionsValue,
  DescribeWriter,
  KnError,
  listAge,
  nonReadyReason,
  readyStatus,
  writeConditions,
  writeMetadata,
} from '../../knative-format.js';
import type { DeliverySpecShape } from '../eventing/delivery.js';
import { hasDelivery, writeDelivery } from '../eventing/describe.js';
import { withNamespaceCell } from '../eventing/resources.js';
import type { KReference } from '../eventing/sink.js';

export const BROKER_CLASS_ANNOTATION = 'eventing.knative.dev/broker.class';
export const BROKER_LIST_HEADERS = ['NAME', 'URL', 'AGE', 'CONDITIONS', 'READY', 'REASON'];

export function brokerUrl(b: KObject): string {
  return b.status?.address?.url ?? '';
}

export function brokerListRows(items: KObject[], now: number, withNamespace: boolean): string[][] {
  return items.map((b) => {
    const conds = conditionsOf(b);
    return withNamespaceCell(b, [b.metadata.name ?? '', brokerUrl(b), listAge(b.metadata.creationTimestamp, now), conditionsValue(conds), readyStatus(conds), nonReadyReason(conds)], withNamespace);
  });
}

const CONFIG_KINDS: Record<string, { kind: string; apiVersion: string }> = {
  cm: { kind: 'ConfigMap', apiVersion: 'v1' },
  configmap: { kind: 'ConfigMap', apiVersion: 'v1' },
  sc: { kind: 'Secret', apiVersion: 'v1' },
  secret: { kind: 'Secret', apiVersion: 'v1' },
  rabbitmqcluster: { kind: 'RabbitmqCluster', apiVersion: 'rabbitmq.com/v1beta1' },
  rabbitmq: { kind: 'RabbitmqCluster', apiVersion: 'rabbitmq.com/v1beta1' },
  rmq: { kind: 'RabbitmqCluster', apiVersion: 'rabbitmq.com/v1beta1' },
};

/**
 * `--broker-config` (kn): `NAME` (a ConfigMap), `KIND:NAME`, `KIND:NAME:NS`
 * for cm/sc/rmq kinds, `APIVERSION:KIND:NAME`, or `APIVERSION:KIND:NAME:NS`.
 */
export function parseBrokerConfig(text: string): KReference {
  const parts = text.split(':');
  if (parts.length > 4) parts.splice(3, parts.length - 3, parts.slice(3).join(':'));
  const bad = (why: string) => new KnError(`invalid value '${text}' for '--broker-config': ${why}`, 'SKIFF_ERR_CLI_BROKER_CONFIG_INVALID');
  if (parts.some((p) => p === '')) throw bad('empty part (expected NAME, KIND:NAME, KIND:NAME:NAMESPACE or APIVERSION:KIND:NAME:NAMESPACE)');
  if (parts.length === 1) return { kind: 'ConfigMap', apiVersion: 'v1', name: parts[0] };
  const known = CONFIG_KINDS[parts[0].toLowerCase()];
  if (parts.length === 2) {
    if (!known) throw bad(`APIVersion could not be determined for kind "${parts[0]}". Provide config in format: "<apiVersion>:<kind>:<name>:<namespace>"`);
    return { ...known, name: parts[1] };
  }
  if (parts.length === 3) {
    if (known) return { ...known, name: parts[1], namespace: parts[2] };
    return { apiVersion: parts[0], kind: parts[1], name: parts[2] };
  }
  return { apiVersion: parts[0], kind: parts[1], name: parts[2], namespace: parts[3] };
}

export interface BrokerOptions {
  brokerClass?: string;
  config?: KReference;
  delivery?: DeliverySpecShape;
}

export function buildBroker(name: string, namespace: string, opts: BrokerOptions): KObject {
  const b: KObject = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name, namespace }, spec: {} };
  if (opts.brokerClass) b.metadata.annotations = { [BROKER_CLASS_ANNOTATION]: opts.brokerClass };
  if (opts.config) b.spec.config = opts.config;
  if (opts.delivery) b.spec.delivery = opts.delivery;
  return b;
}

export function describeBroker(b: KObject, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  writeMetadata(s, b.metadata, now, details);
  s.blank();
  s.attribute('Address', '').attribute('URL', brokerUrl(b));
  s.blank();
  if (hasDelivery(b.spec?.delivery)) {
    writeDelivery(s, b.spec.delivery, b.metadata.namespace);
    s.blank();
  }
  writeConditions(s, conditionsOf(b), now, details);
  return w.text();
}
