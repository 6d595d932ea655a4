// Service → Configuration `{service}` (Knative pkg/reconciler/service/resources/configuration.go):
// the Service's template, labels (plus service/serviceUID) and annotations
// — minus kubectl's last-applied-configuration and the rollout duration,
// which only concerns the Route — and the `serving.knative.dev/routes`
// annotation naming the Service's Route (joined with any the labeler
// already recorded), so revisions are born routed. Pure.
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { A, L } from '../../../../api/serving/constants.js';
import { formatListAnnotation, getListAnnotation } from '../../labeler/list-annotation.js';
import { serviceConfigurationName, serviceRouteName } from '../../names.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const EXCLUDED_ANNOTATIONS: ReadonlySet<string> = new Set([LAST_APPLIED_ANNOTATION, A.rolloutDuration, A.rolloutDurationLegacy]);

export function makeConfiguration(service: KObject, existing?: KObject): KObject {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.annotations ?? {})) if (!EXCLUDED_ANNOTATIONS.has(k)) annotations[k] = v;
  const routes = getListAnnotation(existing?.metadata.annotations, A.routes);
  routes.add(serviceRouteName(service));
  annotations[A.routes] = formatListAnnotation(routes);
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: {
      name: serviceConfigurationName(service),
      namespace: service.metadata.namespace,
      ownerReferences: [makeOwnerRef(service)],
      labels: { ...(service.metadata.labels ?? {}), [L.service]: service.metadata.name!, [L.serviceUID]: service.metadata.uid ?? '' },
      annotations,
    },
    spec: { template: structuredClone(service.spec?.template ?? {}) },
  };
}
