// The queue (queue-proxy's role), one per pod, kept free of I/O so it can be
// tested with a fake clock:
// - Breaker: Knative's queue.Breaker — at most `maxConcurrency` requests run,
//   up to `queueDepth` more wait in FIFO order, anything beyond is rejected
//   (503 `pending request queue full`). maxConcurrency 0 = pass-through.
// - ConcurrencyMeter: time-weighted average in-flight and arrivals per window
//   (queue-proxy's RequestStats); PodQueue keeps one for all requests and one
//   for the activator-proxied part (`K-Proxy-Request: activator`).
// - DeadlineSweeper: per-request timeouts (timeoutSeconds, responseStart,
//   idle) checked by one periodic sweep instead of a timer per request; the
//   list is intrusive, so registering a request allocates nothing.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Knative's breakerQueueDepth factor: queue-proxy queues 10 × containerConcurrency. */
export const QUEUE_DEPTH_FACTOR = 10;
export const QUEUE_FULL_BODY = 'pending request queue full\n';
export const REQUEST_TIMEOUT_BODY = 'request timeout\n';
export const ACTIVATOR_TIMEOUT_BODY = 'activator request timeout\n';

// ---- intrusive FIFO ----

/** A node of a WaitQueue; a request object carries these fields itself. */
export interface QueueNode {
  qPrev: QueueNode | null;
  qNext: QueueNode | null;
  qOwner: WaitQueue<QueueNode> | null;
}

/** FIFO with O(1) removal from the middle (a queued request whose client left). */
export class WaitQueue<T extends QueueNode> {
  private head: T | null = null;
  private tail: T | null = null;
  length = 0;

  push(n: T): void {
    n.qPrev = this.tail;
    n.qNext = null;
    n.qOwner = this as unknown as WaitQueue<QueueNode>;
    if (this.tail) this.tail.qNext = n;
    else this.head = n;
    this.tail = n;
    this.length++;
  }

  shift(): T | null {
    const n = this.head;
    if (n === null) return null;
    this.unlink(n);
    return n;
  }

  peek(): T | null {
    return this.head;
  }

  /** Removes `n` if it is in this queue; false otherwise. */
  remove(n: T): boolean {
    if (n.qOwner !== (this as unknown as WaitQueue<QueueNode>)) return false;
    this.unlink(n);
    return true;
  }

  private unlink(n: T): void {
    if (n.qPrev) n.qPrev.qNext = n.qNext;
    else this.head = n.qNext as T | null;
    if (n.qNext) n.qNext.qPrev = n.qPrev;
    else this.tail = n.qPrev as T | null;
    n.qPrev = n.qNext = null;
    n.qOwner = null;
    this.length--;
  }
}

// ---- breaker ----

export type AcquireResult = 'run' | 'queued' | 'full';

/**
 * Knative's Breaker: `maxConcurrency` slots plus `queueDepth` waiting places
 * (total pending bounded by their sum). maxConcurrency 0 means unlimited.
 */
export class Breaker<T extends QueueNode> {
  inFlight = 0;
  private readonly waiting = new WaitQueue<T>();

  constructor(
    public maxConcurrency: number,
    public readonly queueDepth: number,
  ) {}

  /** Requests running plus waiting. */
  get pending(): number {
    return this.inFlight + this.waiting.length;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** 'run': the slot is taken, go; 'queued': `w` gets a slot later via release(); 'full': reject. */
  acquire(w: T): AcquireResult {
    if (this.maxConcurrency === 0 || this.inFlight < this.maxConcurrency) {
      this.inFlight++;
      return 'run';
    }
    if (this.waiting.length >= this.queueDepth) return 'full';
    this.waiting.push(w);
    return 'queued';
  }

  /** Frees a slot. Returns the waiter that now holds it (the caller runs it), or null. */
  release(): T | null {
    this.inFlight--;
    if (this.maxConcurrency !== 0 && this.inFlight >= this.maxConcurrency) return null;
    const next = this.waiting.shift();
    if (next !== null) this.inFlight++;
    return next;
  }

  /** Removes a waiting request (client gone, timeout). */
  cancel(w: T): boolean {
    return this.waiting.remove(w);
  }
}

// ---- stats ----

export interface WindowStats {
  averageConcurrency: number;
  requestCount: number;
}

/** Time-weighted average of in-flight requests and the arrival count, per report window. */
export class ConcurrencyMeter {
  inFlight = 0;
  private area = 0;
  private last: number;
  private windowStart: number;
  private arrivals = 0;

  constructor(now: number) {
    this.last = now;
    this.windowStart = now;
  }

  arrive(now: number): void {
    this.advance(now);
    this.inFlight++;
    this.arrivals++;
  }

  depart(now: number): void {
    this.advance(now);
    this.inFlight--;
  }

  /** True when nothing happened in the current window and nothing is in flight. */
  get quiet(): boolean {
    return this.inFlight === 0 && this.arrivals === 0 && this.area === 0;
  }

  /** Closes the window at `now` and starts the next. */
  report(now: number): WindowStats {
    this.advance(now);
    const w = now - this.windowStart;
    const averageConcurrency = w > 0 ? this.area / w : this.inFlight;
    const out = { averageConcurrency, requestCount: this.arrivals };
    this.area = 0;
    this.arrivals = 0;
    this.windowStart = now;
    return out;
  }

  private advance(now: number): void {
    if (now > this.last) {
      this.area += this.inFlight * (now - this.last);
      this.last = now;
    }
  }
}

// ---- per-pod queue ----

export interface PodWindowStats {
  averageConcurrency: number;
  requestCount: number;
  proxiedConcurrency: number;
  proxiedRequestCount: number;
}

/**
 * What queue-proxy does for one pod: the containerConcurrency breaker (queue
 * 10 × CC) and the request stats, split into direct and activator-proxied.
 * Probes never enter it. `inFlight` counts running + queued, as Knative does.
 */
export class PodQueue<T extends QueueNode> {
  readonly breaker: Breaker<T>;
  readonly all: ConcurrencyMeter;
  readonly proxied: ConcurrencyMeter;
  draining = false;

  constructor(containerConcurrency: number, now: number) {
    this.breaker = new Breaker<T>(containerConcurrency, QUEUE_DEPTH_FACTOR * containerConcurrency);
    this.all = new ConcurrencyMeter(now);
    this.proxied = new ConcurrencyMeter(now);
  }

  get inFlight(): number {
    return this.all.inFlight;
  }

  /** A request arrives (counted even when rejected, like queue-proxy's ReqIn before the breaker). */
  enter(w: T, viaActivator: boolean, now: number): AcquireResult {
    this.all.arrive(now);
    if (viaActivator) this.proxied.arrive(now);
    const r = this.breaker.acquire(w);
    if (r === 'full') this.leaveStats(viaActivator, now);
    return r;
  }

  /** A running request finished. Returns the waiter that may run now, or null. */
  leave(viaActivator: boolean, now: number): T | null {
    this.leaveStats(viaActivator, now);
    return this.breaker.release();
  }

  /** A queued request gave up (client gone or timed out) before running. */
  cancelQueued(w: T, viaActivator: boolean, now: number): void {
    if (this.breaker.cancel(w)) this.leaveStats(viaActivator, now);
  }

  report(now: number): PodWindowStats {
    const a = this.all.report(now);
    const p = this.proxied.report(now);
    return {
      averageConcurrency: a.averageConcurrency,
      requestCount: a.requestCount,
      proxiedConcurrency: p.averageConcurrency,
      proxiedRequestCount: p.requestCount,
    };
  }

  private leaveStats(viaActivator: boolean, now: number): void {
    this.all.depart(now);
    if (viaActivator) this.proxied.depart(now);
  }
}

// ---- timeouts ----

export type TimeoutKind = 'request' | 'responseStart' | 'idle';

/** A request under timeout watch; the fields live on the request object itself. */
export interface TimedRequest {
  tPrev: TimedRequest | null;
  tNext: TimedRequest | null;
  tListed: boolean;
  /** Absolute ms: timeoutSeconds after arrival (waiting counts). */
  deadlineAt: number;
  /** Absolute ms, or Infinity once the first response byte went out (or when unset). */
  responseStartAt: number;
  /** 0 = off; otherwise 504 when nothing was written for this long. */
  idleMs: number;
  /** Last write to the client (arrival before the first write). */
  lastWriteAt: number;
  onTimeout(kind: TimeoutKind): void;
}

/** Which timeout (if any) has fired for `r` at `now`. */
export function expiredTimeout(r: TimedRequest, now: number): TimeoutKind | null {
  if (now >= r.deadlineAt) return 'request';
  if (now >= r.responseStartAt) return 'responseStart';
  if (r.idleMs > 0 && now - r.lastWriteAt >= r.idleMs) return 'idle';
  return null;
}

/**
 * Holds the requests under timeout watch in an intrusive list; `sweep(now)`
 * fires the expired ones. The caller runs sweep on a short interval; the
 * resolution is that interval (timeouts are whole seconds in Knative).
 */
export class DeadlineSweeper {
  private head: TimedRequest | null = null;
  size = 0;

  add(r: TimedRequest): void {
    if (r.tListed) return;
    r.tListed = true;
    r.tPrev = null;
    r.tNext = this.head;
    if (this.head) this.head.tPrev = r;
    this.head = r;
    this.size++;
  }

  remove(r: TimedRequest): void {
    if (!r.tListed) return;
    r.tListed = false;
    if (r.tPrev) r.tPrev.tNext = r.tNext;
    else this.head = r.tNext;
    if (r.tNext) r.tNext.tPrev = r.tPrev;
    r.tPrev = r.tNext = null;
    this.size--;
  }

  /** Fires onTimeout for every expired request (removed from the watch first). Returns how many fired. */
  sweep(now: number): number {
    let fired = 0;
    let r = this.head;
    while (r !== null) {
      const next = r.tNext;
      const kind = expiredTimeout(r, now);
      if (kind !== null) {
        this.remove(r);
        fired++;
        r.onTimeout(kind);
      }
      r = next;
    }
    return fired;
  }
}
