// Informers: one list + watch per group-resource through the ApiClient, a
// local cache keyed `namespace/name` with secondary indexes, and add / update
// / delete handlers (after client-go's SharedIndexInformer and
// kubernetes-client/javascript's ListWatch). Tracks the last resourceVersion,
// relists on 410 Gone and re-watches a broken watch with backoff. Cached
// objects are shared by every controller and deep-frozen: clone before editing.
//
// Hand-written because the client libraries are bound to a real apiserver
// transport; ours must run over the in-process ApiClient as well.
import type { ApiClient, ClientWatchEvent, ListOptions, WatchHandle } from '../client/client.js';
import { controllerOf, objectKey, type KObject } from '../api/meta.js';
import { matchesSelector, parseSelector, type Selector } from '../api/labels.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { silentLogger, type Logger } from './logger.js';

export interface EventHandler {
  onAdd?(obj: KObject): void;
  onUpdate?(oldObj: KObject, newObj: KObject): void;
  onDelete?(obj: KObject): void;
}

/** Values an object is indexed under (e.g. its owner's uid). */
export type IndexFunc = (obj: KObject) => string[];

/** Read-only view of an informer's cache, what reconcilers read from. */
export interface Lister {
  get(namespace: string | undefined, name: string): KObject | undefined;
  getByKey(key: string): KObject | undefined;
  /** Cached objects, optionally in one namespace and matching a label selector (string or parsed). */
  list(opts?: { namespace?: string; labelSelector?: string | Selector }): KObject[];
  /** Objects whose index `indexName` yields `value`. */
  byIndex(indexName: string, value: string): KObject[];
}

export interface InformerOptions {
  /** Group-resource, e.g. `core/configmaps`. */
  gr: string;
  /** Only this namespace (all when undefined). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
  logger?: Logger;
  /** Re-deliver every cached object as onUpdate(obj, obj) this often; 0/undefined = never. */
  resyncPeriodMs?: number;
  /** Retry backoff for failed lists / broken watches (client-go reflector: 800 ms … 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** A watch that ran this long before breaking counts as healthy (resets backoff). */
const HEALTHY_WATCH_MS = 10_000;

export const NAMESPACE_INDEX = 'namespace';

/** Index by the uid of the controlling owner reference. */
export const OWNER_UID_INDEX = 'ownerUid';
export const indexByControllerUid: IndexFunc = (obj) => {
  const ref = controllerOf(obj);
  return ref ? [ref.uid] : [];
};

/** Name of the label index `list` builds on demand for an equality selector on `label`. */
export function labelIndexName(label: string): string {
  return `label:${label}`;
}

/** Index by the value of one label. */
export function indexByLabel(label: string): IndexFunc {
  return (obj) => {
    const v = obj.metadata.labels?.[label];
    return v === undefined ? [] : [v];
  };
}

export function keyOf(obj: KObject): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
}

/** Split `ns/name` (or `name` for cluster-scoped) into parts. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

interface Index {
  fn: IndexFunc;
  byValue: Map<string, Set<string>>;
  byKey: Map<string, string[]>;
}

export class Informer implements Lister {
  readonly gr: string;
  private readonly client: ApiClient;
  private readonly opts: InformerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly cache = new Map<string, KObject>();
  private readonly indexes = new Map<string, Index>();
  private readonly handlers = new Set<EventHandler>();
  private rv: string | undefined;
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];
  private started = false;
  private stopped = false;
  /** Bumped on every list/watch attempt; callbacks from older attempts are ignored. */
  private epoch = 0;
  private watchHandle: WatchHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  /**
   * Consecutive relists / re-watches since the last healthy watch event; each
   * drives its own backoff, so a routine watch break followed by a 410 still
   * relists at once, while a server that keeps failing gets backed off.
   */
  private relists = 0;
  private rewatches = 0;
  private watchStartedAt = 0;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(client: ApiClient, opts: InformerOptions) {
    if (!opts.gr || !opts.gr.includes('/')) throw new TypeError(`Informer: gr must look like "group/resource" (e.g. "core/pods"), got ${JSON.stringify(opts.gr)}`);
    this.client = client;
    this.opts = opts;
    this.gr = opts.gr;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.initialBackoffMs = opts.backoff?.initialMs ?? 800;
    this.maxBackoffMs = opts.backoff?.maxMs ?? 30_000;
    this.addIndexer(NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
  }

  /** Start list + watch. Idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.listAndWatch();
  }

  /** Stop watching and cancel timers; the cache stays readable. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.epoch++;
    this.stopWatch();
    this.clock.clearTimeout(this.retryTimer);
    this.clock.clearTimeout(this.resyncTimer);
  }

  isStarted(): boolean {
    return this.started && !this.stopped;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first successful list (rejects if `signal` aborts first). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.syncWaiters.indexOf(done);
        if (i >= 0) this.syncWaiters.splice(i, 1);
        reject(signal!.reason ?? new Error(`informer ${this.gr}: waitForSync aborted`));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(done);
    });
  }

  /** ResourceVersion of the last list or watch event seen. */
  lastSyncResourceVersion(): string | undefined {
    return this.rv;
  }

  /**
   * Register handlers. Objects already cached are replayed to the new handler
   * as adds, so late registration misses nothing. Returns an unregister function.
   */
  addEventHandler(h: EventHandler): () => void {
    this.handlers.add(h);
    if (h.onAdd) for (const obj of this.cache.values()) this.call(h, 'onAdd', obj);
    return () => this.handlers.delete(h);
  }

  /** Add a secondary index (indexes existing cache entries too). Names must be unique. */
  addIndexer(name: string, fn: IndexFunc): void {
    if (this.indexes.has(name)) throw new Error(`informer ${this.gr}: index "${name}" already exists`);
    const idx: Index = { fn, byValue: new Map(), byKey: new Map() };
    this.indexes.set(name, idx);
    for (const [key, obj] of this.cache) this.indexAdd(idx, key, obj);
  }

  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  // ---- Lister ----

  get(namespace: string | undefined, name: string): KObject | undefined {
    return this.cache.get(objectKey(namespace, name));
  }

  getByKey(key: string): KObject | undefined {
    return this.cache.get(key);
  }

  list(opts: { namespace?: string; labelSelector?: string | Selector } = {}): KObject[] {
    const sel = typeof opts.labelSelector === 'string' ? parseSelector(opts.labelSelector) : (opts.labelSelector ?? []);
    const source = this.candidates(opts.namespace, sel);
    const out: KObject[] = [];
    for (const o of source) {
      if (opts.namespace !== undefined && (o.metadata.namespace ?? '') !== opts.namespace) continue;
      if (sel.length === 0 || matchesSelector(sel, o.metadata.labels)) out.push(o);
    }
    return out;
  }

  /**
   * The smallest superset of what `list` can return without scanning the
   * cache: objects under an equality requirement's label index (built on
   * first use, then kept up to date like any index), else the namespace's.
   * Reconcilers list children by label (`serving.knative.dev/route=r`) on
   * every reconcile; scanning every object there made bulk applies O(n²).
   */
  private candidates(namespace: string | undefined, sel: Selector): Iterable<KObject> {
    const eq = sel.find((r) => r.op === 'in' && r.values.length > 0) as { key: string; values: string[] } | undefined;
    if (eq) {
      const name = labelIndexName(eq.key);
      if (!this.indexes.has(name)) this.addIndexer(name, indexByLabel(eq.key));
      if (eq.values.length === 1) return this.byIndex(name, eq.values[0]);
      const seen = new Set<KObject>();
      for (const v of eq.values) for (const o of this.byIndex(name, v)) seen.add(o);
      return seen;
    }
    return namespace === undefined ? this.cache.values() : this.byIndex(NAMESPACE_INDEX, namespace);
  }

  byIndex(indexName: string, value: string): KObject[] {
    const idx = this.indexes.get(indexName);
    if (!idx) throw new Error(`informer ${this.gr}: no index named "${indexName}"`);
    const keys = idx.byValue.get(value);
    if (!keys) return [];
    const out: KObject[] = [];
    for (const k of keys) {
      const o = this.cache.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  size(): number {
    return this.cache.size;
  }

  // ---- list + watch ----

  private selectorOpts(): ListOptions {
    const o: ListOptions = {};
    if (this.opts.namespace !== undefined) o.namespace = this.opts.namespace;
    if (this.opts.labelSelector) o.labelSelector = this.opts.labelSelector;
    if (this.opts.fieldSelector) o.fieldSelector = this.opts.fieldSelector;
    return o;
  }

  private async listAndWatch(): Promise<void> {
    const epoch = ++this.epoch;
    this.stopWatch();
    let res;
    try {
      res = await this.client.list(this.gr, this.selectorOpts());
    } catch (err) {
      if (epoch !== this.epoch) return;
      this.log.warn('informer list failed', { gr: this.gr, error: errMessage(err) });
      this.retry(this.relists++, () => void this.listAndWatch());
      return;
    }
    if (epoch !== this.epoch) return;
    this.replace(res.items, res.resourceVersion);
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
      this.scheduleResync();
    }
    this.startWatch();
  }

  private startWatch(): void {
    const epoch = ++this.epoch;
    const opts = { ...this.selectorOpts(), resourceVersion: this.rv };
    this.watchStartedAt = this.clock.now();
    try {
      this.watchHandle = this.client.watch(
        this.gr,
        opts,
        (ev) => {
          if (epoch === this.epoch) this.onWatchEvent(ev);
        },
        (err) => {
          if (epoch === this.epoch) this.onWatchError(err);
        },
      );
    } catch (err) {
      this.onWatchError(err as Error & { status?: number });
    }
  }

  private stopWatch(): void {
    const h = this.watchHandle;
    this.watchHandle = undefined;
    if (h) {
      try {
        h.stop();
      } catch (err) {
        this.log.debug('informer watch stop failed', { gr: this.gr, error: errMessage(err) });
      }
    }
  }

  private onWatchError(err: Error & { status?: number }): void {
    this.epoch++; // ignore anything the dead watch still delivers
    this.stopWatch();
    if (this.stopped) return;
    // A watch that lived a while was healthy even if quiet: start backoff afresh.
    if (this.clock.now() - this.watchStartedAt >= HEALTHY_WATCH_MS) this.healthy();
    if (err?.status === 410) {
      // Our resourceVersion fell out of the server's history: only a fresh list can resync us.
      this.log.info('informer watch expired (410 Gone); relisting', { gr: this.gr, resourceVersion: this.rv });
      this.retry(this.relists++, () => void this.listAndWatch());
    } else {
      this.log.warn('informer watch broke; re-watching', { gr: this.gr, resourceVersion: this.rv, error: errMessage(err) });
      this.retry(this.rewatches++, () => this.startWatch());
    }
  }

  private onWatchEvent(ev: ClientWatchEvent): void {
    if (ev.type === 'ERROR') {
      // The server reports watch failures in-band as a Status object.
      const st = ev.object as unknown as { code?: number; message?: string };
      const e = Object.assign(new Error(st?.message ?? 'watch error'), { status: st?.code });
      this.onWatchError(e);
      return;
    }
    this.healthy();
    const obj = ev.object;
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.rv = rv;
    if (ev.type === 'BOOKMARK') return;
    const key = keyOf(obj);
    const old = this.cache.get(key);
    if (ev.type === 'DELETED') {
      if (!old) return;
      this.remove(key, old);
      this.emit('onDelete', obj);
      return;
    }
    const fresh = deepFreeze(obj);
    this.put(key, fresh, old);
    if (old) this.emitUpdate(old, fresh);
    else this.emit('onAdd', fresh);
  }

  /** Install a fresh list, reporting the difference from the cache as events. */
  private replace(items: KObject[], rv: string): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.cache.get(key);
      const fresh = deepFreeze(item);
      if (old && old.metadata.resourceVersion === fresh.metadata.resourceVersion && old.metadata.resourceVersion !== undefined) continue;
      this.put(key, fresh, old);
      if (old) this.emitUpdate(old, fresh);
      else this.emit('onAdd', fresh);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.remove(key, old);
      this.emit('onDelete', old);
    }
    this.rv = rv;
  }

  private healthy(): void {
    this.relists = 0;
    this.rewatches = 0;
  }

  /** Run `fn` after the backoff for the `n`th consecutive retry (the first is immediate). */
  private retry(n: number, fn: () => void): void {
    if (this.stopped) return;
    const epoch = this.epoch;
    const run = () => {
      if (!this.stopped && epoch === this.epoch) fn();
    };
    this.clock.clearTimeout(this.retryTimer);
    if (n === 0) {
      // First retry after healthy operation: at once (a watch ending is routine).
      queueMicrotask(run);
      return;
    }
    const delay = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (n - 1));
    this.retryTimer = this.clock.setTimeout(run, delay);
  }

  private scheduleResync(): void {
    const period = this.opts.resyncPeriodMs;
    if (!period || period <= 0 || this.stopped) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      for (const obj of [...this.cache.values()]) this.emitUpdate(obj, obj);
      this.scheduleResync();
    }, period);
  }

  // ---- cache + indexes ----

  private put(key: string, obj: KObject, old: KObject | undefined): void {
    this.cache.set(key, obj);
    for (const idx of this.indexes.values()) {
      if (old) {
        // Most updates (status writes) leave index values alone: skip the remove + re-add.
        const before = idx.byKey.get(key);
        const after = this.indexValues(idx, key, obj);
        if (before !== undefined && sameValues(before, after)) continue;
        if (before === undefined && after.length === 0) continue;
        this.indexRemove(idx, key);
        this.indexInsert(idx, key, after);
      } else this.indexAdd(idx, key, obj);
    }
  }

  private remove(key: string, _old: KObject): void {
    this.cache.delete(key);
    for (const idx of this.indexes.values()) this.indexRemove(idx, key);
  }

  private indexValues(idx: Index, key: string, obj: KObject): string[] {
    try {
      return idx.fn(obj);
    } catch (err) {
      this.log.error('informer index function threw', { gr: this.gr, key, error: errMessage(err) });
      return [];
    }
  }

  private indexAdd(idx: Index, key: string, obj: KObject): void {
    this.indexInsert(idx, key, this.indexValues(idx, key, obj));
  }

  private indexInsert(idx: Index, key: string, values: string[]): void {
    if (values.length === 0) return;
    idx.byKey.set(key, values);
    for (const v of values) {
      let set = idx.byValue.get(v);
      if (!set) idx.byValue.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private indexRemove(idx: Index, key: string): void {
    const values = idx.byKey.get(key);
    if (!values) return;
    idx.byKey.delete(key);
    for (const v of values) {
      const set = idx.byValue.get(v);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) idx.byValue.delete(v);
    }
  }

  // ---- handler dispatch: one throwing handler must not break the others ----

  private emit(kind: 'onAdd' | 'onDelete', obj: KObject): void {
    for (const h of this.handlers) this.call(h, kind, obj);
  }

  private emitUpdate(oldObj: KObject, newObj: KObject): void {
    for (const h of this.handlers) {
      if (!h.onUpdate) continue;
      try {
        h.onUpdate(oldObj, newObj);
      } catch (err) {
        this.log.error('informer event handler threw', { gr: this.gr, handler: 'onUpdate', error: errMessage(err) });
      }
    }
  }

  private call(h: EventHandler, kind: 'onAdd' | 'onDelete', obj: KObject): void {
    const fn = h[kind];
    if (!fn) return;
    try {
      fn.call(h, obj);
    } catch (err) {
      this.log.error('informer event handler threw', { gr: this.gr, handler: kind, error: errMessage(err) });
    }
  }
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface SharedInformerFactoryOptions {
  clock?: Clock;
  logger?: Logger;
  /** Default namespace restriction for every informer (all namespaces when undefined). */
  namespace?: string;
  resyncPeriodMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
}

/**
 * One informer per (group-resource, namespace, selector), shared by every
 * controller that asks, so N controllers watching Pods cost one watch.
 * Informers requested after `start()` start immediately.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;
  constructor(
    private readonly client: ApiClient,
    private readonly opts: SharedInformerFactoryOptions = {},
  ) {}

  informerFor(gr: string, sel: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): Informer {
    const namespace = sel.namespace ?? this.opts.namespace;
    const id = `${gr}|${namespace ?? ''}|${sel.labelSelector ?? ''}|${sel.fieldSelector ?? ''}`;
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer(this.client, {
        gr,
        namespace,
        labelSelector: sel.labelSelector,
        fieldSelector: sel.fieldSelector,
        clock: this.opts.clock,
        logger: this.opts.logger,
        resyncPeriodMs: this.opts.resyncPeriodMs,
        backoff: this.opts.backoff,
      });
      this.informers.set(id, inf);
      if (this.started) inf.start();
    }
    return inf;
  }

  /** Shorthand: the shared informer's cache as a Lister. */
  lister(gr: string): Lister {
    return this.informerFor(gr);
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
  }

  /** Resolves when every informer created so far has synced. Throws before `start()` (it would never resolve). */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (!this.started) throw new Error('SharedInformerFactory.waitForSync called before start(); informers would never sync');
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  all(): Informer[] {
    return [...this.informers.values()];
  }
}
