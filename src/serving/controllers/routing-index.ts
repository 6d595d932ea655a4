// Composition of Serving's routing controllers for `skiff up`: Route,
// DomainMapping (with ClusterDomainClaims) and the KIngress status
// reconciler, sharing one live RoutingConfigStore. Config-map edits
// re-enqueue every route and mapping. Workers start once the informers these
// controllers read have synced, so nothing is reconciled against a partial
// cache or against default config before the real config maps are seen.
import { SERVING_GROUP } from '../../api/serving/constants.js';
import type { ApiClient } from '../../client/client.js';
import type { Clock } from '../../controller/clock.js';
import type { Controller } from '../../controller/controller.js';
import type { EventRecorder } from '../../controller/events.js';
import type { SharedInformerFactory } from '../../controller/informer.js';
import { silentLogger, type Logger } from '../../controller/logger.js';
import { DOMAINMAPPING_GR, newDomainMappingController } from './domainmapping/reconciler.js';
import type { IngressProgrammer } from './ingress/programmer.js';
import { newIngressController } from './ingress/reconciler.js';
import { CDC_GR, INGRESS_GR } from './ingress/types.js';
import { RoutingConfigStore } from './route/config-store.js';
import { CONFIGURATION_GR, newRouteController, REVISION_GR, ROUTE_GR, SERVICE_GR } from './route/reconciler.js';

/** Everything the three controllers read (ref targets of DomainMappings included). */
const READ_GRS = [ROUTE_GR, CONFIGURATION_GR, REVISION_GR, SERVICE_GR, INGRESS_GR, DOMAINMAPPING_GR, CDC_GR, `${SERVING_GROUP}/services`];

export { ImmediateIngressProgrammer, ManualIngressProgrammer, type IngressProgrammer } from './ingress/programmer.js';
export { RoutingConfigStore } from './route/config-store.js';
export { RoutingError, GATEWAY_HOST, isIngressReady, type KIngress, type IngressRule, type IngressSpec } from './ingress/types.js';

export interface ServingRoutingOptions {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  programmer: IngressProgrammer;
  /** Workers per controller (default 2). */
  workers?: number;
}

export interface ServingRoutingControllers {
  /** Resolves when the informers synced and the workers run (call `informers.start()` after this function). */
  readonly started: Promise<void>;
  readonly config: RoutingConfigStore;
  readonly controllers: { route: Controller; domainMapping: Controller; ingress: Controller };
  /** Stop the workers (draining queued keys). Does not stop the shared informers. */
  stop(): Promise<void>;
}

export function startServingRoutingControllers(opts: ServingRoutingOptions): ServingRoutingControllers {
  const logger = opts.logger ?? silentLogger;
  const config = new RoutingConfigStore(opts.informers, logger);
  const base = { client: opts.client, informers: opts.informers, recorder: opts.recorder, clock: opts.clock, logger, workers: opts.workers, config };
  const route = newRouteController(base).controller;
  const domainMapping = newDomainMappingController(base).controller;
  const ingress = newIngressController({ ...base, programmer: opts.programmer });

  const routeInformer = opts.informers.informerFor(ROUTE_GR);
  const dmInformer = opts.informers.informerFor(DOMAINMAPPING_GR);
  config.onChange(() => {
    route.globalResync(routeInformer);
    domainMapping.globalResync(dmInformer);
  });

  let stopped = false;
  let running = false;
  const all = [route, domainMapping, ingress];
  // Only the informers these controllers read: another module's informer that cannot sync must not hold us up.
  const informers = [...READ_GRS.map((gr) => opts.informers.informerFor(gr)), config.informer];
  const started = Promise.all(informers.map((i) => i.waitForSync())).then(() => {
    if (stopped) return;
    for (const c of all) c.start();
    running = true;
    logger.info('serving routing controllers started', { controllers: all.map((c) => c.name) });
  });
  started.catch(() => undefined);

  return {
    started,
    config,
    controllers: { route, domainMapping, ingress },
    async stop() {
      stopped = true;
      // Never-started workers cannot drain their queues: drop them instead.
      await Promise.all(all.map((c) => c.stop({ drain: running })));
    },
  };
}
