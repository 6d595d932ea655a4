// Composition of the embedded autoscaling subsystem: the MultiScaler (one
// decider per KPA PodAutoscaler, 2 s ticks), the MetricsSink the data-plane
// bridge feeds, the HPA scalers, and the three controllers — KPA-class PA,
// HPA-class PA and ServerlessService — wired to the shared informers.
//
//   const as = startAutoscaling({ client, informers, recorder, clock, logger });
//   dataPlane.on('stats', (m) => { for (const r of m.revisions) as.metrics.record(r.key, clock.now(), r); });
//   dataPlane.on('poke', (m) => as.metrics.poke(m.key, clock.now()));
//
// Informers are requested from the factory here; start the factory (before or
// after — informers asked for after start() begin at once) and wait for sync.
import type { ApiClient } from '../../../client/client.js';
import type { KObject } from '../../../api/meta.js';
import type { Clock } from '../../../controller/clock.js';
import type { Controller } from '../../../controller/controller.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { KPA_CLASS } from '../config.js';
import { newHpaController } from '../../controllers/podautoscaler/hpa.js';
import { newKpaController } from '../../controllers/podautoscaler/kpa.js';
import { PA_GR } from '../../controllers/podautoscaler/resources/types.js';
import { paClass } from '../../controllers/podautoscaler/shared.js';
import { DEPLOYMENTS_GR, newServerlessServiceController } from '../../controllers/serverlessservice/serverlessservice.js';
import { CONFIGMAPS_GR, ConfigMapAutoscalingConfig, isAutoscalingConfigMap, type AutoscalingConfigSource } from './config-store.js';
import { HpaScalers } from './hpa-scalers.js';
import { MetricsSink } from './metrics.js';
import { MultiScaler, type TickStats } from './multiscaler.js';
import { ensurePodRevisionIndex, PODS_GR, readyPodCount } from './pods.js';
import type { ProcessMetrics } from './proc-metrics.js';

export { MetricsSink, type RevisionStatsInput, type PodStatInput, type ActivatorStatInput } from './metrics.js';
export { MultiScaler, type TickStats, type DeciderSnapshot } from './multiscaler.js';
export { ProcMetricsReader, type ProcessMetrics, type PodUsage } from './proc-metrics.js';
export { HpaScalers, hpaSyncPeriodFromEnv, HPA_SYNC_PERIOD_ENV, initialReadinessDelayFromEnv, HPA_INITIAL_READINESS_DELAY_ENV } from './hpa-scalers.js';

export interface AutoscalingDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  /** CPU / memory per pod for HPA-class revisions (the node agent's /proc reader); none ⇒ HPA sees no metrics. */
  processMetrics?: ProcessMetrics;
  /** Defaults to the live config-autoscaler / config-deployment ConfigMaps. */
  config?: AutoscalingConfigSource;
  /** Workers per controller (default 2). */
  workers?: number;
  /** Decider tick (default 2 s) and HPA sync period (default 15 s); tests only. */
  tickMs?: number;
  hpaSyncPeriodMs?: number;
  /** HPA: ignore a pod's CPU until it has been Ready this long (Kubernetes' initial readiness delay, 30 s). */
  hpaInitialReadinessDelayMs?: number;
}

export interface Autoscaling {
  /** Feed the data plane's stats and pokes here. */
  readonly metrics: MetricsSink;
  readonly multiscaler: MultiScaler;
  readonly hpaScalers: HpaScalers;
  readonly controllers: { readonly kpa: Controller; readonly hpa: Controller; readonly sks: Controller };
  /** Decider tick lateness and counts since the last reset. */
  tickStats(): TickStats;
  resetTickStats(): void;
  /** Stop ticking and drain the controllers. */
  stop(): Promise<void>;
}

export function startAutoscaling(deps: AutoscalingDeps): Autoscaling {
  const log = deps.logger ?? silentLogger;
  const { informers, clock } = deps;
  const config = deps.config ?? new ConfigMapAutoscalingConfig(informers.lister(CONFIGMAPS_GR), log);
  const pods = informers.informerFor(PODS_GR);
  ensurePodRevisionIndex(pods);

  // The controllers are created below; the callbacks only run once ticks do.
  let kpa: Controller | undefined;
  let hpa: Controller | undefined;
  const multiscaler = new MultiScaler({
    clock,
    logger: log,
    tickMs: deps.tickMs,
    readyPods: (key) => readyPodCount(pods, key),
    onChange: (key) => kpa?.enqueueKey(key),
  });
  const hpaScalers = new HpaScalers({
    client: deps.client,
    clock,
    logger: log,
    targets: informers.lister(DEPLOYMENTS_GR),
    pods,
    processMetrics: deps.processMetrics,
    syncPeriodMs: deps.hpaSyncPeriodMs,
    initialReadinessDelayMs: deps.hpaInitialReadinessDelayMs,
    onChange: (key) => hpa?.enqueueKey(key),
  });
  const base = { client: deps.client, informers, recorder: deps.recorder, clock, logger: log, config, workers: deps.workers };
  kpa = newKpaController({ ...base, multiscaler });
  hpa = newHpaController({ ...base, hpaScalers });
  const sks = newServerlessServiceController(base);

  // Deciders and HPAs go with their PA (or when it changes class).
  const isKpa = (o: KObject) => paClass(o, config.autoscaler()) === KPA_CLASS;
  const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  informers.informerFor(PA_GR).addEventHandler({
    onUpdate: (_old, pa) => {
      if (!isKpa(pa)) multiscaler.delete(keyOf(pa));
      if (isKpa(pa)) hpaScalers.delete(keyOf(pa));
    },
    onDelete: (pa) => {
      multiscaler.delete(keyOf(pa));
      hpaScalers.delete(keyOf(pa));
    },
  });
  // Config changes reach every PA (Knative re-reconciles on config-autoscaler updates).
  const pas = informers.lister(PA_GR);
  informers.informerFor(CONFIGMAPS_GR).addEventHandler({
    onAdd: (o) => resync(o),
    onUpdate: (_old, o) => resync(o),
    onDelete: (o) => resync(o),
  });
  function resync(o: KObject): void {
    if (!isAutoscalingConfigMap(o)) return;
    kpa!.globalResync(pas);
    hpa!.globalResync(pas);
  }

  kpa.start();
  hpa.start();
  sks.start();
  const metrics = new MetricsSink(multiscaler);
  return {
    metrics,
    multiscaler,
    hpaScalers,
    controllers: { kpa, hpa, sks },
    tickStats: () => multiscaler.stats(),
    resetTickStats: () => multiscaler.resetStats(),
    async stop() {
      // Controllers first: a reconcile still draining may ask the multiscaler for its decider.
      await Promise.all([kpa!.stop(), hpa!.stop(), sks.stop()]);
      multiscaler.stop();
      hpaScalers.stop();
    },
  };
}
