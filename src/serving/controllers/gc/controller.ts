// Wiring of revision GC (Knative pkg/reconciler/gc/controller.go): a second
// Configuration queue, fed by Configurations, by the Revisions they control
// (a revision going to `reserve` may make another collectable) and by edits
// of config-gc, which re-examine every Configuration.
import { Controller, filterControllerGK, filteringHandler, handleAll } from '../../../controller/controller.js';
import { GR } from '../names.js';
import { SERVING_NAMESPACE } from '../revision/config.js';
import { CONFIG_GC } from './config.js';
import { newRevisionGcReconciler, type RevisionGcReconcilerDeps } from './reconciler.js';

export const GC_CONTROLLER_NAME = 'revision-gc-controller';

export function newRevisionGcController(deps: RevisionGcReconcilerDeps & { workers?: number }): Controller {
  const ctrl = new Controller({
    name: GC_CONTROLLER_NAME,
    reconciler: newRevisionGcReconciler(deps),
    clock: deps.clock,
    logger: deps.logger,
    workers: deps.workers,
  });
  const configurations = deps.informers.informerFor(GR.configurations);
  configurations.addEventHandler(ctrl.handler());
  deps.informers
    .informerFor(GR.revisions)
    .addEventHandler(
      filteringHandler(filterControllerGK('serving.knative.dev', 'Configuration'), ctrl.ownerHandler({ apiVersion: 'serving.knative.dev/v1', kind: 'Configuration' })),
    );
  deps.informers.informerFor(GR.configMaps, { namespace: SERVING_NAMESPACE }).addEventHandler(
    handleAll((cm) => {
      if (cm.metadata.namespace === SERVING_NAMESPACE && cm.metadata.name === CONFIG_GC) ctrl.globalResync(configurations);
    }),
  );
  return ctrl;
}
