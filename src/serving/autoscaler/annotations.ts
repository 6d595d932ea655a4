// The `autoscaling.knative.dev/*` annotations on a revision template: key
// names with their legacy camelCase aliases (first listed wins), Knative's
// webhook validation (pkg/apis/autoscaling/annotation_validation.go) as
// FieldError[], and resolveScalingSpec(), which folds annotations over
// config-autoscaler into one frozen per-revision spec (PodAutoscaler accessors
// in pa_lifecycle.go, resources/target.go, resources/metric.go,
// kpa/resources/decider.go).

import {
  BUCKET_SIZE_MS,
  HPA_CLASS,
  KPA_CLASS,
  PANIC_THRESHOLD_PERCENTAGE_MAX,
  PANIC_THRESHOLD_PERCENTAGE_MIN,
  PANIC_WINDOW_PERCENTAGE_MAX,
  PANIC_WINDOW_PERCENTAGE_MIN,
  TARGET_MIN,
  WINDOW_MAX_MS,
  WINDOW_MIN_MS,
  type AutoscalerConfig,
} from './config.js';
import type { FieldError } from './errors.js';
import { formatGoDuration, parseGoDuration, parseGoFloat, parseGoInt } from '../../api/go-syntax.js';

export const AUTOSCALING_GROUP = 'autoscaling.knative.dev';
const G = AUTOSCALING_GROUP;

/** Canonical annotation keys. */
export const ANNOTATION = Object.freeze({
  class: `${G}/class`,
  metric: `${G}/metric`,
  target: `${G}/target`,
  targetUtilizationPercentage: `${G}/target-utilization-percentage`,
  minScale: `${G}/min-scale`,
  maxScale: `${G}/max-scale`,
  initialScale: `${G}/initial-scale`,
  activationScale: `${G}/activation-scale`,
  scaleDownDelay: `${G}/scale-down-delay`,
  window: `${G}/window`,
  panicWindowPercentage: `${G}/panic-window-percentage`,
  panicThresholdPercentage: `${G}/panic-threshold-percentage`,
  targetBurstCapacity: `${G}/target-burst-capacity`,
  scaleToZeroPodRetentionPeriod: `${G}/scale-to-zero-pod-retention-period`,
  metricAggregationAlgorithm: `${G}/metric-aggregation-algorithm`,
});
export type AnnotationName = keyof typeof ANNOTATION;

/** Keys in priority order: the canonical key first, then legacy aliases. */
export const ANNOTATION_KEYS: Readonly<Record<AnnotationName, readonly string[]>> = Object.freeze({
  class: [ANNOTATION.class],
  metric: [ANNOTATION.metric],
  target: [ANNOTATION.target],
  targetUtilizationPercentage: [ANNOTATION.targetUtilizationPercentage, `${G}/targetUtilizationPercentage`],
  minScale: [ANNOTATION.minScale, `${G}/minScale`],
  maxScale: [ANNOTATION.maxScale, `${G}/maxScale`],
  initialScale: [ANNOTATION.initialScale, `${G}/initialScale`],
  activationScale: [ANNOTATION.activationScale],
  scaleDownDelay: [ANNOTATION.scaleDownDelay, `${G}/scaleDownDelay`],
  window: [ANNOTATION.window],
  panicWindowPercentage: [ANNOTATION.panicWindowPercentage, `${G}/panicWindowPercentage`],
  panicThresholdPercentage: [ANNOTATION.panicThresholdPercentage, `${G}/panicThresholdPercentage`],
  targetBurstCapacity: [ANNOTATION.targetBurstCapacity, `${G}/targetBurstCapacity`],
  scaleToZeroPodRetentionPeriod: [ANNOTATION.scaleToZeroPodRetentionPeriod, `${G}/scaleToZeroPodRetentionPeriod`],
  metricAggregationAlgorithm: [ANNOTATION.metricAggregationAlgorithm, `${G}/metricAggregationAlgorithm`],
});

export const METRIC_CONCURRENCY = 'concurrency';
export const METRIC_RPS = 'rps';
export const METRIC_CPU = 'cpu';
export const METRIC_MEMORY = 'memory';

export type AggregationAlgorithm = 'linear' | 'weighted-exponential';

export type Annotations = Readonly<Record<string, string>> | undefined | null;

/** kmap.KeyPriority.Get: the first present key of `name` with its value. */
export function getAnnotation(annotations: Annotations, name: AnnotationName): { key: string; value: string } | undefined {
  if (!annotations) return undefined;
  for (const key of ANNOTATION_KEYS[name]) {
    if (Object.prototype.hasOwnProperty.call(annotations, key)) return { key, value: annotations[key] };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Validation (webhook)

const INT32_MAX = 2147483647;

function outOfBounds(path: string, value: string | number, lower: string | number, upper: string | number): FieldError {
  return { path, message: `expected ${lower} <= ${value} <= ${upper}`, type: 'FieldValueInvalid' };
}
function invalidValue(path: string, value: string): FieldError {
  return { path, message: `invalid value: ${value}`, type: 'FieldValueInvalid' };
}
function generic(path: string, message: string): FieldError {
  return { path, message, type: 'FieldValueInvalid' };
}

/**
 * Validates autoscaling annotations the way Knative's webhook does for a
 * Revision (template). Paths are `${basePath}.${key}` with the key actually
 * used (legacy alias included), e.g.
 * `metadata.annotations.autoscaling.knative.dev/minScale`.
 */
export function validateAutoscalingAnnotations(
  annotations: Annotations,
  config: AutoscalerConfig,
  basePath = 'metadata.annotations',
): FieldError[] {
  const m = annotations ?? {};
  const at = (key: string) => (basePath ? `${basePath}.${key}` : key);
  const errs: FieldError[] = [];

  // class: our own domain must name a known class; other domains are custom autoscalers.
  const cls = getAnnotation(m, 'class');
  if (cls && cls.value.endsWith('.knative.dev') && cls.value !== KPA_CLASS && cls.value !== HPA_CLASS)
    errs.push(invalidValue(at(cls.key), cls.value));

  // min / max / activation scale.
  const intGE0 = (name: AnnotationName): number => {
    const a = getAnnotation(m, name);
    if (!a) return 0;
    const p = parseGoInt(a.value, 32);
    if (!p.ok) {
      errs.push(p.outOfRange ? outOfBounds(at(a.key), a.value, 0, INT32_MAX) : invalidValue(at(a.key), a.value));
      return 0;
    }
    if (p.value < 0) {
      errs.push(outOfBounds(at(a.key), a.value, 0, INT32_MAX));
      return 0;
    }
    return p.value;
  };
  const min = intGE0('minScale');
  const max = intGE0('maxScale');
  if (max !== 0 && max < min)
    // Knative attaches this one to both keys; we report it once, on max-scale.
    errs.push(generic(at(ANNOTATION.maxScale), `max-scale=${max} is less than min-scale=${min}`));
  const maxAnn = getAnnotation(m, 'maxScale');
  if (maxAnn && config.maxScaleLimit > 0) {
    if (max > config.maxScaleLimit) errs.push(outOfBounds(at(maxAnn.key), max, 1, config.maxScaleLimit));
    if (max === 0) errs.push(generic(at(maxAnn.key), `max-scale=0 (unlimited), must be less than ${config.maxScaleLimit}`));
  }
  const act = getAnnotation(m, 'activationScale');
  if (act) {
    const p = parseGoInt(act.value, 32);
    if (!p.ok) errs.push(invalidValue(at(act.key), act.value));
    else if (min > p.value) errs.push(generic(at(act.key), `min-scale=${min} is greater than activation-scale=${p.value}`));
    else if (max < p.value && max !== 0) errs.push(generic(at(act.key), `max-scale=${max} is less than activation-scale=${p.value}`));
    else if (p.value < 2) errs.push(generic(at(act.key), `activation-scale=${p.value} must be greater than 1`));
  }

  // Floats.
  const float = (name: AnnotationName, check: (v: number, raw: string, path: string) => FieldError | undefined) => {
    const a = getAnnotation(m, name);
    if (!a) return;
    const p = parseGoFloat(a.value);
    if (!p.ok) {
      errs.push(invalidValue(at(a.key), a.value));
      return;
    }
    const e = check(p.value, a.value, at(a.key));
    if (e) errs.push(e);
  };
  float('panicWindowPercentage', (v, raw, path) =>
    v >= PANIC_WINDOW_PERCENTAGE_MIN && v <= PANIC_WINDOW_PERCENTAGE_MAX
      ? undefined
      : outOfBounds(path, raw, PANIC_WINDOW_PERCENTAGE_MIN, PANIC_WINDOW_PERCENTAGE_MAX),
  );
  float('panicThresholdPercentage', (v, raw, path) =>
    v >= PANIC_THRESHOLD_PERCENTAGE_MIN && v <= PANIC_THRESHOLD_PERCENTAGE_MAX
      ? undefined
      : outOfBounds(path, raw, PANIC_THRESHOLD_PERCENTAGE_MIN, PANIC_THRESHOLD_PERCENTAGE_MAX),
  );
  float('target', (v, raw, path) => (v >= TARGET_MIN ? undefined : generic(path, `target ${raw} should be at least ${TARGET_MIN}`)));
  float('targetUtilizationPercentage', (v, raw, path) => (v >= 1 && v <= 100 ? undefined : outOfBounds(path, raw, 1, 100)));
  float('targetBurstCapacity', (v, raw, path) => (v >= 0 || v === -1 ? undefined : invalidValue(path, raw)));

  // window: 6s..1h, whole seconds (Knative reports the canonical key; there is no alias).
  const win = getAnnotation(m, 'window');
  if (win) {
    const d = parseGoDuration(win.value);
    if (d === undefined) errs.push(invalidValue(at(ANNOTATION.window), win.value));
    else if (d < WINDOW_MIN_MS || d > WINDOW_MAX_MS)
      errs.push(outOfBounds(at(ANNOTATION.window), win.value, formatGoDuration(WINDOW_MIN_MS), formatGoDuration(WINDOW_MAX_MS)));
    else if (d % 1000 !== 0) errs.push(generic(at(ANNOTATION.window), 'must be specified with at most second precision'));
  }

  // scale-to-zero-pod-retention-period: 0..1h.
  const ret = getAnnotation(m, 'scaleToZeroPodRetentionPeriod');
  if (ret) {
    const d = parseGoDuration(ret.value);
    if (d === undefined) errs.push(invalidValue(at(ret.key), ret.value));
    else if (d < 0 || d > WINDOW_MAX_MS) errs.push(outOfBounds(at(ret.key), ret.value, formatGoDuration(0), formatGoDuration(WINDOW_MAX_MS)));
  }

  // scale-down-delay: 0..1h, whole seconds.
  const sdd = getAnnotation(m, 'scaleDownDelay');
  if (sdd) {
    const d = parseGoDuration(sdd.value);
    if (d === undefined) errs.push(invalidValue(at(sdd.key), sdd.value));
    else if (d < 0 || d > WINDOW_MAX_MS) errs.push(outOfBounds(at(sdd.key), sdd.value, formatGoDuration(0), formatGoDuration(WINDOW_MAX_MS)));
    else if (d % 1000 !== 0) errs.push(generic(at(sdd.key), 'must be specified with at most second precision'));
  }

  // metric: KPA knows concurrency/rps; HPA anything non-empty; custom classes are left alone.
  const metric = getAnnotation(m, 'metric');
  if (metric) {
    const klass = cls ? cls.value : config.podAutoscalerClass;
    let ok = true;
    if (klass === KPA_CLASS) ok = metric.value === METRIC_CONCURRENCY || metric.value === METRIC_RPS;
    else if (klass === HPA_CLASS) ok = metric.value !== '';
    if (!ok) errs.push(invalidValue(at(ANNOTATION.metric), metric.value));
  }

  // metric-aggregation-algorithm: only checked when the class annotation says KPA
  // (Knative's rule: custom autoscalers may accept other values).
  if (cls?.value === KPA_CLASS) {
    const alg = getAnnotation(m, 'metricAggregationAlgorithm');
    if (alg && alg.value !== '' && !['linear', 'weighted-exponential', 'weightedExponential'].includes(alg.value))
      errs.push(invalidValue(at(alg.key), alg.value));
  }

  // initial-scale: integer ≥ 0, and 0 only when the cluster allows it.
  const init = getAnnotation(m, 'initialScale');
  if (init) {
    const p = parseGoInt(init.value, 64);
    if (!p.ok) errs.push(invalidValue(at(init.key), init.value));
    else if (p.value < 0) errs.push(generic(at(init.key), `invalid value: ${init.value}: must be greater than 0`));
    else if (p.value === 0 && !config.allowZeroInitialScale)
      errs.push(generic(at(init.key), `invalid value: ${init.value}: ${init.key}=0 not allowed by cluster`));
  }
  return errs;
}

/**
 * Service and Configuration metadata may not carry autoscaling annotations:
 * they belong on `spec.template.metadata.annotations`.
 */
export function validateNoAutoscalingAnnotations(annotations: Annotations, basePath = 'metadata.annotations'): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of Object.keys(annotations ?? {})) {
    if (key.startsWith(AUTOSCALING_GROUP))
      errs.push(
        generic(
          basePath,
          `invalid key name ${JSON.stringify(key)}: autoscaling annotations must be put under "spec.template.metadata.annotations" to work`,
        ),
      );
  }
  return errs;
}

/** ConfigMap key names people put in annotations by mistake → the real annotation. */
const CONFIG_KEY_TO_ANNOTATION: Readonly<Record<string, string>> = Object.freeze({
  [`${G}/stable-window`]: ANNOTATION.window,
  [`${G}/container-concurrency-target-percentage`]: ANNOTATION.targetUtilizationPercentage,
  [`${G}/container-concurrency-target-default`]: ANNOTATION.target,
  [`${G}/pod-autoscaler-class`]: ANNOTATION.class,
});

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.values(ANNOTATION_KEYS).flat());

/**
 * Knative silently ignores unknown `autoscaling.knative.dev/*` annotations
 * (e.g. `stable-window`, which is a ConfigMap key); these hints say so.
 */
export function autoscalingAnnotationHints(annotations: Annotations): string[] {
  const hints: string[] = [];
  for (const key of Object.keys(annotations ?? {})) {
    if (!key.startsWith(`${G}/`) || KNOWN_KEYS.has(key)) continue;
    const instead = CONFIG_KEY_TO_ANNOTATION[key];
    hints.push(
      instead
        ? `annotation "${key}" is not an autoscaling annotation and is ignored; did you mean "${instead}"?`
        : `annotation "${key}" is not an autoscaling annotation and is ignored`,
    );
  }
  return hints;
}

// ---------------------------------------------------------------------------
// Resolution (reconciler)

export interface ScalingSpec {
  /** Autoscaler class, e.g. kpa.autoscaling.knative.dev. */
  readonly class: string;
  /** concurrency | rps (KPA); cpu | memory | custom (HPA); '' for unknown classes. */
  readonly metric: string;
  /** Per-pod target the decider aims for = max(0.01, totalValue × targetUtilization). */
  readonly target: number;
  /** Per-pod maximum before utilization ("total"), used for burst capacity. */
  readonly totalValue: number;
  /** Fraction applied to totalValue. */
  readonly targetUtilization: number;
  /** The raw `target` annotation if present and numeric (HPA uses it as-is). */
  readonly annotationTarget: number | null;
  /** Stable window, ms. */
  readonly stableWindowMs: number;
  /** The `window` annotation alone (ms), null when absent; HPA uses it for stabilization. */
  readonly windowAnnotationMs: number | null;
  /** Panic window, ms: stable × percentage / 100 rounded to whole seconds, at least 1 s. */
  readonly panicWindowMs: number;
  /** Panic threshold as a fraction of ready pods (200 % ⇒ 2). */
  readonly panicThreshold: number;
  /** Lower bound, pods (ignored by the scaler when the revision is unreachable). */
  readonly minScale: number;
  /** Upper bound, pods; 0 = unbounded. */
  readonly maxScale: number;
  /** Replicas at creation; enforced as a floor until the scale target initialises. */
  readonly initialScale: number;
  /** Minimum non-zero scale when waking from zero; 0 = not set. */
  readonly activationScale: number;
  /** Hold scale-down decisions this long, ms. */
  readonly scaleDownDelayMs: number;
  /** -1 = activator always in path; 0 = never; > 0 spare capacity wanted. */
  readonly targetBurstCapacity: number;
  /** Keep the last pod this long after going inactive, ms. */
  readonly scaleToZeroPodRetentionMs: number;
  readonly aggregationAlgorithm: AggregationAlgorithm;
  // Copied from config-autoscaler so one snapshot carries everything a decider needs.
  readonly maxScaleUpRate: number;
  readonly maxScaleDownRate: number;
  readonly activatorCapacity: number;
  readonly enableScaleToZero: boolean;
  readonly scaleToZeroGracePeriodMs: number;
}

function annFloat(m: Annotations, name: AnnotationName): number | undefined {
  const a = getAnnotation(m, name);
  if (!a) return undefined;
  const p = parseGoFloat(a.value);
  return p.ok ? p.value : undefined;
}
function annInt32(m: Annotations, name: AnnotationName): number | undefined {
  const a = getAnnotation(m, name);
  if (!a) return undefined;
  const p = parseGoInt(a.value, 32);
  return p.ok ? p.value : undefined;
}
function annDuration(m: Annotations, name: AnnotationName): number | undefined {
  const a = getAnnotation(m, name);
  return a ? parseGoDuration(a.value) : undefined;
}

/** Go's Duration.Round(time.Second): halves away from zero. */
function roundToSecond(ms: number): number {
  const s = ms / 1000;
  return (s < 0 ? -Math.round(-s) : Math.round(s)) * 1000;
}

/**
 * Annotations override config; an annotation that does not parse is ignored
 * (Knative's accessors do the same — the webhook is what rejects it).
 * `containerConcurrency` is the revision's spec.containerConcurrency (0 = unlimited).
 */
export function resolveScalingSpec(annotations: Annotations, containerConcurrency: number, config: AutoscalerConfig): ScalingSpec {
  const m = annotations ?? {};
  const klass = getAnnotation(m, 'class')?.value ?? config.podAutoscalerClass;
  const metricAnn = getAnnotation(m, 'metric');
  const metric = metricAnn ? metricAnn.value : klass === KPA_CLASS ? METRIC_CONCURRENCY : klass === HPA_CLASS ? METRIC_CPU : '';
  const cc = containerConcurrency > 0 ? containerConcurrency : 0;

  // Target resolution (§2.3): total is the per-pod maximum, tu the utilization.
  let total: number;
  let tu: number;
  if (metric === METRIC_RPS) {
    total = config.rpsTargetDefault;
    tu = config.targetUtilization;
  } else {
    total = cc > 0 ? cc : config.containerConcurrencyTargetDefault;
    tu = config.containerConcurrencyTargetFraction;
  }
  const annotationTarget = annFloat(m, 'target') ?? null;
  if (annotationTarget !== null) {
    total = metric === METRIC_CONCURRENCY && cc > 0 ? Math.min(annotationTarget, cc) : annotationTarget;
  }
  const tuPct = annFloat(m, 'targetUtilizationPercentage');
  if (tuPct !== undefined) tu = tuPct / 100;
  const target = Math.max(TARGET_MIN, total * tu);

  const windowAnnotationMs = annDuration(m, 'window') ?? null;
  const stableWindowMs = windowAnnotationMs ?? config.stableWindowMs;
  const panicPct = annFloat(m, 'panicWindowPercentage') ?? config.panicWindowPercentage;
  const panicWindowMs = Math.max(BUCKET_SIZE_MS, roundToSecond((stableWindowMs * panicPct) / 100));
  const panicThreshold = (annFloat(m, 'panicThresholdPercentage') ?? config.panicThresholdPercentage) / 100;

  const minScale = annInt32(m, 'minScale') ?? config.minScale;
  let maxScale = annInt32(m, 'maxScale') ?? config.maxScale;
  // Knative's webhook rejects max-scale above (or unbounded under) max-scale-limit;
  // we also clamp here so an unvalidated annotation can never exceed the limit.
  if (config.maxScaleLimit > 0 && (maxScale === 0 || maxScale > config.maxScaleLimit)) maxScale = config.maxScaleLimit;

  const initAnn = annInt32(m, 'initialScale');
  const initialScale = initAnn === undefined || (initAnn === 0 && !config.allowZeroInitialScale) ? config.initialScale : initAnn;

  // Exact spellings only, as Knative's Metric.AggregationAlgorithm(); anything else is linear.
  const alg = getAnnotation(m, 'metricAggregationAlgorithm')?.value;
  const aggregationAlgorithm: AggregationAlgorithm =
    alg === 'weighted-exponential' || alg === 'weightedExponential' ? 'weighted-exponential' : 'linear';

  return Object.freeze({
    class: klass,
    metric,
    target,
    totalValue: total,
    targetUtilization: tu,
    annotationTarget,
    stableWindowMs,
    windowAnnotationMs,
    panicWindowMs,
    panicThreshold,
    minScale,
    maxScale,
    initialScale,
    activationScale: annInt32(m, 'activationScale') ?? 0,
    scaleDownDelayMs: annDuration(m, 'scaleDownDelay') ?? config.scaleDownDelayMs,
    targetBurstCapacity: annFloat(m, 'targetBurstCapacity') ?? config.targetBurstCapacity,
    scaleToZeroPodRetentionMs: annDuration(m, 'scaleToZeroPodRetentionPeriod') ?? config.scaleToZeroPodRetentionPeriodMs,
    aggregationAlgorithm,
    maxScaleUpRate: config.maxScaleUpRate,
    maxScaleDownRate: config.maxScaleDownRate,
    activatorCapacity: config.activatorCapacity,
    enableScaleToZero: config.enableScaleToZero,
    scaleToZeroGracePeriodMs: config.scaleToZeroGracePeriodMs,
  });
}
