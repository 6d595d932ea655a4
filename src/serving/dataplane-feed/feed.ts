// DataPlaneFeed: the main-thread side of the data plane. It watches the API
// (KIngresses, Revisions, ServerlessServices, Pods, Services, config maps)
// through shared informers, turns them into the worker's snapshots
// (snapshots.ts) — per changed key, posted as deltas (tables.ts), so a change
// costs O(that object) rather than O(all services) — and relays what the worker
// reports back: acks mark KIngresses programmed (IngressProgrammer for the
// Ingress status reconciler), stats and pokes go to the autoscaler, drains
// resolve the node agent's beforeTerminate hook.
import type { KObject } from '../../api/meta.js';
import type { Clock } from '../../controller/clock.js';
import { keyOf, type SharedInformerFactory } from '../../controller/informer.js';
import { L } from '../../api/serving/constants.js';
import { silentLogger, type Logger } from '../../controller/logger.js';
import type { MetricsSink } from '../autoscaler/runner/metrics.js';
import type { IngressProgrammer } from '../controllers/ingress/programmer.js';
import type { DataPlaneHandle } from '../dataplane/host.js';
import type { HostEntry, RevisionSpec, ServiceEndpoint, WorkerToMain } from '../dataplane/protocol.js';
import { StatsCadence, type StatsCadenceSnapshot } from './cadence.js';
import { hostsFromIngresses, hostsFromRevisions, podKey, revisionsSnapshot, servicesSnapshot } from './snapshots.js';
import { HostClaims, SentTable } from './tables.js';

const GR = {
  ingresses: 'networking.internal.knative.dev/ingresses',
  revisions: 'serving.knative.dev/revisions',
  sks: 'networking.internal.knative.dev/serverlessservices',
  pods: 'core/pods',
  services: 'core/services',
  configmaps: 'core/configmaps',
} as const;

export interface DataPlaneFeedOptions {
  informers: SharedInformerFactory;
  dataPlane: DataPlaneHandle;
  metrics?: MetricsSink;
  clock: Clock;
  logger?: Logger;
  /** Host pattern → base URL (eventing ingresses and the like). */
  staticBackends?: Record<string, string>;
  /**
   * Minimum time between two pushes (ms, default 3). A change after a quiet
   * spell is pushed at once (on a microtask), so e.g. a pod turning Ready
   * reaches the activator ahead of the reconciles that same write sets off;
   * changes within this time of the last push are coalesced into one.
   */
  debounceMs?: number;
}

export class DataPlaneFeed implements IngressProgrammer {
  private readonly log: Logger;
  /** Keys (`ns/name`) whose snapshot entries must be recomputed at the next push. */
  private readonly dirty = { ingresses: new Set<string>(), revisions: new Set<string>(), services: new Set<string>() };
  private readonly revisionTable = new SentTable<RevisionSpec>();
  private readonly serviceTable = new SentTable<ServiceEndpoint[]>();
  private readonly hostTable = new SentTable<HostEntry>();
  private readonly claims = new HostClaims();
  private lastStatic = '';
  /** How long the last rebuild took: the next one waits at least twice that, so rebuilds stay under ~1/3 of a core. */
  private lastBuildMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduled = false;
  private lastPushAt = -Infinity;
  private readonly programmed = new Map<string, number>(); // ns/name -> generation acked
  private readonly pendingHosts = new Map<number, Map<string, number>>(); // hosts seq -> ingress generations
  private readonly programmedCallbacks: Array<(ns: string, name: string) => void> = [];
  private readonly drains = new Map<string, Array<() => void>>();
  private readonly unsubs: Array<() => void> = [];
  private staticBackends: Record<string, string>;
  private stopped = false;
  private readonly cadence: StatsCadence;

  constructor(private readonly opts: DataPlaneFeedOptions) {
    this.log = opts.logger ?? silentLogger;
    this.cadence = new StatsCadence(opts.clock.now());
    this.staticBackends = { ...(opts.staticBackends ?? {}) };
    const inf = opts.informers;
    // Each change marks only the keys it can affect; push() recomputes those.
    const d = this.dirty;
    const watch = (gr: string, mark: (o: KObject) => void) => {
      const fire = (o: KObject) => {
        mark(o);
        this.schedule();
      };
      // The old version only matters when its labels differ (a pod moving between selectors); keys never change.
      const onUpdate = (a: KObject, b: KObject) => {
        if (!sameLabels(a, b)) mark(a);
        fire(b);
      };
      this.unsubs.push(inf.informerFor(gr).addEventHandler({ onAdd: fire, onUpdate, onDelete: fire }));
    };
    watch(GR.ingresses, (o) => d.ingresses.add(keyOf(o)));
    watch(GR.revisions, (o) => d.revisions.add(keyOf(o)));
    watch(GR.sks, (o) => d.revisions.add(keyOf(o))); // an SKS is named after its revision
    watch(GR.pods, (o) => {
      const ns = o.metadata.namespace ?? '';
      const rev = o.metadata.labels?.[L.revision];
      if (rev !== undefined) d.revisions.add(`${ns}/${rev}`);
      for (const svc of inf.informerFor(GR.services).list({ namespace: ns })) {
        if (selectsPod(svc, o)) d.services.add(keyOf(svc));
      }
    });
    watch(GR.services, (o) => d.services.add(keyOf(o)));
    watch(GR.configmaps, (o) => {
      // The default target-burst-capacity feeds every revision's spec.
      if (o.metadata.namespace !== 'knative-serving' || o.metadata.name !== 'config-autoscaler') return;
      for (const r of inf.informerFor(GR.revisions).list()) d.revisions.add(keyOf(r));
    });
    this.unsubs.push(opts.dataPlane.on((m) => this.onWorkerMessage(m)));
  }

  // ---- IngressProgrammer ----
  isProgrammed(ns: string, name: string, generation: number): boolean {
    return (this.programmed.get(`${ns}/${name}`) ?? -1) >= generation;
  }
  onProgrammed(cb: (ns: string, name: string) => void): void {
    this.programmedCallbacks.push(cb);
  }

  /** Register static backends (e.g. eventing's broker-ingress) and push them. */
  setStaticBackends(backends: Record<string, string>): void {
    this.staticBackends = { ...backends };
    this.schedule();
  }

  /** Stop routing new requests to a pod and resolve once its in-flight requests are done. */
  drain(pod: KObject): Promise<void> {
    const key = podKey(pod);
    return new Promise((resolve) => {
      const list = this.drains.get(key) ?? [];
      list.push(resolve);
      this.drains.set(key, list);
      this.opts.dataPlane.post({ type: 'drain', pod: key });
    });
  }

  /** How regularly the worker's 1 s stats arrived since the last reset (tick-integrity evidence). */
  statsCadence(): StatsCadenceSnapshot {
    return this.cadence.snapshot();
  }

  resetStatsCadence(): void {
    this.cadence.reset(this.opts.clock.now());
  }

  /**
   * Push soon: at once (next microtask) when the last push is at least
   * debounceMs old, else when it will be — bursts cost at most one push per
   * debounceMs, a lone change costs no delay.
   */
  schedule(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    // At least debounceMs between pushes, and twice the last build's duration, so
    // rebuilding snapshots for many services stays under ~1/3 of a core.
    const gap = Math.max(this.opts.debounceMs ?? 3, Math.min(500, 2 * this.lastBuildMs));
    const wait = this.lastPushAt + gap - this.opts.clock.now();
    if (wait <= 0) queueMicrotask(this.runScheduled);
    else this.timer = setTimeout(this.runScheduled, wait);
  }

  private readonly runScheduled = (): void => {
    this.timer = undefined;
    this.scheduled = false;
    if (this.stopped) return;
    this.lastPushAt = this.opts.clock.now();
    const t0 = performance.now();
    try {
      this.push();
    } catch (e) {
      this.log.error('data plane snapshot failed', { error: (e as Error).message });
    }
    this.lastBuildMs = performance.now() - t0;
  };

  /**
   * Recompute the entries of the keys marked dirty and post what changed as
   * deltas (revisions before the hosts that name them). Costs O(changed
   * objects), not O(all services).
   */
  push(): void {
    const inf = this.opts.informers;
    const d = this.dirty;
    const revKeys = [...d.revisions];
    const ingKeys = [...d.ingresses];
    const svcKeys = [...d.services];
    d.revisions.clear();
    d.ingresses.clear();
    d.services.clear();
    const dirtyHosts = new Set<string>();

    if (revKeys.length) {
      const revisions = inf.informerFor(GR.revisions);
      const pods = inf.informerFor(GR.pods);
      const sks = inf.informerFor(GR.sks);
      const cfg = inf.informerFor(GR.configmaps).get('knative-serving', 'config-autoscaler');
      const tbcRaw = cfg?.data?.['target-burst-capacity'];
      const defaultTbc = tbcRaw !== undefined && Number.isFinite(Number(tbcRaw)) ? Number(tbcRaw) : 211;
      for (const key of revKeys) {
        const r = revisions.getByKey(key);
        if (!r) {
          this.revisionTable.delete(key);
          this.claims.setSource('revision', key, {}, dirtyHosts);
          continue;
        }
        const spec = revisionsSnapshot(
          [r],
          (ns, name) => sks.get(ns, name),
          (ns, name) => pods.list({ namespace: ns, labelSelector: `${L.revision}=${name}` }),
          defaultTbc,
        )[key];
        if (spec) this.revisionTable.set(key, spec);
        const h: Record<string, HostEntry> = {};
        hostsFromRevisions([r], h);
        this.claims.setSource('revision', key, h, dirtyHosts);
      }
    }

    const gens = new Map<string, number>();
    if (ingKeys.length) {
      const ingresses = inf.informerFor(GR.ingresses);
      for (const key of ingKeys) {
        const ing = ingresses.getByKey(key);
        if (ing) gens.set(key, ing.metadata.generation ?? 0);
        this.claims.setSource('ingress', key, ing ? hostsFromIngresses([ing]) : {}, dirtyHosts);
      }
    }

    if (svcKeys.length) {
      const services = inf.informerFor(GR.services);
      const pods = inf.informerFor(GR.pods);
      for (const key of svcKeys) {
        const svc = services.getByKey(key);
        const h: Record<string, HostEntry> = {};
        const eps = svc ? servicesSnapshot([svc], (ns) => pods.list({ namespace: ns }), h)[key] : undefined;
        if (eps) this.serviceTable.set(key, eps);
        else this.serviceTable.delete(key);
        this.claims.setSource('service', key, h, dirtyHosts);
      }
    }

    for (const host of dirtyHosts) {
      const w = this.claims.winner(host);
      if (w) this.hostTable.set(host, w);
      else this.hostTable.delete(host);
    }

    const dp = this.opts.dataPlane;
    const revDelta = this.revisionTable.take();
    if (revDelta) dp.post({ type: 'revisions', revisions: revDelta.upsert, partial: true, removed: revDelta.removed });
    const svcDelta = this.serviceTable.take();
    if (svcDelta) dp.post({ type: 'services', services: svcDelta.upsert, partial: true, removed: svcDelta.removed });
    const staticJson = JSON.stringify(this.staticBackends);
    if (staticJson !== this.lastStatic) {
      dp.post({ type: 'static', backends: this.staticBackends });
      this.lastStatic = staticJson;
    }
    const hostDelta = this.hostTable.take();
    if (hostDelta) {
      const seq = dp.post({ type: 'hosts', hosts: hostDelta.upsert, partial: true, removed: hostDelta.removed });
      this.pendingHosts.set(seq, gens);
    } else if (gens.size) {
      // Same routing, but a KIngress may have a new generation with identical rules: it is
      // programmed once the worker has applied every hosts delta already sent.
      const latest = [...this.pendingHosts.values()].at(-1);
      if (latest) for (const [k, g] of gens) latest.set(k, Math.max(g, latest.get(k) ?? -1));
      else this.markProgrammed(gens);
    }
  }

  private markProgrammed(gens: Map<string, number>): void {
    for (const [key, gen] of gens) {
      if ((this.programmed.get(key) ?? -1) >= gen) continue;
      this.programmed.set(key, gen);
      const [ns, name] = key.split('/');
      for (const cb of this.programmedCallbacks) cb(ns, name);
    }
  }

  private onWorkerMessage(m: WorkerToMain): void {
    switch (m.type) {
      case 'ack': {
        for (const [seq, gens] of this.pendingHosts) {
          if (seq > m.seq) continue;
          this.pendingHosts.delete(seq);
          this.markProgrammed(gens);
        }
        break;
      }
      case 'stats':
        this.cadence.record(m.time, m.windowMs, this.opts.clock.now());
        if (this.opts.metrics) for (const r of m.revisions) this.opts.metrics.record(r.key, m.time, r);
        break;
      case 'poke':
        this.opts.metrics?.poke(m.key, this.opts.clock.now());
        break;
      case 'drained': {
        const waiters = this.drains.get(m.pod);
        this.drains.delete(m.pod);
        for (const w of waiters ?? []) w();
        break;
      }
      case 'rejected':
        this.log.error('data plane rejected a snapshot', { seq: m.seq, path: m.path, message: m.message });
        break;
      case 'internal-error':
        this.log.error('data plane internal error', { message: m.message });
        break;
      default:
        break;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const u of this.unsubs) u();
    for (const [, ws] of this.drains) for (const w of ws) w();
    this.drains.clear();
  }
}

/** Whether plain Service `svc` selects `pod` (its endpoints may change with the pod). */
function selectsPod(svc: KObject, pod: KObject): boolean {
  const sel = svc.spec?.selector as Record<string, string> | undefined;
  if (!sel) return false;
  const labels = pod.metadata.labels ?? {};
  let any = false;
  for (const k in sel) {
    if (labels[k] !== sel[k]) return false;
    any = true;
  }
  return any;
}

function sameLabels(a: KObject, b: KObject): boolean {
  const x = a.metadata.labels;
  const y = b.metadata.labels;
  if (x === y) return true;
  if (!x || !y) return false;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (x[k] !== y[k]) return false;
  return true;
}
