// Labels, annotations and the selector the Revision's children carry
// (Knative pkg/reconciler/revision/resources/meta.go): the Revision's labels
// minus the labeler's routing keys plus revision/revisionUID/app, and its
// annotations minus the labeler's bookkeeping (and, for the Deployment and
// pods, minus autoscaling.knative.dev/* which only the PodAutoscaler reads).
import type { KObject } from '../../../../api/meta.js';
import { A, L } from '../../../../api/serving/constants.js';

/** Label holding the hash of the Deployment we last wrote (Knative RevisionDeploymentHashLabelKey). */
export const DEPLOYMENT_HASH_LABEL = 'serving.knative.dev/deployment-hash';
/** kubectl picks this container for `logs`/`exec` without `-c`. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';
/**
 * Pod annotation read by Skiff's node agent: probe this often. Knative's
 * queue-proxy probes the user container every 50 ms until ready; with no
 * queue-proxy in embedded mode the agent does it, so a revision becomes ready
 * as fast as on a cluster.
 */
export const PROBE_PERIOD_ANNOTATION = 'skiff.dev/probe-period-ms';
export const APP_LABEL = 'app';
const AUTOSCALING_PREFIX = 'autoscaling.knative.dev';

const EXCLUDED_LABELS: ReadonlySet<string> = new Set([L.route, L.routingState]);
const EXCLUDED_ANNOTATIONS: ReadonlySet<string> = new Set([A.lastPinned, A.noGC, A.routingStateModified, A.routes]);

function filterOut(m: Record<string, string> | undefined, drop: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (!drop(k)) out[k] = v;
  return out;
}

const isAutoscalingKey = (k: string) => k.startsWith(AUTOSCALING_PREFIX);

/** Labels of the Deployment, its pods and the PodAutoscaler. */
export function makeLabels(rev: KObject): Record<string, string> {
  const labels = filterOut(rev.metadata.labels, (k) => EXCLUDED_LABELS.has(k));
  labels[L.revision] = rev.metadata.name!;
  labels[L.revisionUID] = rev.metadata.uid ?? '';
  // Users who set no `app` label get the revision name, as in Knative (tracing groups by it).
  if (labels[APP_LABEL] === undefined) labels[APP_LABEL] = rev.metadata.name!;
  return labels;
}

/** The Deployment selects its pods by revision UID only (stable across label edits). */
export function makeSelector(rev: KObject): { matchLabels: Record<string, string> } {
  return { matchLabels: { [L.revisionUID]: rev.metadata.uid ?? '' } };
}

export function deploymentAnnotations(rev: KObject): Record<string, string> {
  return filterOut(rev.metadata.annotations, (k) => EXCLUDED_ANNOTATIONS.has(k) || isAutoscalingKey(k));
}

export function podAnnotations(rev: KObject, servingContainerName: string | undefined): Record<string, string> {
  const ann = deploymentAnnotations(rev);
  if (servingContainerName) ann[DEFAULT_CONTAINER_ANNOTATION] = servingContainerName;
  // No probe-period override: the agent already probes fast until the first success (queue-proxy's
  // aggressive start-up probing), and a 25 ms period kept forever costs every idle pod ~4 % of a core.
  return ann;
}

/** What the PodAutoscaler gets from the Revision: every annotation but the labeler's. */
export function podAutoscalerAnnotations(rev: KObject): Record<string, string> {
  return filterOut(rev.metadata.annotations, (k) => EXCLUDED_ANNOTATIONS.has(k));
}

/**
 * Knative merges its own metadata with metadata others added to a child
 * (e.g. `kubectl rollout restart`'s restartedAt): keys with `knative.dev/`
 * and `app` are ours and follow `desired`; every other key already on the
 * child is kept (and wins over `desired`).
 */
export function mergeMetadata(desired: Record<string, string> | undefined, current: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { ...(desired ?? {}) };
  // As kmap.Union(desired, external): on a clash the value already on the child wins.
  for (const [k, v] of Object.entries(current ?? {})) if (k !== APP_LABEL && !k.includes('knative.dev/')) out[k] = v;
  return out;
}
