// Wiring of the Service controller (Knative pkg/reconciler/service/controller.go):
// Services enqueue themselves; the Configuration and Route a Service controls
// enqueue it, so their status changes flow straight into the Service's.
import { Controller, filterControllerGK, filteringHandler } from '../../../controller/controller.js';
import { GR } from '../names.js';
import { newServiceReconciler, type ServiceReconcilerDeps } from './reconciler.js';

export const SERVICE_CONTROLLER_NAME = 'service-controller';

export function newServiceController(deps: ServiceReconcilerDeps & { workers?: number }): Controller {
  const ctrl = new Controller({
    name: SERVICE_CONTROLLER_NAME,
    reconciler: newServiceReconciler(deps),
    clock: deps.clock,
    logger: deps.logger,
    workers: deps.workers,
  });
  deps.informers.informerFor(GR.services).addEventHandler(ctrl.handler());
  const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Service' };
  const ownedByService = filterControllerGK('serving.knative.dev', 'Service');
  deps.informers.informerFor(GR.configurations).addEventHandler(filteringHandler(ownedByService, ctrl.ownerHandler(owner)));
  deps.informers.informerFor(GR.routes).addEventHandler(filteringHandler(ownedByService, ctrl.ownerHandler(owner)));
  return ctrl;
}
