// The controller loop (knative.dev/pkg/controller.Impl): one work queue, N
// workers, a `Reconciler` called per `namespace/name` key, and the error
// policy — success forgets the key's backoff, `RequeueAfter` / a result's
// `requeueAfterMs` re-enqueues later, `PermanentError` is logged and dropped,
// anything else is retried with per-key exponential backoff. Also the
// enqueue helpers informer handlers are built from (self, owner via
// ownerReferences, label) and the event filters that go with them.
import type { KObject } from '../api/meta.js';
import { matchesSelector, parseSelector, type Selector } from '../api/labels.js';
import { splitApiVersion } from '../api/meta.js';
import { realClock, type Clock } from './clock.js';
import { isConflict, isPermanentError, requeueDelayOf } from './errors.js';
import { keyOf, type EventHandler, type Lister } from './informer.js';
import { silentLogger, type Logger } from './logger.js';
import { WorkQueue, type RateLimiter } from './workqueue.js';

export interface ReconcileResult {
  /** Look at this key again after this many ms (not an error; backoff is reset). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult | void>;
}

export interface ControllerOptions {
  /** e.g. `revision-controller`; used in logs. */
  name: string;
  reconciler: Reconciler;
  /** Concurrent workers (Knative's default threadiness is 2). */
  workers?: number;
  clock?: Clock;
  logger?: Logger;
  rateLimiter?: RateLimiter;
}

export interface ControllerStats {
  reconciles: number;
  failures: number;
  requeues: number;
  permanentFailures: number;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly stats: ControllerStats = { reconciles: 0, failures: 0, requeues: 0, permanentFailures: 0 };
  private readonly reconciler: Reconciler;
  private readonly workers: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private running: Promise<void>[] = [];

  constructor(opts: ControllerOptions) {
    if (!opts.name) throw new TypeError('Controller: name is required');
    const workers = opts.workers ?? 2;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`Controller ${opts.name}: workers must be an integer >= 1, got ${workers}`);
    this.name = opts.name;
    this.reconciler = opts.reconciler;
    this.workers = workers;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.queue = new WorkQueue({ clock: this.clock, rateLimiter: opts.rateLimiter, name: opts.name });
  }

  // ---- enqueueing ----

  enqueue(obj: KObject): void {
    this.queue.add(keyOf(obj));
  }

  enqueueKey(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(obj: KObject, ms: number): void {
    this.queue.addAfter(keyOf(obj), ms);
  }

  enqueueKeyAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /**
   * Enqueue every cached object (optionally filtered), e.g. when a config map
   * the reconciler reads changes (knative's GlobalResync). Keys de-duplicate.
   */
  globalResync(lister: Lister, filter?: ObjectFilter): void {
    for (const o of lister.list()) if (!filter || filter(o)) this.enqueue(o);
  }

  /** Informer handler: enqueue the object itself on add, update and delete. */
  handler(filter?: ObjectFilter): EventHandler {
    const h = handleAll((o) => this.enqueue(o));
    return filter ? filteringHandler(filter, h) : h;
  }

  /** Enqueue the controlling owner (any kind) of `obj`. Pair with `filterControllerGK`. */
  enqueueControllerOf = (obj: KObject): void => {
    const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
    if (ref) this.queue.add(obj.metadata.namespace ? `${obj.metadata.namespace}/${ref.name}` : ref.name);
  };

  /**
   * For child informers: an enqueue function that maps a child to its
   * controlling owner when that owner has `owner.kind` in `owner.apiVersion`'s
   * group (any version), e.g. `enqueueOwner({ apiVersion: 'serving.knative.dev/v1', kind: 'Revision' })`.
   * Owners are looked up in the child's namespace (ownerReferences cannot cross namespaces).
   */
  enqueueOwner(owner: { apiVersion: string; kind: string }): (obj: KObject) => void {
    const match = filterControllerGK(splitApiVersion(owner.apiVersion).group, owner.kind);
    return (obj) => {
      if (match(obj)) this.enqueueControllerOf(obj);
    };
  }

  /** Informer handler that enqueues the owner of each child event (see enqueueOwner). */
  ownerHandler(owner: { apiVersion: string; kind: string }): EventHandler {
    return handleAll(this.enqueueOwner(owner));
  }

  /**
   * Enqueue the object named by `obj`'s label `nameLabel`, in the namespace
   * from `namespaceLabel` (or `obj`'s own namespace when not given), e.g. a
   * Revision's `serving.knative.dev/configuration` label → its Configuration.
   */
  enqueueLabelOf(nameLabel: string, namespaceLabel?: string): (obj: KObject) => void {
    return (obj) => {
      const labels = obj.metadata.labels ?? {};
      const name = labels[nameLabel];
      if (!name) return;
      const ns = namespaceLabel ? labels[namespaceLabel] : obj.metadata.namespace;
      if (namespaceLabel && !ns) return;
      this.queue.add(ns ? `${ns}/${name}` : name);
    };
  }

  // ---- running ----

  /** Start the workers. Idempotent while running. */
  start(): void {
    if (this.queue.shuttingDown()) throw new Error(`controller ${this.name}: cannot restart after stop()`);
    if (this.running.length) return;
    this.log.info('starting workers', { controller: this.name, workers: this.workers });
    for (let i = 0; i < this.workers; i++) this.running.push(this.worker());
  }

  /**
   * Stop taking new keys; with `drain` (default) queued keys are still
   * reconciled. Resolves when every worker has returned.
   */
  async stop(opts: { drain?: boolean } = {}): Promise<void> {
    await this.queue.shutdown(opts);
    await Promise.all(this.running);
    this.log.info('workers stopped', { controller: this.name });
  }

  /** Start, run until `signal` aborts, then stop (draining). */
  async run(signal: AbortSignal): Promise<void> {
    this.start();
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    await this.stop();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const t0 = performance.now();
      await this.processKey(key);
      await yieldIfSliceSpent(t0);
    }
  }

  /** Reconcile one key and apply the retry policy. Public for tests that step by hand. */
  async processKey(key: string): Promise<void> {
    const started = this.clock.now();
    let result: ReconcileResult | void = undefined;
    let error: unknown;
    try {
      this.stats.reconciles++;
      result = await this.reconciler.reconcile(key);
    } catch (err) {
      error = err;
    }
    try {
      this.handleOutcome(key, result, error, started);
    } finally {
      this.queue.done(key);
    }
  }

  private handleOutcome(key: string, result: ReconcileResult | void, error: unknown, started: number): void {
    const delay = error === undefined ? result?.requeueAfterMs : requeueDelayOf(error);
    if (error === undefined || delay !== undefined) {
      this.queue.forget(key);
      if (delay !== undefined) {
        this.stats.requeues++;
        this.queue.addAfter(key, delay);
        this.log.debug('requeuing key by request', { controller: this.name, key, delayMs: delay });
      } else {
        this.log.debug('reconcile succeeded', { controller: this.name, key, durationMs: this.clock.now() - started });
      }
      return;
    }
    const fields = { controller: this.name, key, durationMs: this.clock.now() - started, error: errText(error) };
    if (isPermanentError(error)) {
      this.stats.permanentFailures++;
      this.queue.forget(key);
      this.log.error('reconcile failed permanently; not retrying', fields);
      return;
    }
    this.stats.failures++;
    // Conflicts are routine under contention (stale cache); don't shout about them.
    if (isConflict(error)) this.log.debug('reconcile conflict; retrying', fields);
    else this.log.error('reconcile failed; retrying', { ...fields, retries: this.queue.numRequeues(key) });
    if (!this.queue.shuttingDown()) this.queue.addRateLimited(key);
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- handlers and filters ----

export type ObjectFilter = (obj: KObject) => boolean;

/** A handler calling `fn` with the object on add, the new object on update, the last state on delete. */
export function handleAll(fn: (obj: KObject) => void): EventHandler {
  return { onAdd: fn, onUpdate: (_old, obj) => fn(obj), onDelete: fn };
}

/**
 * client-go's FilteringResourceEventHandler: an update from passing to
 * failing the filter is delivered as a delete, the reverse as an add.
 */
export function filteringHandler(filter: ObjectFilter, h: EventHandler): EventHandler {
  return {
    onAdd: (obj) => {
      if (filter(obj)) h.onAdd?.(obj);
    },
    onUpdate: (oldObj, newObj) => {
      const was = filter(oldObj);
      const is = filter(newObj);
      if (was && is) h.onUpdate?.(oldObj, newObj);
      else if (is) h.onAdd?.(newObj);
      else if (was) h.onDelete?.(oldObj);
    },
    onDelete: (obj) => {
      if (filter(obj)) h.onDelete?.(obj);
    },
  };
}

/** The object's controlling owner has this group (any version) and kind. */
export function filterControllerGK(group: string, kind: string): ObjectFilter {
  return (obj) => {
    const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
    return !!ref && ref.kind === kind && splitApiVersion(ref.apiVersion).group === group;
  };
}

/** The object's controlling owner has exactly this apiVersion and kind. */
export function filterControllerGVK(apiVersion: string, kind: string): ObjectFilter {
  return (obj) => {
    const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
    return !!ref && ref.kind === kind && ref.apiVersion === apiVersion;
  };
}

export function filterWithNamespace(namespace: string): ObjectFilter {
  return (obj) => obj.metadata.namespace === namespace;
}

export function filterWithName(namespace: string | undefined, name: string): ObjectFilter {
  return (obj) => obj.metadata.name === name && (obj.metadata.namespace ?? undefined) === namespace;
}

/** Has label `key` (with `value`, when given). */
export function filterWithLabel(key: string, value?: string): ObjectFilter {
  return (obj) => {
    const v = obj.metadata.labels?.[key];
    return value === undefined ? v !== undefined : v === value;
  };
}

/** Has annotation `key` (with `value`, when given). E.g. a broker class. */
export function filterWithAnnotation(key: string, value?: string): ObjectFilter {
  return (obj) => {
    const v = obj.metadata.annotations?.[key];
    return value === undefined ? v !== undefined : v === value;
  };
}

export function allOf(...filters: ObjectFilter[]): ObjectFilter {
  return (obj) => filters.every((f) => f(obj));
}

export function anyOf(...filters: ObjectFilter[]): ObjectFilter {
  return (obj) => filters.some((f) => f(obj));
}

export function not(filter: ObjectFilter): ObjectFilter {
  return (obj) => !filter(obj);
}

// ---- cooperative scheduling ----

/** How long reconciles may run back to back before the workers let I/O in (ms). */
export const RECONCILE_SLICE_MS = 10;
let sliceStartedAt = 0;
let lastKeyDoneAt = 0;

/**
 * Reconciles over the in-process client resolve on microtasks, so a busy
 * control plane could starve the API server's sockets (a bulk `kubectl apply`
 * queued behind every reconcile it set off). After ~RECONCILE_SLICE_MS of
 * back-to-back reconciles (shared by all controllers) a worker waits one
 * macrotask, letting pending HTTP I/O and timers run.
 */
async function yieldIfSliceSpent(keyStartedAt: number): Promise<void> {
  const now = performance.now();
  // A gap before this key means the loop was free meanwhile: the slice started with this key.
  if (keyStartedAt - lastKeyDoneAt > RECONCILE_SLICE_MS) sliceStartedAt = keyStartedAt;
  lastKeyDoneAt = now;
  if (now - sliceStartedAt < RECONCILE_SLICE_MS) return;
  await new Promise<void>((r) => setImmediate(r));
  sliceStartedAt = lastKeyDoneAt = performance.now();
}

// ---- tracker ----

/** What a reconciler wants to hear about: one object by name, or every object matching a selector in a namespace. */
export type TrackedRef =
  | { gr: string; namespace?: string; name: string }
  | { gr: string; namespace?: string; selector: string | Selector };

interface TrackEntry {
  namespace: string;
  name?: string;
  selector?: Selector;
  /** trackerKey → lease expiry (ms; Infinity = no expiry). */
  trackers: Map<string, number>;
}

export interface TrackerOptions {
  clock?: Clock;
  /**
   * A `track` call lasts this long unless renewed (reconcilers re-track on
   * every reconcile, so references they dropped fade out). Default: forever,
   * with `untrackAll` on delete.
   */
  leaseMs?: number;
}

/**
 * knative.dev/pkg/tracker: "when (gr, namespace, name) changes, enqueue me".
 * E.g. a Route tracks the Configurations its traffic names; the Configuration
 * informer's handler is `tracker.handlerFor('serving.knative.dev/configurations')`.
 */
export class Tracker {
  /** gr → ref id → entry. */
  private readonly byGr = new Map<string, Map<string, TrackEntry>>();
  /** gr → ids of selector entries (a subset of byGr's; stale ids are dropped lazily). */
  private readonly selectorIds = new Map<string, Set<string>>();
  /** trackerKey → `gr\0id` of every ref it tracked (so untrackAll need not walk all entries; may hold refs since dropped). */
  private readonly refsOf = new Map<string, Set<string>>();
  private readonly clock: Clock;
  private readonly leaseMs: number;

  constructor(
    private readonly onTrackedChange: (trackerKey: string) => void,
    opts: TrackerOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.leaseMs = opts.leaseMs ?? Infinity;
  }

  /** Record that `trackerKey` (`ns/name` of the reconciled object) depends on `ref`. Renews the lease. */
  track(ref: TrackedRef, trackerKey: string): void {
    const namespace = ref.namespace ?? '';
    let id: string;
    let entry: Omit<TrackEntry, 'trackers'>;
    if ('name' in ref) {
      if (!ref.name) throw new TypeError('Tracker.track: ref.name must not be empty');
      id = `n:${namespace}/${ref.name}`;
      entry = { namespace, name: ref.name };
    } else {
      const selStr = typeof ref.selector === 'string' ? ref.selector : JSON.stringify(ref.selector);
      id = `s:${namespace}/${selStr}`;
      entry = { namespace, selector: typeof ref.selector === 'string' ? parseSelector(ref.selector) : ref.selector };
    }
    let m = this.byGr.get(ref.gr);
    if (!m) this.byGr.set(ref.gr, (m = new Map()));
    let e = m.get(id);
    if (!e) {
      m.set(id, (e = { ...entry, trackers: new Map() }));
      if (e.selector) {
        let sels = this.selectorIds.get(ref.gr);
        if (!sels) this.selectorIds.set(ref.gr, (sels = new Set()));
        sels.add(id);
      }
    }
    e.trackers.set(trackerKey, this.clock.now() + this.leaseMs);
    let refs = this.refsOf.get(trackerKey);
    if (!refs) this.refsOf.set(trackerKey, (refs = new Set()));
    refs.add(`${ref.gr}\u0000${id}`);
  }

  /** Stop `trackerKey` tracking one ref. */
  untrack(ref: TrackedRef, trackerKey: string): void {
    const m = this.byGr.get(ref.gr);
    if (!m) return;
    const namespace = ref.namespace ?? '';
    const id = 'name' in ref ? `n:${namespace}/${ref.name}` : `s:${namespace}/${typeof ref.selector === 'string' ? ref.selector : JSON.stringify(ref.selector)}`;
    this.refsOf.get(trackerKey)?.delete(`${ref.gr}\u0000${id}`);
    const e = m.get(id);
    if (!e) return;
    e.trackers.delete(trackerKey);
    if (e.trackers.size === 0) m.delete(id);
  }

  /** Forget everything `trackerKey` tracks (call when the tracker object is deleted). */
  untrackAll(trackerKey: string): void {
    const refs = this.refsOf.get(trackerKey);
    if (!refs) return;
    this.refsOf.delete(trackerKey);
    for (const ref of refs) {
      const cut = ref.indexOf('\u0000');
      const m = this.byGr.get(ref.slice(0, cut));
      const id = ref.slice(cut + 1);
      const e = m?.get(id);
      if (!e) continue;
      e.trackers.delete(trackerKey);
      if (e.trackers.size === 0) m!.delete(id);
    }
  }

  /** Call with every change to an object of `gr`; enqueues each live tracker. */
  onChanged(gr: string, ...objs: KObject[]): void {
    const fire = new Set<string>();
    for (const o of objs) this.collect(gr, o, fire);
    for (const k of fire) this.onTrackedChange(k);
  }

  private collect(gr: string, obj: KObject, fire: Set<string>): void {
    const m = this.byGr.get(gr);
    if (!m) return;
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name;
    const now = this.clock.now();
    const consider = (id: string, e: TrackEntry) => {
      for (const [k, exp] of e.trackers) {
        if (exp < now) e.trackers.delete(k);
        else fire.add(k);
      }
      if (e.trackers.size === 0) m.delete(id);
    };
    const exactId = `n:${ns}/${name}`;
    const exact = m.get(exactId);
    if (exact) consider(exactId, exact);
    // Only selector entries need matching; walking the by-name ones too made every change O(tracked refs).
    const sels = this.selectorIds.get(gr);
    if (!sels) return;
    for (const id of sels) {
      const e = m.get(id);
      if (!e) {
        sels.delete(id);
        continue;
      }
      if (e.namespace === ns && matchesSelector(e.selector!, obj.metadata.labels)) consider(id, e);
    }
  }

  /** Informer handler for objects of `gr`. */
  handlerFor(gr: string): EventHandler {
    return {
      onAdd: (obj) => this.onChanged(gr, obj),
      // Old state too: an object whose labels stop matching a tracked selector still matters.
      onUpdate: (oldObj, newObj) => this.onChanged(gr, oldObj, newObj),
      onDelete: (obj) => this.onChanged(gr, obj),
    };
  }

  /** Tracker keys currently watching (gr, namespace, name) by name; for tests and debugging. */
  trackersOf(gr: string, namespace: string | undefined, name: string): string[] {
    const e = this.byGr.get(gr)?.get(`n:${namespace ?? ''}/${name}`);
    return e ? [...e.trackers.keys()] : [];
  }
}
