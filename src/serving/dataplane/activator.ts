// The activator's per-revision logic (Knative pkg/activator/net/throttler.go),
// without I/O: requests for a revision with no ready endpoints, or whose SKS
// is in Proxy mode, are held in a FIFO (10,000 deep, then 503) and released
// to a pod as soon as one has capacity. Release is event-driven: the gateway
// calls `nextDispatch()` when a snapshot adds endpoints or a request on one of
// the revision's pods finishes — never on a timer.
//
// Load balancing follows Knative's choice by containerConcurrency:
//   CC = 0   → power of two random choices on in-flight (capacity unbounded)
//   CC 1–3   → first pod (in stable name order) with a free slot
//   CC > 3   → round robin, skipping full pods
// Revision capacity = CC × routable pods (∞ for CC 0 once a pod is routable).
// A pod's free slots are judged on its queue's in-flight count, which also
// includes direct (Serve-mode) traffic.

import { ConcurrencyMeter, WaitQueue, type QueueNode, type WindowStats } from './queue.js';

/** Knative's per-revision activator queue depth (breakerQueueDepth). */
export const ACTIVATOR_QUEUE_DEPTH = 10_000;

export type LbPolicy = 'random-choice-2' | 'first-available' | 'round-robin';

export function lbPolicyFor(containerConcurrency: number): LbPolicy {
  if (containerConcurrency === 0) return 'random-choice-2';
  if (containerConcurrency <= 3) return 'first-available';
  return 'round-robin';
}

/** What the activator needs to know about a pod. */
export interface ActivatorPod {
  readonly name: string;
  /** Requests running or queued on the pod (direct + proxied). */
  readonly inFlight: number;
}

export type HoldResult = 'held' | 'held-poke' | 'full';

export class RevisionActivator<W extends QueueNode, P extends ActivatorPod> {
  readonly held = new WaitQueue<W>();
  /** Arrivals and concurrency of requests that came through the activator (held + forwarded). */
  readonly meter: ConcurrencyMeter;
  readonly policy: LbPolicy;
  private pods: P[] = [];
  private rr = 0;

  constructor(
    readonly containerConcurrency: number,
    now: number,
    private readonly random: () => number = Math.random,
    readonly queueDepth = ACTIVATOR_QUEUE_DEPTH,
  ) {
    this.meter = new ConcurrencyMeter(now);
    this.policy = lbPolicyFor(containerConcurrency);
  }

  /** Replaces the routable pods (ready, not draining); kept in name order, as Knative sorts by IP. */
  setPods(pods: P[]): void {
    this.pods = [...pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (this.rr >= this.pods.length) this.rr = 0;
  }

  get podCount(): number {
    return this.pods.length;
  }

  /** CC × routable pods; Infinity for CC 0 with at least one pod. */
  get capacity(): number {
    if (this.pods.length === 0) return 0;
    return this.containerConcurrency === 0 ? Infinity : this.containerConcurrency * this.pods.length;
  }

  /**
   * Takes a request in. 'held-poke' = held, and it is the first request while
   * the revision is at zero: tell the autoscaler now. 'full' = answer 503.
   */
  hold(w: W, now: number): HoldResult {
    this.meter.arrive(now);
    if (this.held.length >= this.queueDepth) {
      this.meter.depart(now);
      return 'full';
    }
    this.held.push(w);
    return this.pods.length === 0 && this.held.length === 1 ? 'held-poke' : 'held';
  }

  /**
   * The next held request that can go now, and the pod it goes to; null when
   * nothing is held or no pod has a free slot. The caller must put the request
   * on the pod's queue before asking again (that is what fills the slot).
   */
  nextDispatch(): { request: W; pod: P } | null {
    if (this.held.length === 0) return null;
    const pod = this.pickPod();
    if (pod === null) return null;
    return { request: this.held.shift()!, pod };
  }

  /** A held request left before being dispatched (timeout, client gone). */
  cancel(w: W, now: number): boolean {
    if (!this.held.remove(w)) return false;
    this.meter.depart(now);
    return true;
  }

  /** A request that came through the activator finished (after dispatch). */
  done(now: number): void {
    this.meter.depart(now);
  }

  report(now: number): WindowStats {
    return this.meter.report(now);
  }

  /** The pod for the next request per the CC policy, or null when all are full / none exist. */
  pickPod(): P | null {
    const pods = this.pods;
    const n = pods.length;
    if (n === 0) return null;
    const cc = this.containerConcurrency;
    switch (this.policy) {
      case 'random-choice-2': {
        if (n === 1) return pods[0]!;
        const i = Math.floor(this.random() * n) % n;
        let j = Math.floor(this.random() * (n - 1)) % (n - 1);
        if (j >= i) j++;
        const a = pods[i]!;
        const b = pods[j]!;
        return b.inFlight < a.inFlight ? b : a;
      }
      case 'first-available': {
        for (let i = 0; i < n; i++) if (pods[i]!.inFlight < cc) return pods[i]!;
        return null;
      }
      case 'round-robin': {
        for (let k = 0; k < n; k++) {
          const idx = (this.rr + k) % n;
          const p = pods[idx]!;
          if (p.inFlight < cc) {
            this.rr = (idx + 1) % n;
            return p;
          }
        }
        return null;
      }
    }
  }
}
