// Default-broker injection, Knative's "sugar controller" (pkg/reconciler/sugar):
// - a Namespace whose labels match config-sugar `namespace-selector` gets a Broker
//   `default` (label `eventing.knative.dev/injected: "true"`), re-created if deleted;
// - a Trigger whose labels match `trigger-selector` gets the Broker its spec.broker names.
// Skiff's config-sugar selects `eventing.knative.dev/injection=enabled` for both (the seed's
// `kubectl label ns X eventing.knative.dev/injection=enabled`), and, as older Knative did, a
// Trigger annotated `eventing.knative.dev/injection: enabled` (only allowed with broker
// `default`) gets the `default` broker whatever the selectors say; `disabled` opts a trigger out.
// Injected brokers are never deleted by this controller (the seed: an administrator removes them).
// Config changes apply live: an edit of config-sugar re-examines every namespace and trigger.
import type { KObject } from '../../../api/meta.js';
import { matchesSelector } from '../../../api/labels.js';
import { CONFIG_SUGAR, DEFAULT_SUGAR, parseSugarConfig, type SugarConfig } from '../../../api/eventing/config.js';
import { A, API_VERSION, DEFAULT_BROKER_NAME, GR, L, SYSTEM_NAMESPACE } from '../../../api/eventing/constants.js';
import { Controller, filterWithName, filteringHandler, handleAll, type Reconciler } from '../../../controller/controller.js';
import type { Lister } from '../../../controller/informer.js';
import type { EventingControllerDeps } from '../common.js';

export function makeInjectedBroker(namespace: string, name: string): KObject {
  return { apiVersion: API_VERSION.eventing, kind: 'Broker', metadata: { name, namespace, labels: { [L.injected]: 'true' } } };
}

/** config-sugar as the controllers see it; Skiff's defaults when the map is absent, off when it is broken. */
function sugarConfig(configMaps: Lister, deps: EventingControllerDeps): SugarConfig {
  const cm = configMaps.get(SYSTEM_NAMESPACE, CONFIG_SUGAR);
  try {
    return parseSugarConfig(cm ? (cm.data ?? {}) : DEFAULT_SUGAR);
  } catch (err) {
    deps.logger?.warn('config-sugar does not parse; default-broker injection is off', { error: err instanceof Error ? err.message : String(err) });
    return {};
  }
}

async function createBroker(deps: EventingControllerDeps, namespace: string, name: string): Promise<boolean> {
  try {
    await deps.client.create(GR.brokers, makeInjectedBroker(namespace, name));
    return true;
  } catch (err) {
    if ((err as { status?: number } | null)?.status === 409) return false; // someone made it meanwhile
    throw err;
  }
}

export function newNamespaceSugarReconciler(deps: EventingControllerDeps): Reconciler {
  const namespaces = deps.informers.lister(GR.namespaces);
  const brokers = deps.informers.lister(GR.brokers);
  const configMaps = deps.informers.lister(GR.configMaps);
  return {
    async reconcile(key) {
      const ns = namespaces.getByKey(key);
      if (!ns || ns.metadata.deletionTimestamp) return;
      const sel = sugarConfig(configMaps, deps).namespaceSelector;
      if (!sel || !matchesSelector(sel, ns.metadata.labels)) return;
      const name = ns.metadata.name!;
      if (brokers.get(name, DEFAULT_BROKER_NAME)) return;
      if (await createBroker(deps, name, DEFAULT_BROKER_NAME)) {
        // Recorded in the namespace itself (Knative sets the namespace on the event's object for the same reason).
        deps.recorder.event({ ...ns, metadata: { ...ns.metadata, namespace: name } }, 'Normal', 'BrokerCreated', 'Default eventing.knative.dev Broker created.');
      }
    },
  };
}

export function newTriggerSugarReconciler(deps: EventingControllerDeps): Reconciler {
  const triggers = deps.informers.lister(GR.triggers);
  const brokers = deps.informers.lister(GR.brokers);
  const configMaps = deps.informers.lister(GR.configMaps);
  return {
    async reconcile(key) {
      const t = triggers.getByKey(key);
      if (!t || t.metadata.deletionTimestamp) return;
      const broker: string | undefined = t.spec?.broker;
      if (!broker) return;
      const annotation = t.metadata.annotations?.[A.injection];
      if (annotation === 'disabled') return;
      const sel = sugarConfig(configMaps, deps).triggerSelector;
      const byLabel = !!sel && matchesSelector(sel, t.metadata.labels);
      const byAnnotation = annotation === 'enabled' && broker === DEFAULT_BROKER_NAME;
      if (!byLabel && !byAnnotation) return;
      const ns = t.metadata.namespace!;
      if (brokers.get(ns, broker)) return;
      if (await createBroker(deps, ns, broker)) deps.recorder.event(t, 'Normal', 'BrokerCreated', `Default eventing.knative.dev Broker ${JSON.stringify(broker)} created.`);
    },
  };
}

export function newNamespaceSugarController(deps: EventingControllerDeps): Controller {
  const ctrl = new Controller({ name: 'sugar-namespace-controller', reconciler: newNamespaceSugarReconciler(deps), clock: deps.clock, logger: deps.logger, workers: deps.workers });
  const namespaces = deps.informers.informerFor(GR.namespaces);
  namespaces.addEventHandler(ctrl.handler());
  // A deleted default broker is re-created.
  deps.informers.informerFor(GR.brokers).addEventHandler({ onDelete: (b) => b.metadata.name === DEFAULT_BROKER_NAME && ctrl.enqueueKey(b.metadata.namespace!) });
  deps.informers.informerFor(GR.configMaps).addEventHandler(filteringHandler(filterWithName(SYSTEM_NAMESPACE, CONFIG_SUGAR), handleAll(() => ctrl.globalResync(namespaces))));
  return ctrl;
}

export function newTriggerSugarController(deps: EventingControllerDeps): Controller {
  const ctrl = new Controller({ name: 'sugar-trigger-controller', reconciler: newTriggerSugarReconciler(deps), clock: deps.clock, logger: deps.logger, workers: deps.workers });
  const triggers = deps.informers.informerFor(GR.triggers);
  triggers.addEventHandler(ctrl.handler());
  deps.informers.informerFor(GR.brokers).addEventHandler({
    onDelete: (b) => {
      for (const t of triggers.list({ namespace: b.metadata.namespace })) if (t.spec?.broker === b.metadata.name) ctrl.enqueue(t);
    },
  });
  deps.informers.informerFor(GR.configMaps).addEventHandler(filteringHandler(filterWithName(SYSTEM_NAMESPACE, CONFIG_SUGAR), handleAll(() => ctrl.globalResync(triggers))));
  return ctrl;
}

