// Deterministic child names for routing objects (route/resources/names and
// kmeta.ChildName): KIngress `{route}`, placeholder Service `{route}` and
// the cluster-local address of a route. Shared by the DomainMapping
// reconciler (its KIngress is `childName(domain, '')`).
import { createHash } from 'node:crypto';
import type { KObject } from '../../../../api/meta.js';
import { CLUSTER_LOCAL_DOMAIN } from '../../../config/domain.js';

const LONGEST = 63;
const MD5_HEX = 32;
const HEAD = LONGEST - MD5_HEX;

/**
 * `parent + suffix`, or when that exceeds 63 characters a truncated parent
 * plus the md5 of the parent (so names stay unique), like kmeta.ChildName.
 */
export function childName(parent: string, suffix: string): string {
  if (parent.length <= LONGEST - suffix.length) return parent + suffix;
  if (HEAD - suffix.length <= 0) {
    const h = createHash('md5').update(parent + suffix).digest('hex');
    let ret = (HEAD < parent.length ? parent.slice(0, HEAD) : parent) + h;
    const d = LONGEST - ret.length;
    if (d > 0) ret += suffix.slice(0, d);
    return ret.replace(/[^a-zA-Z0-9]+$/, '');
  }
  return parent.slice(0, HEAD - suffix.length) + createHash('md5').update(parent).digest('hex') + suffix;
}

/** Name of the route's KIngress. */
export function ingressName(route: KObject): string {
  return childName(route.metadata.name!, '');
}

/** Name of the route's main placeholder Service. */
export function k8sServiceName(route: KObject): string {
  return route.metadata.name!;
}

/** `{name}.{ns}.svc.cluster.local`: network.GetServiceHostname. */
export function serviceHostname(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_LOCAL_DOMAIN}`;
}

/** The route's cluster-local address host (status.address.url). */
export function k8sServiceFullname(route: KObject): string {
  return serviceHostname(k8sServiceName(route), route.metadata.namespace!);
}
