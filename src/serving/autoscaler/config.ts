// Parses the `knative-serving/config-autoscaler` ConfigMap into a frozen
// AutoscalerConfig with Knative's compiled-in defaults and validation ranges
// (knative/serving pkg/autoscaler/config/config.go). All Knative defaults live
// here, once, with their units.

import { AutoscalerConfigError, type ConfigProblem } from './errors.js';
import { formatGoDuration, formatGoFloat, parseGoBool, parseGoDuration, parseGoFloat, parseGoInt } from '../../api/go-syntax.js';

export const KPA_CLASS = 'kpa.autoscaling.knative.dev';
export const HPA_CLASS = 'hpa.autoscaling.knative.dev';

/** Smallest per-pod target the autoscaler accepts (autoscaling.TargetMin). */
export const TARGET_MIN = 0.01;
/** Stable window bounds (autoscaling.WindowMin / WindowMax), ms. */
export const WINDOW_MIN_MS = 6_000;
export const WINDOW_MAX_MS = 3_600_000;
/** Panic window percentage bounds. */
export const PANIC_WINDOW_PERCENTAGE_MIN = 1;
export const PANIC_WINDOW_PERCENTAGE_MAX = 100;
/** Panic threshold percentage bounds (annotation only; the ConfigMap value is not range-checked). */
export const PANIC_THRESHOLD_PERCENTAGE_MIN = 110;
export const PANIC_THRESHOLD_PERCENTAGE_MAX = 1000;
/** Metric bucket granularity (config.BucketSize), ms. */
export const BUCKET_SIZE_MS = 1_000;

export interface AutoscalerConfig {
  /** enable-scale-to-zero; when false a desired scale of 0 becomes 1. */
  readonly enableScaleToZero: boolean;
  /** container-concurrency-target-percentage as a fraction in (0, 1]; 70 ⇒ 0.7. */
  readonly containerConcurrencyTargetFraction: number;
  /** container-concurrency-target-default: concurrent requests per pod when containerConcurrency is 0. */
  readonly containerConcurrencyTargetDefault: number;
  /** Utilization fraction for the rps metric; fixed at 0.7 in Knative (not a ConfigMap key). */
  readonly targetUtilization: number;
  /** requests-per-second-target-default: requests/second per pod. */
  readonly rpsTargetDefault: number;
  /** target-burst-capacity: spare concurrent requests wanted before the activator leaves the path; -1 = always proxy, 0 = never. */
  readonly targetBurstCapacity: number;
  /** stable-window, ms (6 s – 1 h, whole seconds). */
  readonly stableWindowMs: number;
  /** panic-window-percentage: panic window as % of the stable window (1–100). */
  readonly panicWindowPercentage: number;
  /** panic-threshold-percentage: panic when wanted pods ≥ this % of ready pods. */
  readonly panicThresholdPercentage: number;
  /** max-scale-up-rate: factor (> 1) by which a tick may multiply ready pods. */
  readonly maxScaleUpRate: number;
  /** max-scale-down-rate: factor (> 1) by which a tick may divide ready pods. */
  readonly maxScaleDownRate: number;
  /** scale-to-zero-grace-period, ms (> 0): activator must be in path this long before 1 → 0. */
  readonly scaleToZeroGracePeriodMs: number;
  /** scale-to-zero-pod-retention-period, ms (≥ 0): keep the last pod this long after going inactive. */
  readonly scaleToZeroPodRetentionPeriodMs: number;
  /** pod-autoscaler-class: default `autoscaling.knative.dev/class`. */
  readonly podAutoscalerClass: string;
  /** activator-capacity: concurrent requests one activator handles (≥ 1), for subsetting. */
  readonly activatorCapacity: number;
  /** initial-scale: pods at revision creation (≥ 1, or ≥ 0 with allow-zero-initial-scale). */
  readonly initialScale: number;
  /** allow-zero-initial-scale. */
  readonly allowZeroInitialScale: boolean;
  /** min-scale: default lower bound, pods. */
  readonly minScale: number;
  /** max-scale: default upper bound, pods; 0 = unbounded. */
  readonly maxScale: number;
  /** scale-down-delay, ms (≥ 0, whole seconds). */
  readonly scaleDownDelayMs: number;
  /** max-scale-limit: ceiling for any max-scale; 0 = none. */
  readonly maxScaleLimit: number;
}

export const DEFAULT_AUTOSCALER_CONFIG: AutoscalerConfig = Object.freeze({
  enableScaleToZero: true,
  containerConcurrencyTargetFraction: 0.7,
  containerConcurrencyTargetDefault: 100,
  targetUtilization: 0.7,
  rpsTargetDefault: 200,
  targetBurstCapacity: 211,
  stableWindowMs: 60_000,
  panicWindowPercentage: 10,
  panicThresholdPercentage: 200,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  scaleToZeroGracePeriodMs: 30_000,
  scaleToZeroPodRetentionPeriodMs: 0,
  podAutoscalerClass: KPA_CLASS,
  activatorCapacity: 100,
  initialScale: 1,
  allowZeroInitialScale: false,
  minScale: 0,
  maxScale: 0,
  scaleDownDelayMs: 0,
  maxScaleLimit: 0,
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Kind = 'string' | 'bool' | 'float' | 'int32' | 'duration';

/** ConfigMap key → (field, kind). Order is Knative's parse order. */
const KEYS: ReadonlyArray<readonly [string, keyof AutoscalerConfig, Kind]> = [
  ['pod-autoscaler-class', 'podAutoscalerClass', 'string'],
  ['enable-scale-to-zero', 'enableScaleToZero', 'bool'],
  ['allow-zero-initial-scale', 'allowZeroInitialScale', 'bool'],
  ['max-scale-up-rate', 'maxScaleUpRate', 'float'],
  ['max-scale-down-rate', 'maxScaleDownRate', 'float'],
  ['container-concurrency-target-percentage', 'containerConcurrencyTargetFraction', 'float'],
  ['container-concurrency-target-default', 'containerConcurrencyTargetDefault', 'float'],
  ['requests-per-second-target-default', 'rpsTargetDefault', 'float'],
  ['target-burst-capacity', 'targetBurstCapacity', 'float'],
  ['panic-window-percentage', 'panicWindowPercentage', 'float'],
  ['activator-capacity', 'activatorCapacity', 'float'],
  ['panic-threshold-percentage', 'panicThresholdPercentage', 'float'],
  ['initial-scale', 'initialScale', 'int32'],
  ['min-scale', 'minScale', 'int32'],
  ['max-scale', 'maxScale', 'int32'],
  ['max-scale-limit', 'maxScaleLimit', 'int32'],
  ['stable-window', 'stableWindowMs', 'duration'],
  ['scale-down-delay', 'scaleDownDelayMs', 'duration'],
  ['scale-to-zero-grace-period', 'scaleToZeroGracePeriodMs', 'duration'],
  ['scale-to-zero-pod-retention-period', 'scaleToZeroPodRetentionPeriodMs', 'duration'],
];

export const AUTOSCALER_CONFIG_KEYS: readonly string[] = Object.freeze(KEYS.map(([k]) => k));

/**
 * Parses ConfigMap data; missing keys take Knative's defaults. Throws
 * AutoscalerConfigError (code SKIFF_ERR_INVALID_CONFIG) listing every bad key.
 * Unknown keys are ignored here; see autoscalerConfigHints().
 */
export function parseAutoscalerConfig(data: Readonly<Record<string, string>> | undefined = {}): AutoscalerConfig {
  const cfg: Mutable<AutoscalerConfig> = { ...DEFAULT_AUTOSCALER_CONFIG };
  const problems: ConfigProblem[] = [];
  const target = cfg as unknown as Record<string, unknown>;
  for (const [key, field, kind] of KEYS) {
    if (!Object.prototype.hasOwnProperty.call(data, key)) continue;
    const raw = data[key];
    if (typeof raw !== 'string') {
      problems.push({ key, message: `failed to parse "${key}": value must be a string` });
      continue;
    }
    switch (kind) {
      case 'string':
        target[field] = raw;
        break;
      case 'bool': {
        const b = parseGoBool(raw);
        if (b === undefined) problems.push({ key, message: `failed to parse "${key}": invalid syntax ${JSON.stringify(raw)} (want true/false)` });
        else target[field] = b;
        break;
      }
      case 'float': {
        const f = parseGoFloat(raw);
        if (!f.ok) problems.push({ key, message: `failed to parse "${key}": ${f.outOfRange ? 'value out of range' : 'invalid syntax'} ${JSON.stringify(raw)}` });
        else target[field] = f.value;
        break;
      }
      case 'int32': {
        const i = parseGoInt(raw, 32);
        if (!i.ok) problems.push({ key, message: `failed to parse "${key}": ${i.outOfRange ? 'value out of range' : 'invalid syntax'} ${JSON.stringify(raw)}` });
        else target[field] = i.value;
        break;
      }
      case 'duration': {
        const d = parseGoDuration(raw);
        if (d === undefined) problems.push({ key, message: `failed to parse "${key}": invalid duration ${JSON.stringify(raw)} (use Go syntax such as 60s, 1m30s, 500ms)` });
        else target[field] = d;
        break;
      }
    }
  }
  if (problems.length) throw new AutoscalerConfigError(problems);

  // For legacy reasons values in (0, 1] are already fractions; larger ones are percentages.
  if (cfg.containerConcurrencyTargetFraction > 1) cfg.containerConcurrencyTargetFraction /= 100;

  problems.push(...validateAutoscalerConfig(cfg));
  if (problems.length) throw new AutoscalerConfigError(problems);
  return Object.freeze(cfg);
}

/** Knative's range checks over an already-parsed config; empty when valid. */
export function validateAutoscalerConfig(c: AutoscalerConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const d = formatGoDuration;
  const f = formatGoFloat;
  if (!(c.scaleToZeroGracePeriodMs > 0))
    out.push({ key: 'scale-to-zero-grace-period', message: `scale-to-zero-grace-period must be positive, was: ${d(c.scaleToZeroGracePeriodMs)}` });
  if (c.scaleDownDelayMs < 0)
    out.push({ key: 'scale-down-delay', message: `scale-down-delay cannot be negative, was: ${d(c.scaleDownDelayMs)}` });
  else if (c.scaleDownDelayMs % 1000 !== 0)
    out.push({ key: 'scale-down-delay', message: `scale-down-delay = ${d(c.scaleDownDelayMs)}, must be specified with at most second precision` });
  if (c.scaleToZeroPodRetentionPeriodMs < 0)
    out.push({
      key: 'scale-to-zero-pod-retention-period',
      message: `scale-to-zero-pod-retention-period cannot be negative, was: ${d(c.scaleToZeroPodRetentionPeriodMs)}`,
    });
  if (!(c.targetBurstCapacity >= 0) && c.targetBurstCapacity !== -1)
    out.push({
      key: 'target-burst-capacity',
      message: `target-burst-capacity must be either non-negative or -1 (for unlimited), was: ${c.targetBurstCapacity.toFixed(6)}`,
    });
  if (!(c.containerConcurrencyTargetFraction > 0 && c.containerConcurrencyTargetFraction <= 1))
    out.push({
      key: 'container-concurrency-target-percentage',
      message: `container-concurrency-target-percentage = ${c.containerConcurrencyTargetFraction.toFixed(6)} is outside of valid range of (0, 100]`,
    });
  else if (!(c.containerConcurrencyTargetFraction * c.containerConcurrencyTargetDefault >= TARGET_MIN))
    out.push({
      key: 'container-concurrency-target-default',
      message: `container-concurrency-target-percentage and container-concurrency-target-default yield target concurrency of ${f(
        c.containerConcurrencyTargetFraction * c.containerConcurrencyTargetDefault,
      )}, can't be less than ${TARGET_MIN}`,
    });
  if (!(c.rpsTargetDefault >= TARGET_MIN))
    out.push({ key: 'requests-per-second-target-default', message: `requests-per-second-target-default must be at least ${TARGET_MIN}, was: ${f(c.rpsTargetDefault)}` });
  if (!(c.activatorCapacity >= 1))
    out.push({ key: 'activator-capacity', message: `activator-capacity = ${f(c.activatorCapacity)}, must be at least 1` });
  if (!(c.maxScaleUpRate > 1))
    out.push({ key: 'max-scale-up-rate', message: `max-scale-up-rate = ${f(c.maxScaleUpRate)}, must be greater than 1.0` });
  if (!(c.maxScaleDownRate > 1))
    out.push({ key: 'max-scale-down-rate', message: `max-scale-down-rate = ${f(c.maxScaleDownRate)}, must be greater than 1.0` });
  if (c.stableWindowMs < WINDOW_MIN_MS || c.stableWindowMs > WINDOW_MAX_MS)
    out.push({
      key: 'stable-window',
      message: `stable-window = ${d(c.stableWindowMs)}, must be in [${d(WINDOW_MIN_MS)}; ${d(WINDOW_MAX_MS)}] range`,
    });
  else if (c.stableWindowMs % 1000 !== 0)
    out.push({ key: 'stable-window', message: `stable-window = ${d(c.stableWindowMs)}, must be specified with at most second precision` });
  if (!(c.panicWindowPercentage >= PANIC_WINDOW_PERCENTAGE_MIN && c.panicWindowPercentage <= PANIC_WINDOW_PERCENTAGE_MAX))
    out.push({
      key: 'panic-window-percentage',
      message: `panic-window-percentage = ${f(c.panicWindowPercentage)}, must be in [${PANIC_WINDOW_PERCENTAGE_MIN}, ${PANIC_WINDOW_PERCENTAGE_MAX}] interval`,
    });
  if (c.initialScale < 0 || (c.initialScale === 0 && !c.allowZeroInitialScale))
    out.push({
      key: 'initial-scale',
      message: `initial-scale = ${c.initialScale}, must be at least 0 (or at least 1 when allow-zero-initial-scale is false)`,
    });
  if (c.minScale < 0) out.push({ key: 'min-scale', message: `min-scale = ${c.minScale}, must be at least 0` });
  // When a limit is set a default max-scale must be set too (0 would mean unbounded).
  const minMaxScale = c.maxScaleLimit > 0 ? 1 : 0;
  if (c.maxScale < minMaxScale || (c.maxScaleLimit > 0 && c.maxScale > c.maxScaleLimit))
    out.push({ key: 'max-scale', message: `max-scale = ${c.maxScale}, must be in [${minMaxScale}, max-scale-limit(${c.maxScaleLimit})] range` });
  if (c.maxScaleLimit < 0) out.push({ key: 'max-scale-limit', message: `max-scale-limit = ${c.maxScaleLimit}, must be at least 0` });
  if (c.minScale > c.maxScale && c.maxScale > 0)
    out.push({ key: 'min-scale', message: `min-scale (${c.minScale}) must be less than max-scale (${c.maxScale})` });
  return out;
}

/**
 * Hints for keys Knative would silently ignore (typos, keys from other
 * ConfigMaps). `_example` is the documentation block and is skipped.
 */
export function autoscalerConfigHints(data: Readonly<Record<string, string>> | undefined = {}): string[] {
  const hints: string[] = [];
  for (const key of Object.keys(data)) {
    if (key === '_example' || AUTOSCALER_CONFIG_KEYS.includes(key)) continue;
    const near = closestKey(key);
    hints.push(
      near
        ? `config-autoscaler: unknown key "${key}" is ignored; did you mean "${near}"?`
        : `config-autoscaler: unknown key "${key}" is ignored`,
    );
  }
  return hints;
}

function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of AUTOSCALER_CONFIG_KEYS) {
    const dist = editDistance(key.toLowerCase(), k);
    if (dist < bestDist) {
      bestDist = dist;
      best = k;
    }
  }
  return bestDist <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
