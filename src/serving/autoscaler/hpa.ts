// HPA-class revisions (autoscaling.knative.dev/class: hpa.autoscaling.knative.dev):
// Knative only translates the PodAutoscaler into a Kubernetes
// HorizontalPodAutoscaler (pkg/reconciler/autoscaling/hpa/resources/hpa.go).
// Embedded Skiff has no kube-controller-manager, so this module carries both
// halves: makeHpaSpec() is Knative's translation, HpaAutoscaler is the
// Kubernetes HPA v2 algorithm (replica calculator with 10 % tolerance,
// stabilization windows, default scaling policies). Pure; time is passed in.

import type { ScalingSpec } from './annotations.js';
import { METRIC_CPU, METRIC_MEMORY } from './annotations.js';
import { scaleBounds } from './scaler.js';

/** kube-controller-manager --horizontal-pod-autoscaler-tolerance default. */
export const HPA_TOLERANCE = 0.1;
/** Kubernetes' default scale-down stabilization window (--horizontal-pod-autoscaler-downscale-stabilization). */
export const HPA_DEFAULT_SCALE_DOWN_STABILIZATION_MS = 300_000;
/** API default when an HPA names no metric: 80 % CPU utilization. */
export const HPA_DEFAULT_CPU_UTILIZATION = 80;
const INT32_MAX = 2147483647;

export interface HpaPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodMs: number;
}

export interface HpaScalingRules {
  stabilizationWindowMs: number;
  /** Max: the policy allowing the largest change wins; Min: the smallest; Disabled: no change this way. */
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: readonly HpaPolicy[];
}

export interface HpaBehavior {
  scaleUp: HpaScalingRules;
  scaleDown: HpaScalingRules;
}

/** What the metric is compared with. */
export type HpaMetricTarget =
  /** cpu: average utilization in percent of the pods' requests. */
  | { metric: 'cpu'; type: 'Utilization'; averageUtilization: number }
  /** memory: average bytes per pod. */
  | { metric: 'memory'; type: 'AverageValue'; averageValue: number }
  /** any custom per-pod metric. */
  | { metric: string; type: 'AverageValue'; averageValue: number };

export interface HpaSpec {
  minReplicas: number;
  maxReplicas: number;
  target: HpaMetricTarget;
  behavior: HpaBehavior;
  tolerance: number;
}

/** Kubernetes' defaults for autoscaling/v2 behavior, with the given stabilization windows. */
export function defaultHpaBehavior(scaleUpStabilizationMs = 0, scaleDownStabilizationMs = HPA_DEFAULT_SCALE_DOWN_STABILIZATION_MS): HpaBehavior {
  return {
    scaleUp: {
      stabilizationWindowMs: scaleUpStabilizationMs,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodMs: 15_000 },
        { type: 'Percent', value: 100, periodMs: 15_000 },
      ],
    },
    scaleDown: {
      stabilizationWindowMs: scaleDownStabilizationMs,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodMs: 15_000 }],
    },
  };
}

/**
 * Knative's MakeHPA: min (if > 0, else the HPA default 1), max (0 ⇒ MaxInt32),
 * the `target` annotation as the metric target (cpu ⇒ ceil(target) %, memory ⇒
 * target MiB, other ⇒ per-pod average; none ⇒ 80 % CPU), and the `window`
 * annotation as both stabilization windows (else 0 s up / 300 s down).
 */
export function makeHpaSpec(spec: ScalingSpec, reachable = true): HpaSpec {
  const { min, max } = scaleBounds(spec, reachable);
  let target: HpaMetricTarget;
  if (spec.annotationTarget === null) {
    target = { metric: METRIC_CPU, type: 'Utilization', averageUtilization: HPA_DEFAULT_CPU_UTILIZATION };
  } else if (spec.metric === METRIC_CPU) {
    target = { metric: METRIC_CPU, type: 'Utilization', averageUtilization: Math.ceil(spec.annotationTarget) };
  } else if (spec.metric === METRIC_MEMORY) {
    target = { metric: METRIC_MEMORY, type: 'AverageValue', averageValue: Math.trunc(spec.annotationTarget) * 1024 * 1024 };
  } else {
    target = { metric: spec.metric, type: 'AverageValue', averageValue: Math.trunc(spec.annotationTarget) };
  }
  const windowMs = spec.windowAnnotationMs === null ? null : Math.trunc(spec.windowAnnotationMs / 1000) * 1000;
  return {
    minReplicas: min > 0 ? min : 1,
    maxReplicas: max > 0 ? max : INT32_MAX,
    target,
    behavior: windowMs === null ? defaultHpaBehavior() : defaultHpaBehavior(windowMs, windowMs),
    tolerance: HPA_TOLERANCE,
  };
}

/** The target as a number in the metric's own unit (percent or per-pod average). */
export function hpaTargetValue(target: HpaMetricTarget): number {
  return target.type === 'Utilization' ? target.averageUtilization : target.averageValue;
}

/**
 * Replica calculator: usage ratio = current / target; within the tolerance
 * ⇒ no change; else ceil(ratio × pods with metrics).
 */
export function computeHpaReplicas(currentReplicas: number, currentValue: number, targetValue: number, tolerance = HPA_TOLERANCE, podsWithMetrics = currentReplicas): number {
  if (!(targetValue > 0)) throw new RangeError('HPA target must be positive');
  const ratio = currentValue / targetValue;
  if (Math.abs(1 - ratio) <= tolerance) return currentReplicas;
  return Math.ceil(ratio * podsWithMetrics);
}

export type HpaReason =
  | 'ScalingDisabled'
  | 'TooManyReplicas'
  | 'TooFewReplicas'
  | 'NoMetrics'
  | 'ScaleUpStabilized'
  | 'ScaleDownStabilized'
  | 'ScaleUpLimit'
  | 'ScaleDownLimit'
  | 'DesiredWithinRange';

export interface HpaDecision {
  desiredReplicas: number;
  reason: HpaReason;
  /** Replicas the metric alone asked for (before stabilization and limits); null without metrics. */
  metricReplicas: number | null;
}

interface Sample {
  at: number;
  replicas: number;
}

/** One HPA's memory: past recommendations and scale events. */
export class HpaAutoscaler {
  private spec: HpaSpec;
  private recommendations: Sample[] = [];
  private upEvents: Sample[] = [];
  private downEvents: Sample[] = [];

  constructor(spec: HpaSpec) {
    this.spec = spec;
  }

  update(spec: HpaSpec): void {
    this.spec = spec;
  }

  /**
   * One HPA sync. `currentValue` is the metric averaged over pods (percent for
   * utilization), null when no metrics are available. The returned desired
   * replicas are assumed applied (scale events are remembered for the policies).
   */
  reconcile(now: number, currentReplicas: number, currentValue: number | null): HpaDecision {
    const { minReplicas, maxReplicas } = this.spec;
    let desired: number;
    let reason: HpaReason;
    let metricReplicas: number | null = null;
    if (currentReplicas === 0 && minReplicas !== 0) {
      // Kubernetes does not autoscale a target someone scaled to 0.
      return { desiredReplicas: 0, reason: 'ScalingDisabled', metricReplicas };
    } else if (currentReplicas > maxReplicas) {
      desired = maxReplicas;
      reason = 'TooManyReplicas';
    } else if (currentReplicas < minReplicas) {
      desired = minReplicas;
      reason = 'TooFewReplicas';
    } else if (currentValue === null) {
      desired = currentReplicas;
      reason = 'NoMetrics';
    } else {
      metricReplicas = computeHpaReplicas(currentReplicas, currentValue, hpaTargetValue(this.spec.target), this.spec.tolerance);
      const stabilized = this.stabilize(now, currentReplicas, metricReplicas);
      const limited = this.applyRateLimits(now, currentReplicas, stabilized.replicas);
      desired = limited.replicas;
      reason = limited.reason ?? stabilized.reason;
    }
    if (desired !== currentReplicas) this.recordScaleEvent(now, currentReplicas, desired);
    return { desiredReplicas: desired, reason, metricReplicas };
  }

  private stabilize(now: number, current: number, recommended: number): { replicas: number; reason: HpaReason } {
    const upCutoff = now - this.spec.behavior.scaleUp.stabilizationWindowMs;
    const downCutoff = now - this.spec.behavior.scaleDown.stabilizationWindowMs;
    let up = recommended; // scale up only as far as the lowest recent recommendation
    let down = recommended; // scale down only as far as the highest recent recommendation
    for (const r of this.recommendations) {
      if (r.at > upCutoff) up = Math.min(up, r.replicas);
      if (r.at > downCutoff) down = Math.max(down, r.replicas);
    }
    const keepFrom = Math.min(upCutoff, downCutoff);
    this.recommendations = this.recommendations.filter((r) => r.at >= keepFrom);
    this.recommendations.push({ at: now, replicas: recommended });
    let replicas = current;
    let reason: HpaReason = 'DesiredWithinRange';
    if (replicas < up) replicas = up;
    if (replicas > down) replicas = down;
    if (replicas !== recommended) reason = recommended > current ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
    return { replicas, reason };
  }

  private changeInPeriod(now: number, periodMs: number, events: Sample[]): number {
    let sum = 0;
    for (const e of events) if (e.at > now - periodMs) sum += e.replicas;
    return sum;
  }

  private applyRateLimits(now: number, current: number, desired: number): { replicas: number; reason?: HpaReason } {
    const { minReplicas, maxReplicas, behavior } = this.spec;
    if (desired > current) {
      const rules = behavior.scaleUp;
      let limit = current;
      if (rules.selectPolicy !== 'Disabled') {
        const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
        let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
        for (const p of rules.policies) {
          const start = current - this.changeInPeriod(now, p.periodMs, this.upEvents) + this.changeInPeriod(now, p.periodMs, this.downEvents);
          const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
          result = pick(result, proposed);
        }
        limit = Math.max(result, current);
      }
      const maxAllowed = Math.min(maxReplicas, limit);
      if (desired > maxAllowed) return { replicas: maxAllowed, reason: maxAllowed === maxReplicas ? 'TooManyReplicas' : 'ScaleUpLimit' };
    } else if (desired < current) {
      const rules = behavior.scaleDown;
      let limit = current;
      if (rules.selectPolicy !== 'Disabled') {
        // For scale-down "Max" means the biggest change, i.e. the lowest limit.
        const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
        let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
        for (const p of rules.policies) {
          const start = current - this.changeInPeriod(now, p.periodMs, this.upEvents) + this.changeInPeriod(now, p.periodMs, this.downEvents);
          const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
          result = pick(result, proposed);
        }
        limit = Math.min(result, current);
      }
      const minAllowed = Math.max(minReplicas, limit);
      if (desired < minAllowed) return { replicas: minAllowed, reason: minAllowed === minReplicas ? 'TooFewReplicas' : 'ScaleDownLimit' };
    }
    return { replicas: desired };
  }

  private recordScaleEvent(now: number, from: number, to: number): void {
    const longest = (rules: HpaScalingRules) => rules.policies.reduce((m, p) => Math.max(m, p.periodMs), 0);
    const upKeep = now - longest(this.spec.behavior.scaleUp);
    const downKeep = now - longest(this.spec.behavior.scaleDown);
    this.upEvents = this.upEvents.filter((e) => e.at > upKeep);
    this.downEvents = this.downEvents.filter((e) => e.at > downKeep);
    if (to > from) this.upEvents.push({ at: now, replicas: to - from });
    else this.downEvents.push({ at: now, replicas: from - to });
  }
}
