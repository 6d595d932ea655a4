// The controller work queue (client-go's workqueue, rewritten): de-duplicated
// string keys, never the same key in two workers at once (a key added while
// being processed is queued again when `done` is called), delayed adds for
// requeue-after, and per-key rate-limited retries. Time comes from the
// injected Clock so backoff is testable without sleeping.
import { realClock, type Clock, type TimerHandle } from './clock.js';

/** Decides how long a key waits before its next retry. */
export interface RateLimiter {
  /** Delay in ms before `key` may be retried; counts a failure. */
  when(key: string): number;
  /** Reset `key`'s failure history (after a success). */
  forget(key: string): void;
  /** Failures counted for `key` since the last forget. */
  numRequeues(key: string): number;
}

/** Per-key exponential backoff: base·2^failures, capped (client-go: 5 ms … 1000 s). */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {
    if (!(baseMs > 0) || !(maxMs >= baseMs)) throw new RangeError(`ItemExponentialRateLimiter: need 0 < baseMs <= maxMs, got ${baseMs}, ${maxMs}`);
  }
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n, which the cap handles.
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }
  forget(key: string): void {
    this.failures.delete(key);
  }
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * Overall token bucket across all keys (client-go: 10 qps, burst 100), so a
 * storm of failures cannot hammer the API. Reservations may drive the bucket
 * negative; the delay is the time until the reserved token exists.
 */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly clock: Clock = realClock,
    readonly qps = 10,
    readonly burst = 100,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`BucketRateLimiter: need qps > 0 and burst >= 1, got ${qps}, ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }
  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }
  forget(): void {}
  numRequeues(): number {
    return 0;
  }
}

/** The largest delay any of `limiters` asks for. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];
  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }
  when(key: string): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(key));
    return max;
  }
  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }
  numRequeues(key: string): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter (which Knative controllers use): max(5ms·2^n capped at 1000s, 10qps/100 burst). */
export function defaultControllerRateLimiter(clock: Clock = realClock): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1_000_000), new BucketRateLimiter(clock, 10, 100));
}

export interface WorkQueueOptions {
  clock?: Clock;
  rateLimiter?: RateLimiter;
  /** For logs and metrics. */
  name?: string;
}

export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  /** FIFO of keys ready to hand out; `head` avoids O(n) shift. */
  private items: string[] = [];
  private head = 0;
  /** Keys that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys waiting for a delayed add: earliest due time wins. */
  private readonly waiting = new Map<string, { due: number; timer: TimerHandle }>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private stopping = false;
  private drained: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.name = opts.name ?? 'queue';
  }

  /** Queue `key` unless it is already queued. Dropped after shutdown. */
  add(key: string): void {
    if (this.stopping || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    this.items.push(key);
    this.dispatch();
  }

  /** Queue `key` after `ms`. If it is already waiting, the earlier time wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopping) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const due = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.due <= due) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { due, timer });
  }

  /** Queue `key` after the rate limiter's delay (counts a failure). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Reset `key`'s retry backoff. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * Next key to process; resolves `undefined` once the queue is shut down and
   * empty. The caller owns the key until it calls `done(key)`.
   */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    if (this.stopping) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Finish processing `key`; if it was re-added meanwhile it is queued again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) {
      this.items.push(key);
      this.dispatch();
    }
    this.checkDrained();
  }

  /** Keys ready to be handed out (not counting delayed or in-flight ones). */
  len(): number {
    return this.items.length - this.head;
  }

  /** Keys waiting for a delayed add. */
  waitingLen(): number {
    return this.waiting.size;
  }

  inFlight(): number {
    return this.processing.size;
  }

  shuttingDown(): boolean {
    return this.stopping;
  }

  /**
   * Stop accepting keys and cancel delayed adds. With `drain` (default) keys
   * already queued are still handed out; resolves when nothing is queued or
   * in flight. Without it queued keys are dropped and only in-flight ones are awaited.
   */
  shutdown(opts: { drain?: boolean } = {}): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const w of this.waiting.values()) this.clock.clearTimeout(w.timer);
      this.waiting.clear();
      if (opts.drain === false) {
        for (let i = this.head; i < this.items.length; i++) this.dirty.delete(this.items[i]);
        this.items = [];
        this.head = 0;
      }
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drained = { promise, resolve };
    }
    this.releaseIdleGetters();
    this.checkDrained();
    return this.drained!.promise;
  }

  private take(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private dispatch(): void {
    while (this.getters.length && this.len() > 0) {
      const g = this.getters.shift()!;
      g(this.take());
    }
    if (this.stopping) this.releaseIdleGetters();
  }

  private releaseIdleGetters(): void {
    if (this.len() > 0) return;
    while (this.getters.length) this.getters.shift()!(undefined);
  }

  private checkDrained(): void {
    if (this.drained && this.len() === 0 && this.processing.size === 0) this.drained.resolve();
  }
}
