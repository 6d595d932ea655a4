// Embedded mode's apps/v1 controllers (Deployment → ReplicaSet → Pod). The
// composition root builds them on its shared informer factory and starts
// them after the factory; in Kubernetes mode the real cluster runs these.
import type { Controller } from '../../controller/controller.js';
import { newDeploymentController } from './deployment-controller.js';
import { newReplicaSetController, type WorkloadDeps } from './replicaset-controller.js';

export { newDeploymentController, newDeploymentReconciler, makeReplicaSet, DEPLOYMENTS_GR, REVISION_ANNOTATION } from './deployment-controller.js';
export { newReplicaSetController, newReplicaSetReconciler, makePodFromTemplate, replicaSetStatus, RS_GR, type WorkloadDeps } from './replicaset-controller.js';
export { podTemplateHash, POD_TEMPLATE_HASH_LABEL } from './template-hash.js';

/** Both controllers, wired to `deps.informers`. Call `start()` on each after `informers.start()`. */
export function newWorkloadControllers(deps: WorkloadDeps): Controller[] {
  return [newDeploymentController(deps), newReplicaSetController(deps)];
}
