// Wiring of the Configuration controller (Knative pkg/reconciler/configuration/controller.go):
// Configurations enqueue themselves; Revisions enqueue the Configuration that
// controls them, so a revision turning Ready (or failing) moves
// latestReadyRevisionName at once.
import { Controller, filterControllerGK, filteringHandler } from '../../../controller/controller.js';
import { GR } from '../names.js';
import { newConfigurationReconciler, type ConfigurationReconcilerDeps } from './reconciler.js';

export const CONFIGURATION_CONTROLLER_NAME = 'configuration-controller';

export function newConfigurationController(deps: ConfigurationReconcilerDeps & { workers?: number }): Controller {
  const ctrl = new Controller({
    name: CONFIGURATION_CONTROLLER_NAME,
    reconciler: newConfigurationReconciler(deps),
    clock: deps.clock,
    logger: deps.logger,
    workers: deps.workers,
  });
  deps.informers.informerFor(GR.configurations).addEventHandler(ctrl.handler());
  const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Configuration' };
  deps.informers
    .informerFor(GR.revisions)
    .addEventHandler(filteringHandler(filterControllerGK('serving.knative.dev', 'Configuration'), ctrl.ownerHandler(owner)));
  return ctrl;
}
