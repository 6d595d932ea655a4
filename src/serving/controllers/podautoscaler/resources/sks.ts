// Builder for the PodAutoscaler's ServerlessService (Knative's
// kpa/resources/sks.go MakeSKS): same name and namespace as the PA, the PA's
// labels, its annotations minus kubectl's last-applied-configuration, owned by
// the PA, pointing at the PA's scale target with the mode the KPA chose.
import { makeOwnerRef } from '../../../../api/meta.js';
import {
  SKS_API_VERSION,
  SKS_KIND,
  type ProtocolType,
  type ServerlessService,
  type SksMode,
} from '../../serverlessservice/resources/services.js';
import type { PodAutoscaler } from './types.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function makeSks(pa: PodAutoscaler, mode: SksMode, numActivators: number): ServerlessService {
  const annotations = { ...(pa.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const protocolType: ProtocolType = pa.spec?.protocolType === 'h2c' ? 'h2c' : 'http1';
  return {
    apiVersion: SKS_API_VERSION,
    kind: SKS_KIND,
    metadata: {
      name: pa.metadata.name,
      namespace: pa.metadata.namespace,
      labels: { ...(pa.metadata.labels ?? {}) },
      annotations,
      ownerReferences: [makeOwnerRef(pa)],
    },
    spec: {
      objectRef: { ...pa.spec.scaleTargetRef },
      mode,
      numActivators,
      protocolType,
    },
  };
}
