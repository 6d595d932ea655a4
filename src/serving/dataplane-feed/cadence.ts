// StatsCadence: how regularly the data plane's 1 s stats reach the
// autoscaler — the "tick integrity" evidence for the data-plane side, next to
// the MultiScaler's tick lateness. Per report it takes the window the worker
// measured (its ticker's lateness shows as windowMs > 1000), the gap between
// arrivals on the main thread, and the delivery delay (main-thread receipt −
// worker send time: how long the message waited for a busy main thread).
// Pure: times are passed in (ms, same epoch clock on both threads).

export interface RangeStats {
  min: number;
  max: number;
  avg: number;
}

export interface StatsCadenceSnapshot {
  /** Stats messages received since the last reset. */
  reports: number;
  /** The worker's report windows (ms): ~1000 when its ticker is on time. */
  windowMs: RangeStats;
  /** Time between consecutive arrivals on the main thread (ms). */
  arrivalGapMs: RangeStats;
  /** Receipt on the main thread − send time in the worker (ms). */
  deliveryDelayMs: RangeStats;
  /** Since when these counters run (ms). */
  since: number;
}

class Range {
  min = Infinity;
  max = -Infinity;
  sum = 0;
  n = 0;
  add(x: number): void {
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.sum += x;
    this.n++;
  }
  read(): RangeStats {
    if (this.n === 0) return { min: 0, max: 0, avg: 0 };
    return { min: this.min, max: this.max, avg: Math.round((this.sum / this.n) * 100) / 100 };
  }
}

export class StatsCadence {
  private windows = new Range();
  private gaps = new Range();
  private delays = new Range();
  private lastArrival: number | undefined;
  private since: number;

  constructor(now: number) {
    this.since = now;
  }

  /** One stats message: the worker's send time and window, and when the main thread got it. */
  record(sentAt: number, windowMs: number, receivedAt: number): void {
    if (Number.isFinite(windowMs)) this.windows.add(windowMs);
    if (Number.isFinite(sentAt)) this.delays.add(Math.max(0, receivedAt - sentAt));
    if (this.lastArrival !== undefined) this.gaps.add(receivedAt - this.lastArrival);
    this.lastArrival = receivedAt;
  }

  snapshot(): StatsCadenceSnapshot {
    return { reports: this.windows.n, windowMs: this.windows.read(), arrivalGapMs: this.gaps.read(), deliveryDelayMs: this.delays.read(), since: this.since };
  }

  /** Start counting afresh (the next arrival starts a new gap series). */
  reset(now: number): void {
    this.windows = new Range();
    this.gaps = new Range();
    this.delays = new Range();
    this.lastArrival = undefined;
    this.since = now;
  }
}
