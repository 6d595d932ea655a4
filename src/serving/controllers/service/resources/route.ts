// Service → Route `{service}` (Knative pkg/reconciler/service/resources/route.go):
// the Service's traffic block with every target that names no revision
// pointed at the Service's Configuration, its labels (plus
// `serving.knative.dev/service`; the `networking.knative.dev/visibility`
// label travels with them) and its annotations minus kubectl's
// last-applied-configuration (so `serving.knative.dev/rollout-duration`
// reaches the Route). Pure.
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { L } from '../../../../api/serving/constants.js';
import type { TrafficTarget } from '../../../../api/serving/traffic.js';
import { serviceConfigurationName, serviceRouteName } from '../../names.js';
import { LAST_APPLIED_ANNOTATION } from './configuration.js';

export function makeRoute(service: KObject): KObject {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.annotations ?? {})) if (k !== LAST_APPLIED_ANNOTATION) annotations[k] = v;
  const spec: { traffic?: TrafficTarget[] } = {};
  if (Array.isArray(service.spec?.traffic)) {
    spec.traffic = (structuredClone(service.spec.traffic) as TrafficTarget[]).map((t) =>
      t.revisionName ? t : { ...t, configurationName: serviceConfigurationName(service) },
    );
  }
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: {
      name: serviceRouteName(service),
      namespace: service.metadata.namespace,
      ownerReferences: [makeOwnerRef(service)],
      annotations,
      labels: { ...(service.metadata.labels ?? {}), [L.service]: service.metadata.name! },
    },
    spec,
  };
}
