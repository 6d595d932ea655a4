// The autoscaler's metrics intake (Knative's collector + the activator's
// websocket stat sink, pkg/autoscaler/metrics/collector.go and
// statserver): the data-plane bridge hands it each second's per-pod queue
// stats and the activator's per-revision stats, and its pokes. Nothing is
// scraped — in embedded mode the data plane pushes.
//
// Per revision and report it builds what Knative records:
// - pods: the revision-wide total. Knative samples pods and extrapolates
//   (Σ sample / n × N); we see every pod, so the total is the plain sum. The
//   activator-proxied part of each pod's numbers is passed along to be
//   subtracted (concurrency − proxied, rps − proxied): the activator counts
//   those requests itself.
// - activator: recorded into the same 1 s buckets, where the two add up.
// With target-burst-capacity −1 the activator sees every request, and Knative
// does not scrape pods then, so only the activator's stats are recorded.
// An empty pod list records nothing (Knative's scraper has no stat for a
// revision without pods; recording zeros would fake an idle history).
import type { Stat } from '../decider.js';
import type { MultiScaler } from './multiscaler.js';

export interface PodStatInput {
  pod: string;
  /** Average in-flight requests over the report window, including activator-proxied ones. */
  averageConcurrency: number;
  /** Requests that arrived in the window, including proxied ones. */
  requestCount: number;
  /** The activator-proxied part of averageConcurrency (0 when absent). */
  proxiedConcurrency?: number;
  /** The activator-proxied part of requestCount (0 when absent). */
  proxiedRequestCount?: number;
}

export interface ActivatorStatInput {
  averageConcurrency: number;
  requestCount: number;
}

export interface RevisionStatsInput {
  pods: readonly PodStatInput[];
  activator?: ActivatorStatInput;
}

export interface MetricsSinkStats {
  /** Reports accepted (recorded into a decider). */
  records: number;
  /** Reports for revisions without a decider (no KPA PodAutoscaler yet, or another class). */
  dropped: number;
  pokes: number;
  /** Numbers that were not finite non-negative and were read as 0. */
  badValues: number;
}

/** What the sink needs from the multiscaler (the MultiScaler implements it). */
export type MetricsTarget = Pick<MultiScaler, 'record' | 'poke' | 'specOf'>;

/**
 * Σ over pods of concurrency and request counts, with the proxied parts
 * summed separately. Undefined for an empty list. Pure; `bad` counts values
 * that were not finite non-negative numbers (read as 0).
 */
export function sumPodStats(pods: readonly PodStatInput[], bad?: { count: number }): Stat | undefined {
  if (pods.length === 0) return undefined;
  let concurrency = 0;
  let rps = 0;
  let proxiedConcurrency = 0;
  let proxiedRps = 0;
  for (const p of pods) {
    concurrency += clean(p.averageConcurrency, bad);
    rps += clean(p.requestCount, bad);
    if (p.proxiedConcurrency !== undefined) proxiedConcurrency += clean(p.proxiedConcurrency, bad);
    if (p.proxiedRequestCount !== undefined) proxiedRps += clean(p.proxiedRequestCount, bad);
  }
  return { concurrency, rps, proxiedConcurrency, proxiedRps };
}

/** The activator's report as a Stat (it has no proxied part). */
export function activatorStat(a: ActivatorStatInput, bad?: { count: number }): Stat {
  return { concurrency: clean(a.averageConcurrency, bad), rps: clean(a.requestCount, bad) };
}

function clean(x: unknown, bad?: { count: number }): number {
  if (typeof x === 'number' && Number.isFinite(x) && x >= 0) return x;
  if (bad && x !== undefined) bad.count++;
  return 0;
}

/** The stat Knative's activator sends the moment a revision's first request arrives. */
const FIRST_REQUEST_STAT: Stat = Object.freeze({ concurrency: 1, rps: 1 });

export class MetricsSink {
  private readonly counters: MetricsSinkStats = { records: 0, dropped: 0, pokes: 0, badValues: 0 };
  private readonly bad = { count: 0 };

  constructor(private readonly target: MetricsTarget) {}

  /**
   * One report for revision `revKey` (`namespace/name`) at `now` (ms). Returns
   * false when the revision has no decider (the stat is dropped, as Knative's
   * collector drops stats for unknown metrics).
   */
  record(revKey: string, now: number, stats: RevisionStatsInput): boolean {
    // The worker is ours, but a malformed message must not take the main thread down.
    if (typeof revKey !== 'string' || !stats || typeof stats !== 'object' || !Number.isFinite(now)) {
      this.counters.badValues++;
      return false;
    }
    const spec = this.target.specOf(revKey);
    if (!spec) {
      this.counters.dropped++;
      return false;
    }
    this.bad.count = 0;
    if (spec.targetBurstCapacity !== -1 && Array.isArray(stats.pods)) {
      const podTotal = sumPodStats(stats.pods, this.bad);
      if (podTotal) this.target.record(revKey, now, podTotal);
    }
    if (stats.activator && typeof stats.activator === 'object') {
      const a = activatorStat(stats.activator, this.bad);
      this.target.record(revKey, now, a);
      // Every activator stat goes through Knative's Poke: it wakes a decider that wants 0.
      if (a.concurrency !== 0) this.target.poke(revKey, now);
    }
    this.counters.badValues += this.bad.count;
    this.counters.records++;
    return true;
  }

  /**
   * A request is waiting for a revision without ready endpoints: record the
   * activator's first-request stat (concurrency 1) and decide at once if the
   * decider wants 0 pods. Returns false when the revision has no decider.
   */
  poke(revKey: string, now: number): boolean {
    if (typeof revKey !== 'string' || !Number.isFinite(now)) {
      this.counters.badValues++;
      return false;
    }
    if (!this.target.specOf(revKey)) {
      this.counters.dropped++;
      return false;
    }
    this.counters.pokes++;
    this.target.record(revKey, now, FIRST_REQUEST_STAT);
    this.target.poke(revKey, now);
    return true;
  }

  stats(): MetricsSinkStats {
    return { ...this.counters };
  }
}
