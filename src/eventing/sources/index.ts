// Starts the source controllers (PingSource + its in-process adapter,
// SinkBinding, ContainerSource, ApiServerSource + its in-process adapter) on the shared informers (it needs the
// apps/deployments kind registered: ContainerSource adapters are Deployments). The daemon calls
// `startEventingSources` next to startEventingControllers.
import { setMaxListeners } from 'node:events';
import { GR } from '../../api/eventing/constants.js';
import type { Controller } from '../../controller/controller.js';
import type { Informer } from '../../controller/informer.js';
import type { SourcesDeps } from './common.js';
import { PingAdapter } from './ping-adapter.js';
import { ApiServerAdapter, DEFAULT_API_SERVER_HOST, newApiServerSourceController } from './apiserversource.js';
import { newPingSourceController } from './pingsource.js';
import { newSinkBindingController } from './sinkbinding.js';
import { DEPLOYMENTS_GR, newContainerSourceController } from './containersource.js';

export type { SourcesDeps } from './common.js';
export { bindPodTemplate, bindingEnvOf, K_SINK, K_CE_OVERRIDES, K_CA_CERTS, type BindingEnv } from './sinkbinding.js';
export { makeReceiveAdapter, makeSinkBinding, deploymentNameOf, sinkBindingNameOf } from './containersource.js';
export { ApiServerAdapter, makeApiServerEvent, apiServerEventType, type ApiServerJob } from './apiserversource.js';
export { PingAdapter, makePingEvent, nextPingTime, PING_EVENT_TYPE, type PingJob } from './ping-adapter.js';

export interface EventingSources {
  readonly controllers: readonly Controller[];
  readonly pingAdapter: PingAdapter;
  readonly apiServerAdapter: ApiServerAdapter;
  /** Resolves once the source informers have synced and the workers run. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

export function startEventingSources(deps: SourcesDeps): EventingSources {
  const pingAdapter = new PingAdapter({ clock: deps.pingClock ?? deps.clock, send: deps.send, logger: deps.logger, newId: deps.newId });
  const apiServerHost = deps.apiServerHost ?? DEFAULT_API_SERVER_HOST;
  const apiServerAdapter = new ApiServerAdapter({ informers: deps.informers, clock: deps.clock, send: deps.send, logger: deps.logger, newId: deps.newId, sourceHost: apiServerHost });
  const controllers: Controller[] = [
    newPingSourceController(deps, pingAdapter),
    newSinkBindingController(deps),
    newContainerSourceController(deps),
    newApiServerSourceController(deps, apiServerAdapter, apiServerHost),
  ];
  const grs: string[] = [GR.pingSources, GR.sinkBindings, GR.containerSources, GR.apiServerSources, GR.namespaces, DEPLOYMENTS_GR];
  const informers: Informer[] = grs.map((gr) => deps.informers.informerFor(gr));
  deps.informers.start();
  let stopped = false;
  const abort = new AbortController();
  setMaxListeners(informers.length + 1, abort.signal);
  const ready = Promise.all(informers.map((i) => i.waitForSync(abort.signal))).then(() => {
    if (stopped) return;
    for (const c of controllers) c.start();
  });
  ready.catch(() => undefined);
  return {
    controllers,
    pingAdapter,
    apiServerAdapter,
    ready,
    async stop() {
      stopped = true;
      abort.abort();
      pingAdapter.stop();
      apiServerAdapter.stop();
      await Promise.all(controllers.map((c) => c.stop({ drain: false })));
    },
  };
}
