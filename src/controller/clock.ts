// Time for the controller runtime: the `Clock` every queue, informer, tracker,
// recorder and condition set takes by injection, the real clock, and
// `FakeClock` so tests step time by hand instead of sleeping.

/** Opaque handle returned by `Clock.setTimeout`. */
export type TimerHandle = { readonly __timer: true } | object;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(h: TimerHandle | undefined): void;
}

/** The wall clock. Timers keep the process alive, like plain setTimeout. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle,
  clearTimeout: (h) => {
    if (h !== undefined) clearTimeout(h as unknown as NodeJS.Timeout);
  },
};

interface FakeTimer {
  readonly seq: number;
  due: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer due
 * within the window in due-time order (ties: scheduling order), setting `now()`
 * to each timer's due time as it fires, so a callback that schedules another
 * timer inside the window sees it fire in the same call.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  /** Defaults to 2024-01-01T00:00:00Z so timestamps in golden files are stable. */
  constructor(start: number | Date = Date.UTC(2024, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: FakeTimer = { seq: ++this.seq, due: this.current + Math.max(0, ms), fn };
    this.timers.set(t.seq, t);
    return { __timer: true, seq: t.seq } as TimerHandle;
  }

  clearTimeout(h: TimerHandle | undefined): void {
    const seq = (h as { seq?: number } | undefined)?.seq;
    if (seq !== undefined) this.timers.delete(seq);
  }

  /** Move time forward by `ms`, firing due timers. Returns how many fired. */
  advance(ms: number): number {
    if (ms < 0) throw new RangeError(`FakeClock.advance: ms must be >= 0, got ${ms}`);
    const end = this.current + ms;
    let fired = 0;
    for (;;) {
      const next = this.nextTimer();
      if (!next || next.due > end) break;
      this.timers.delete(next.seq);
      if (next.due > this.current) this.current = next.due;
      fired++;
      next.fn();
    }
    this.current = end;
    return fired;
  }

  /** Jump to the next pending timer and fire it (and any others due then). Returns false when none is pending. */
  advanceToNext(): boolean {
    const next = this.nextTimer();
    if (!next) return false;
    this.advance(Math.max(0, next.due - this.current));
    return true;
  }

  /** Set the time without firing anything (only forward). */
  set(ms: number): void {
    if (ms < this.current) throw new RangeError('FakeClock.set: time cannot go backwards');
    this.current = ms;
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer, or undefined. */
  nextDue(): number | undefined {
    return this.nextTimer()?.due;
  }

  private nextTimer(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** RFC 3339 at seconds precision (metav1.Time); lives in api/meta so every layer shares it. */
export { rfc3339 } from '../api/meta.js';
