// Revision → PodAutoscaler `{rev}` (Knative
// pkg/reconciler/revision/resources/pa.go plus what the PA webhook would
// default: the class and metric annotations). Reachability follows the
// labeler's routing state: active → Reachable, reserve → Unreachable,
// pending/none → "" (unknown); a revision whose resources failed and that has
// no ready pod is Unreachable so the autoscaler stops holding min-scale pods.
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { L } from '../../../../api/serving/constants.js';
import { ANNOTATION, resolveScalingSpec } from '../../../autoscaler/annotations.js';
import type { AutoscalerConfig } from '../../../autoscaler/config.js';
import { deploymentName, podAutoscalerName } from '../../names.js';
import { revisionProtocol } from './deploy.js';
import { makeLabels, podAutoscalerAnnotations } from './meta.js';

export const PA_API_VERSION = 'autoscaling.internal.knative.dev/v1alpha1';
export const PA_KIND = 'PodAutoscaler';
const AUTOSCALING_PREFIX = 'autoscaling.knative.dev';
/** Annotations the PA gets by defaulting when the Revision does not say: not removed when absent from the Revision. */
const DEFAULTED_ANNOTATIONS: ReadonlySet<string> = new Set([ANNOTATION.class, ANNOTATION.metric]);

export type Reachability = 'Reachable' | 'Unreachable' | '';

export function reachability(rev: KObject, deployment: KObject | undefined): Reachability {
  const infraFailure = (rev.status?.conditions ?? []).some(
    (c: any) => (c.type === 'ResourcesAvailable' || c.type === 'ContainerHealthy') && c.status === 'False',
  );
  const replicas = deployment?.spec?.replicas;
  if (infraFailure && Number.isInteger(replicas) && replicas > 0 && (deployment?.status?.readyReplicas ?? 0) === 0) return 'Unreachable';
  switch (rev.metadata.labels?.[L.routingState]) {
    case 'active':
      return 'Reachable';
    case 'reserve':
      return 'Unreachable';
    default:
      return '';
  }
}

export function makePodAutoscalerSpec(rev: KObject, deployment: KObject | undefined): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    containerConcurrency: rev.spec?.containerConcurrency ?? 0,
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(rev) },
    protocolType: revisionProtocol(rev),
  };
  const r = reachability(rev, deployment);
  if (r) spec.reachability = r; // omitempty, as in Knative
  return spec;
}

/** The PA as first created: class and metric defaulted from config-autoscaler when the Revision does not set them. */
export function makePodAutoscaler(rev: KObject, deployment: KObject | undefined, autoscaler: AutoscalerConfig): KObject {
  const annotations = podAutoscalerAnnotations(rev);
  const scaling = resolveScalingSpec(annotations, rev.spec?.containerConcurrency ?? 0, autoscaler);
  annotations[ANNOTATION.class] ??= scaling.class;
  if (scaling.metric) annotations[ANNOTATION.metric] ??= scaling.metric;
  return {
    apiVersion: PA_API_VERSION,
    kind: PA_KIND,
    metadata: {
      name: podAutoscalerName(rev),
      namespace: rev.metadata.namespace,
      labels: makeLabels(rev),
      annotations,
      ownerReferences: [makeOwnerRef(rev)],
    },
    spec: makePodAutoscalerSpec(rev, deployment),
  };
}

/**
 * Knative's annotationsNeedReconcilingForKPA: the Revision is the source of
 * truth for autoscaling annotations (one removed there is removed from the
 * PA), except the defaulted class/metric, which stay when the Revision has none.
 */
export function paAnnotationsNeedSync(pa: Record<string, string> | undefined, fromRevision: Record<string, string>): boolean {
  const have = pa ?? {};
  for (const k of Object.keys(have)) {
    if (k.startsWith(AUTOSCALING_PREFIX) && !DEFAULTED_ANNOTATIONS.has(k) && !(k in fromRevision)) return true;
  }
  for (const [k, v] of Object.entries(fromRevision)) {
    if (!(k in have)) {
      if (DEFAULTED_ANNOTATIONS.has(k)) continue;
      return true;
    }
    if (have[k] !== v) return true;
  }
  return false;
}

/** Knative's syncAnnotationsForKPA: drop stale autoscaling keys (but the defaulted ones), then copy the Revision's in. */
export function syncPaAnnotations(pa: Record<string, string> | undefined, fromRevision: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(pa ?? {})) if (!k.startsWith(AUTOSCALING_PREFIX) || DEFAULTED_ANNOTATIONS.has(k)) out[k] = v;
  return Object.assign(out, fromRevision);
}
