// The Knative Eventing resources the kn-style eventing nouns (`broker`,
// `trigger`, `channel`, `subscription`, `eventtype`, `event`) talk to, as fixed
// resource descriptions (like kn's typed clients: no discovery round trip),
// plus the small client helpers they share (typed items, -A ordering).
import type { KObject } from '../../../api/meta.js';
import type { ApiResource } from '../../discovery.js';

function resource(group: string, version: string, name: string, singularName: string, kind: string, shortNames: string[] = []): ApiResource {
  return {
    group,
    version,
    name,
    singularName,
    kind,
    namespaced: true,
    shortNames,
    categories: ['all', 'knative', group === 'messaging.knative.dev' ? 'messaging' : 'eventing'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status'],
    preferred: true,
  };
}

export const BROKER = resource('eventing.knative.dev', 'v1', 'brokers', 'broker', 'Broker');
export const TRIGGER = resource('eventing.knative.dev', 'v1', 'triggers', 'trigger', 'Trigger');
/** Stored (and read) at v1beta3: `spec.attributes` instead of v1beta2's `spec.type/source`. */
export const EVENTTYPE = resource('eventing.knative.dev', 'v1beta3', 'eventtypes', 'eventtype', 'EventType');
export const CHANNEL = resource('messaging.knative.dev', 'v1', 'channels', 'channel', 'Channel', ['ch']);
export const SUBSCRIPTION = resource('messaging.knative.dev', 'v1', 'subscriptions', 'subscription', 'Subscription', ['sub']);
export const KSERVICE = resource('serving.knative.dev', 'v1', 'services', 'service', 'Service', ['ksvc', 'kservice']);
export const K8S_SERVICE: ApiResource = { ...resource('', 'v1', 'services', 'service', 'Service', ['svc']), categories: ['all'] };

/** A resource known only by group/version/plural (enough to build its URL). */
export function resourceFromGvr(group: string, version: string, plural: string): ApiResource {
  return resource(group, version, plural, plural.replace(/s$/, ''), '');
}

/**
 * kn's `-A` order for triggers, channels and subscriptions: objects of the
 * `default` namespace first, then the others by namespace (stable).
 */
export function defaultNamespaceFirst(items: KObject[]): KObject[] {
  const inDefault = items.filter((o) => o.metadata.namespace === 'default');
  const others = items.filter((o) => o.metadata.namespace !== 'default');
  const ns = (o: KObject) => o.metadata.namespace ?? '';
  others.sort((a, b) => (ns(a) < ns(b) ? -1 : ns(a) > ns(b) ? 1 : 0));
  return [...inDefault, ...others];
}

/** kn sorts channels and subscriptions by name. */
export function sortByName(items: KObject[]): KObject[] {
  const n = (o: KObject) => o.metadata.name ?? '';
  return [...items].sort((a, b) => (n(a) < n(b) ? -1 : n(a) > n(b) ? 1 : 0));
}

/** A NAMESPACE cell in front with -A. */
export function withNamespaceCell(o: KObject, cells: string[], withNamespace: boolean): string[] {
  return withNamespace ? [o.metadata.namespace ?? '', ...cells] : cells;
}
