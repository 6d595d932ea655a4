// FakeApiClient: an in-memory ApiClient for controller tests (client-go's
// fake clientset + reactors, reduced). Objects live in a Map per
// group-resource with one global resourceVersion counter; writes behave like
// the API server where reconcilers can tell the difference (404 / 409
// AlreadyExists / 409 Conflict on stale resourceVersion, status subresource,
// generation bumps on spec changes, finalizers delaying deletion, 410 Gone
// for watches older than the retained history). Every call is recorded as an
// action so table tests can compare wanted creates/updates/patches/deletes,
// and reactors inject failures. Returned objects are deep-frozen, like the store's.
import type {
  ApiClient,
  ClientWatchEvent,
  DeleteOptions,
  ListOptions,
  ListResult,
  PatchOptions,
  WatchEventType,
  WatchHandle,
} from '../../client/client.js';
import { splitApiVersion, type KObject } from '../../api/meta.js';
import { ApiError, alreadyExists, badRequest, conflict, gone, notFound } from '../../api/errors.js';
import { matchesFieldSelector, matchesSelector, parseFieldSelector, parseSelector, type FieldSelector, type Selector } from '../../api/labels.js';
import { jsonMergePatch, jsonPatch, strategicMergePatch, METADATA_MERGE_KEYS } from '../../api/patch.js';
import { isDeepStrictEqual } from 'node:util';
import { FakeClock, rfc3339, type Clock } from '../clock.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'updateStatus' | 'patch' | 'delete';

export interface Action {
  verb: Verb;
  gr: string;
  namespace?: string;
  name?: string;
  /** For create/update/updateStatus: the object as the caller sent it (frozen copy). */
  object?: KObject;
  /** For patch: the patch body and options. */
  patch?: unknown;
  patchType?: PatchOptions['type'];
  subresource?: string;
  /** For list/watch. */
  listOptions?: ListOptions & { resourceVersion?: string };
  deleteOptions?: DeleteOptions;
}

/** Return `{ handled: true, ... }` to answer the call instead of the fake; `undefined` to pass. */
export type Reactor = (action: Action) => { handled: true; error?: Error; result?: KObject } | undefined;

export interface FakeApiClientOptions {
  /** For creationTimestamp and deletionTimestamp (default: a FakeClock at 2024-01-01T00:00:00Z). */
  clock?: Clock;
  /** Map apiVersion/kind to group-resource for `seed` (default: lowercase plural heuristic, see `guessGr`). */
  resolveGr?: (apiVersion: string, kind: string) => string;
  /** Watch history kept for resuming (events); older resourceVersions get 410 Gone. */
  historyLimit?: number;
  /** Group-resources whose PUT replaces status too (no status subresource). Default: none. */
  noStatusSubresource?: string[];
}

interface Watcher {
  gr: string;
  namespace?: string;
  labels: Selector;
  fields: FieldSelector;
  onEvent: (ev: ClientWatchEvent) => void;
  onError: (err: Error & { status?: number }) => void;
  pending: Array<() => void>;
  scheduled: boolean;
  stopped: boolean;
}

interface HistoryEntry {
  rv: number;
  gr: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KObject;
  old?: KObject;
}

const MUTATING: ReadonlySet<Verb> = new Set(['create', 'update', 'updateStatus', 'patch', 'delete']);

/** `Service` → `services`, `Ingress` → `ingresses`, `Policy` → `policies`, `Endpoints` → `endpoints`; core group → `core`. */
export function guessGr(apiVersion: string, kind: string): string {
  const group = splitApiVersion(apiVersion).group || 'core';
  const k = kind.toLowerCase();
  let plural: string;
  if (k === 'endpoints') plural = k;
  else if (/(s|x|ch|sh)$/.test(k)) plural = k + 'es';
  else if (/[^aeiou]y$/.test(k)) plural = k.slice(0, -1) + 'ies';
  else plural = k + 's';
  return `${group}/${plural}`;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

const frozenCopy = <T>(o: T): T => deepFreeze(structuredClone(o));

function splitGr(gr: string): { group: string; resource: string } {
  const i = gr.indexOf('/');
  const group = gr.slice(0, i);
  return { group: group === 'core' ? '' : group, resource: gr.slice(i + 1) };
}

function keyFor(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Everything but metadata and status: what bumps generation. */
function specPart(o: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export class FakeApiClient implements ApiClient {
  readonly actions: Action[] = [];
  readonly clock: Clock;
  private readonly resolveGr: (apiVersion: string, kind: string) => string;
  private readonly objects = new Map<string, Map<string, KObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly historyLimit: number;
  /** Oldest resourceVersion a watch may resume from. */
  private compactedThrough = 0;
  private rv = 0;
  private uidSeq = 0;
  private nameSeq = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly reactors: Array<{ verb: Verb | '*'; gr: string; fn: Reactor }> = [];
  private readonly noStatusSub: Set<string>;

  constructor(opts: FakeApiClientOptions = {}) {
    this.clock = opts.clock ?? new FakeClock();
    this.resolveGr = opts.resolveGr ?? guessGr;
    this.historyLimit = opts.historyLimit ?? 10_000;
    this.noStatusSub = new Set(opts.noStatusSubresource ?? []);
  }

  grOf(obj: KObject): string {
    return this.resolveGr(obj.apiVersion, obj.kind);
  }

  // ---- test setup & inspection ----

  /**
   * Put objects in place without recording actions (like a table row's
   * `objects`). Missing uid/resourceVersion/creationTimestamp/generation are filled in.
   */
  seed(...objs: KObject[]): this {
    return this.put(objs, true);
  }

  /**
   * Put objects in place exactly as given (nothing filled in), so table-test
   * wants can be written from the same builders. Writes still advance the
   * global resourceVersion counter.
   */
  seedAsIs(...objs: KObject[]): this {
    return this.put(objs, false);
  }

  private put(objs: KObject[], fill: boolean): this {
    for (const o of objs) {
      const gr = this.grOf(o);
      const m = this.bucket(gr);
      const name = o.metadata?.name;
      if (!name) throw badRequest(`seed: ${o.kind} needs metadata.name`);
      const obj = structuredClone(o);
      ++this.rv;
      if (fill) {
        obj.metadata.uid ??= this.nextUid();
        obj.metadata.creationTimestamp ??= rfc3339(this.clock.now());
        obj.metadata.generation ??= 1;
        obj.metadata.resourceVersion = String(this.rv);
      }
      const frozen = deepFreeze(obj);
      const key = keyFor(obj.metadata.namespace, name);
      const old = m.get(key);
      m.set(key, frozen);
      this.publish(gr, old ? 'MODIFIED' : 'ADDED', frozen, old);
    }
    return this;
  }

  /** Current stored object, without recording an action. */
  peek(gr: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.objects.get(gr)?.get(keyFor(namespace, name));
  }

  /** Every stored object of `gr`, sorted by key, without recording an action. */
  all(gr: string): KObject[] {
    const m = this.objects.get(gr);
    return m ? [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o) : [];
  }

  /** The latest resourceVersion handed out. */
  resourceVersion(): string {
    return String(this.rv);
  }

  /** Actions that write (create, update, updateStatus, patch, delete). */
  mutations(): Action[] {
    return this.actions.filter((a) => MUTATING.has(a.verb));
  }
  creates(gr?: string): KObject[] {
    return this.of('create', gr).map((a) => a.object!);
  }
  updates(gr?: string): KObject[] {
    return this.of('update', gr).map((a) => a.object!);
  }
  statusUpdates(gr?: string): KObject[] {
    return this.of('updateStatus', gr).map((a) => a.object!);
  }
  patches(gr?: string): Action[] {
    return this.of('patch', gr);
  }
  deletes(gr?: string): Action[] {
    return this.of('delete', gr);
  }
  clearActions(): void {
    this.actions.length = 0;
  }

  private of(verb: Verb, gr?: string): Action[] {
    return this.actions.filter((a) => a.verb === verb && (gr === undefined || a.gr === gr));
  }

  /** Intercept calls; newest reactor first, as in client-go's PrependReactor. */
  prependReactor(verb: Verb | '*', gr: string | '*', fn: Reactor): this {
    this.reactors.unshift({ verb, gr, fn });
    return this;
  }

  /**
   * Make `verb` on `gr` fail (knative's InduceFailure): every time, or the
   * next `times` calls. Default error: 500 InternalError "inducing failure for <verb> <resource>".
   */
  induceFailure(verb: Verb, gr: string, opts: { error?: Error; times?: number } = {}): this {
    let left = opts.times ?? Infinity;
    const err = opts.error ?? new ApiError(500, 'InternalError', `inducing failure for ${verb} ${splitGr(gr).resource}`);
    return this.prependReactor(verb, gr, () => {
      if (left <= 0) return undefined;
      left--;
      return { handled: true, error: err };
    });
  }

  /** Break every open watch with `err` (default: a connection-reset style error, no status). */
  breakWatches(err: Error & { status?: number } = new Error('watch connection reset')): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      this.enqueueDelivery(w, () => w.onError(err));
    }
  }

  /** Drop the watch history: resuming from any resourceVersion seen so far now gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedThrough = this.rv;
  }

  activeWatches(gr?: string): number {
    let n = 0;
    for (const w of this.watchers) if (gr === undefined || w.gr === gr) n++;
    return n;
  }

  // ---- ApiClient ----

  async get(gr: string, namespace: string, name: string): Promise<KObject | undefined> {
    const r = this.react({ verb: 'get', gr, namespace, name });
    if (r) return r;
    return this.peek(gr, namespace || undefined, name);
  }

  async list(gr: string, opts: ListOptions = {}): Promise<ListResult> {
    const action: Action = { verb: 'list', gr, listOptions: { ...opts } };
    this.actions.push(action);
    this.runReactors(action);
    const labels = parseSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector);
    const items = this.all(gr).filter((o) => this.matches(o, opts.namespace, labels, fields));
    return { items, resourceVersion: String(this.rv) };
  }

  watch(
    gr: string,
    opts: ListOptions & { resourceVersion?: string },
    onEvent: (ev: ClientWatchEvent) => void,
    onError: (err: Error & { status?: number }) => void,
  ): WatchHandle {
    const action: Action = { verb: 'watch', gr, listOptions: { ...opts } };
    this.actions.push(action);
    const w: Watcher = {
      gr,
      namespace: opts.namespace,
      labels: parseSelector(opts.labelSelector),
      fields: parseFieldSelector(opts.fieldSelector),
      onEvent,
      onError,
      pending: [],
      scheduled: false,
      stopped: false,
    };
    const handle: WatchHandle = {
      stop: () => {
        w.stopped = true;
        this.watchers.delete(w);
      },
    };
    try {
      this.runReactors(action);
    } catch (err) {
      this.enqueueDelivery(w, () => onError(err as Error));
      return handle;
    }
    const from = opts.resourceVersion;
    if (from === undefined || from === '' || from === '0') {
      // Kubernetes: no resourceVersion = synthetic ADDED for what exists now, then changes.
      for (const o of this.all(gr)) if (this.matches(o, w.namespace, w.labels, w.fields)) this.send(w, 'ADDED', o);
    } else {
      const rv = Number(from);
      if (!Number.isFinite(rv)) {
        this.enqueueDelivery(w, () => onError(badRequest(`invalid resourceVersion ${JSON.stringify(from)}`)));
        return handle;
      }
      if (rv < this.compactedThrough || (this.history.length > 0 && rv < this.history[0].rv - 1)) {
        this.enqueueDelivery(w, () => onError(gone(`too old resource version: ${rv} (${this.compactedThrough})`)));
        return handle;
      }
      for (const h of this.history) if (h.rv > rv && h.gr === gr) this.deliver(w, h);
    }
    this.watchers.add(w);
    return handle;
  }

  async create(gr: string, obj: KObject): Promise<KObject> {
    const r = this.react({ verb: 'create', gr, namespace: obj.metadata?.namespace, name: obj.metadata?.name, object: frozenCopy(obj) });
    if (r) return r;
    const o = structuredClone(obj);
    if (!o.metadata) throw badRequest('metadata: Required value');
    if (!o.metadata.name) {
      if (!o.metadata.generateName) throw badRequest('metadata.name: Required value: name or generateName is required');
      o.metadata.name = o.metadata.generateName + (++this.nameSeq).toString(36).padStart(5, '0');
    }
    const { group, resource } = splitGr(gr);
    const m = this.bucket(gr);
    const key = keyFor(o.metadata.namespace, o.metadata.name);
    if (m.has(key)) throw alreadyExists(resource, o.metadata.name, group);
    o.metadata.uid = this.nextUid();
    o.metadata.creationTimestamp = rfc3339(this.clock.now());
    o.metadata.generation = 1;
    o.metadata.resourceVersion = String(++this.rv);
    delete o.metadata.deletionTimestamp;
    const frozen = deepFreeze(o);
    m.set(key, frozen);
    this.publish(gr, 'ADDED', frozen);
    return frozen;
  }

  async update(gr: string, obj: KObject): Promise<KObject> {
    const r = this.react({ verb: 'update', gr, namespace: obj.metadata?.namespace, name: obj.metadata?.name, object: frozenCopy(obj) });
    if (r) return r;
    const existing = this.mustExist(gr, obj.metadata.namespace, obj.metadata.name!, obj.metadata.resourceVersion);
    const next = structuredClone(obj);
    if (!this.noStatusSub.has(gr)) {
      if (existing.status === undefined) delete next.status;
      else next.status = structuredClone(existing.status);
    }
    return this.commit(gr, existing, next);
  }

  async updateStatus(gr: string, obj: KObject): Promise<KObject> {
    const r = this.react({ verb: 'updateStatus', gr, namespace: obj.metadata?.namespace, name: obj.metadata?.name, object: frozenCopy(obj), subresource: 'status' });
    if (r) return r;
    const existing = this.mustExist(gr, obj.metadata.namespace, obj.metadata.name!, obj.metadata.resourceVersion);
    const next = structuredClone(existing) as KObject;
    if (obj.status === undefined) delete next.status;
    else next.status = structuredClone(obj.status);
    return this.commit(gr, existing, next);
  }

  async patch(gr: string, namespace: string, name: string, patch: unknown, opts: PatchOptions): Promise<KObject> {
    const r = this.react({ verb: 'patch', gr, namespace: namespace || undefined, name, patch: frozenCopy(patch), patchType: opts.type, subresource: opts.subresource });
    if (r) return r;
    const existing = this.mustExist(gr, namespace || undefined, name);
    let patched: KObject;
    switch (opts.type) {
      case 'merge':
        patched = jsonMergePatch(existing, patch) as KObject;
        break;
      case 'json':
        patched = jsonPatch(existing, patch) as KObject;
        break;
      case 'strategic':
        patched = strategicMergePatch(existing, patch, METADATA_MERGE_KEYS) as KObject;
        break;
      default:
        throw new ApiError(415, 'UnsupportedMediaType', `unsupported patch type ${JSON.stringify((opts as PatchOptions).type)}`);
    }
    patched = structuredClone(patched);
    const wantRv = patched.metadata?.resourceVersion;
    if (wantRv !== undefined && wantRv !== existing.metadata.resourceVersion) {
      const { group, resource } = splitGr(gr);
      throw conflict(resource, name, 'the object has been modified; please apply your changes to the latest version and try again', group);
    }
    let next: KObject;
    if (opts.subresource === 'status') {
      next = structuredClone(existing) as KObject;
      if (patched.status === undefined) delete next.status;
      else next.status = patched.status;
    } else {
      next = patched;
      if (!this.noStatusSub.has(gr)) {
        if (existing.status === undefined) delete next.status;
        else next.status = structuredClone(existing.status);
      }
    }
    return this.commit(gr, existing, next);
  }

  async delete(gr: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KObject | undefined> {
    const r = this.react({ verb: 'delete', gr, namespace: namespace || undefined, name, deleteOptions: { ...opts } });
    if (r) return r;
    const existing = this.mustExist(gr, namespace || undefined, name, opts.resourceVersion);
    if (existing.metadata.finalizers?.length) {
      if (existing.metadata.deletionTimestamp) return existing;
      const next = structuredClone(existing) as KObject;
      next.metadata.deletionTimestamp = rfc3339(this.clock.now());
      next.metadata.deletionGracePeriodSeconds = 0;
      return this.commit(gr, existing, next, true);
    }
    return this.remove(gr, existing);
  }

  // ---- internals ----

  private bucket(gr: string): Map<string, KObject> {
    let m = this.objects.get(gr);
    if (!m) this.objects.set(gr, (m = new Map()));
    return m;
  }

  private nextUid(): string {
    return `00000000-0000-4000-8000-${(++this.uidSeq).toString(16).padStart(12, '0')}`;
  }

  private mustExist(gr: string, namespace: string | undefined, name: string, expectedRv?: string): KObject {
    const { group, resource } = splitGr(gr);
    if (!name) throw badRequest('metadata.name: Required value');
    const existing = this.objects.get(gr)?.get(keyFor(namespace, name));
    if (!existing) throw notFound(resource, name, group);
    if (expectedRv && expectedRv !== existing.metadata.resourceVersion) {
      throw conflict(resource, name, 'the object has been modified; please apply your changes to the latest version and try again', group);
    }
    return existing;
  }

  /** Write `next` over `existing`: immutable metadata kept, generation bumped on spec change, finalizer-complete deletes applied. */
  private commit(gr: string, existing: KObject, next: KObject, markingDeleted = false): KObject {
    const em = existing.metadata;
    next.apiVersion ??= existing.apiVersion;
    next.kind ??= existing.kind;
    next.metadata = { ...next.metadata, name: em.name, namespace: em.namespace, uid: em.uid, creationTimestamp: em.creationTimestamp };
    if (next.metadata.namespace === undefined) delete next.metadata.namespace;
    if (em.deletionTimestamp) {
      next.metadata.deletionTimestamp = em.deletionTimestamp;
      next.metadata.deletionGracePeriodSeconds = em.deletionGracePeriodSeconds;
    } else if (!markingDeleted) {
      // Only delete() may start a deletion.
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
    }
    next.metadata.generation = (em.generation ?? 1) + (isDeepStrictEqual(specPart(existing), specPart(next)) ? 0 : 1);
    next.metadata.resourceVersion = em.resourceVersion;
    if (isDeepStrictEqual(next, existing)) return existing; // no-op writes don't bump resourceVersion (as in Kubernetes)
    if (em.deletionTimestamp && !next.metadata.finalizers?.length) return this.remove(gr, existing);
    next.metadata.resourceVersion = String(++this.rv);
    const frozen = deepFreeze(next);
    this.bucket(gr).set(keyFor(em.namespace, em.name!), frozen);
    this.publish(gr, 'MODIFIED', frozen, existing);
    return frozen;
  }

  private remove(gr: string, existing: KObject): KObject {
    this.bucket(gr).delete(keyFor(existing.metadata.namespace, existing.metadata.name!));
    const gone = structuredClone(existing) as KObject;
    gone.metadata.resourceVersion = String(++this.rv);
    const frozen = deepFreeze(gone);
    this.publish(gr, 'DELETED', frozen, existing);
    return frozen;
  }

  private publish(gr: string, type: HistoryEntry['type'], object: KObject, old?: KObject): void {
    const h: HistoryEntry = { rv: this.rv, gr, type, object, old };
    this.history.push(h);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedThrough = dropped[dropped.length - 1].rv;
    }
    for (const w of this.watchers) if (w.gr === gr) this.deliver(w, h);
  }

  /** Send one history entry to a watcher, translating selector transitions into ADDED/DELETED as the API server does. */
  private deliver(w: Watcher, h: HistoryEntry): void {
    const now = this.matches(h.object, w.namespace, w.labels, w.fields);
    if (h.type !== 'MODIFIED') {
      if (now) this.send(w, h.type, h.object);
      return;
    }
    const before = h.old ? this.matches(h.old, w.namespace, w.labels, w.fields) : false;
    if (now && before) this.send(w, 'MODIFIED', h.object);
    else if (now) this.send(w, 'ADDED', h.object);
    else if (before) this.send(w, 'DELETED', h.object);
  }

  private send(w: Watcher, type: WatchEventType, object: KObject): void {
    this.enqueueDelivery(w, () => w.onEvent({ type, object }));
  }

  /** Deliver asynchronously but in order, like events arriving over a connection. */
  private enqueueDelivery(w: Watcher, fn: () => void): void {
    w.pending.push(fn);
    if (w.scheduled) return;
    w.scheduled = true;
    queueMicrotask(() => {
      w.scheduled = false;
      while (w.pending.length) {
        const next = w.pending.shift()!;
        if (!w.stopped) next();
      }
    });
  }

  private matches(o: KObject, namespace: string | undefined, labels: Selector, fields: FieldSelector): boolean {
    if (namespace !== undefined && namespace !== '' && o.metadata.namespace !== namespace) return false;
    if (labels.length && !matchesSelector(labels, o.metadata.labels)) return false;
    if (fields.length && !matchesFieldSelector(fields, o)) return false;
    return true;
  }

  /** Record a call and let reactors answer it. Returns a reactor's result, throws its error, or undefined to proceed. */
  private react(action: Action): KObject | undefined {
    this.actions.push(action);
    return this.runReactors(action);
  }

  private runReactors(action: Action): KObject | undefined {
    for (const r of this.reactors) {
      if ((r.verb !== '*' && r.verb !== action.verb) || (r.gr !== '*' && r.gr !== action.gr)) continue;
      const out = r.fn(action);
      if (!out) continue;
      if (out.error) throw out.error;
      return out.result;
    }
    return undefined;
  }
}
