// The pure decisions of the KPA PodAutoscaler reconciler (knative/serving
// pkg/reconciler/autoscaling/kpa/{kpa.go,scaler.go}): scale bounds, initial
// scale, the scale-to-zero gate, the PA `Active` condition, the SKS mode and
// the activator count. I/O (the activator probe, patching replicas, requeues)
// is left to the caller; every function here says what to do instead.

import type { ScalingSpec } from './annotations.js';
import { computeNumActivators, MIN_ACTIVATORS } from './decider.js';

/** Desired scale meaning "no metrics yet / unknown". */
export const SCALE_UNKNOWN = -1;
/** Async activator probe: period and give-up time. */
export const PROBE_PERIOD_MS = 1_000;
export const PROBE_TIMEOUT_MS = 45_000;
/** Requeue after an async probe finishes (either way). */
export const REENQUEUE_PERIOD_MS = 1_000;
/** Requeue when the PA may deactivate and the SKS is already in Proxy mode. */
export const DEACTIVATE_REQUEUE_MS = 3_000;
/** Added to the progress deadline before giving up on an activating revision. */
export const ACTIVATION_TIMEOUT_BUFFER_MS = 30_000;
/** config-deployment progress-deadline default. */
export const DEFAULT_PROGRESS_DEADLINE_MS = 600_000;

export { MIN_ACTIVATORS };

/** The PA `Active` condition: True = active, Unknown = activating, False = inactive. */
export type ActiveState = 'active' | 'activating' | 'inactive';
export type SksMode = 'Serve' | 'Proxy';

/** activationTimeout = progress deadline (annotation or config-deployment) + 30 s. */
export function activationTimeoutMs(progressDeadlineMs: number = DEFAULT_PROGRESS_DEADLINE_MS): number {
  return progressDeadlineMs + ACTIVATION_TIMEOUT_BUFFER_MS;
}

/** (min, max); min is ignored for an unreachable revision; max 0 = unbounded. */
export function scaleBounds(spec: Pick<ScalingSpec, 'minScale' | 'maxScale'>, reachable: boolean): { min: number; max: number } {
  return { min: reachable ? spec.minScale : 0, max: spec.maxScale };
}

/**
 * Clamp into [min, max] where max 0 means no upper bound. Like Knative, min is
 * checked first: an initial-scale floor above max-scale wins until initialised.
 */
export function applyBounds(min: number, max: number, x: number): number {
  if (x < min) return min;
  if (max !== 0 && x > max) return max;
  return x;
}

/**
 * Steps 2–4 of scaler.scale(): bounds, then the initial-scale floor (only while
 * the scale target is not yet initialised and the revision is reachable), then
 * the clamp. Returns the bounded desired scale (may still be -1 → 0 when min is 0).
 */
export function boundDesiredScale(
  desiredScale: number,
  spec: Pick<ScalingSpec, 'minScale' | 'maxScale' | 'initialScale'>,
  opts: { reachable: boolean; scaleTargetInitialized: boolean },
): number {
  let { min, max } = scaleBounds(spec, opts.reachable);
  if (spec.initialScale > 1 && !opts.scaleTargetInitialized && opts.reachable) min = Math.max(min, spec.initialScale);
  return applyBounds(min, max, desiredScale);
}

/** Scale-to-zero retention for the last pod: 0 when unreachable, else annotation/config. */
export function lastPodRetentionMs(spec: Pick<ScalingSpec, 'scaleToZeroPodRetentionMs'>, reachable: boolean): number {
  return reachable ? spec.scaleToZeroPodRetentionMs : 0;
}

export interface ScaleToZeroInput {
  now: number;
  /** Desired scale after bounds. Anything but 0 passes straight through. */
  desiredScale: number;
  enableScaleToZero: boolean;
  /** The PA's Active condition and when it last changed (lastTransitionTime, ms). */
  activeState: ActiveState;
  activeSince: number;
  stableWindowMs: number;
  gracePeriodMs: number;
  /** scale-to-zero-pod-retention-period (annotation or config), ms. */
  retentionMs: number;
  /** PA reachability (default true); an unreachable revision has no last-pod retention. */
  reachable?: boolean;
  targetBurstCapacity: number;
  activationTimeoutMs: number;
  /** Current SKS mode; undefined when there is no SKS. */
  sksMode?: SksMode;
  /** When the SKS's activator endpoints became populated (ms); null/undefined when not. */
  sksProxySince?: number | null;
  /**
   * Result of the synchronous activator probe (GET /healthz on the public
   * service with `K-Network-Probe: activator`, expecting 200 + body "activator").
   * Leave undefined on the first call: the decision says whether a probe is needed.
   */
  activatorInPath?: boolean;
}

export interface ScaleToZeroDecision {
  /** The scale to report as `want`. */
  scale: number;
  /** Whether `scale` should be written to the scale target's replicas. */
  apply: boolean;
  /** Reconcile this PA again after this long; null = no requeue needed. */
  requeueAfterMs: number | null;
  /**
   * 'sync': probe the activator now and call again with activatorInPath.
   * 'async': start the async prober (PROBE_PERIOD_MS, PROBE_TIMEOUT_MS) and
   * requeue REENQUEUE_PERIOD_MS after it finishes.
   */
  probe: 'sync' | 'async' | null;
}

/**
 * handleScaleToZero: decides whether a desired scale of 0 may be applied now.
 * - enable-scale-to-zero=false ⇒ 1.
 * - Activating: 0 only after activationTimeout; else -1 and recheck then.
 * - Active: hold 1 until active for a stable window, then report 0 without
 *   applying (marks the PA inactive, which flips the SKS to Proxy).
 * - Inactive: once the activator is in path, 0 after max(grace, retention) of
 *   inactivity; wait while inside retention; else 0 when the SKS has proxied
 *   for the grace period (fast path), otherwise wait out the remainder.
 */
export function handleScaleToZero(input: ScaleToZeroInput): ScaleToZeroDecision {
  const keep = (scale: number, apply: boolean, requeueAfterMs: number | null = null): ScaleToZeroDecision => ({
    scale,
    apply,
    requeueAfterMs,
    probe: null,
  });
  if (input.desiredScale !== 0) return keep(input.desiredScale, true);
  if (!input.enableScaleToZero) return keep(1, true);

  const inState = input.now - input.activeSince;
  switch (input.activeState) {
    case 'activating':
      // Stuck activating past the progress deadline: presume failure and scale to 0.
      if (inState > input.activationTimeoutMs) return keep(0, true);
      return keep(SCALE_UNKNOWN, false, input.activationTimeoutMs);
    case 'active': {
      if (inState >= input.stableWindowMs) {
        // Deactivate. In Proxy mode already, the SKS will not change and trigger us: requeue.
        return keep(0, false, input.sksMode === 'Proxy' ? DEACTIVATE_REQUEUE_MS : null);
      }
      return keep(1, true, input.stableWindowMs - inState);
    }
    case 'inactive': {
      let inPath = true; // TBC = -1: the activator is always in path.
      if (input.targetBurstCapacity !== -1) {
        if (input.activatorInPath === undefined) return { scale: 0, apply: false, requeueAfterMs: null, probe: 'sync' };
        inPath = input.activatorInPath;
      }
      if (!inPath) return { scale: 0, apply: false, requeueAfterMs: null, probe: 'async' };
      const retention = input.reachable === false ? 0 : input.retentionMs;
      if (inState >= Math.max(input.gracePeriodMs, retention)) return keep(0, true);
      if (retention > 0 && inState < retention) return keep(0, false, retention - inState);
      const proxyFor = input.sksProxySince === null || input.sksProxySince === undefined ? 0 : input.now - input.sksProxySince;
      const remaining = input.gracePeriodMs - proxyFor;
      if (remaining <= 0) return keep(0, true);
      return keep(0, false, remaining);
    }
  }
}

export interface KpaScaleInput {
  now: number;
  /** Decider status desiredScale (-1 = no metrics yet). */
  desiredScale: number;
  spec: ScalingSpec;
  reachable: boolean;
  activeState: ActiveState;
  activeSince: number;
  scaleTargetInitialized: boolean;
  activationTimeoutMs: number;
  sksMode?: SksMode;
  sksProxySince?: number | null;
  activatorInPath?: boolean;
}

/**
 * scaler.scale() without the patch: unknown-and-not-activating ⇒ nothing;
 * else bounds, initial scale, clamp, then the scale-to-zero gate. The caller
 * patches replicas when `apply` is set and the value differs from the current
 * replicas, and uses `scale` as `want`.
 */
export function computeKpaScale(input: KpaScaleInput): ScaleToZeroDecision {
  if (input.desiredScale < 0 && input.activeState !== 'activating') {
    return { scale: input.desiredScale, apply: false, requeueAfterMs: null, probe: null };
  }
  const bounded = boundDesiredScale(input.desiredScale, input.spec, {
    reachable: input.reachable,
    scaleTargetInitialized: input.scaleTargetInitialized,
  });
  return handleScaleToZero({
    now: input.now,
    desiredScale: bounded,
    enableScaleToZero: input.spec.enableScaleToZero,
    activeState: input.activeState,
    activeSince: input.activeSince,
    stableWindowMs: input.spec.stableWindowMs,
    gracePeriodMs: input.spec.scaleToZeroGracePeriodMs,
    retentionMs: input.spec.scaleToZeroPodRetentionMs,
    reachable: input.reachable,
    targetBurstCapacity: input.spec.targetBurstCapacity,
    activationTimeoutMs: input.activationTimeoutMs,
    sksMode: input.sksMode,
    sksProxySince: input.sksProxySince,
    activatorInPath: input.activatorInPath,
  });
}

/**
 * SKS mode (kpa.go): Proxy when want = 0, when EBC < 0, or when want is
 * unknown (-1) and the PA is inactive; otherwise Serve. An unknown want on a
 * PA that is not inactive (autoscaler restart, no metrics yet) keeps Serve, as
 * in Knative. Without `paInactive` an unknown want is treated as inactive
 * (the conservative choice: the activator stays in path).
 */
export function computeSksMode(want: number, excessBurstCapacity: number, opts: { paInactive?: boolean } = {}): SksMode {
  if (want === 0 || excessBurstCapacity < 0) return 'Proxy';
  if (want < 0 && (opts.paInactive ?? true)) return 'Proxy';
  return 'Serve';
}

/** Activators for the SKS; MIN_ACTIVATORS before a decider exists. */
export function activatorCount(readyPods: number, spec: Pick<ScalingSpec, 'targetBurstCapacity' | 'totalValue' | 'activatorCapacity'> | null): number {
  return spec ? computeNumActivators(readyPods, spec) : MIN_ACTIVATORS;
}

/** Pods that must be ready for the PA to be Active: max(min, initial) until initialised, then max(min, 1). */
export function activeThreshold(
  spec: Pick<ScalingSpec, 'minScale' | 'maxScale' | 'initialScale'>,
  opts: { reachable: boolean; scaleTargetInitialized: boolean },
): number {
  const { min } = scaleBounds(spec, opts.reachable);
  return opts.scaleTargetInitialized ? Math.max(min, 1) : Math.max(min, spec.initialScale);
}

export interface ActiveConditionInput {
  /** want from computeKpaScale (-1 unknown). */
  want: number;
  ready: number;
  /** activeThreshold(). */
  minReady: number;
  prior: ActiveState;
  /** The SKS public service name is known (status.serviceName set). */
  hasServiceName: boolean;
}

export interface ActiveConditionResult {
  /** New Active state, or 'unchanged' to leave the condition (and its timestamp) alone. */
  mark: ActiveState | 'unchanged';
  reason?: 'NoTraffic' | 'TimedOut' | 'Queued';
  message?: string;
  /** Set ScaleTargetInitialized=True (once ready ≥ minReady with a service name). */
  markScaleTargetInitialized: boolean;
}

/**
 * computeActiveCondition:
 * | want           | ready vs minReady | prior                | new                |
 * | 0 or minReady 0| any               | activating, minReady>0 | inactive TimedOut  |
 * | 0 or minReady 0| any               | otherwise            | inactive NoTraffic |
 * | > 0            | < minReady        | any                  | activating Queued  |
 * | -1             | < minReady        | active/activating    | activating Queued  |
 * | -1             | < minReady        | inactive             | inactive NoTraffic |
 * | > 0            | ≥ minReady        | any                  | active             |
 * | -1             | ≥ minReady        | active/activating    | active             |
 * | -1             | ≥ minReady        | inactive             | unchanged          |
 */
export function computeActiveCondition(input: ActiveConditionInput): ActiveConditionResult {
  const markScaleTargetInitialized = input.ready >= input.minReady && input.hasServiceName;
  const noTraffic: ActiveConditionResult = {
    mark: 'inactive',
    reason: 'NoTraffic',
    message: 'The target is not receiving traffic.',
    markScaleTargetInitialized,
  };
  // minReady 0: the initial-scale-0 case, where want stays -1 until metrics arrive.
  if (input.want === 0 || input.minReady === 0) {
    if (input.prior === 'activating' && input.minReady > 0) {
      // Scaling to zero while activating only happens after the activation timeout.
      return { mark: 'inactive', reason: 'TimedOut', message: 'The target could not be activated.', markScaleTargetInitialized };
    }
    return noTraffic;
  }
  if (input.ready < input.minReady) {
    if (input.want > 0 || input.prior !== 'inactive') {
      return {
        mark: 'activating',
        reason: 'Queued',
        message: 'Requests to the target are being buffered as resources are provisioned.',
        markScaleTargetInitialized,
      };
    }
    return noTraffic;
  }
  if (input.want > 0 || input.prior !== 'inactive') return { mark: 'active', markScaleTargetInitialized };
  return { mark: 'unchanged', markScaleTargetInitialized };
}

/**
 * PA status.desiredScale after a reconcile: an autoscaler restart briefly
 * reports -1; keep the previous known value instead of flapping.
 */
export function nextStatusDesiredScale(previous: number | null, want: number): number {
  if (want === SCALE_UNKNOWN && previous !== null && previous >= 0) return previous;
  return want;
}
