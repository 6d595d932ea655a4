// The PodAutoscaler (autoscaling.internal.knative.dev/v1alpha1) as the
// autoscaling reconcilers read and write it.
import type { KObject } from '../../../../api/meta.js';
import { AUTOSCALING_INTERNAL_GROUP } from '../../../../api/serving/constants.js';

export const PA_API_VERSION = `${AUTOSCALING_INTERNAL_GROUP}/v1alpha1`;
export const PA_KIND = 'PodAutoscaler';
export const PA_GR = `${AUTOSCALING_INTERNAL_GROUP}/podautoscalers`;

export interface PodAutoscalerSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  /** The revision's containerConcurrency (0 = unlimited). */
  containerConcurrency?: number;
  protocolType?: 'http1' | 'h2c';
  /** `Unreachable` when no route sends traffic to the revision (routingState=reserve). */
  reachability?: 'Reachable' | 'Unreachable' | '';
}

export interface PodAutoscalerStatus {
  conditions?: KObject['status'];
  observedGeneration?: number;
  /** The public Service of the revision (the SKS's serviceName). */
  serviceName?: string;
  /** The Service the autoscaler would scrape (the SKS's private service). */
  metricsServiceName?: string;
  desiredScale?: number;
  actualScale?: number;
  [k: string]: unknown;
}

export interface PodAutoscaler extends KObject {
  spec: PodAutoscalerSpec;
  status?: PodAutoscalerStatus;
}
