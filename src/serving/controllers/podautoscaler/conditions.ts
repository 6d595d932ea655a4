// The PodAutoscaler's condition set (pa_lifecycle.go): Ready = Active AND
// ScaleTargetInitialized AND SKSReady, with the Mark* helpers the KPA and HPA
// reconcilers use and the reads the scale-to-zero gate needs (Active state
// and since when).
import type { Condition } from '../../../api/meta.js';
import { ConditionSet } from '../../../controller/conditions.js';
import type { ActiveState } from '../../autoscaler/scaler.js';
import type { PodAutoscalerStatus } from './resources/types.js';

export const Active = 'Active';
export const ScaleTargetInitialized = 'ScaleTargetInitialized';
export const SKSReady = 'SKSReady';
export const paConditions = ConditionSet.living([Active, ScaleTargetInitialized, SKSReady]);

export const NO_PRIVATE_SERVICE_NAME = 'No Private Service Name';
export const QUEUED_MESSAGE = 'Requests to the target are being buffered as resources are provisioned.';
export const NO_TRAFFIC_MESSAGE = 'The target is not receiving traffic.';

function cond(status: PodAutoscalerStatus | undefined, type: string): Condition | undefined {
  return (status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/** Active True ⇒ active, False ⇒ inactive, Unknown / missing ⇒ activating (as Knative's IsActivating). */
export function activeStateOf(status: PodAutoscalerStatus | undefined): ActiveState {
  const c = cond(status, Active);
  if (c?.status === 'True') return 'active';
  if (c?.status === 'False') return 'inactive';
  return 'activating';
}

/** When the Active condition last flipped (ms); `fallback` when unknown. */
export function activeSince(status: PodAutoscalerStatus | undefined, fallback: number): number {
  const t = Date.parse(cond(status, Active)?.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : fallback;
}

export function isScaleTargetInitialized(status: PodAutoscalerStatus | undefined): boolean {
  return cond(status, ScaleTargetInitialized)?.status === 'True';
}

/** Apply an ActiveState (with reason/message for the non-active ones) using `set`. */
export function markActiveState(
  set: ConditionSet,
  status: PodAutoscalerStatus,
  state: ActiveState,
  reason?: string,
  message?: string,
): PodAutoscalerStatus {
  switch (state) {
    case 'active':
      return set.markTrue(status, Active);
    case 'activating':
      return set.markUnknown(status, Active, reason ?? 'Queued', message ?? QUEUED_MESSAGE);
    case 'inactive':
      return set.markFalse(status, Active, reason ?? 'NoTraffic', message ?? NO_TRAFFIC_MESSAGE);
  }
}

export function markSksReady(set: ConditionSet, status: PodAutoscalerStatus): PodAutoscalerStatus {
  return set.markTrue(status, SKSReady);
}

export function markSksNotReady(set: ConditionSet, status: PodAutoscalerStatus, message: string): PodAutoscalerStatus {
  return set.markUnknown(status, SKSReady, 'NotReady', message || 'ServerlessService is not ready.');
}
