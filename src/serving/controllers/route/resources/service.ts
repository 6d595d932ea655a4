// Placeholder Services of a route (route/resources/service.go): an
// ExternalName Service `{route}` and one per tag (`{tag}-{route}` with the
// default tag template), owned by the route, so the cluster-local names
// exist in `kubectl get svc` and nobody else can take them. In Knative they
// end up pointing at the ingress's private load balancer; Skiff's is its
// gateway. A user may label a tag's Service cluster-local to hide that tag.
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { L } from '../../../../api/serving/constants.js';
import { GATEWAY_HOST } from '../../ingress/types.js';
import { hostnameFromTemplate, type RoutingConfig } from './domains.js';

export function makePlaceholderService(cfg: RoutingConfig, route: KObject, tag: string): KObject {
  const name = hostnameFromTemplate(cfg, route.metadata.name!, tag);
  const labels: Record<string, string> = {};
  // The route's visibility label is not copied: users set it per tag Service (knative/serving#4560).
  for (const [k, v] of Object.entries(route.metadata.labels ?? {})) if (k !== L.visibility) labels[k] = v;
  labels[L.route] = route.metadata.name!;
  const metadata: KObject['metadata'] = {
    name,
    namespace: route.metadata.namespace,
    labels,
    ownerReferences: [makeOwnerRef(route)],
  };
  if (route.metadata.annotations && Object.keys(route.metadata.annotations).length) metadata.annotations = { ...route.metadata.annotations };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ExternalName',
      externalName: GATEWAY_HOST,
      sessionAffinity: 'None',
      ports: [{ name: 'http2', appProtocol: 'kubernetes.io/h2c', port: 80, targetPort: 80, protocol: 'TCP' }],
    },
  };
}

/** A placeholder Service the user marked cluster-local (any value of the visibility label counts, as in Knative). */
export function isClusterLocalService(svc: KObject): boolean {
  return !!svc.metadata.labels?.[L.visibility];
}
