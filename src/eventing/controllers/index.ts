// Starts every eventing controller on shared informers: broker, trigger,
// inmemorychannel, channel, subscription, eventtype, sequence, parallel and
// the two sugar (default-broker injection) controllers. The composition root
// passes the data plane (eventingDataPlaneFrom over the embedded planes, or a
// fake in tests) and, ideally, a kindToGr backed by the registry.
import { setMaxListeners } from 'node:events';
import { GR } from '../../api/eventing/constants.js';
import type { Controller } from '../../controller/controller.js';
import type { Informer } from '../../controller/informer.js';
import { newBrokerController } from './broker/reconciler.js';
import { newChannelController } from './channel/reconciler.js';
import type { EventingControllerDeps } from './common.js';
import { newEventTypeController } from './eventtype/reconciler.js';
import { newInMemoryChannelController } from './inmemorychannel/reconciler.js';
import { newParallelController } from './parallel/reconciler.js';
import { newSequenceController } from './sequence/reconciler.js';
import { newSubscriptionController } from './subscription/reconciler.js';
import { newNamespaceSugarController, newTriggerSugarController } from './sugar/reconciler.js';
import { newTriggerController } from './trigger/reconciler.js';

export type { EventingControllerDeps } from './common.js';
export type { EventingDataPlane } from './dataplane.js';
export { eventingDataPlaneFrom } from './dataplane.js';

/** Group-resources every eventing controller needs synced before it starts. */
const CORE_GRS = [
  GR.brokers,
  GR.triggers,
  GR.eventTypes,
  GR.channels,
  GR.inMemoryChannels,
  GR.subscriptions,
  GR.sequences,
  GR.parallels,
  GR.configMaps,
  GR.namespaces,
  GR.services,
];

export interface EventingControllers {
  readonly controllers: readonly Controller[];
  /** Resolves once the eventing informers have synced and the workers run. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Build and start the eventing controllers. Informers for the eventing kinds are created here
 * and started through the shared factory (`informers.start()` is called; it is idempotent for
 * informers already running); workers start once those informers have synced.
 */
export function startEventingControllers(deps: EventingControllerDeps): EventingControllers {
  const controllers = [
    newBrokerController(deps),
    newTriggerController(deps),
    newInMemoryChannelController(deps),
    newChannelController(deps),
    newSubscriptionController(deps),
    newEventTypeController(deps),
    newSequenceController(deps),
    newParallelController(deps),
    newNamespaceSugarController(deps),
    newTriggerSugarController(deps),
  ];
  const informers: Informer[] = CORE_GRS.map((gr) => deps.informers.informerFor(gr));
  deps.informers.start();
  let stopped = false;
  const abort = new AbortController();
  setMaxListeners(informers.length + 1, abort.signal); // one listener per informer wait
  const ready = Promise.all(informers.map((i) => i.waitForSync(abort.signal))).then(() => {
    if (stopped) return;
    for (const c of controllers) c.start();
  });
  ready.catch(() => undefined); // reported to whoever awaits `ready`; stop() must not see an unhandled rejection
  return {
    controllers,
    ready,
    async stop() {
      stopped = true;
      abort.abort();
      await Promise.all(controllers.map((c) => c.stop({ drain: false })));
    },
  };
}
