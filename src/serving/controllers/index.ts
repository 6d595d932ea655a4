// Composition of the Serving controllers that turn Services into Revisions:
// Service, Configuration, Revision, the labeler and revision GC (Knative's
// cmd/controller minus Route/DomainMapping, which live beside these). The
// composition root calls startServingRevisionControllers once; workers start
// after every informer they read has synced (as Knative's sharedmain waits
// for caches), so no reconciler acts on a half-filled cache.
import type { ApiClient } from '../../client/client.js';
import type { Clock } from '../../controller/clock.js';
import type { Controller } from '../../controller/controller.js';
import type { EventRecorder } from '../../controller/events.js';
import type { SharedInformerFactory } from '../../controller/informer.js';
import { silentLogger, type Logger } from '../../controller/logger.js';
import { newConfigurationController } from './configuration/controller.js';
import { newRevisionGcController } from './gc/controller.js';
import { newLabelerController } from './labeler/controller.js';
import { GR } from './names.js';
import { SERVING_NAMESPACE } from './revision/config.js';
import { newRevisionController } from './revision/controller.js';
import type { PodLogReader } from './revision/reconciler.js';
import { newServiceController } from './service/controller.js';

export { GR } from './names.js';
export type { PodLogReader } from './revision/reconciler.js';

export interface ServingRevisionControllersOptions {
  client: ApiClient;
  /** Shared with the rest of the process; call `informers.start()` (before or after this) to get going. */
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  /** Optional: lets a crashed container's last log lines explain `ExitCode<N>` on its Revision (the node agent's PodLogSource fits). */
  podLogs?: PodLogReader;
  /** Workers per controller (default 2, Knative's threadiness). */
  workers?: number;
}

export interface ServingRevisionControllers {
  readonly controllers: readonly Controller[];
  /** Resolves once every informer these controllers read has synced and the workers run. */
  readonly ready: Promise<void>;
  /** Stop taking work; resolves when every worker has returned. Idempotent. */
  stop(): Promise<void>;
}

export function startServingRevisionControllers(opts: ServingRevisionControllersOptions): ServingRevisionControllers {
  const log = opts.logger ?? silentLogger;
  const deps = { client: opts.client, informers: opts.informers, recorder: opts.recorder, clock: opts.clock, logger: log, workers: opts.workers };
  const controllers: Controller[] = [
    newServiceController(deps),
    newConfigurationController(deps),
    newRevisionController({ ...deps, podLogs: opts.podLogs }),
    newLabelerController(deps),
    newRevisionGcController(deps),
  ];
  // The same shared informers the controllers registered on.
  const informers = [GR.services, GR.configurations, GR.revisions, GR.routes, GR.deployments, GR.podAutoscalers, GR.pods].map((gr) => opts.informers.informerFor(gr));
  informers.push(opts.informers.informerFor(GR.configMaps, { namespace: SERVING_NAMESPACE }));

  const abort = new AbortController();
  let stopped: Promise<void> | undefined;
  const ready = Promise.all(informers.map((i) => i.waitForSync(abort.signal))).then(
    () => {
      if (abort.signal.aborted) return;
      for (const c of controllers) c.start();
      log.info('serving revision controllers started', { controllers: controllers.map((c) => c.name) });
    },
    (err) => {
      if (!abort.signal.aborted) throw err;
    },
  );
  return {
    controllers,
    ready,
    stop() {
      stopped ??= (async () => {
        abort.abort();
        await ready.catch(() => {});
        await Promise.all(controllers.map((c) => c.stop({ drain: false })));
      })();
      return stopped;
    },
  };
}
