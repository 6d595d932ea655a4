// Wiring of the Revision controller (Knative pkg/reconciler/revision/controller.go):
// Revisions enqueue themselves; Deployments and PodAutoscalers enqueue the
// Revision that controls them; pods enqueue their Revision (by the
// `serving.knative.dev/revision` label) so a crashing container or a missing
// image shows on the Revision at once; edits to config-deployment and
// config-observability re-reconcile every Revision.
import { Controller, filterControllerGK, filteringHandler, handleAll } from '../../../controller/controller.js';
import { L } from '../../../api/serving/constants.js';
import { GR } from '../names.js';
import { REVISION_RESYNC_CONFIG_MAPS, SERVING_NAMESPACE } from './config.js';
import { newRevisionReconciler, type RevisionReconcilerDeps } from './reconciler.js';

export const REVISION_CONTROLLER_NAME = 'revision-controller';

export function newRevisionController(deps: RevisionReconcilerDeps & { workers?: number }): Controller {
  const ctrl = new Controller({
    name: REVISION_CONTROLLER_NAME,
    reconciler: newRevisionReconciler(deps),
    clock: deps.clock,
    logger: deps.logger,
    workers: deps.workers,
  });
  const revisions = deps.informers.informerFor(GR.revisions);
  revisions.addEventHandler(ctrl.handler());

  const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Revision' };
  const ownedByRevision = filterControllerGK('serving.knative.dev', 'Revision');
  deps.informers.informerFor(GR.deployments).addEventHandler(filteringHandler(ownedByRevision, ctrl.ownerHandler(owner)));
  deps.informers.informerFor(GR.podAutoscalers).addEventHandler(filteringHandler(ownedByRevision, ctrl.ownerHandler(owner)));
  deps.informers.informerFor(GR.pods).addEventHandler(handleAll(ctrl.enqueueLabelOf(L.revision)));

  deps.informers.informerFor(GR.configMaps, { namespace: SERVING_NAMESPACE }).addEventHandler(
    handleAll((cm) => {
      if (cm.metadata.namespace === SERVING_NAMESPACE && REVISION_RESYNC_CONFIG_MAPS.includes(cm.metadata.name ?? '')) ctrl.globalResync(revisions);
    }),
  );
  return ctrl;
}
