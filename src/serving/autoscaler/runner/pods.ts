// Counting a revision's pods from the shared Pod informer, the way Knative's
// PodAccessor does (pkg/resources/pods.go): pods carry the label
// `serving.knative.dev/revision`; Ready means the Ready condition is True and
// the pod is not terminating. One index keyed `namespace/revision` makes the
// per-tick count cheap however many pods the node runs.
import type { KObject } from '../../../api/meta.js';
import type { EventHandler, Informer, Lister } from '../../../controller/informer.js';

export const REVISION_LABEL = 'serving.knative.dev/revision';
/** Name of the index this module adds to the shared Pod informer. */
export const POD_REVISION_INDEX = 'skiff.dev/autoscaler-revision-key';
export const PODS_GR = 'core/pods';

/** `namespace/revision` of a pod, or undefined when it belongs to no revision. */
export function podRevisionKey(pod: KObject): string | undefined {
  const rev = pod.metadata.labels?.[REVISION_LABEL];
  return rev ? `${pod.metadata.namespace ?? ''}/${rev}` : undefined;
}

/** Ready condition True and not being deleted. */
export function isPodReady(pod: KObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const conds = pod.status?.conditions;
  if (!Array.isArray(conds)) return false;
  for (const c of conds) if (c?.type === 'Ready') return c.status === 'True';
  return false;
}

export interface PodCounts {
  ready: number;
  notReady: number;
  /** Phase Pending (not yet running). */
  pending: number;
  terminating: number;
}

/** Adds the `namespace/revision` index to the Pod informer (once; safe to call again). */
export function ensurePodRevisionIndex(pods: Informer): void {
  if (!pods.hasIndex(POD_REVISION_INDEX)) {
    pods.addIndexer(POD_REVISION_INDEX, (o) => {
      const k = podRevisionKey(o);
      return k ? [k] : [];
    });
  }
}

/** Pods of revision `namespace/revision` (needs ensurePodRevisionIndex). */
export function revisionPods(pods: Lister, revisionKey: string): KObject[] {
  return pods.byIndex(POD_REVISION_INDEX, revisionKey);
}

/** PodCountsByState: terminating first, then ready / pending / not ready. */
export function countPods(pods: readonly KObject[]): PodCounts {
  const c: PodCounts = { ready: 0, notReady: 0, pending: 0, terminating: 0 };
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) c.terminating++;
    else if (isPodReady(p)) c.ready++;
    else if (p.status?.phase === 'Pending' || p.status?.phase === undefined) c.pending++;
    else c.notReady++;
  }
  return c;
}

/** Ready pods of a revision. */
export function readyPodCount(pods: Lister, revisionKey: string): number {
  let n = 0;
  for (const p of revisionPods(pods, revisionKey)) if (isPodReady(p)) n++;
  return n;
}

/**
 * Informer handler calling `enqueue(namespace/revision)` when a revision pod
 * appears, disappears, or changes readiness or termination — the only pod
 * changes the autoscaler and the SKS care about (status churn is ignored).
 */
export function podReadinessHandler(enqueue: (revisionKey: string) => void): EventHandler {
  const fire = (p: KObject) => {
    const k = podRevisionKey(p);
    if (k) enqueue(k);
  };
  return {
    onAdd: fire,
    onUpdate: (oldPod, newPod) => {
      if (isPodReady(oldPod) !== isPodReady(newPod) || !oldPod.metadata.deletionTimestamp !== !newPod.metadata.deletionTimestamp) fire(newPod);
      else if (podRevisionKey(oldPod) !== podRevisionKey(newPod)) {
        fire(oldPod);
        fire(newPod);
      }
    },
    onDelete: fire,
  };
}
