// A drift-corrected periodic timer: tick n fires at start + n × period (not
// "period after the previous callback"), so the data plane's 1 s stats stay on
// the second even when the event loop is busy; a tick that comes late is
// reported with the real window length, and ticks missed entirely are skipped
// rather than fired in a burst. Timers and clock are injected for tests.

import type { Clock } from './queue.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class DriftFreeTicker {
  private next = 0;
  private last = 0;
  private handle: unknown = null;

  constructor(
    private readonly periodMs: number,
    private readonly clock: Clock,
    /** Called with the tick time and the actual window since the previous tick. */
    private readonly onTick: (now: number, windowMs: number) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  start(): void {
    this.last = this.clock.now();
    this.next = this.last + this.periodMs;
    this.schedule();
  }

  stop(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private schedule(): void {
    this.handle = this.timers.setTimeout(this.fire, Math.max(0, this.next - this.clock.now()));
  }

  private fire = (): void => {
    this.handle = null;
    const now = this.clock.now();
    const windowMs = now - this.last;
    this.last = now;
    this.next += this.periodMs;
    if (this.next <= now) this.next += Math.ceil((now - this.next + 1) / this.periodMs) * this.periodMs;
    this.schedule();
    this.onTick(now, windowMs);
  };
}
