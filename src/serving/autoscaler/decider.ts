// The per-revision KPA decider: records revision-wide stats into stable and
// panic windows and turns them into a desired pod count and excess burst
// capacity every tick (knative/serving pkg/autoscaler/scaling/autoscaler.go
// Scale(), the collector's record() and the MultiScaler's status/poke logic).
// Pure and clock-free: the caller passes `now` (ms) and the ready pod count,
// and drives the 2 s tick (DECIDER_TICK_MS) plus pokes.

import type { ScalingSpec } from './annotations.js';
import { METRIC_RPS } from './annotations.js';
import { createWindowAverager, MaxTimeWindow, type WindowAverager } from './bucketing.js';

/** How often the decider's Scale() runs (tickInterval). */
export const DECIDER_TICK_MS = 2_000;
/** Knative never places fewer activators in the path than this. */
export const MIN_ACTIVATORS = 2;

/**
 * One stat report, summed over the revision (the scraper extrapolates its pod
 * sample to all ready pods; the activator reports its own totals).
 * - concurrency: average in-flight requests over the last second.
 * - rps: requests in the last second.
 * - proxied*: the part of the above that came through the activator; pods
 *   report it so it can be subtracted (the activator counts those itself).
 * Activator stats have no proxied part. Both sources are recorded into the
 * same 1 s buckets, where they add up. When a revision has no pods the
 * scraper produces no stat at all — do not record zeros for it then.
 */
export interface Stat {
  concurrency: number;
  rps: number;
  proxiedConcurrency?: number;
  proxiedRps?: number;
}

export interface ScaleResult {
  /** False when there is no data to decide on (Knative's ErrNoData): no decision this tick. */
  readonly valid: boolean;
  /** Desired pods; -1 when `valid` is false. */
  readonly desiredPodCount: number;
  /** Spare capacity beyond the burst target; ≥ 0 lets the SKS leave Proxy mode. Unchanged status value when not valid. */
  readonly excessBurstCapacity: number;
  /** Activators to put in the path for the current ready pods. */
  readonly numActivators: number;
  readonly panicking: boolean;
  /** True when desired scale changed or EBC changed sign: the KPA should reconcile. */
  readonly changed: boolean;
  readonly observedStableValue: number;
  readonly observedPanicValue: number;
}

/** What the KPA reconciler reads from the decider (Decider.Status). */
export interface DeciderStatus {
  /** -1 until the first valid Scale(). */
  readonly desiredScale: number;
  readonly excessBurstCapacity: number;
}

export interface DeciderOptions {
  spec: ScalingSpec;
  /** Creation time (ms); starts the panic clock when created over 1 ready pod. */
  now: number;
  /** Ready pods at creation (0 when unknown). */
  readyPods?: number;
  /** PodAutoscaler reachability: false when the revision is not routed (routingState=reserve). */
  reachable?: boolean;
}

/** Whether two int32-ish numbers are both negative or both non-negative. */
function sameSign(a: number, b: number): boolean {
  return a < 0 === b < 0;
}

/** EBC before any decision: TBC for -1/0, else initialScale × total − TBC. */
export function initialExcessBurstCapacity(spec: Pick<ScalingSpec, 'targetBurstCapacity' | 'initialScale' | 'totalValue'>): number {
  const tbc = spec.targetBurstCapacity;
  if (tbc === -1 || tbc === 0) return tbc;
  return Math.trunc(spec.initialScale * spec.totalValue - tbc);
}

/**
 * Excess burst capacity (§2.7): 0 if TBC = 0, -1 if TBC = -1 (activator always
 * in path), else floor(ready × total − TBC − panicValue) with the ACTUAL ready
 * count.
 */
export function computeExcessBurstCapacity(readyPods: number, totalValue: number, targetBurstCapacity: number, observedPanicValue: number): number {
  if (targetBurstCapacity === 0) return 0;
  if (targetBurstCapacity > 0) return Math.floor(readyPods * totalValue - targetBurstCapacity - observedPanicValue);
  return -1;
}

/** Activators in the subset: 2 if TBC = 0, else max(2, ceil((ready × total + max(TBC, 0)) / activatorCapacity)). */
export function computeNumActivators(
  readyPods: number,
  spec: Pick<ScalingSpec, 'targetBurstCapacity' | 'totalValue' | 'activatorCapacity'>,
): number {
  if (spec.targetBurstCapacity === 0) return MIN_ACTIVATORS;
  let capacity = readyPods * spec.totalValue;
  if (spec.targetBurstCapacity > 0) capacity += spec.targetBurstCapacity;
  return Math.max(MIN_ACTIVATORS, Math.ceil(capacity / spec.activatorCapacity));
}

/** 1.96² (95 % confidence) × σ² 100 / margin-of-error 5²: Knative's scrape population factor. */
const SCRAPE_POPULATION_FACTOR = (1.96 * 1.96 * 100) / 25;

/**
 * How many of `readyPods` the scraper samples each second: all of them up to 3,
 * else ceil(N·X / (N + X − 1)) with X = 15.3664 (10 → 7, 100 → 14). The
 * sampled sum is then scaled by readyPods / sample to a revision-wide total.
 */
export function scrapeSampleSize(readyPods: number): number {
  if (readyPods <= 0) return 0;
  if (readyPods <= 3) return readyPods;
  return Math.ceil((readyPods * SCRAPE_POPULATION_FACTOR) / (readyPods + SCRAPE_POPULATION_FACTOR - 1));
}

/** Poke rule: an activator stat wakes the decider at once when it currently wants 0 pods. */
export function shouldPoke(currentDesiredScale: number, activatorStat: Pick<Stat, 'concurrency'>): boolean {
  return currentDesiredScale === 0 && activatorStat.concurrency !== 0;
}

export class Decider {
  private spec: ScalingSpec;
  private reachable: boolean;
  private readonly stableConcurrency: WindowAverager;
  private readonly panicConcurrency: WindowAverager;
  private readonly stableRps: WindowAverager;
  private readonly panicRps: WindowAverager;
  /** ms when panic last started/extended; null when not panicking. */
  private panicTime: number | null;
  private maxPanicPods: number;
  /** Fixed at creation, like Knative: changing scale-down-delay needs a new decider. */
  private readonly delayWindow: MaxTimeWindow | null;
  private desiredScale = -1;
  private ebc: number;

  constructor(opts: DeciderOptions) {
    const { spec, now } = opts;
    const ready = Math.max(0, opts.readyPods ?? 0);
    this.spec = spec;
    this.reachable = opts.reachable ?? true;
    const alg = spec.aggregationAlgorithm;
    this.stableConcurrency = createWindowAverager(alg, spec.stableWindowMs);
    this.panicConcurrency = createWindowAverager(alg, spec.panicWindowMs);
    this.stableRps = createWindowAverager(alg, spec.stableWindowMs);
    this.panicRps = createWindowAverager(alg, spec.panicWindowMs);
    this.delayWindow = spec.scaleDownDelayMs > 0 ? new MaxTimeWindow(spec.scaleDownDelayMs, DECIDER_TICK_MS) : null;
    // A decider created over more than one ready pod (autoscaler restart) starts
    // in panic at the current scale: with no history it would otherwise scale down.
    this.panicTime = ready > 1 ? now : null;
    this.maxPanicPods = ready;
    this.ebc = initialExcessBurstCapacity(spec);
  }

  /** Current status as the KPA reconciler sees it. */
  get status(): DeciderStatus {
    return { desiredScale: this.desiredScale, excessBurstCapacity: this.ebc };
  }

  get panicking(): boolean {
    return this.panicTime !== null;
  }

  /**
   * Records one stat at `now`. Concurrency and rps have the activator-proxied
   * part removed, then go into both the stable and the panic window.
   */
  record(now: number, stat: Stat): void {
    const concurrency = stat.concurrency - (stat.proxiedConcurrency ?? 0);
    const rps = stat.rps - (stat.proxiedRps ?? 0);
    this.stableConcurrency.record(now, concurrency);
    this.panicConcurrency.record(now, concurrency);
    this.stableRps.record(now, rps);
    this.panicRps.record(now, rps);
  }

  /** Whether an activator stat must trigger an immediate scale() (see shouldPoke). */
  shouldPoke(activatorStat: Pick<Stat, 'concurrency'>): boolean {
    return shouldPoke(this.desiredScale, activatorStat);
  }

  /**
   * New spec (annotation or config change). Windows are resized in place;
   * panic state is kept. Scale-down delay and aggregation algorithm stay as
   * created (as in Knative).
   */
  update(spec: ScalingSpec, now: number, reachable: boolean = this.reachable): void {
    this.stableConcurrency.resizeWindow(spec.stableWindowMs, now);
    this.stableRps.resizeWindow(spec.stableWindowMs, now);
    this.panicConcurrency.resizeWindow(spec.panicWindowMs, now);
    this.panicRps.resizeWindow(spec.panicWindowMs, now);
    this.spec = spec;
    this.reachable = reachable;
  }

  /** One decider tick. `readyPods` is the revision's Ready pod count (0 if unknown). */
  scale(now: number, readyPods: number): ScaleResult {
    const spec = this.spec;
    const ready = Math.max(0, readyPods);
    const readyForRates = Math.max(1, ready);
    const useRps = spec.metric === METRIC_RPS;
    const stableWin = useRps ? this.stableRps : this.stableConcurrency;
    const panicWin = useRps ? this.panicRps : this.panicConcurrency;

    // ErrNoData: nothing for a whole window while pods are being scraped. With
    // TBC = -1 Knative does not scrape pods (the activator sees every request),
    // so an empty window simply averages to 0 there.
    const scraped = spec.targetBurstCapacity !== -1;
    if (scraped && stableWin.isEmpty(now)) {
      return {
        valid: false,
        desiredPodCount: -1,
        excessBurstCapacity: this.ebc,
        numActivators: computeNumActivators(ready, spec),
        panicking: this.panicTime !== null,
        changed: false,
        observedStableValue: 0,
        observedPanicValue: 0,
      };
    }
    const observedStable = stableWin.windowAverage(now);
    const observedPanic = panicWin.windowAverage(now);

    // At least one pod of growth even when the rate is conservative: ceil, not floor.
    const maxScaleUp = Math.ceil(spec.maxScaleUpRate * readyForRates);
    // Unreachable revisions may drop straight to zero.
    const maxScaleDown = this.reachable ? Math.floor(readyForRates / spec.maxScaleDownRate) : 0;

    const dspc = Math.ceil(observedStable / spec.target);
    const dppc = Math.ceil(observedPanic / spec.target);
    let desiredStable = Math.min(Math.max(dspc, maxScaleDown), maxScaleUp);
    let desiredPanic = Math.min(Math.max(dppc, maxScaleDown), maxScaleUp);
    if (spec.activationScale > 1) {
      if (dspc > 0 && spec.activationScale > desiredStable) desiredStable = spec.activationScale;
      if (dppc > 0 && spec.activationScale > desiredPanic) desiredPanic = spec.activationScale;
    }

    const overPanicThreshold = dppc / readyForRates >= spec.panicThreshold;
    if (overPanicThreshold) {
      this.panicTime = now; // enter, or extend
    } else if (this.panicTime !== null && this.panicTime + spec.stableWindowMs < now) {
      // The surge has had a full stable window to show up in the stable metric.
      this.panicTime = null;
      this.maxPanicPods = 0;
    }

    let desired = desiredStable;
    if (this.panicTime !== null) {
      // Provision for whichever window asks for more; never scale down while panicking.
      desired = Math.max(desiredStable, desiredPanic);
      if (desired > this.maxPanicPods) this.maxPanicPods = desired;
      desired = this.maxPanicPods;
    }

    if (this.reachable && this.delayWindow) {
      this.delayWindow.record(now, desired);
      desired = this.delayWindow.current();
    }

    const ebc = computeExcessBurstCapacity(ready, spec.totalValue, spec.targetBurstCapacity, observedPanic);
    const changed = desired !== this.desiredScale || !sameSign(ebc, this.ebc);
    this.desiredScale = desired;
    this.ebc = ebc;
    return {
      valid: true,
      desiredPodCount: desired,
      excessBurstCapacity: ebc,
      numActivators: computeNumActivators(ready, spec),
      panicking: this.panicTime !== null,
      changed,
      observedStableValue: observedStable,
      observedPanicValue: observedPanic,
    };
  }
}
