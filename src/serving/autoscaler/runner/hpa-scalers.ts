// The HPA half of HPA-class revisions. Knative hands these to a Kubernetes
// HorizontalPodAutoscaler; embedded Skiff has no kube-controller-manager, so
// this runs the HPA controller loop itself: one HpaAutoscaler (the pure HPA v2
// algorithm in ../hpa.ts) per PodAutoscaler, synced every 15 s (the HPA
// controller's default --horizontal-pod-autoscaler-sync-period), reading pod
// CPU / memory from a pluggable ProcessMetrics source and writing the scale
// target's replicas through the scale subresource, as the HPA controller does.
// After each sync the PA is enqueued so its reconciler reflects the result.
//
// Differences (documented): a pod without a CPU request counts as requesting
// one core (Kubernetes would refuse to compute utilization); a target found at
// 0 replicas is raised to minReplicas (nobody else would wake it); custom
// metrics have no source, so they report "no metrics".
import type { ApiClient } from '../../../client/client.js';
import type { KObject } from '../../../api/meta.js';
import type { Clock, TimerHandle } from '../../../controller/clock.js';
import type { Lister } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { HpaAutoscaler, type HpaDecision, type HpaMetricTarget, type HpaSpec } from '../hpa.js';
import { isPodReady, revisionPods } from './pods.js';
import type { ProcessMetrics, PodUsage } from './proc-metrics.js';

/** Kubernetes' default HPA sync period. */
export const HPA_SYNC_PERIOD_MS = 15_000;
/**
 * Test knob: `SKIFF_HPA_SYNC_PERIOD_MS` replaces the 15 s sync period so an
 * end-to-end test sees a few HPA syncs in seconds. Not a user setting
 * (Kubernetes has no per-cluster API for it either).
 */
export const HPA_SYNC_PERIOD_ENV = 'SKIFF_HPA_SYNC_PERIOD_MS';

export class HpaSyncPeriodError extends Error {
  readonly code = 'SKIFF_ERR_HPA_SYNC_PERIOD';
  constructor(readonly value: string) {
    super(`${HPA_SYNC_PERIOD_ENV}=${JSON.stringify(value)}: want a whole number of milliseconds between 100 and 3600000`);
    this.name = 'HpaSyncPeriodError';
  }
}

/** The sync period `env` asks for (undefined: the default); HpaSyncPeriodError when the value is not usable. */
export function hpaSyncPeriodFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env[HPA_SYNC_PERIOD_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 100 || n > 3_600_000) throw new HpaSyncPeriodError(raw);
  return n;
}

/** CPU request assumed for a pod that states none (one core). */
export const DEFAULT_CPU_REQUEST_MILLIS = 1000;

/**
 * A CPU quantity as millicores: "250m" → 250, "0.5" → 500, "2" → 2000, 1 → 1000.
 * Undefined when it does not parse.
 */
export function parseCpuMillis(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) && q >= 0 ? q * 1000 : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)(m)?\s*$/.exec(q);
  if (!m) return undefined;
  const v = Number(m[1]);
  return m[2] ? v : v * 1000;
}

/** Σ CPU requests of a pod's containers (millicores); DEFAULT_CPU_REQUEST_MILLIS when none is set. */
export function podCpuRequestMillis(pod: KObject): number {
  let sum = 0;
  let any = false;
  for (const c of pod.spec?.containers ?? []) {
    const r = parseCpuMillis(c?.resources?.requests?.cpu ?? c?.resources?.limits?.cpu);
    if (r !== undefined) {
      sum += r;
      any = true;
    }
  }
  return any && sum > 0 ? sum : DEFAULT_CPU_REQUEST_MILLIS;
}

/**
 * The value the HPA compares with its target, over the pods that have
 * metrics: CPU utilization = Σ usage / Σ requests × 100 (percent); memory =
 * mean bytes per pod; other metrics have no source here. Null without metrics.
 */
export function hpaMetricValue(
  target: HpaMetricTarget,
  pods: ReadonlyArray<{ cpuRequestMillis: number; usage: PodUsage | undefined }>,
): { value: number | null; podsWithMetrics: number } {
  const withMetrics = pods.filter((p) => p.usage !== undefined);
  if (withMetrics.length === 0) return { value: null, podsWithMetrics: 0 };
  if (target.metric === 'cpu') {
    let used = 0;
    let requested = 0;
    for (const p of withMetrics) {
      used += p.usage!.cpuMillis;
      requested += p.cpuRequestMillis;
    }
    return { value: requested > 0 ? (used / requested) * 100 : null, podsWithMetrics: withMetrics.length };
  }
  if (target.metric === 'memory') {
    let bytes = 0;
    for (const p of withMetrics) bytes += p.usage!.memoryBytes;
    return { value: bytes / withMetrics.length, podsWithMetrics: withMetrics.length };
  }
  return { value: null, podsWithMetrics: 0 };
}

export interface HpaScaleTarget {
  /** Group-resource of the scale target, e.g. `apps/deployments`. */
  gr: string;
  namespace: string;
  name: string;
}

export interface HpaSyncResult extends HpaDecision {
  /** The metric value the decision used (null: none). */
  currentValue: number | null;
  /** Replicas of the scale target before the decision. */
  currentReplicas: number;
  at: number;
}

export interface HpaScalersOptions {
  client: ApiClient;
  clock: Clock;
  logger?: Logger;
  /** Lister for the scale targets (Deployments). */
  targets: Lister;
  /** Pod lister with the revision index (see pods.ts). */
  pods: Lister;
  processMetrics?: ProcessMetrics;
  /** Called after each sync that changed the result; enqueue the PA. */
  onChange(key: string): void;
  syncPeriodMs?: number;
  /**
   * Kubernetes' --horizontal-pod-autoscaler-initial-readiness-delay: a pod's
   * CPU is ignored until it has been Ready this long, so its start-up burst is
   * not read as load (default 30 s; env SKIFF_HPA_INITIAL_READINESS_DELAY_MS).
   */
  initialReadinessDelayMs?: number;
}

export const HPA_INITIAL_READINESS_DELAY_ENV = 'SKIFF_HPA_INITIAL_READINESS_DELAY_MS';

export class HpaInitialReadinessDelayError extends Error {
  readonly code = 'SKIFF_ERR_HPA_INITIAL_READINESS_DELAY';
  constructor(readonly value: string) {
    super(`${HPA_INITIAL_READINESS_DELAY_ENV}=${JSON.stringify(value)}: want a whole number of milliseconds between 0 and 3600000`);
    this.name = 'HpaInitialReadinessDelayError';
  }
}
export const DEFAULT_INITIAL_READINESS_DELAY_MS = 30_000;

export function initialReadinessDelayFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env[HPA_INITIAL_READINESS_DELAY_ENV];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 3_600_000)
    throw new HpaInitialReadinessDelayError(raw);
  return n;
}

/** When the pod's Ready condition last turned True (ms), or undefined. */
export function readySinceMs(pod: KObject): number | undefined {
  const c = (pod.status?.conditions ?? []).find((x: { type: string }) => x.type === 'Ready');
  const t = c?.status === 'True' ? Date.parse(c.lastTransitionTime ?? '') : NaN;
  return Number.isFinite(t) ? t : undefined;
}

interface Entry {
  readonly key: string;
  readonly hpa: HpaAutoscaler;
  spec: HpaSpec;
  target: HpaScaleTarget;
  timer: TimerHandle | undefined;
  running: boolean;
  last: HpaSyncResult | undefined;
}

export class HpaScalers {
  private readonly entries = new Map<string, Entry>();
  private readonly log: Logger;
  private readonly period: number;
  private stopped = false;

  constructor(private readonly opts: HpaScalersOptions) {
    this.log = opts.logger ?? silentLogger;
    this.period = opts.syncPeriodMs ?? HPA_SYNC_PERIOD_MS;
  }

  /** Create or update the HPA of PA `key`; the first sync runs at once (asynchronously). */
  ensure(key: string, spec: HpaSpec, target: HpaScaleTarget): HpaSyncResult | undefined {
    let e = this.entries.get(key);
    if (!e) {
      e = { key, hpa: new HpaAutoscaler(spec), spec, target, timer: undefined, running: false, last: undefined };
      this.entries.set(key, e);
      this.schedule(e, 0);
    } else {
      e.hpa.update(spec);
      e.spec = spec;
      e.target = target;
    }
    return e.last;
  }

  last(key: string): HpaSyncResult | undefined {
    return this.entries.get(key)?.last;
  }

  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    this.opts.clock.clearTimeout(e.timer);
    this.entries.delete(key);
    return true;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) this.opts.clock.clearTimeout(e.timer);
    this.entries.clear();
  }

  /** Run one sync of `key` now (tests; the timer calls the same). */
  async syncNow(key: string): Promise<HpaSyncResult | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    await this.sync(e);
    return e.last;
  }

  private schedule(e: Entry, delayMs: number): void {
    if (this.stopped) return;
    e.timer = this.opts.clock.setTimeout(() => {
      if (this.entries.get(e.key) !== e) return;
      this.schedule(e, this.period);
      void this.sync(e);
    }, delayMs);
  }

  private async sync(e: Entry): Promise<void> {
    if (e.running) return; // a slow sync (metrics I/O) must not overlap the next
    e.running = true;
    try {
      const { gr, namespace, name } = e.target;
      const target = this.opts.targets.get(namespace, name);
      if (!target) {
        this.log.debug('hpa: scale target not found', { key: e.key, target: `${gr} ${namespace}/${name}` });
        return;
      }
      const currentReplicas = typeof target.spec?.replicas === 'number' ? target.spec.replicas : 1;
      const ready = revisionPods(this.opts.pods, e.key).filter(isPodReady);
      const pm = this.opts.processMetrics;
      if (pm?.prepare) await pm.prepare(ready.map((p) => ({ namespace: p.metadata.namespace ?? '', pod: p.metadata.name ?? '' })));
      const now = this.opts.clock.now();
      const delay = this.opts.initialReadinessDelayMs ?? DEFAULT_INITIAL_READINESS_DELAY_MS;
      const warm = (p: KObject) => {
        if (e.spec.target.metric !== 'cpu') return true;
        const since = readySinceMs(p);
        return since === undefined || now - since >= delay;
      };
      const { value } = hpaMetricValue(
        e.spec.target,
        ready.map((p) => ({ cpuRequestMillis: podCpuRequestMillis(p), usage: warm(p) ? pm?.podUsage(p.metadata.namespace ?? '', p.metadata.name ?? '') : undefined })),
      );
      const decision: HpaDecision =
        currentReplicas === 0
          ? { desiredReplicas: e.spec.minReplicas, reason: 'TooFewReplicas', metricReplicas: null }
          : e.hpa.reconcile(now, currentReplicas, value);
      if (this.entries.get(e.key) !== e) return; // deleted while we read metrics
      if (decision.desiredReplicas !== currentReplicas) {
        this.log.info('hpa: scaling', { key: e.key, from: currentReplicas, to: decision.desiredReplicas, reason: decision.reason, value });
        await this.opts.client.patch(gr, namespace, name, { spec: { replicas: decision.desiredReplicas } }, { type: 'merge', subresource: 'scale' });
      }
      const prev = e.last;
      e.last = { ...decision, currentValue: value, currentReplicas, at: now };
      if (!prev || prev.desiredReplicas !== decision.desiredReplicas || prev.reason !== decision.reason) this.opts.onChange(e.key);
    } catch (err) {
      this.log.error('hpa sync failed', { key: e.key, error: err instanceof Error ? err.message : String(err) });
    } finally {
      e.running = false;
    }
  }
}
