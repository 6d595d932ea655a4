// Deployment controller for embedded mode: one ReplicaSet per pod template,
// named `<deployment>-<pod-template-hash>`, owned by the Deployment; rolling
// updates / recreate (rollout.ts); revision annotations
// (`deployment.kubernetes.io/revision` on ReplicaSets and the Deployment, as
// `kubectl rollout history` reads them); old ReplicaSets pruned beyond
// `revisionHistoryLimit`; status with replicas / updatedReplicas /
// readyReplicas / availableReplicas / unavailableReplicas /
// observedGeneration / `selector` (for the scale subresource) and the
// Available / Progressing conditions (NewReplicaSetAvailable,
// ProgressDeadlineExceeded …). `spec.paused` stops rollouts (scaling still
// applies to the current ReplicaSet).
import { selectorToString } from '../../api/labels.js';
import { clone, controllerOf, makeOwnerRef, type KObject } from '../../api/meta.js';
import { deepEqual } from '../../api/json.js';
import { Controller, filterControllerGK, filteringHandler, type Reconciler } from '../../controller/controller.js';
import { isConflict, isNotFound } from '../../controller/errors.js';
import { nopEventRecorder } from '../../controller/events.js';
import { indexByControllerUid, OWNER_UID_INDEX, splitKey } from '../../controller/informer.js';
import { realClock, type Clock } from '../deps.js';
import { changedBeyondStatus, PODS_GR, RS_GR, writeStatus, type WorkloadDeps } from './replicaset-controller.js';
import { deploymentConditions, planRecreate, planRollingUpdate, resolveFenceposts, type DeploymentCounts, type RSView } from './rollout.js';
import { podTemplateHash, POD_TEMPLATE_HASH_LABEL, replicaSetNameFor, templatesEqualIgnoringHash } from './template-hash.js';

export const DEPLOYMENTS_GR = 'apps/deployments';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

export function revisionOf(o: KObject): number {
  const n = Number(o.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The ReplicaSet for a Deployment's current template (pure). */
export function makeReplicaSet(d: KObject, hash: string, replicas: number, revision: number, maxSurge: number): KObject {
  const tpl = clone(d.spec.template ?? {});
  tpl.metadata = { ...(tpl.metadata ?? {}), labels: { ...(tpl.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const sel = d.spec.selector ?? {};
  const desired = d.spec.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSetNameFor(d, hash),
      namespace: d.metadata.namespace,
      labels: { ...(d.spec.template?.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
      annotations: {
        [REVISION_ANNOTATION]: String(revision),
        [DESIRED_REPLICAS_ANNOTATION]: String(desired),
        [MAX_REPLICAS_ANNOTATION]: String(desired + maxSurge),
      },
      ownerReferences: [makeOwnerRef(d)],
    },
    spec: {
      replicas,
      ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
      selector: { ...sel, matchLabels: { ...(sel.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
      template: tpl,
    },
  };
}

function view(rs: KObject): RSView {
  return {
    name: rs.metadata.name!,
    replicas: rs.spec?.replicas ?? 0,
    available: rs.status?.availableReplicas ?? 0,
    created: Date.parse(rs.metadata.creationTimestamp ?? '') || 0,
  };
}

export function newDeploymentReconciler(deps: WorkloadDeps & { clock?: Clock }): Reconciler {
  const clock = deps.clock ?? realClock;
  const recorder = deps.recorder ?? nopEventRecorder;
  const client = deps.client;
  // A Deployment's ReplicaSets come from the shared informer's owner-uid index,
  // not a list of every ReplicaSet in the namespace per reconcile (as
  // client-go's listers). A stale cache is safe: a ReplicaSet created again
  // collides on its hash name (handled below), a stale update conflicts and retries.
  const replicaSets = deps.informers.informerFor(RS_GR);
  if (!replicaSets.hasIndex(OWNER_UID_INDEX)) replicaSets.addIndexer(OWNER_UID_INDEX, indexByControllerUid);

  async function scale(d: KObject, rs: KObject, replicas: number, maxSurge: number): Promise<KObject> {
    const desired = d.spec.replicas ?? 1;
    const next = clone(rs);
    next.spec.replicas = replicas;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESIRED_REPLICAS_ANNOTATION]: String(desired), [MAX_REPLICAS_ANNOTATION]: String(desired + maxSurge) };
    if (deepEqual(next, rs)) return rs;
    const updated = await client.update(RS_GR, next);
    if (replicas !== (rs.spec?.replicas ?? 0))
      recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > (rs.spec?.replicas ?? 0) ? 'up' : 'down'} replica set ${rs.metadata.name} to ${replicas}`);
    return updated;
  }

  return {
    async reconcile(key) {
      const { namespace, name } = splitKey(key);
      const d = await client.get(DEPLOYMENTS_GR, namespace ?? '', name);
      if (!d || d.metadata.deletionTimestamp) return;
      const ns = namespace ?? '';
      const desired: number = d.spec?.replicas ?? 1;
      const paused = !!d.spec?.paused;
      const strategy = d.spec?.strategy?.type ?? 'RollingUpdate';
      const { maxSurge, maxUnavailable } = strategy === 'RollingUpdate' ? resolveFenceposts(d.spec?.strategy?.rollingUpdate, desired) : { maxSurge: 0, maxUnavailable: desired };
      const owned = d.metadata.uid ? replicaSets.byIndex(OWNER_UID_INDEX, d.metadata.uid) : [];
      let newRS = owned.find((rs) => !rs.metadata.deletionTimestamp && templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
      let olds = owned.filter((rs) => rs !== newRS && !rs.metadata.deletionTimestamp);
      const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
      let createdNewRS = false;

      if (!newRS && !paused) {
        const hash = podTemplateHash(d.spec.template, d.status?.collisionCount);
        const first = strategy === 'Recreate'
          ? planRecreate({ replicas: desired, newRS: { name: '', replicas: 0, available: 0, created: 0 }, oldRSs: olds.map(view), oldPodsRemaining: olds.length ? 1 : 0 })
          : planRollingUpdate({ replicas: desired, maxSurge, maxUnavailable, newRS: { name: '', replicas: 0, available: 0, created: 0 }, oldRSs: olds.map(view) });
        const rs = makeReplicaSet(d, hash, first.newReplicas, maxRevision + 1, maxSurge);
        try {
          newRS = await client.create(RS_GR, rs);
          createdNewRS = true;
          recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} to ${first.newReplicas}`);
        } catch (e) {
          if (!isConflict(e)) throw e;
          const existing = await client.get(RS_GR, ns, rs.metadata.name!);
          if (existing && controllerOf(existing)?.uid === d.metadata.uid && templatesEqualIgnoringHash(existing.spec?.template, d.spec.template)) newRS = existing;
          else {
            // A hash collision with a ReplicaSet of another template: bump collisionCount and try again.
            await writeStatus(client, DEPLOYMENTS_GR, d, { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
            return { requeueAfterMs: 0 };
          }
        }
      } else if (newRS && revisionOf(newRS) < maxRevision) {
        // Rolled back to an older template: it becomes the newest revision.
        const next = clone(newRS);
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(maxRevision + 1) };
        newRS = await client.update(RS_GR, next);
      }

      if (newRS && paused) {
        if (!olds.some((r) => (r.spec?.replicas ?? 0) > 0)) newRS = await scale(d, newRS, desired, maxSurge);
      } else if (newRS) {
        let plan;
        if (strategy === 'Recreate') {
          const oldUids = new Set(olds.map((r) => r.metadata.uid));
          const oldPods = olds.length ? (await client.list(PODS_GR, { namespace })).items.filter((p) => oldUids.has(controllerOf(p)?.uid ?? '')).length : 0;
          plan = planRecreate({ replicas: desired, newRS: view(newRS), oldRSs: olds.map(view), oldPodsRemaining: oldPods });
        } else {
          plan = planRollingUpdate({ replicas: desired, maxSurge, maxUnavailable, newRS: view(newRS), oldRSs: olds.map(view) });
        }
        // Scale down before up, so the total stays within bounds between the writes.
        olds = await Promise.all(olds.map((r) => (plan.old[r.metadata.name!] !== undefined ? scale(d, r, plan.old[r.metadata.name!], maxSurge) : r)));
        newRS = await scale(d, newRS, plan.newReplicas, maxSurge);
      }

      // Prune history: old, empty ReplicaSets beyond revisionHistoryLimit, oldest revision first.
      const limit = d.spec?.revisionHistoryLimit ?? 10;
      const empty = olds.filter((r) => (r.spec?.replicas ?? 0) === 0 && (r.status?.replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
      for (const r of empty.slice(0, Math.max(0, empty.length - limit))) {
        try {
          await client.delete(RS_GR, ns, r.metadata.name!);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        olds = olds.filter((o) => o !== r);
      }

      const all = newRS ? [newRS, ...olds] : olds;
      const sum = (f: (r: KObject) => number) => all.reduce((n, r) => n + f(r), 0);
      const counts: DeploymentCounts = {
        replicas: sum((r) => r.status?.replicas ?? 0),
        updatedReplicas: newRS?.status?.replicas ?? 0,
        readyReplicas: sum((r) => r.status?.readyReplicas ?? 0),
        availableReplicas: sum((r) => r.status?.availableReplicas ?? 0),
        oldReplicas: olds.reduce((n, r) => n + (r.spec?.replicas ?? 0) + (r.status?.replicas ?? 0), 0),
      };
      const prevCounts: DeploymentCounts | undefined = d.status
        ? {
            replicas: d.status.replicas ?? 0,
            updatedReplicas: d.status.updatedReplicas ?? 0,
            readyReplicas: d.status.readyReplicas ?? 0,
            availableReplicas: d.status.availableReplicas ?? 0,
            oldReplicas: counts.oldReplicas, // old pods going away show up in `replicas`
          }
        : undefined;
      const { conditions, recheckAfterMs } = deploymentConditions({
        prev: d.status?.conditions,
        prevCounts,
        counts,
        desired,
        maxUnavailable,
        newRSName: newRS?.metadata.name,
        createdNewRS,
        newGeneration: (d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1),
        paused,
        progressDeadlineSeconds: d.spec?.progressDeadlineSeconds ?? 600,
        now: clock.now(),
      });
      const status: Record<string, unknown> = {
        observedGeneration: d.metadata.generation ?? 1,
        replicas: counts.replicas,
        updatedReplicas: counts.updatedReplicas,
        readyReplicas: counts.readyReplicas,
        availableReplicas: counts.availableReplicas,
        unavailableReplicas: Math.max(0, sum((r) => r.spec?.replicas ?? 0) - counts.availableReplicas),
        conditions,
        selector: selectorToString(d.spec?.selector),
      };
      if (d.status?.collisionCount) status.collisionCount = d.status.collisionCount;
      // Kubernetes omits zero counts; so do we, to match `kubectl get -o yaml`.
      for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (status[k] === 0) delete status[k];
      await writeStatus(client, DEPLOYMENTS_GR, d, status);
      const revision = newRS ? String(revisionOf(newRS)) : undefined;
      if (revision && d.metadata.annotations?.[REVISION_ANNOTATION] !== revision) {
        const cur = await client.get(DEPLOYMENTS_GR, ns, name);
        if (cur && cur.metadata.uid === d.metadata.uid) {
          const next = clone(cur);
          next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
          await client.update(DEPLOYMENTS_GR, next);
        }
      }
      return recheckAfterMs !== undefined ? { requeueAfterMs: recheckAfterMs } : undefined;
    },
  };
}

export function newDeploymentController(deps: WorkloadDeps): Controller {
  const ctrl = new Controller({ name: 'deployment-controller', reconciler: newDeploymentReconciler(deps), clock: deps.clock, logger: deps.logger, workers: deps.workers ?? 2 });
  // The reconcile's own writes (status; the revision annotation) need no reconcile of their own.
  const own = ctrl.handler();
  deps.informers.informerFor(DEPLOYMENTS_GR).addEventHandler({
    onAdd: own.onAdd,
    onUpdate: (o, n) => {
      if (changedBeyondStatus(o, n, [REVISION_ANNOTATION])) own.onUpdate?.(o, n);
    },
    onDelete: own.onDelete,
  });
  const replicaSets = deps.informers.informerFor(RS_GR);
  replicaSets.addEventHandler(filteringHandler(filterControllerGK('apps', 'Deployment'), ctrl.ownerHandler({ apiVersion: 'apps/v1', kind: 'Deployment' })));
  // Recreate waits for old pods to be gone: a pod deletion re-enqueues its Deployment (via the ReplicaSet).
  deps.informers.informerFor(PODS_GR).addEventHandler({
    onDelete: (pod) => {
      const ref = controllerOf(pod);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = replicaSets.get(pod.metadata.namespace, ref.name);
      if (rs) ctrl.enqueueControllerOf(rs);
    },
  });
  return ctrl;
}
