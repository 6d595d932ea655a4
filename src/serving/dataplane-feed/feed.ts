// DataPlaneFeed: the main-thread side of the data plane. It watches the API
// (KIngresses, Revisions, ServerlessServices, Pods, Services, config maps)
// through shared informers, turns them into the worker's snapshots
// (snapshots.ts), posts them when they change, and relays what the worker
// reports back: acks mark KIngresses programmed (IngressProgrammer for the
// Ingress status reconciler), stats and pokes go to the autoscaler, drains
// resolve the node agent's beforeTerminate hook.
import type { KObject } from '../../api/meta.js';
import type { Clock } from '../../controller/clock.js';
import type { SharedInformerFactory } from '../../controller/informer.js';
import { silentLogger, type Logger } from '../../controller/logger.js';
import type { MetricsSink } from '../autoscaler/runner/metrics.js';
import type { IngressProgrammer } from '../controllers/ingress/programmer.js';
import type { DataPlaneHandle } from '../dataplane/host.js';
import type { HostEntry, WorkerToMain } from '../dataplane/protocol.js';
import { StatsCadence, type StatsCadenceSnapshot } from './cadence.js';
import { hostsFromIngresses, hostsFromRevisions, podKey, revisionsSnapshot, servicesSnapshot } from './snapshots.js';

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

interface FeedDirty {
  hosts: boolean;
  revisions: boolean;
  services: boolean;
}

export class DataPlaneFeed implements IngressProgrammer {
  private readonly log: Logger;
  private readonly dirty: FeedDirty = { hosts: true, revisions: true, services: true };
  /** How long the last rebuild took: the next one waits at least twice that, so rebuilds stay under ~1/3 of a core. */
  private lastBuildMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduled = false;
  private lastPushAt = -Infinity;
  private last = { hosts: '', revisions: '', services: '', static: '' };
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
    // Which snapshots a change can affect: a pod's status never changes the host table.
    const affects: Record<string, Array<keyof FeedDirty>> = {
      [GR.ingresses]: ['hosts'],
      [GR.revisions]: ['hosts', 'revisions'],
      [GR.sks]: ['revisions'],
      [GR.pods]: ['revisions', 'services'],
      [GR.services]: ['hosts', 'services'],
      [GR.configmaps]: ['revisions'],
    };
    for (const gr of Object.values(GR)) {
      const i = inf.informerFor(gr);
      const mark = () => {
        for (const k of affects[gr]) this.dirty[k] = true;
        this.schedule();
      };
      this.unsubs.push(i.addEventHandler({ onAdd: mark, onUpdate: mark, onDelete: mark }));
    }
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

  /** Build and post the snapshots that changed (revisions before the hosts that name them). */
  push(): void {
    const inf = this.opts.informers;
    const dirty = { ...this.dirty };
    this.dirty.hosts = this.dirty.revisions = this.dirty.services = false;
    const ingresses = inf.informerFor(GR.ingresses).list();
    const revisions = dirty.hosts || dirty.revisions ? inf.informerFor(GR.revisions).list() : [];
    const pods = inf.informerFor(GR.pods);
    const sks = inf.informerFor(GR.sks);
    const cfg = inf.informerFor(GR.configmaps).get('knative-serving', 'config-autoscaler');
    const tbcRaw = cfg?.data?.['target-burst-capacity'];
    const defaultTbc = tbcRaw !== undefined && Number.isFinite(Number(tbcRaw)) ? Number(tbcRaw) : 211;

    const revs = dirty.revisions
      ? revisionsSnapshot(
          revisions,
          (ns, name) => sks.get(ns, name),
          (ns, name) => pods.list({ namespace: ns, labelSelector: `serving.knative.dev/revision=${name}` }),
          defaultTbc,
        )
      : undefined;
    let hosts: Record<string, HostEntry> | undefined;
    let services: ReturnType<typeof servicesSnapshot> | undefined;
    if (dirty.hosts || dirty.services) {
      const h: Record<string, HostEntry> = hostsFromIngresses(ingresses);
      if (dirty.hosts) hostsFromRevisions(revisions, h);
      services = servicesSnapshot(inf.informerFor(GR.services).list(), (ns) => pods.list({ namespace: ns }), h);
      if (dirty.hosts) hosts = h;
    }

    const dp = this.opts.dataPlane;
    const revJson = revs === undefined ? this.last.revisions : JSON.stringify(revs);
    if (revs !== undefined && revJson !== this.last.revisions) {
      dp.post({ type: 'revisions', revisions: revs });
      this.last.revisions = revJson;
    }
    const svcJson = services === undefined ? this.last.services : JSON.stringify(services);
    if (services !== undefined && svcJson !== this.last.services) {
      dp.post({ type: 'services', services });
      this.last.services = svcJson;
    }
    const staticJson = JSON.stringify(this.staticBackends);
    if (staticJson !== this.last.static) {
      dp.post({ type: 'static', backends: this.staticBackends });
      this.last.static = staticJson;
    }
    const gens = new Map<string, number>();
    for (const ing of ingresses) gens.set(`${ing.metadata.namespace}/${ing.metadata.name}`, ing.metadata.generation ?? 0);
    const hostJson = hosts === undefined ? this.last.hosts : JSON.stringify(hosts);
    if (hosts !== undefined && hostJson !== this.last.hosts) {
      const seq = dp.post({ type: 'hosts', hosts });
      this.pendingHosts.set(seq, gens);
      this.last.hosts = hostJson;
    } else if (hosts !== undefined && this.pendingHosts.size === 0) {
      // Same routing, but a KIngress may have a new generation with identical rules: it is programmed already.
      this.markProgrammed(gens);
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
