// ReplicaSet controller for embedded mode: keeps `spec.replicas` pods named
// `<rs>-<5 random chars>` from the template, owned by the ReplicaSet
// (controller ownerReference, so deleting the ReplicaSet cascades through
// the garbage collector), removes surplus pods in Kubernetes' order
// (pod-ranking.ts), and reports replicas / fullyLabeledReplicas /
// readyReplicas / availableReplicas (ready for minReadySeconds) /
// observedGeneration / selector.
//
// Reads pods and the ReplicaSet straight from the API (consistent reads)
// rather than from informer caches, so a reconcile right after its own
// writes never double-creates; informers only trigger reconciles. Orphaned
// pods matching the selector are not adopted (Skiff's controllers always
// create owned pods); terminating and finished pods do not count.
import { matchesSelector, selectorFromObject, selectorToString } from '../../api/labels.js';
import { clone, controllerOf, makeOwnerRef, type Condition, type KObject } from '../../api/meta.js';
import { randomSuffix } from '../../apiserver/object-service.js';
import { deepEqual } from '../../api/json.js';
import type { ApiClient } from '../../client/client.js';
import { Controller, filterControllerGK, filteringHandler, type Reconciler } from '../../controller/controller.js';
import { isConflict, isNotFound } from '../../controller/errors.js';
import { nopEventRecorder, type EventRecorder } from '../../controller/events.js';
import { splitKey, type SharedInformerFactory } from '../../controller/informer.js';
import { realClock, silentLogger, kubeTime, type Clock, type Logger } from '../deps.js';
import { choosePodsToDelete } from './pod-ranking.js';

export const RS_GR = 'apps/replicasets';
export const PODS_GR = 'core/pods';
/** Pods created per reconcile at most (Kubernetes' burstReplicas). */
const BURST = 500;

export interface WorkloadDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  /** Pod name suffixes (default: 5 random characters of Kubernetes' alphabet). */
  randomSuffix?: () => string;
  workers?: number;
}

export function isActivePod(p: KObject): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

function readySince(p: KObject): number | undefined {
  const c = (p.status?.conditions ?? []).find((x: Condition) => x.type === 'Ready');
  if (c?.status !== 'True') return undefined;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** Pod available = ready for at least minReadySeconds. */
export function isPodAvailable(p: KObject, minReadySeconds: number, now: number): boolean {
  const since = readySince(p);
  return since !== undefined && (minReadySeconds <= 0 || since + minReadySeconds * 1000 <= now);
}

export function makePodFromTemplate(rs: KObject, name: string): KObject {
  const tpl = rs.spec?.template ?? {};
  const meta = tpl.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: rs.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [makeOwnerRef(rs)],
    },
    spec: clone(tpl.spec ?? {}),
  };
}

/** ReplicaSet status from its active pods (pure). `recheckAfterMs`: when a ready pod becomes available. */
export function replicaSetStatus(rs: KObject, active: KObject[], now: number, failure?: string): { status: Record<string, unknown>; recheckAfterMs?: number } {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const tplLabels = rs.spec?.template?.metadata?.labels ?? {};
  let ready = 0;
  let available = 0;
  let fully = 0;
  let recheck: number | undefined;
  for (const p of active) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(tplLabels).every(([k, v]) => labels[k] === v)) fully++;
    const since = readySince(p);
    if (since === undefined) continue;
    ready++;
    if (isPodAvailable(p, minReady, now)) available++;
    else {
      const wait = since + minReady * 1000 - now;
      recheck = recheck === undefined ? wait : Math.min(recheck, wait);
    }
  }
  const status: Record<string, unknown> = {
    replicas: active.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
    selector: selectorToString(rs.spec?.selector),
  };
  if (failure) {
    const old = (rs.status?.conditions ?? []).find((c: Condition) => c.type === 'ReplicaFailure');
    status.conditions = [
      { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure, lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : kubeTime(now) },
    ];
  }
  return { status, ...(recheck !== undefined ? { recheckAfterMs: Math.max(1, recheck) } : {}) };
}

export async function writeStatus(client: ApiClient, gr: string, obj: KObject, status: Record<string, unknown>): Promise<void> {
  let cur: KObject | undefined = obj;
  for (let attempt = 0; attempt < 5 && cur; attempt++) {
    if (deepEqual(cur.status, status)) return;
    try {
      await client.updateStatus(gr, { ...cur, status });
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
      cur = await client.get(gr, obj.metadata.namespace ?? '', obj.metadata.name!);
      if (cur && cur.metadata.uid !== obj.metadata.uid) return;
    }
  }
}

/**
 * Pods this controller is creating, by `namespace/name` (client-go's
 * "expectations" in miniature): the pod's ADDED event needs no reconcile of
 * its own, since the reconcile that created it already counted it.
 */
export type CreationExpectations = Set<string>;

export function newReplicaSetReconciler(deps: WorkloadDeps, expected?: CreationExpectations): Reconciler {
  const clock = deps.clock ?? realClock;
  const log = deps.logger ?? silentLogger;
  const recorder = deps.recorder ?? nopEventRecorder;
  const suffix = deps.randomSuffix ?? (() => randomSuffix(5));
  return {
    async reconcile(key) {
      const { namespace, name } = splitKey(key);
      const rs = await deps.client.get(RS_GR, namespace ?? '', name);
      if (!rs || rs.metadata.deletionTimestamp) return;
      const selector = selectorFromObject(rs.spec?.selector);
      const pods = (await deps.client.list(PODS_GR, { namespace })).items.filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
      let active = pods.filter(isActivePod);
      const desired = rs.spec?.replicas ?? 1;
      const diff = desired - active.length;
      let failure: string | undefined;
      if (diff > 0) {
        for (let i = 0; i < Math.min(diff, BURST); i++) {
          let created: KObject | undefined;
          for (let attempt = 0; attempt < 5 && !created; attempt++) {
            const podName = `${name}-${suffix()}`;
            const podKey = `${namespace ?? ''}/${podName}`;
            expected?.add(podKey);
            try {
              created = await deps.client.create(PODS_GR, makePodFromTemplate(rs, podName));
            } catch (e) {
              expected?.delete(podKey);
              if (isConflict(e)) continue; // name taken: draw another suffix
              failure = (e as Error).message;
              break;
            }
          }
          if (!created) break;
          if (!matchesSelector(selector, created.metadata.labels)) log.warn('pod template labels do not match the selector', { replicaset: key });
          recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
          active.push(created);
        }
        if (failure) recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${failure}`);
      } else if (diff < 0) {
        const victims = choosePodsToDelete(active, -diff);
        for (const v of victims) {
          try {
            await deps.client.delete(PODS_GR, namespace ?? '', v.metadata.name!);
            recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${v.metadata.name}`);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
        const gone = new Set(victims.map((v) => v.metadata.uid));
        active = active.filter((p) => !gone.has(p.metadata.uid));
      }
      const { status, recheckAfterMs } = replicaSetStatus(rs, active, clock.now(), failure);
      await writeStatus(deps.client, RS_GR, rs, status);
      if (failure) throw new Error(`creating pods for replicaset ${key}: ${failure}`);
      return recheckAfterMs !== undefined ? { requeueAfterMs: recheckAfterMs } : undefined;
    },
  };
}

/**
 * Does an update change anything but `status` (and the resourceVersion)?
 * A controller's own status write needs no reconcile of its own: the
 * reconcile that wrote it already saw everything the status was computed from.
 * Resyncs (same object or resourceVersion) count as changes, so they still reconcile.
 */
export function changedBeyondStatus(oldObj: KObject, newObj: KObject, ignoreAnnotations: readonly string[] = []): boolean {
  if (oldObj === newObj || oldObj.metadata.resourceVersion === newObj.metadata.resourceVersion) return true;
  const strip = (o: KObject) => {
    const annotations = { ...(o.metadata.annotations ?? {}) };
    for (const a of ignoreAnnotations) delete annotations[a];
    return { ...o, status: undefined, metadata: { ...o.metadata, resourceVersion: undefined, annotations } };
  };
  return !deepEqual(strip(oldObj), strip(newObj));
}

function readyCondition(p: KObject): Condition | undefined {
  return (p.status?.conditions ?? []).find((x: Condition) => x.type === 'Ready');
}

/**
 * Does a pod update matter to its ReplicaSet? Its status is computed from a
 * pod's ownerReferences, labels, deletionTimestamp, whether it has finished
 * (Succeeded/Failed pods do not count) and its Ready condition (status and
 * since when); nothing else a pod update can change enters it. So neither the
 * agent's admission update (host ports, finalizer, nodeName) nor the pod
 * turning Running before it is ready sets off a reconcile. (Scale-down ranking reads more, but scale-downs
 * are set off by the ReplicaSet, and each reconcile lists pods afresh.)
 * Resyncs still reconcile.
 */
export function podChangeMattersToReplicaSet(oldPod: KObject, newPod: KObject): boolean {
  if (oldPod === newPod || oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return true;
  const a = oldPod.metadata;
  const b = newPod.metadata;
  const ra = readyCondition(oldPod);
  const rb = readyCondition(newPod);
  return (
    a.deletionTimestamp !== b.deletionTimestamp ||
    isActivePod(oldPod) !== isActivePod(newPod) ||
    ra?.status !== rb?.status ||
    ra?.lastTransitionTime !== rb?.lastTransitionTime ||
    !deepEqual(a.labels, b.labels) ||
    !deepEqual(a.ownerReferences, b.ownerReferences)
  );
}

export function newReplicaSetController(deps: WorkloadDeps): Controller {
  const expected: CreationExpectations = new Set();
  const ctrl = new Controller({ name: 'replicaset-controller', reconciler: newReplicaSetReconciler(deps, expected), clock: deps.clock, logger: deps.logger, workers: deps.workers ?? 2 });
  const own = ctrl.handler();
  deps.informers.informerFor(RS_GR).addEventHandler({
    onAdd: own.onAdd,
    onUpdate: (o, n) => {
      if (changedBeyondStatus(o, n)) own.onUpdate?.(o, n);
    },
    onDelete: own.onDelete,
  });
  const toOwner = filteringHandler(filterControllerGK('apps', 'ReplicaSet'), ctrl.ownerHandler({ apiVersion: 'apps/v1', kind: 'ReplicaSet' }));
  const podKey = (p: KObject) => `${p.metadata.namespace ?? ''}/${p.metadata.name}`;
  deps.informers.informerFor(PODS_GR).addEventHandler({
    onAdd: (p) => {
      if (!expected.delete(podKey(p))) toOwner.onAdd?.(p);
    },
    onUpdate: (o, n) => {
      if (podChangeMattersToReplicaSet(o, n)) toOwner.onUpdate?.(o, n);
    },
    onDelete: (p) => {
      expected.delete(podKey(p));
      toOwner.onDelete?.(p);
    },
  });
  return ctrl;
}
