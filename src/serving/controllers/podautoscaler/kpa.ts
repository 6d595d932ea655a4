// The KPA PodAutoscaler reconciler (knative/serving
// pkg/reconciler/autoscaling/kpa/{kpa.go,scaler.go}) for PAs of class
// kpa.autoscaling.knative.dev. In order, per reconcile:
//  1. Until the SKS exists with a private service, (re)make it in Serve mode
//     with 2 activators and report SKSReady Unknown "No Private Service Name".
//  2. Create / update the PA's decider in the MultiScaler.
//  3. want = computeKpaScale(decider desired scale): bounds, initial scale,
//     and the scale-to-zero gate (grace, pod retention, enable-scale-to-zero,
//     activation timeout). Knative probes the revision's public service to
//     check the activator is in the path before allowing 1 → 0; here the
//     activator is part of the always-running data plane and the SKS mode is
//     applied by it directly, so that probe is trivially true.
//  4. Patch the scale target's replicas (scale subresource) when the gate
//     says to apply and the count differs.
//  5. SKS mode: Proxy when want = 0, EBC < 0, or want unknown on an inactive
//     PA; else Serve (computeSksMode). Update the SKS; copy its serviceName.
//  6. Status: metricsServiceName, desiredScale (a transient -1 after a
//     restart keeps the old value), actualScale = ready pods, SKSReady,
//     ScaleTargetInitialized and Active (NoTraffic / Queued / TimedOut) per
//     computeActiveCondition.
// Requeues asked for by the gate become the reconcile result.
import type { ApiClient } from '../../../client/client.js';
import type { Clock } from '../../../controller/clock.js';
import { Controller, filterControllerGK, filteringHandler, type ObjectFilter, type Reconciler } from '../../../controller/controller.js';
import { ReconcileEvent } from '../../../controller/errors.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { AUTOSCALING_INTERNAL_GROUP, SERVING_GROUP } from '../../../api/serving/constants.js';
import { resolveScalingSpec } from '../../autoscaler/annotations.js';
import { KPA_CLASS } from '../../autoscaler/config.js';
import { MIN_ACTIVATORS } from '../../autoscaler/decider.js';
import {
  activationTimeoutMs,
  activeThreshold,
  computeActiveCondition,
  computeKpaScale,
  computeSksMode,
  nextStatusDesiredScale,
  SCALE_UNKNOWN,
} from '../../autoscaler/scaler.js';
import { progressDeadlineOf, type AutoscalingConfigSource } from '../../autoscaler/runner/config-store.js';
import type { MultiScaler } from '../../autoscaler/runner/multiscaler.js';
import { countPods, ensurePodRevisionIndex, podReadinessHandler, PODS_GR, REVISION_LABEL, revisionPods, type PodCounts } from '../../autoscaler/runner/pods.js';
import { SKS_GR } from '../serverlessservice/resources/services.js';
import { DEPLOYMENTS_GR } from '../serverlessservice/serverlessservice.js';
import {
  activeSince,
  activeStateOf,
  isScaleTargetInitialized,
  markActiveState,
  markSksNotReady,
  markSksReady,
  NO_PRIVATE_SERVICE_NAME,
  paConditions,
  ScaleTargetInitialized,
  SKSReady,
} from './conditions.js';
import { PA_API_VERSION, PA_GR, PA_KIND, type PodAutoscaler, type PodAutoscalerStatus } from './resources/types.js';
import { applyScale, isSksReady, paClass, reconcileSks, sksProxySince, sksReadyMessage, SksNotOwnedError } from './shared.js';

export interface PodAutoscalerDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  config: AutoscalingConfigSource;
}

export interface KpaDeps extends PodAutoscalerDeps {
  multiscaler: Pick<MultiScaler, 'ensure'>;
}

/** `namespace/revision` whose pods the PA counts (label on the PA, else its name). */
export function paRevisionKey(pa: PodAutoscaler): string {
  return `${pa.metadata.namespace ?? ''}/${pa.metadata.labels?.[REVISION_LABEL] ?? pa.metadata.name}`;
}

export function kpaClassFilter(config: AutoscalingConfigSource): ObjectFilter {
  return (o) => paClass(o, config.autoscaler()) === KPA_CLASS;
}

/**
 * computeStatus + computeActiveCondition: actual/desired scale and the
 * Active / ScaleTargetInitialized conditions from `want` and pod counts.
 */
export function computePaStatus(
  set: typeof paConditions,
  status: PodAutoscalerStatus,
  input: { want: number; ready: number; minReady: number },
): PodAutoscalerStatus {
  let s: PodAutoscalerStatus = {
    ...status,
    actualScale: input.ready,
    desiredScale: nextStatusDesiredScale(typeof status.desiredScale === 'number' ? status.desiredScale : null, input.want),
  };
  const ac = computeActiveCondition({
    want: input.want,
    ready: input.ready,
    minReady: input.minReady,
    prior: activeStateOf(s),
    hasServiceName: !!s.serviceName,
  });
  if (ac.markScaleTargetInitialized) s = set.markTrue(s, ScaleTargetInitialized);
  if (ac.mark !== 'unchanged') s = markActiveState(set, s, ac.mark, ac.reason, ac.message);
  return s;
}

export function newKpaReconciler(deps: KpaDeps): Reconciler {
  const log = deps.logger ?? silentLogger;
  const pas = deps.informers.lister(PA_GR);
  const skss = deps.informers.lister(SKS_GR);
  const deployments = deps.informers.lister(DEPLOYMENTS_GR);
  const podInformer = deps.informers.informerFor(PODS_GR);
  ensurePodRevisionIndex(podInformer);
  const set = paConditions.withClock(deps.clock);
  const access = { client: deps.client, deployments };

  return kindReconciler<PodAutoscaler>({
    gr: PA_GR,
    client: deps.client,
    lister: pas,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    filter: kpaClassFilter(deps.config),
    async reconcileKind(pa) {
      const now = deps.clock.now();
      const ns = pa.metadata.namespace ?? '';
      const key = `${ns}/${pa.metadata.name}`;
      const cfg = deps.config.autoscaler();
      const spec = resolveScalingSpec(pa.metadata.annotations, pa.spec?.containerConcurrency ?? 0, cfg);
      const reachable = pa.spec?.reachability !== 'Unreachable';
      let status: PodAutoscalerStatus = pa.status ?? {};
      const notOwned = (err: SksNotOwnedError) => {
        pa.status = set.markFalse(status, SKSReady, 'NotOwned', 'There is an existing ServerlessService %q that we do not own.', err.sksName);
        return new ReconcileEvent('Warning', 'NotOwned', `ServerlessService "${err.sksName}" is not owned by PodAutoscaler "${pa.metadata.name}"`);
      };

      // 1. The SKS and its private service come first: everything else needs them.
      const sks = skss.get(ns, pa.metadata.name!);
      if (!sks || !sks.status?.privateServiceName) {
        try {
          await reconcileSks(deps.client, skss, pa, 'Serve', MIN_ACTIVATORS);
        } catch (err) {
          if (err instanceof SksNotOwnedError) return notOwned(err);
          throw err;
        }
        status = markSksNotReady(set, status, NO_PRIVATE_SERVICE_NAME);
        const minReady = activeThreshold(spec, { reachable, scaleTargetInitialized: isScaleTargetInitialized(status) });
        // As Knative: no pod counts yet (they only matter once the SKS can route).
        pa.status = computePaStatus(set, status, { want: SCALE_UNKNOWN, ready: 0, minReady });
        return;
      }
      status = { ...status, metricsServiceName: sks.status.privateServiceName };

      // 2. The decider.
      const decider = deps.multiscaler.ensure(key, spec, { reachable });

      // 3. The gate.
      const activeState = activeStateOf(status);
      const initialized = isScaleTargetInitialized(status);
      const decision = computeKpaScale({
        now,
        desiredScale: decider.desiredScale,
        spec,
        reachable,
        activeState,
        activeSince: activeSince(status, now),
        scaleTargetInitialized: initialized,
        activationTimeoutMs: activationTimeoutMs(progressDeadlineOf(pa, deps.config)),
        sksMode: sks.spec?.mode,
        sksProxySince: sksProxySince(sks),
        activatorInPath: true, // embedded: the activator is always in the data plane (see header)
      });
      const want = decision.scale;

      // 4. Scale the target. A failure is reported after status is written.
      let scaleError: unknown;
      if (decision.apply) {
        try {
          const from = await applyScale(access, pa, want);
          if (from !== null) log.info('scaling', { key, from, to: want, desiredPods: decider.desiredScale, ebc: decider.excessBurstCapacity });
        } catch (err) {
          scaleError = err;
        }
      }

      // 5. SKS mode.
      const mode = computeSksMode(want, decider.excessBurstCapacity, { paInactive: activeState === 'inactive' });
      let current;
      try {
        current = await reconcileSks(deps.client, skss, pa, mode, decider.numActivators);
      } catch (err) {
        if (err instanceof SksNotOwnedError) return notOwned(err);
        throw err;
      }
      status = { ...status, serviceName: current.status?.serviceName };
      if (!status.serviceName) delete status.serviceName;
      status = isSksReady(current) ? markSksReady(set, status) : markSksNotReady(set, status, sksReadyMessage(current));

      // 6. Status from pods.
      const counts: PodCounts = countPods(revisionPods(podInformer, paRevisionKey(pa)));
      const minReady = activeThreshold(spec, { reachable, scaleTargetInitialized: initialized });
      pa.status = computePaStatus(set, status, { want, ready: counts.ready, minReady });
      log.debug('pa reconciled', { key, want, ready: counts.ready, desiredPods: decider.desiredScale, ebc: decider.excessBurstCapacity, mode });

      if (scaleError !== undefined) throw scaleError;
      return decision.requeueAfterMs !== null ? { requeueAfterMs: decision.requeueAfterMs } : undefined;
    },
  });
}

/** The KPA controller: PAs of class KPA, their SKSs, revision pods and Deployments enqueue the PA. */
export function newKpaController(deps: KpaDeps & { workers?: number }): Controller {
  const ctrl = new Controller({ name: 'kpa-class-podautoscaler-controller', reconciler: newKpaReconciler(deps), clock: deps.clock, logger: deps.logger, workers: deps.workers });
  wirePodAutoscalerInformers(deps, ctrl, kpaClassFilter(deps.config));
  return ctrl;
}

/** Informer wiring shared by the KPA and HPA controllers. */
export function wirePodAutoscalerInformers(deps: PodAutoscalerDeps, ctrl: Controller, classFilter: ObjectFilter): void {
  deps.informers.informerFor(PA_GR).addEventHandler(ctrl.handler(classFilter));
  deps.informers
    .informerFor(SKS_GR)
    .addEventHandler(filteringHandler(filterControllerGK(AUTOSCALING_INTERNAL_GROUP, PA_KIND), ctrl.ownerHandler({ apiVersion: PA_API_VERSION, kind: PA_KIND })));
  // PA name = revision name, so pod and Deployment events map to it directly.
  deps.informers.informerFor(PODS_GR).addEventHandler(podReadinessHandler((k) => ctrl.enqueueKey(k)));
  deps.informers
    .informerFor(DEPLOYMENTS_GR)
    .addEventHandler(filteringHandler(filterControllerGK(SERVING_GROUP, 'Revision'), ctrl.ownerHandler({ apiVersion: `${SERVING_GROUP}/v1`, kind: 'Revision' })));
}
