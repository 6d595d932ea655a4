// The MultiScaler (knative/serving pkg/autoscaler/scaling/multiscaler.go): one
// Decider per KPA-class PodAutoscaler, each ticking every 2 s on the injected
// Clock, woken at once by a poke while it wants 0 pods, and calling back
// (to enqueue the PA for the KPA reconciler) when its desired scale or the
// sign of its excess burst capacity changes.
//
// Ticks are drift-corrected: each one is scheduled for its slot
// (created + n × 2 s), not "2 s after the previous one fired", so a late tick
// does not push every later one back; slots missed entirely are skipped and
// counted. Lateness (fire time − slot) is measured on every tick and exposed
// by stats() — the "tick integrity under load" evidence — and summarised in a
// debug log line once a minute.
import { isDeepStrictEqual } from 'node:util';
import type { Clock, TimerHandle } from '../../../controller/clock.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import type { ScalingSpec } from '../annotations.js';
import { computeNumActivators, Decider, DECIDER_TICK_MS, type Stat } from '../decider.js';

/** Upper bounds (ms) of the lateness histogram buckets; the last bucket is open-ended. */
export const LATENESS_BUCKETS_MS: readonly number[] = Object.freeze([1, 5, 10, 25, 50, 100, 250, 500, 1000]);
/** How often the tick summary is logged at debug level. */
const SUMMARY_EVERY_MS = 60_000;

/** What the KPA reconciler reads for one revision (Knative's Decider.Status). */
export interface DeciderSnapshot {
  /** -1 until the first valid decision. */
  readonly desiredScale: number;
  readonly excessBurstCapacity: number;
  /** Activators the SKS should use for the current ready pods. */
  readonly numActivators: number;
  readonly panicking: boolean;
}

export interface TickStats {
  /** Deciders currently ticking. */
  deciders: number;
  /** Ticks run since the last reset. */
  ticks: number;
  /** Immediate decisions run because of pokes. */
  pokes: number;
  /** Whole tick slots skipped because a tick fired more than one period late. */
  skippedTicks: number;
  /** Largest and mean lateness of a tick behind its slot, ms. */
  maxLatenessMs: number;
  avgLatenessMs: number;
  /** Counts per LATENESS_BUCKETS_MS bucket (≤ 1, ≤ 5, … ≤ 1000, > 1000 ms). */
  latenessHistogram: number[];
  /** Decisions that changed desired scale or EBC sign (each enqueued the PA). */
  changes: number;
  /** Decisions or callbacks that threw (logged). */
  errors: number;
  /** Since when these counters run (ms). */
  since: number;
}

export interface MultiScalerOptions {
  clock: Clock;
  logger?: Logger;
  /** Ready pods of revision `namespace/name` now (0 if unknown). */
  readyPods(key: string): number;
  /** Called when a decider's desired scale or EBC sign changed; enqueue the PA. */
  onChange(key: string): void;
  /** Tick period (default 2 s, Knative's tickInterval). */
  tickMs?: number;
}

interface Entry {
  readonly key: string;
  readonly decider: Decider;
  spec: ScalingSpec;
  reachable: boolean;
  numActivators: number;
  /** The slot the pending timer is for. */
  nextDue: number;
  timer: TimerHandle | undefined;
}

export class MultiScaler {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly tickMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly opts: MultiScalerOptions;
  private counters!: Omit<TickStats, 'deciders' | 'avgLatenessMs'> & { latenessSum: number };
  private lastSummaryAt: number;
  private stopped = false;

  constructor(opts: MultiScalerOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    this.log = opts.logger ?? silentLogger;
    this.tickMs = opts.tickMs ?? DECIDER_TICK_MS;
    if (!(this.tickMs > 0)) throw new RangeError(`MultiScaler: tickMs must be positive, got ${this.tickMs}`);
    this.resetStats();
    this.lastSummaryAt = this.clock.now();
  }

  /**
   * Create the decider for `key`, or update its spec / reachability when they
   * changed (Knative's Create/Update). Returns the decider's current status.
   */
  ensure(key: string, spec: ScalingSpec, opts: { reachable: boolean }): DeciderSnapshot {
    if (this.stopped) throw new Error('MultiScaler: stopped');
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (!e) {
      const ready = this.readyPods(key);
      e = {
        key,
        decider: new Decider({ spec, now, readyPods: ready, reachable: opts.reachable }),
        spec,
        reachable: opts.reachable,
        numActivators: computeNumActivators(ready, spec),
        nextDue: now + this.tickMs,
        timer: undefined,
      };
      this.entries.set(key, e);
      this.schedule(e, now);
      this.log.debug('decider created', { key, readyPods: ready });
    } else if (e.reachable !== opts.reachable || !isDeepStrictEqual(e.spec, spec)) {
      e.decider.update(spec, now, opts.reachable);
      e.spec = spec;
      e.reachable = opts.reachable;
      this.log.debug('decider updated', { key });
    }
    return this.snapshot(e);
  }

  /** Stop and forget the decider of `key` (its PA is gone or changed class). */
  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    this.clock.clearTimeout(e.timer);
    this.entries.delete(key);
    this.log.debug('decider deleted', { key });
    return true;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The decider's status; undefined when there is none. */
  status(key: string): DeciderSnapshot | undefined {
    const e = this.entries.get(key);
    return e && this.snapshot(e);
  }

  /** The spec the decider of `key` runs with (the metrics sink needs its TBC). */
  specOf(key: string): ScalingSpec | undefined {
    return this.entries.get(key)?.spec;
  }

  /** Record a revision-wide stat. Returns false when there is no decider for `key` (stat dropped). */
  record(key: string, now: number, stat: Stat): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    e.decider.record(now, stat);
    return true;
  }

  /**
   * Knative's Poke: decide at once when the decider currently wants no pods
   * (0, or -1 before its first decision — Knative waits for the next tick
   * there; deciding at once only makes a cold start faster). Returns whether a
   * decision ran.
   */
  poke(key: string, now: number = this.clock.now()): boolean {
    const e = this.entries.get(key);
    if (!e || e.decider.status.desiredScale > 0) return false;
    this.counters.pokes++;
    this.decide(e, now);
    return true;
  }

  /** Tick counters since the last reset. */
  stats(): TickStats {
    const c = this.counters;
    return {
      deciders: this.entries.size,
      ticks: c.ticks,
      pokes: c.pokes,
      skippedTicks: c.skippedTicks,
      maxLatenessMs: c.maxLatenessMs,
      avgLatenessMs: c.ticks ? c.latenessSum / c.ticks : 0,
      latenessHistogram: [...c.latenessHistogram],
      changes: c.changes,
      errors: c.errors,
      since: c.since,
    };
  }

  resetStats(): void {
    this.counters = {
      ticks: 0,
      pokes: 0,
      skippedTicks: 0,
      maxLatenessMs: 0,
      latenessSum: 0,
      latenessHistogram: new Array(LATENESS_BUCKETS_MS.length + 1).fill(0),
      changes: 0,
      errors: 0,
      since: this.clock.now(),
    };
  }

  /** Stop every decider's timer. */
  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) this.clock.clearTimeout(e.timer);
    this.entries.clear();
  }

  // ---- internals ----

  private snapshot(e: Entry): DeciderSnapshot {
    const st = e.decider.status;
    return { desiredScale: st.desiredScale, excessBurstCapacity: st.excessBurstCapacity, numActivators: e.numActivators, panicking: e.decider.panicking };
  }

  private readyPods(key: string): number {
    try {
      return Math.max(0, this.opts.readyPods(key));
    } catch (err) {
      this.counters.errors++;
      this.log.error('ready pod count failed', { key, error: err instanceof Error ? err.message : String(err) });
      return 0;
    }
  }

  private schedule(e: Entry, now: number): void {
    e.timer = this.clock.setTimeout(() => this.onTick(e), Math.max(0, e.nextDue - now));
  }

  private onTick(e: Entry): void {
    if (this.entries.get(e.key) !== e) return; // deleted meanwhile
    const now = this.clock.now();
    const lateness = Math.max(0, now - e.nextDue);
    const c = this.counters;
    c.ticks++;
    c.latenessSum += lateness;
    if (lateness > c.maxLatenessMs) c.maxLatenessMs = lateness;
    let b = 0;
    while (b < LATENESS_BUCKETS_MS.length && lateness > LATENESS_BUCKETS_MS[b]) b++;
    c.latenessHistogram[b]++;
    // Next slot; if we are a whole period or more behind, skip the missed slots.
    let next = e.nextDue + this.tickMs;
    if (next <= now) {
      const missed = Math.floor((now - next) / this.tickMs) + 1;
      c.skippedTicks += missed;
      next += missed * this.tickMs;
    }
    e.nextDue = next;
    this.schedule(e, now); // before deciding, so a throwing decision cannot stop the ticks
    this.decide(e, now);
    if (now - this.lastSummaryAt >= SUMMARY_EVERY_MS) {
      this.lastSummaryAt = now;
      const s = this.stats();
      this.log.debug('autoscaler tick integrity', {
        deciders: s.deciders,
        ticks: s.ticks,
        maxLatenessMs: s.maxLatenessMs,
        avgLatenessMs: Math.round(s.avgLatenessMs * 100) / 100,
        skippedTicks: s.skippedTicks,
        pokes: s.pokes,
      });
    }
  }

  private decide(e: Entry, now: number): void {
    try {
      const r = e.decider.scale(now, this.readyPods(e.key));
      e.numActivators = r.numActivators;
      if (r.valid && r.changed) {
        this.counters.changes++;
        this.log.debug('desired scale changed', {
          key: e.key,
          desiredScale: r.desiredPodCount,
          excessBurstCapacity: r.excessBurstCapacity,
          panicking: r.panicking,
          observedStable: r.observedStableValue,
          observedPanic: r.observedPanicValue,
        });
        this.opts.onChange(e.key);
      }
    } catch (err) {
      this.counters.errors++;
      this.log.error('decider tick failed', { key: e.key, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
