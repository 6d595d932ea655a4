// The gateway core: state built from the main thread's snapshots (route
// table, revisions with their pods, plain services, static backends) and the
// per-request decision — which revision (split), then straight to a pod's
// queue (SKS Serve with ready pods) or through the activator (Proxy mode or no
// ready pods), plus completion, timeouts, drain and the 1 s stats. It knows
// nothing about sockets: a transport (proxy.ts) subclasses Exchange and is
// told when to forward and when to answer an error itself.

import { RevisionActivator } from './activator.js';
import type { MainToWorker, PodStats, RevisionSpec, RevisionStats, ServiceEndpoint, StatsMessage, WorkerToMain } from './protocol.js';
import {
  ACTIVATOR_TIMEOUT_BODY,
  DeadlineSweeper,
  PodQueue,
  QUEUE_FULL_BODY,
  REQUEST_TIMEOUT_BODY,
  systemClock,
  type Clock,
  type QueueNode,
  type TimedRequest,
  type TimeoutKind,
  type WaitQueue,
} from './queue.js';
import {
  isLoopbackAddress,
  normalizeHost,
  parseStaticBackend,
  pickRevision,
  RouteTable,
  unknownHostBody,
  type CompiledHost,
  type RevisionTarget,
} from './routing.js';

/** Deadline for hosts that are not revisions (services, static backends): Knative's max-revision-timeout-seconds. */
export const NON_REVISION_TIMEOUT_MS = 600_000;

export const enum Phase {
  New = 0,
  Held = 1,
  Queued = 2,
  Running = 3,
  Done = 4,
}

/** An upstream address; the transport caches its connection pool / h2 session on it. */
export class Endpoint {
  /** Engine-owned HTTP/1.1 connection pool (see proxy.ts). */
  h1: unknown = null;
  /** Engine-owned HTTP/2 session (see proxy.ts). */
  h2: unknown = null;
  readonly key: string;
  constructor(
    readonly address: string,
    readonly port: number,
  ) {
    this.key = `${address}:${port}`;
  }
}

/**
 * One request in flight, as the core sees it. Transports extend this and
 * implement `forward()` (connect to `endpoint` and send) and `fail()` (answer
 * an error, or cut the response if it already started; then call
 * `gateway.finish(this)`).
 */
export abstract class Exchange implements QueueNode, TimedRequest {
  qPrev: QueueNode | null = null;
  qNext: QueueNode | null = null;
  qOwner: WaitQueue<QueueNode> | null = null;
  tPrev: TimedRequest | null = null;
  tNext: TimedRequest | null = null;
  tListed = false;
  deadlineAt = Infinity;
  responseStartAt = Infinity;
  idleMs = 0;
  lastWriteAt = 0;

  phase: Phase = Phase.New;
  revision: RevisionState | null = null;
  target: RevisionTarget | null = null;
  pod: Pod | null = null;
  viaActivator = false;
  /** False for probes: they bypass the breaker and stats. */
  countStats = true;
  endpoint: Endpoint | null = null;
  protocol: 'http1' | 'h2c' = 'http1';
  /** Static backends: prefix for the path. */
  pathPrefix = '';
  /** DomainMapping: Host to send instead of the received one. */
  hostOverride: string | null = null;

  constructor(readonly gateway: Gateway) {}

  /** Connect to `this.endpoint` and send the request. */
  abstract forward(): void;
  /** Answer `status` with a plain-text body (or abort if the response started), release upstream, finish. */
  abstract fail(status: number, body: string): void;

  onTimeout(kind: TimeoutKind): void {
    this.gateway.timedOut(this, kind);
  }

  /** Call on every write to the client. */
  wrote(now: number): void {
    this.responseStartAt = Infinity;
    this.lastWriteAt = now;
  }
}

export class Pod {
  readonly queue: PodQueue<Exchange>;
  ready = false;
  /** Draining per the snapshot. */
  draining = false;
  /** A `drain` message asked for it (sticky until the pod leaves the snapshot). */
  drainRequested = false;
  drainedSent = false;
  /** Gone from the snapshot; kept until its in-flight requests finish. */
  removed = false;

  constructor(
    readonly name: string,
    readonly revision: RevisionState,
    readonly endpoint: Endpoint,
    containerConcurrency: number,
    now: number,
  ) {
    this.queue = new PodQueue<Exchange>(containerConcurrency, now);
  }

  get inFlight(): number {
    return this.queue.inFlight;
  }

  get routable(): boolean {
    return this.ready && !this.draining && !this.drainRequested && !this.removed;
  }
}

export class RevisionState {
  readonly namespace: string;
  readonly name: string;
  cc: number;
  timeoutMs = 0;
  responseStartMs = Infinity;
  idleMs = 0;
  protocol: 'http1' | 'h2c' = 'http1';
  mode: 'Serve' | 'Proxy' = 'Proxy';
  readonly pods = new Map<string, Pod>();
  routable: Pod[] = [];
  rr = 0;
  activator: RevisionActivator<Exchange, Pod>;
  pumping = false;
  pumpAgain = false;

  constructor(
    readonly key: string,
    spec: RevisionSpec,
    now: number,
    random: () => number,
  ) {
    const slash = key.indexOf('/');
    this.namespace = key.slice(0, slash);
    this.name = key.slice(slash + 1);
    this.cc = spec.containerConcurrency;
    this.activator = new RevisionActivator<Exchange, Pod>(this.cc, now, random);
    this.update(spec);
  }

  update(spec: RevisionSpec): void {
    this.timeoutMs = spec.timeoutSeconds * 1000;
    this.responseStartMs = spec.responseStartTimeoutSeconds !== undefined ? spec.responseStartTimeoutSeconds * 1000 : Infinity;
    this.idleMs = (spec.idleTimeoutSeconds ?? 0) * 1000;
    this.protocol = spec.protocol;
    this.mode = spec.mode;
  }

  refreshRoutable(): void {
    this.routable = [...this.pods.values()].filter((p) => p.routable);
    this.activator.setPods(this.routable);
  }

  /** Round robin over routable pods (Serve mode: what the ingress → public Service does). */
  nextServePod(): Pod {
    const pods = this.routable;
    if (this.rr >= pods.length) this.rr = 0;
    return pods[this.rr++]!;
  }
}

class ServiceBackend {
  rr = 0;
  constructor(
    readonly key: string,
    readonly endpoints: Endpoint[],
  ) {}
}

export interface GatewayOptions {
  /** Messages for the main thread (stats, poke, drained). */
  emit: (msg: WorkerToMain) => void;
  clock?: Clock;
  random?: () => number;
  clusterDomain?: string;
  /** An endpoint no snapshot refers to any more: the transport closes its connections. */
  onEndpointRetired?: (ep: Endpoint) => void;
}

/** The routing facts a transport extracts from a request before calling route(). */
export interface RouteInput {
  /** Host header (or absolute-form authority / :authority), raw. */
  host: string | null;
  /** Knative-Serving-Tag header. */
  tag: string | null;
  /** Peer address, for cluster-local visibility. */
  remoteAddress: string | undefined;
}

export class Gateway {
  readonly clock: Clock;
  readonly random: () => number;
  readonly sweeper = new DeadlineSweeper();
  private routeTable: RouteTable | undefined;
  /**
   * Some snapshot changed what the host table derives from; it is rebuilt on
   * the next lookup, so a burst of snapshot deltas (a bulk apply) costs one
   * O(hosts) rebuild instead of one per message.
   */
  private tableStale = true;
  /** An endpoint may have lost its last user since the last prune. */
  private pruneDue = false;
  readonly revisions = new Map<string, RevisionState>();
  readonly pods = new Map<string, Pod>();
  private readonly services = new Map<string, ServiceBackend>();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly emit: (msg: WorkerToMain) => void;
  private readonly clusterDomain: string | undefined;
  private readonly onEndpointRetired: ((ep: Endpoint) => void) | undefined;
  private hostsSnapshot: Extract<MainToWorker, { type: 'hosts' }>['hosts'] = {};
  private staticSnapshot: Record<string, string> = {};
  private readonly lastSeq = new Map<string, number>();
  /** Requests currently owned by the core (held, queued or running). */
  active = 0;

  constructor(opts: GatewayOptions) {
    this.emit = opts.emit;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.clusterDomain = opts.clusterDomain;
    this.onEndpointRetired = opts.onEndpointRetired;
  }

  /** Rebuild the host table now if a snapshot made it stale (the worker calls this after a burst of messages). */
  warmTable(): void {
    void this.table;
  }

  /** The host table for the current snapshots (rebuilt here when a snapshot changed it). */
  get table(): RouteTable {
    if (this.tableStale || this.routeTable === undefined) {
      this.routeTable = this.buildTable();
      this.tableStale = false;
    }
    return this.routeTable;
  }

  // ---- snapshots ----

  /** Applies a validated message. Stale snapshots (seq not newer than the last of its type) are ignored. */
  apply(msg: MainToWorker): void {
    if (msg.type === 'stop') return;
    if (msg.type === 'drain') {
      this.drain(msg.pod);
      return;
    }
    const last = this.lastSeq.get(msg.type) ?? -1;
    if (msg.seq <= last) return;
    this.lastSeq.set(msg.type, msg.seq);
    switch (msg.type) {
      case 'hosts':
        if (msg.partial) {
          for (const k of msg.removed ?? []) delete this.hostsSnapshot[k];
          Object.assign(this.hostsSnapshot, msg.hosts);
        } else this.hostsSnapshot = { ...msg.hosts };
        this.tableStale = true;
        break;
      case 'static':
        this.staticSnapshot = msg.backends;
        this.tableStale = true;
        this.pruneDue = true;
        this.pruneEndpoints();
        break;
      case 'services':
        this.applyServices(msg.services, msg.partial ? (msg.removed ?? []) : undefined);
        this.pruneEndpoints();
        break;
      case 'revisions':
        this.applyRevisions(msg.revisions, msg.partial ? (msg.removed ?? []) : undefined);
        this.pruneEndpoints();
        break;
    }
  }

  /**
   * Forgets endpoints nothing refers to any more (pods come and go with new
   * ports), so their idle connections are closed and the maps do not grow.
   * Pods that left the snapshot but still have requests in flight keep theirs.
   */
  private pruneEndpoints(): void {
    if (!this.pruneDue) return;
    this.pruneDue = false;
    const keep = new Set<string>();
    for (const pod of this.pods.values()) keep.add(pod.endpoint.key);
    for (const rev of this.revisions.values()) for (const pod of rev.pods.values()) keep.add(pod.endpoint.key);
    for (const svc of this.services.values()) for (const e of svc.endpoints) keep.add(e.key);
    for (const url of Object.values(this.staticSnapshot)) {
      const b = parseStaticBackend(url);
      keep.add(`${b.address}:${b.port}`);
    }
    // Retired pods still busy keep their endpoint: look again after a later snapshot.
    for (const pod of this.pods.values()) if (pod.removed) this.pruneDue = true;
    for (const [key, ep] of this.endpoints) {
      if (keep.has(key)) continue;
      this.endpoints.delete(key);
      this.onEndpointRetired?.(ep);
    }
  }

  /** The shared Endpoint for an address (one connection pool per address, whoever uses it). */
  endpoint(address: string, port: number): Endpoint {
    const key = `${address}:${port}`;
    let e = this.endpoints.get(key);
    if (e === undefined) {
      e = new Endpoint(address, port);
      this.endpoints.set(key, e);
    }
    return e;
  }

  /** All endpoints ever used (the transport closes their pools on stop). */
  allEndpoints(): Iterable<Endpoint> {
    return this.endpoints.values();
  }

  private buildTable(): RouteTable {
    const protocols = new Map<string, 'http1' | 'h2c'>();
    for (const [k, r] of this.revisions) protocols.set(k, r.protocol);
    return new RouteTable({
      hosts: this.hostsSnapshot,
      revisions: protocols,
      services: this.services.keys(),
      staticBackends: this.staticSnapshot,
      ...(this.clusterDomain ? { clusterDomain: this.clusterDomain } : {}),
    });
  }


  /** A full table (`removed` undefined) or a delta: upserts plus the keys in `removed`. */
  private applyServices(services: Record<string, ServiceEndpoint[]>, removed?: string[]): void {
    // The table derives host names from the set of service keys.
    if (removed === undefined) {
      if (this.services.size) this.pruneDue = true;
      const keys = Object.keys(services);
      if (keys.length !== this.services.size || keys.some((k) => !this.services.has(k))) this.tableStale = true;
      this.services.clear();
    } else
      for (const k of removed) {
        if (this.services.delete(k)) this.tableStale = this.pruneDue = true;
      }
    for (const [key, eps] of Object.entries(services)) {
      if (this.services.has(key)) this.pruneDue = true;
      else this.tableStale = true;
      this.services.set(key, new ServiceBackend(key, eps.map((e) => this.endpoint(e.address ?? '127.0.0.1', e.port))));
    }
  }

  /** A full table (`removed` undefined: revisions not in it go) or a delta: upserts plus the keys in `removed`. */
  private applyRevisions(revisions: Record<string, RevisionSpec>, removed?: string[]): void {
    const now = this.clock.now();
    for (const [key, spec] of Object.entries(revisions)) {
      let rev = this.revisions.get(key);
      if (rev === undefined) {
        rev = new RevisionState(key, spec, now, this.random);
        this.revisions.set(key, rev);
        this.tableStale = true; // a new revision host name (and protocol)
      } else {
        const protocol = rev.protocol;
        rev.update(spec);
        if (rev.protocol !== protocol) this.tableStale = true;
        if (spec.containerConcurrency !== rev.cc) {
          // containerConcurrency is immutable per revision in Knative; if it changes anyway,
          // new pods use the new value and held requests move to a fresh activator.
          rev.cc = spec.containerConcurrency;
          const old = rev.activator;
          rev.activator = new RevisionActivator<Exchange, Pod>(rev.cc, now, this.random);
          for (let ex = old.held.shift(); ex !== null; ex = old.held.shift()) {
            old.done(now);
            rev.activator.hold(ex, now);
          }
        }
      }
      const seen = new Set<string>();
      for (const ep of spec.endpoints) {
        seen.add(ep.pod);
        const endpoint = this.endpoint(ep.address ?? '127.0.0.1', ep.port);
        let pod = rev.pods.get(ep.pod);
        if (pod !== undefined && pod.endpoint !== endpoint) {
          this.retirePod(pod);
          pod = undefined;
        }
        if (pod === undefined) {
          pod = new Pod(ep.pod, rev, endpoint, rev.cc, now);
          rev.pods.set(ep.pod, pod);
          this.pods.set(ep.pod, pod);
        }
        pod.ready = ep.ready;
        pod.draining = ep.draining === true;
      }
      for (const pod of [...rev.pods.values()]) if (!seen.has(pod.name)) this.retirePod(pod);
      rev.refreshRoutable();
      this.pump(rev);
    }
    const gone = removed === undefined ? [...this.revisions.keys()].filter((k) => !(k in revisions)) : removed.filter((k) => !(k in revisions));
    for (const key of gone) {
      const rev = this.revisions.get(key);
      if (rev === undefined) continue;
      this.revisions.delete(key);
      this.tableStale = true;
      for (const pod of [...rev.pods.values()]) this.retirePod(pod);
      rev.refreshRoutable();
      for (let ex = rev.activator.held.shift(); ex !== null; ex = rev.activator.held.shift()) {
        ex.phase = Phase.New; // no longer held anywhere
        ex.fail(503, `revision "${key}" no longer exists\n`);
      }
    }
  }

  private retirePod(pod: Pod): void {
    pod.removed = true;
    this.pruneDue = true;
    if (pod.inFlight === 0) this.forgetPod(pod);
  }

  private forgetPod(pod: Pod): void {
    if (pod.revision.pods.get(pod.name) === pod) pod.revision.pods.delete(pod.name);
    if (this.pods.get(pod.name) === pod) this.pods.delete(pod.name);
    if (pod.drainRequested && !pod.drainedSent) {
      pod.drainedSent = true;
      this.emit({ type: 'drained', pod: pod.name });
    }
  }

  /** Stop routing new requests to `podName`; `drained` goes out once it has nothing in flight. */
  drain(podName: string): void {
    const pod = this.pods.get(podName);
    if (pod === undefined) {
      this.emit({ type: 'drained', pod: podName });
      return;
    }
    pod.drainRequested = true;
    pod.drainedSent = false; // every drain request gets its own `drained`
    pod.revision.refreshRoutable();
    this.checkDrained(pod);
  }

  private checkDrained(pod: Pod): void {
    if (pod.inFlight !== 0) return;
    if (pod.drainRequested && !pod.drainedSent) {
      pod.drainedSent = true;
      this.emit({ type: 'drained', pod: pod.name });
    }
    if (pod.removed) this.forgetPod(pod);
  }

  // ---- requests ----

  /**
   * Decides where `ex` goes. Either calls ex.forward() (now or later, when a
   * queue slot / endpoint frees up) or ex.fail(). Never throws.
   */
  route(ex: Exchange, input: RouteInput, compiled?: CompiledHost | null): void {
    this.active++;
    let host = compiled === undefined ? this.resolveHost(input) : compiled;
    if (host === null || (host.visibility === 'ClusterLocal' && !isLoopbackAddress(input.remoteAddress))) {
      ex.fail(404, unknownHostBody(input.host === null ? '' : normalizeHost(input.host)));
      return;
    }
    if (host.rewriteHost !== null) {
      ex.hostOverride = host.rewriteHost;
      host = this.table.lookup(host.rewriteHost);
      if (host === null) {
        ex.fail(404, unknownHostBody(ex.hostOverride));
        return;
      }
    }
    const now = this.clock.now();
    switch (host.kind) {
      case 'service': {
        const svc = this.services.get(host.serviceKey!);
        if (svc === undefined || svc.endpoints.length === 0) {
          ex.fail(503, `no ready endpoints for service "${host.serviceKey}"\n`);
          return;
        }
        if (svc.rr >= svc.endpoints.length) svc.rr = 0;
        this.startDirect(ex, svc.endpoints[svc.rr++]!, now);
        return;
      }
      case 'static': {
        const b = host.staticBackend!;
        ex.pathPrefix = b.pathPrefix;
        this.startDirect(ex, this.endpoint(b.address, b.port), now);
        return;
      }
      default:
        break;
    }
    const target = pickRevision(host, input.tag, this.random());
    if (target === undefined) {
      ex.fail(503, `host "${host.host}" has no traffic target\n`);
      return;
    }
    const rev = this.revisions.get(target.key);
    if (rev === undefined) {
      ex.fail(503, `revision "${target.key}" is not known to the data plane yet\n`);
      return;
    }
    ex.target = target;
    ex.revision = rev;
    ex.protocol = rev.protocol;
    ex.deadlineAt = now + rev.timeoutMs;
    ex.responseStartAt = rev.responseStartMs === Infinity ? Infinity : now + rev.responseStartMs;
    ex.idleMs = rev.idleMs;
    ex.lastWriteAt = now;
    this.sweeper.add(ex);

    if (!ex.countStats) {
      // Probes: straight to a ready pod, no breaker, no stats, no activator.
      if (rev.routable.length === 0) {
        ex.fail(503, `no ready endpoints for revision "${rev.key}"\n`);
        return;
      }
      const pod = rev.nextServePod();
      ex.pod = pod;
      ex.endpoint = pod.endpoint;
      ex.phase = Phase.Running;
      ex.forward();
      return;
    }
    if (rev.mode === 'Serve' && rev.routable.length > 0) {
      this.admit(ex, rev.nextServePod(), false, now);
      return;
    }
    ex.viaActivator = true;
    const r = rev.activator.hold(ex, now);
    if (r === 'full') {
      ex.viaActivator = false; // the activator already forgot it
      ex.fail(503, QUEUE_FULL_BODY);
      return;
    }
    ex.phase = Phase.Held;
    if (r === 'held-poke') this.emit({ type: 'poke', key: rev.key });
    this.pump(rev);
  }

  /** Host resolution alone (transports use it to decide on a hand-over before route()). */
  resolveHost(input: RouteInput): CompiledHost | null {
    return input.host === null ? null : this.table.lookup(normalizeHost(input.host));
  }

  private startDirect(ex: Exchange, endpoint: Endpoint, now: number): void {
    ex.endpoint = endpoint;
    ex.deadlineAt = now + NON_REVISION_TIMEOUT_MS;
    ex.lastWriteAt = now;
    this.sweeper.add(ex);
    ex.phase = Phase.Running;
    ex.forward();
  }

  private admit(ex: Exchange, pod: Pod, viaActivator: boolean, now: number): void {
    ex.pod = pod;
    ex.endpoint = pod.endpoint;
    const r = pod.queue.enter(ex, viaActivator, now);
    if (r === 'run') {
      ex.phase = Phase.Running;
      ex.forward();
    } else if (r === 'queued') {
      ex.phase = Phase.Queued;
    } else {
      // Rejected: the pod queue already accounted for it; so does the activator now.
      ex.pod = null;
      if (viaActivator) pod.revision.activator.done(now);
      ex.phase = Phase.New;
      ex.fail(503, QUEUE_FULL_BODY);
    }
  }

  /** Releases held requests of `rev` to pods with free slots (event-driven: snapshot change or a slot freed). */
  pump(rev: RevisionState): void {
    if (rev.activator.held.length === 0) return;
    if (rev.pumping) {
      rev.pumpAgain = true;
      return;
    }
    rev.pumping = true;
    try {
      do {
        rev.pumpAgain = false;
        const now = this.clock.now();
        for (let d = rev.activator.nextDispatch(); d !== null; d = rev.activator.nextDispatch()) {
          this.admit(d.request, d.pod, true, now);
        }
      } while (rev.pumpAgain);
    } finally {
      rev.pumping = false;
    }
  }

  /** A request is over (response complete, failed or aborted). Idempotent. */
  finish(ex: Exchange): void {
    const phase = ex.phase;
    if (phase === Phase.Done) return;
    ex.phase = Phase.Done;
    this.active--;
    this.sweeper.remove(ex);
    const rev = ex.revision;
    const pod = ex.pod;
    if (!ex.countStats || rev === null) return;
    const now = this.clock.now();
    switch (phase) {
      case Phase.Held:
        rev.activator.cancel(ex, now);
        return;
      case Phase.Queued:
        pod!.queue.cancelQueued(ex, ex.viaActivator, now);
        if (ex.viaActivator) rev.activator.done(now);
        this.checkDrained(pod!);
        return;
      case Phase.Running: {
        if (pod === null) return;
        if (ex.viaActivator) rev.activator.done(now);
        const next = pod.queue.leave(ex.viaActivator, now);
        if (next !== null) {
          next.phase = Phase.Running;
          next.forward();
        }
        this.checkDrained(pod);
        this.pump(pod.revision);
        return;
      }
      default:
        return;
    }
  }

  timedOut(ex: Exchange, _kind: TimeoutKind): void {
    ex.fail(504, ex.viaActivator ? ACTIVATOR_TIMEOUT_BODY : REQUEST_TIMEOUT_BODY);
  }

  /** Fires expired request timeouts; call every few tens of ms. */
  sweep(): void {
    if (this.sweeper.size > 0) this.sweeper.sweep(this.clock.now());
  }

  // ---- stats ----

  /** Closes the stats window at `now` for every revision (pods + activator part). */
  collectStats(now: number, windowMs: number): StatsMessage {
    const out: RevisionStats[] = [];
    for (const rev of this.revisions.values()) {
      const pods: PodStats[] = [];
      for (const pod of rev.pods.values()) {
        const s = pod.queue.report(now);
        if ((pod.ready && !pod.removed) || s.requestCount > 0 || s.averageConcurrency > 0) pods.push({ pod: pod.name, ...s });
      }
      const activator = rev.activator.report(now);
      if (pods.length > 0 || activator.requestCount > 0 || activator.averageConcurrency > 0) out.push({ key: rev.key, pods, activator });
    }
    return { type: 'stats', time: now, windowMs, revisions: out };
  }
}
