// The Revision's status rules (Knative pkg/apis/serving/v1/revision_lifecycle.go
// and pkg/apis/serving/k8s_lifecycle.go): the living condition set
// ResourcesAvailable + ContainerHealthy → Ready, the informational `Active`
// condition (not a Ready dependent: a revision scaled to zero stays Ready),
// and how Deployment and PodAutoscaler status flow into it. Pure.
import type { Condition } from '../../../api/meta.js';
import { ConditionSet, type StatusWithConditions } from '../../../controller/conditions.js';

export const ResourcesAvailable = 'ResourcesAvailable';
export const ContainerHealthy = 'ContainerHealthy';
export const Active = 'Active';
export const Ready = 'Ready';

export const REASON_DEPLOYING = 'Deploying';
export const REASON_NOT_OWNED = 'NotOwned';
export const REASON_CONTAINER_MISSING = 'ContainerMissing';
export const REASON_PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

export const revisionConditionSet = ConditionSet.living([ResourcesAvailable, ContainerHealthy]);

export interface RevisionStatus extends StatusWithConditions {
  logUrl?: string;
  containerStatuses?: Array<{ name: string; imageDigest?: string }>;
  initContainerStatuses?: Array<{ name: string; imageDigest?: string }>;
  actualReplicas?: number;
  desiredReplicas?: number;
}

export function resourceNotOwnedMessage(kind: string, name: string): string {
  return `There is an existing ${kind} ${JSON.stringify(name)} that we do not own.`;
}

export function exitCodeReason(exitCode: number): string {
  return `ExitCode${exitCode}`;
}

export function containerExitingMessage(message: string): string {
  return `Container failed with: ${message}`;
}

export function containerMissingMessage(image: string, message: string): string {
  return `Unable to fetch image ${JSON.stringify(image)}: ${message}`;
}

function cond(s: StatusWithConditions | undefined, type: string): Condition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

const isFalse = (c: Condition | undefined) => c?.status === 'False';
const isTrue = (c: Condition | undefined) => c?.status === 'True';

/**
 * serving.TransformDeploymentStatus reduced to the one condition the
 * Revision uses: Ready = Progressing ∧ ¬ReplicaFailure, Unknown `Deploying`
 * until the Deployment reports progress.
 */
export function deploymentReadyCondition(deploymentStatus: any): { status: Condition['status']; reason?: string; message?: string } {
  let progressing: { status: Condition['status']; reason?: string; message?: string } = { status: 'Unknown', reason: REASON_DEPLOYING };
  let replicaSetReady: { status: Condition['status']; reason?: string; message?: string } = { status: 'True' };
  const conds: any[] = Array.isArray(deploymentStatus?.conditions) ? deploymentStatus.conditions : [];
  for (const c of conds) {
    if (c?.type !== 'Progressing') continue;
    if (c.status === 'True') progressing = { status: 'True' };
    else if (c.status === 'False') progressing = { status: 'False', reason: c.reason, message: c.message };
    else progressing = { status: 'Unknown', reason: c.reason, message: c.message };
  }
  for (const c of conds) {
    if (c?.type !== 'ReplicaFailure') continue;
    if (c.status === 'True') replicaSetReady = { status: 'False', reason: c.reason, message: c.message };
    else if (c.status === 'False') replicaSetReady = { status: 'True' };
    else replicaSetReady = { status: 'Unknown', reason: c.reason, message: c.message };
  }
  // Living-set AND in dependent order (Progressing, ReplicaSetReady): first False, else first Unknown.
  for (const d of [progressing, replicaSetReady]) if (d.status === 'False') return d;
  for (const d of [progressing, replicaSetReady]) if (d.status === 'Unknown') return d;
  return { status: 'True' };
}

/** PropagateDeploymentStatus: the Deployment's readiness becomes ResourcesAvailable. */
export function propagateDeploymentStatus<S extends RevisionStatus>(set: ConditionSet, status: S, deploymentStatus: any): S {
  const c = deploymentReadyCondition(deploymentStatus);
  if (c.status === 'True') return set.markTrue(status, ResourcesAvailable);
  if (c.status === 'False') return set.markFalse(status, ResourcesAvailable, c.reason ?? '', '%s', c.message ?? '');
  return set.markUnknown(status, ResourcesAvailable, c.reason ?? '', '%s', c.message ?? '');
}

/** True when the Deployment gave up (Progressing=False, ProgressDeadlineExceeded). */
export function hasDeploymentTimedOut(deployment: any): boolean {
  return (deployment?.status?.conditions ?? []).some(
    (c: any) => c?.type === 'Progressing' && c.status === 'False' && c.reason === REASON_PROGRESS_DEADLINE_EXCEEDED,
  );
}

/**
 * PropagateAutoscalerStatus: replicas, Active from the PA's Ready, and the
 * Revision's resources become available once the PA says its scale target
 * initialised (ready pods reached max(min-scale, initial-scale) once) —
 * unless the Deployment or a container already failed.
 */
export function propagateAutoscalerStatus<S extends RevisionStatus>(set: ConditionSet, status: S, paStatus: any): S {
  let s = status;
  const resUnavailable = isFalse(cond(s, ResourcesAvailable)) || isFalse(cond(s, ContainerHealthy));

  const out = { ...s } as S;
  delete out.actualReplicas;
  delete out.desiredReplicas;
  if (Number.isInteger(paStatus?.actualScale) && paStatus.actualScale >= 0) out.actualReplicas = paStatus.actualScale;
  if (Number.isInteger(paStatus?.desiredScale) && paStatus.desiredScale >= 0) out.desiredReplicas = paStatus.desiredScale;
  s = out;

  const paReady = cond(paStatus, 'Ready');
  if (!paReady) {
    s = set.markUnknown(s, Active, REASON_DEPLOYING, '');
    if (!resUnavailable) s = set.markUnknown(s, ResourcesAvailable, REASON_DEPLOYING, '');
    return s;
  }
  const initialized = isTrue(cond(paStatus, 'ScaleTargetInitialized'));
  const serviceName: string = paStatus?.serviceName ?? '';

  if (initialized && !resUnavailable) {
    // PA initialisation implies the SKS is active, i.e. there are endpoints.
    s = set.markTrue(s, ResourcesAvailable);
    s = set.markTrue(s, ContainerHealthy);
  }
  // With initial-scale 0 the PA may initialise before any service exists: not available yet.
  if (isTrue(cond(s, ResourcesAvailable)) && (serviceName === '' || !initialized)) {
    s = set.markUnknown(s, ResourcesAvailable, REASON_DEPLOYING, '');
  }

  switch (paReady.status) {
    case 'Unknown':
      s = set.markUnknown(s, Active, paReady.reason ?? '', '%s', paReady.message ?? '');
      break;
    case 'False':
      // Scaled to zero without ever reaching initial scale: the activation timed out.
      if (!initialized && !resUnavailable && serviceName !== '') {
        s = set.markFalse(s, ResourcesAvailable, REASON_PROGRESS_DEADLINE_EXCEEDED, 'Initial scale was never achieved');
      }
      s = set.markFalse(s, Active, paReady.reason ?? '', '%s', paReady.message ?? '');
      break;
    case 'True':
      s = set.markTrue(s, Active);
      break;
  }
  return s;
}
