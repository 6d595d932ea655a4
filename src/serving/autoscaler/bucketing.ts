// Time-bucketed metric windows for the KPA (knative/serving
// pkg/autoscaler/aggregation): a ring of fixed-granularity buckets averaged
// either linearly or with exponentially decaying weights, and the
// "max over the last N seconds" window used for scale-down delay.
// Pure: every call takes the time (ms since epoch) as an argument.

/** What the decider needs from a metric window. */
export interface WindowAverager {
  /** Adds `value` to the bucket of `nowMs` (several records in one bucket are summed). */
  record(nowMs: number, value: number): void;
  /** The window's average at `nowMs`. */
  windowAverage(nowMs: number): number;
  /** True when nothing was recorded during the last full window. */
  isEmpty(nowMs: number): boolean;
  /** Changes the window length, keeping as much history as fits. */
  resizeWindow(windowMs: number, nowMs: number): void;
  readonly windowMs: number;
}

/** No write yet: far enough in the past that every window is empty. */
const NEVER = Number.NEGATIVE_INFINITY;

function mod(i: number, n: number): number {
  return ((i % n) + n) % n;
}

/** Go's math.Round (halves away from zero) to `digits` decimals. */
function roundTo(digits: number, x: number): number {
  const p = 10 ** digits;
  const y = x * p;
  return (y < 0 ? -Math.round(-y) : Math.round(y)) / p;
}

/**
 * Linear window average (Knative's default `linear` algorithm).
 * - The average is taken over the "valid" buckets: from the first write of the
 *   current activity period (or the whole window if that is longer ago) to the
 *   last write. Gaps between writes count as zeros.
 * - Seconds after the last write are dropped from sum and divisor alike.
 * - A full window without writes ⇒ average 0, and the next write starts a new
 *   activity period (history reset).
 */
export class LinearBuckets implements WindowAverager {
  protected buckets: number[];
  protected firstWrite: number | null = null; // bucket start, ms
  protected lastWrite = NEVER; // bucket start, ms
  protected windowTotal = 0; // sum of all ring slots, valid or not
  protected window: number;
  readonly granularityMs: number;

  constructor(windowMs: number, granularityMs = 1000) {
    if (!(granularityMs > 0)) throw new RangeError('granularityMs must be positive');
    if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
    this.window = windowMs;
    this.granularityMs = granularityMs;
    this.buckets = new Array(Math.ceil(windowMs / granularityMs)).fill(0);
  }

  get windowMs(): number {
    return this.window;
  }

  protected truncate(ms: number): number {
    return Math.floor(ms / this.granularityMs) * this.granularityMs;
  }

  protected index(ms: number): number {
    return Math.floor(ms / this.granularityMs);
  }

  isEmpty(nowMs: number): boolean {
    return this.truncate(nowMs) - this.lastWrite > this.window;
  }

  record(nowMs: number, value: number): void {
    const bucketTime = this.truncate(nowMs);
    const n = this.buckets.length;
    const writeIdx = this.index(nowMs);
    if (this.lastWrite !== bucketTime) {
      // A value older than a whole window behind the last write is useless.
      if (!(bucketTime + this.window > this.lastWrite)) return;
      if (this.firstWrite === null || this.firstWrite > bucketTime) this.firstWrite = bucketTime;
      if (bucketTime > this.lastWrite) {
        if (bucketTime - this.lastWrite >= this.window) {
          // Idle for a full window: start a new activity period.
          this.firstWrite = bucketTime;
          this.buckets.fill(0);
          this.windowTotal = 0;
        } else {
          // Zero the slots skipped since the last write (they hold data a window old).
          for (let i = this.index(this.lastWrite) + 1; i <= writeIdx; i++) {
            const slot = mod(i, n);
            this.windowTotal -= this.buckets[slot];
            this.buckets[slot] = 0;
          }
        }
        this.lastWrite = bucketTime;
      }
      // Otherwise the value is late but within the window: just add it.
    }
    this.buckets[mod(writeIdx, n)] += value;
    this.windowTotal += value;
  }

  windowAverage(nowMs: number): number {
    const now = this.truncate(nowMs);
    const n = this.buckets.length;
    const sinceLast = now - this.lastWrite;
    if (this.firstWrite === null || !(sinceLast < this.window)) return 0; // no data for a full window
    const validSpan = Math.trunc((this.lastWrite - this.firstWrite) / this.granularityMs) + 1; // inclusive
    if (sinceLast <= 0) {
      return roundTo(6, this.windowTotal / Math.min(validSpan, n));
    }
    // Drop the trailing empty seconds (their slots still hold window-old data).
    const stIdx = this.index(this.lastWrite);
    const eIdx = this.index(now);
    let sum = this.windowTotal;
    for (let i = stIdx + 1; i <= eIdx; i++) sum -= this.buckets[mod(i, n)];
    return roundTo(6, sum / Math.min(validSpan, n - (eIdx - stIdx)));
  }

  resizeWindow(windowMs: number, nowMs: number): void {
    if (windowMs === this.window) return;
    if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
    const newN = Math.ceil(windowMs / this.granularityMs);
    const oldN = this.buckets.length;
    const next = new Array<number>(newN).fill(0);
    let total = 0;
    if (this.truncate(nowMs) - this.lastWrite <= this.window) {
      // Copy the newest min(old, new) slots, walking back from the last write.
      let idx = this.index(this.lastWrite);
      for (let k = 0; k < Math.min(newN, oldN); k++, idx--) {
        const v = this.buckets[mod(idx, oldN)];
        next[mod(idx, newN)] = v;
        total += v;
      }
      // The earliest time we might have data for, as Knative does.
      this.firstWrite = this.lastWrite - (oldN - 1) * this.granularityMs;
    } else {
      this.firstWrite = null;
    }
    this.window = windowMs;
    this.buckets = next;
    this.windowTotal = total;
  }
}

/** Smallest decay multiplier; keeps long windows from degenerating into a plain average. */
export const MIN_SMOOTHING_COEFFICIENT = 0.2;
/** The weights of a full window should add up to at least this. */
export const WEIGHT_PRECISION = 0.9999;

/** α = max(1 − (1 − 0.9999)^(1/buckets), 0.2). 60 buckets ⇒ 0.2; 6 buckets ⇒ ≈0.785. */
export function smoothingCoefficient(numBuckets: number): number {
  return Math.max(1 - Math.pow(1 - WEIGHT_PRECISION, 1 / numBuckets), MIN_SMOOTHING_COEFFICIENT);
}

/**
 * `weighted-exponential`: Σ bucket[newest − i] · α(1 − α)^i, where "newest" is
 * the current bucket — seconds since the last write decay the weights and are
 * not counted. Buckets before the first write count as zeros (no partial-window
 * rescaling, unlike linear).
 */
export class WeightedExponentialBuckets extends LinearBuckets {
  private alpha: number;

  constructor(windowMs: number, granularityMs = 1000) {
    super(windowMs, granularityMs);
    this.alpha = smoothingCoefficient(Math.ceil(windowMs / granularityMs));
  }

  get smoothingCoefficient(): number {
    return this.alpha;
  }

  override windowAverage(nowMs: number): number {
    const now = this.truncate(nowMs);
    if (this.isEmpty(nowMs)) return 0;
    const n = this.buckets.length;
    let count = n;
    let multiplier = this.alpha;
    if (now > this.lastWrite) {
      const idle = Math.trunc((now - this.lastWrite) / this.granularityMs);
      multiplier *= Math.pow(1 - this.alpha, idle);
      count -= idle;
    }
    const start = this.index(this.lastWrite);
    let sum = 0;
    for (let i = 0; i < count; i++) {
      sum += this.buckets[mod(start - i, n)] * multiplier;
      multiplier *= 1 - this.alpha;
    }
    return sum;
  }

  override resizeWindow(windowMs: number, nowMs: number): void {
    super.resizeWindow(windowMs, nowMs);
    this.alpha = smoothingCoefficient(Math.ceil(windowMs / this.granularityMs));
  }
}

export function createWindowAverager(
  algorithm: 'linear' | 'weighted-exponential',
  windowMs: number,
  granularityMs = 1000,
): WindowAverager {
  return algorithm === 'weighted-exponential'
    ? new WeightedExponentialBuckets(windowMs, granularityMs)
    : new LinearBuckets(windowMs, granularityMs);
}

/**
 * Maximum of the values recorded during the last `durationMs` (Knative's
 * aggregation/max TimeWindow), in `granularityMs` slots — the decider uses
 * 2 s slots (its tick). Expiry is relative to the newest record, not the wall
 * clock, so current() reflects the window as of the last record().
 * Implemented as a monotonic queue: O(1) amortised per record.
 */
export class MaxTimeWindow {
  private readonly size: number;
  private readonly granularityMs: number;
  // Slot indexes ascending, values strictly descending; the head is the maximum.
  private readonly slots: number[] = [];
  private readonly values: number[] = [];

  constructor(durationMs: number, granularityMs = 2000) {
    if (!(durationMs > 0) || !(granularityMs > 0)) throw new RangeError('durationMs and granularityMs must be positive');
    this.size = Math.ceil(durationMs / granularityMs);
    this.granularityMs = granularityMs;
  }

  record(nowMs: number, value: number): void {
    const slot = Math.floor(nowMs / this.granularityMs);
    // Values not above the new one can never be the maximum again.
    while (this.values.length > 0 && this.values[this.values.length - 1] <= value) {
      this.values.pop();
      this.slots.pop();
    }
    // Drop what has slid out of the window.
    while (this.slots.length > 0 && slot - this.slots[0] >= this.size) {
      this.slots.shift();
      this.values.shift();
    }
    // Same slot as the surviving tail: the slot keeps its maximum.
    if (this.slots.length > 0 && this.slots[this.slots.length - 1] === slot) {
      value = Math.max(value, this.values[this.values.length - 1]);
      this.slots.pop();
      this.values.pop();
    }
    this.slots.push(slot);
    this.values.push(value);
  }

  /** Maximum over the window; 0 before anything was recorded. */
  current(): number {
    return this.values.length > 0 ? this.values[0] : 0;
  }
}
