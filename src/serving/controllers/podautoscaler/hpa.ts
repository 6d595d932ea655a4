// The HPA-class PodAutoscaler reconciler (knative/serving
// pkg/reconciler/autoscaling/hpa) for PAs of class hpa.autoscaling.knative.dev.
// Knative writes a Kubernetes HorizontalPodAutoscaler and mirrors its status;
// embedded Skiff runs the HPA algorithm itself (autoscaler/runner/hpa-scalers.ts,
// which also patches replicas), so this reconciler:
//  - keeps the HPA for the PA (makeHpaSpec: min ≥ 1, max, metric target,
//    stabilization from the `window` annotation),
//  - keeps the SKS in Serve mode with all activators (HPA revisions never
//    scale to zero, so the activator need not be in the path),
//  - writes status: desiredScale (the HPA's last decision, else the current
//    replicas), actualScale (ready pods), SKSReady, ScaleTargetInitialized
//    (ready ≥ max(min, 1) with a service name) and Active (True once a pod is
//    ready, else Activating "Queued").
import { Controller, type ObjectFilter, type Reconciler } from '../../../controller/controller.js';
import { ReconcileEvent } from '../../../controller/errors.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { resolveScalingSpec } from '../../autoscaler/annotations.js';
import { HPA_CLASS } from '../../autoscaler/config.js';
import { makeHpaSpec } from '../../autoscaler/hpa.js';
import type { HpaScalers } from '../../autoscaler/runner/hpa-scalers.js';
import { countPods, ensurePodRevisionIndex, PODS_GR, revisionPods } from '../../autoscaler/runner/pods.js';
import type { AutoscalingConfigSource } from '../../autoscaler/runner/config-store.js';
import { SKS_GR } from '../serverlessservice/resources/services.js';
import { DEPLOYMENTS_GR } from '../serverlessservice/serverlessservice.js';
import { markActiveState, markSksNotReady, markSksReady, paConditions, ScaleTargetInitialized, SKSReady } from './conditions.js';
import { paRevisionKey, wirePodAutoscalerInformers, type PodAutoscalerDeps } from './kpa.js';
import { PA_GR, type PodAutoscaler, type PodAutoscalerStatus } from './resources/types.js';
import { getScaleTarget, isSksReady, paClass, reconcileSks, replicasOf, sksReadyMessage, SksNotOwnedError } from './shared.js';

export interface HpaDeps extends PodAutoscalerDeps {
  hpaScalers: Pick<HpaScalers, 'ensure'>;
}

export function hpaClassFilter(config: AutoscalingConfigSource): ObjectFilter {
  return (o) => paClass(o, config.autoscaler()) === HPA_CLASS;
}

export function newHpaReconciler(deps: HpaDeps): Reconciler {
  const pas = deps.informers.lister(PA_GR);
  const skss = deps.informers.lister(SKS_GR);
  const deployments = deps.informers.lister(DEPLOYMENTS_GR);
  const podInformer = deps.informers.informerFor(PODS_GR);
  ensurePodRevisionIndex(podInformer);
  const set = paConditions.withClock(deps.clock);

  return kindReconciler<PodAutoscaler>({
    gr: PA_GR,
    client: deps.client,
    lister: pas,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    filter: hpaClassFilter(deps.config),
    async reconcileKind(pa) {
      const ns = pa.metadata.namespace ?? '';
      const key = `${ns}/${pa.metadata.name}`;
      const reachable = pa.spec?.reachability !== 'Unreachable';
      const spec = resolveScalingSpec(pa.metadata.annotations, pa.spec?.containerConcurrency ?? 0, deps.config.autoscaler());
      const hpaSpec = makeHpaSpec(spec, reachable);
      const { gr, obj: target } = await getScaleTarget({ client: deps.client, deployments }, pa);
      const last = deps.hpaScalers.ensure(key, hpaSpec, { gr, namespace: ns, name: pa.spec.scaleTargetRef.name });

      let status: PodAutoscalerStatus = { ...(pa.status ?? {}) };
      delete status.metricsServiceName; // HPA revisions are not scraped
      let sks;
      try {
        sks = await reconcileSks(deps.client, skss, pa, 'Serve', 0);
      } catch (err) {
        if (!(err instanceof SksNotOwnedError)) throw err;
        pa.status = set.markFalse(status, SKSReady, 'NotOwned', 'There is an existing ServerlessService %q that we do not own.', err.sksName);
        return new ReconcileEvent('Warning', 'NotOwned', `ServerlessService "${err.sksName}" is not owned by PodAutoscaler "${pa.metadata.name}"`);
      }
      if (sks.status?.serviceName) status.serviceName = sks.status.serviceName;
      else delete status.serviceName;
      status = isSksReady(sks) ? markSksReady(set, status) : markSksNotReady(set, status, sksReadyMessage(sks));

      const ready = countPods(revisionPods(podInformer, paRevisionKey(pa))).ready;
      const desired = last?.desiredReplicas ?? (target ? replicasOf(target) : 0);
      status = { ...status, desiredScale: desired, actualScale: ready };
      if (ready >= Math.max(hpaSpec.minReplicas, 1) && status.serviceName) status = set.markTrue(status, ScaleTargetInitialized);
      status = ready > 0 ? markActiveState(set, status, 'active') : markActiveState(set, status, 'activating');
      pa.status = status;
    },
  });
}

export function newHpaController(deps: HpaDeps & { workers?: number }): Controller {
  const ctrl = new Controller({ name: 'hpa-class-podautoscaler-controller', reconciler: newHpaReconciler(deps), clock: deps.clock, logger: deps.logger, workers: deps.workers });
  wirePodAutoscalerInformers(deps, ctrl, hpaClassFilter(deps.config));
  return ctrl;
}
