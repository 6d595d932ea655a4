// Visibility of each traffic name of a route (route/visibility/visibility.go):
// the route is cluster-local when its domain resolves to svc.cluster.local
// (visibility label, a config-domain selector, or no default domain); a tag
// is also cluster-local when its placeholder Service carries the visibility
// label. The lower of the two wins. Pure over the route's placeholder Services.
import type { KObject } from '../../../api/meta.js';
import { CLUSTER_LOCAL_DOMAIN, lookupDomainForLabels } from '../../config/domain.js';
import type { IngressVisibility } from '../ingress/types.js';
import { hostnameFromTemplate, type RoutingConfig } from './resources/domains.js';
import { isClusterLocalService } from './resources/service.js';
import { trafficNames } from './traffic/traffic.js';

export function routeVisibility(cfg: RoutingConfig, route: KObject): IngressVisibility {
  return lookupDomainForLabels(cfg.domain, route.metadata.labels) === CLUSTER_LOCAL_DOMAIN ? 'ClusterLocal' : 'ExternalIP';
}

/** Traffic name ('' = default) → visibility. `services` are the route's placeholder Services by name. */
export function resolveVisibility(cfg: RoutingConfig, route: KObject, services: Map<string, KObject>): Map<string, IngressVisibility> {
  const def = routeVisibility(cfg, route);
  const out = new Map<string, IngressVisibility>();
  for (const name of trafficNames(route)) {
    const svc = services.get(hostnameFromTemplate(cfg, route.metadata.name!, name));
    const own: IngressVisibility = svc && isClusterLocalService(svc) ? 'ClusterLocal' : 'ExternalIP';
    out.set(name, own === 'ClusterLocal' || def === 'ClusterLocal' ? 'ClusterLocal' : 'ExternalIP');
  }
  return out;
}
