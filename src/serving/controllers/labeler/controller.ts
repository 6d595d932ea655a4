// Wiring of the labeler (Knative pkg/reconciler/labeler/controller.go):
// Routes enqueue themselves; Configurations and Revisions enqueue the Routes
// that named them (through the Tracker), so a revision created after its
// route, or a new latest-created revision, is labelled at once. A deleted
// Route stops tracking.
import { Controller, Tracker } from '../../../controller/controller.js';
import { GR } from '../names.js';
import { newLabelerReconciler, type LabelerReconcilerDeps } from './reconciler.js';

export const LABELER_CONTROLLER_NAME = 'labeler-controller';

export function newLabelerController(deps: Omit<LabelerReconcilerDeps, 'tracker'> & { workers?: number }): Controller {
  // The tracker needs the controller's queue and the reconciler needs the tracker.
  let enqueue: (key: string) => void = () => {};
  const tracker = new Tracker((key) => enqueue(key), { clock: deps.clock });
  const ctrl = new Controller({
    name: LABELER_CONTROLLER_NAME,
    reconciler: newLabelerReconciler({ ...deps, tracker }),
    clock: deps.clock,
    logger: deps.logger,
    workers: deps.workers,
  });
  enqueue = (key) => ctrl.enqueueKey(key);

  const routes = deps.informers.informerFor(GR.routes);
  routes.addEventHandler(ctrl.handler());
  routes.addEventHandler({ onDelete: (route) => tracker.untrackAll(`${route.metadata.namespace}/${route.metadata.name}`) });
  deps.informers.informerFor(GR.configurations).addEventHandler(tracker.handlerFor(GR.configurations));
  deps.informers.informerFor(GR.revisions).addEventHandler(tracker.handlerFor(GR.revisions));
  return ctrl;
}
