// In-memory Store: the reference implementation and the cache under the
// SQLite store. A `Persistence` hook, when given, is called inside each write
// before the write is acknowledged (SqliteStore uses it for durability).
import { alreadyExists, conflict, gone, notFound } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { deepFreeze, type Store, type WatchEvent, type WatchOptions } from './store.js';

export interface Persistence {
  put(gr: string, namespace: string, name: string, rv: number, json: string): void;
  remove(gr: string, namespace: string, name: string, rv: number): void;
  close(): void;
}

interface Watcher {
  gr?: string;
  namespace?: string;
  fn: (ev: WatchEvent) => void;
}

/**
 * Watch history kept for resuming watches (events, i.e. old object versions).
 * Each event pins a full object version, so this is the store's main memory
 * cost beyond the live objects: 20,000 held ~2 old versions per live object
 * after a bulk apply of 1,000 Services. A watcher further behind gets 410 Gone
 * and relists, as with a compacted etcd.
 */
export const DEFAULT_HISTORY_LIMIT = 4096;

function resourceName(gr: string): [string, string] {
  const i = gr.indexOf('/');
  const group = gr.slice(0, i);
  return [gr.slice(i + 1), group === 'core' ? '' : group];
}

export class MemoryStore implements Store {
  private readonly data = new Map<string, Map<string, KObject>>(); // gr -> "ns/name" -> obj
  /** gr → its keys in order, for list; dropped when a key is added or removed. */
  private readonly sortedKeys = new Map<string, string[]>();
  private rev: number;
  private readonly history: WatchEvent[] = [];
  private historyStart = 0; // index offset for ring semantics
  private readonly watchers = new Set<Watcher>();
  private readonly floorRev: number; // history begins after this revision

  private readonly historyLimit: number;

  constructor(
    private readonly persistence?: Persistence,
    initial?: { objects: Array<{ gr: string; obj: KObject }>; revision: number },
    opts: { historyLimit?: number } = {},
  ) {
    this.historyLimit = Math.max(1, opts.historyLimit ?? DEFAULT_HISTORY_LIMIT);
    this.rev = initial?.revision ?? 0;
    this.floorRev = this.rev;
    for (const { gr, obj } of initial?.objects ?? []) this.bucket(gr).set(this.key(obj.metadata.namespace, obj.metadata.name!), deepFreeze(obj));
  }

  private key(ns: string | undefined, name: string | undefined): string {
    return `${ns ?? ''}/${name ?? ''}`;
  }

  private bucket(gr: string): Map<string, KObject> {
    let b = this.data.get(gr);
    if (!b) this.data.set(gr, (b = new Map()));
    return b;
  }

  revision(): number {
    return this.rev;
  }

  get(gr: string, namespace: string, name: string): KObject | undefined {
    return this.data.get(gr)?.get(this.key(namespace, name));
  }

  list(gr: string, namespace?: string): { items: KObject[]; revision: number } {
    const b = this.data.get(gr);
    const items: KObject[] = [];
    if (b) {
      // Keys sorted once per change of the key set (creates/deletes), not per list: updates keep it.
      let keys = this.sortedKeys.get(gr);
      if (!keys) this.sortedKeys.set(gr, (keys = [...b.keys()].sort()));
      const prefix = namespace === undefined ? undefined : `${namespace}/`;
      for (const k of keys) {
        if (prefix !== undefined && !k.startsWith(prefix)) continue;
        items.push(b.get(k)!);
      }
    }
    return { items, revision: this.rev };
  }

  create(gr: string, obj: KObject): KObject {
    const k = this.key(obj.metadata.namespace, obj.metadata.name);
    const b = this.bucket(gr);
    if (b.has(k)) {
      const [res, group] = resourceName(gr);
      throw alreadyExists(res, obj.metadata.name!, group);
    }
    const rv = this.rev + 1;
    const stored = deepFreeze({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } });
    this.persistence?.put(gr, obj.metadata.namespace ?? '', obj.metadata.name!, rv, JSON.stringify(stored));
    this.rev = rv;
    b.set(k, stored);
    this.sortedKeys.delete(gr);
    this.emit({ type: 'ADDED', gr, object: stored, rv });
    return stored;
  }

  update(gr: string, obj: KObject, expectedRv?: string): KObject {
    const k = this.key(obj.metadata.namespace, obj.metadata.name);
    const b = this.bucket(gr);
    const cur = b.get(k);
    const [res, group] = resourceName(gr);
    if (!cur) throw notFound(res, obj.metadata.name!, group);
    if (expectedRv !== undefined && expectedRv !== '' && cur.metadata.resourceVersion !== expectedRv)
      throw conflict(res, obj.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again', group);
    const rv = this.rev + 1;
    const stored = deepFreeze({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } });
    this.persistence?.put(gr, obj.metadata.namespace ?? '', obj.metadata.name!, rv, JSON.stringify(stored));
    this.rev = rv;
    b.set(k, stored);
    this.emit({ type: 'MODIFIED', gr, object: stored, rv });
    return stored;
  }

  delete(gr: string, namespace: string, name: string, expectedRv?: string): KObject {
    const k = this.key(namespace, name);
    const b = this.bucket(gr);
    const cur = b.get(k);
    const [res, group] = resourceName(gr);
    if (!cur) throw notFound(res, name, group);
    if (expectedRv !== undefined && expectedRv !== '' && cur.metadata.resourceVersion !== expectedRv)
      throw conflict(res, name, 'the object has been modified; please apply your changes to the latest version and try again', group);
    const rv = this.rev + 1;
    this.persistence?.remove(gr, namespace, name, rv);
    this.rev = rv;
    b.delete(k);
    this.sortedKeys.delete(gr);
    const gone = deepFreeze({ ...cur, metadata: { ...cur.metadata, resourceVersion: String(rv) } });
    this.emit({ type: 'DELETED', gr, object: gone, rv });
    return gone;
  }

  oldestWatchableRevision(): number {
    return this.history.length > this.historyStart ? this.history[this.historyStart].rv - 1 : this.rev;
  }

  watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void): () => void {
    const w: Watcher = { gr: opts.gr, namespace: opts.namespace, fn: onEvent };
    if (opts.fromRevision !== undefined && opts.fromRevision < this.rev) {
      const oldest = Math.max(this.floorRev, this.oldestWatchableRevision());
      if (opts.fromRevision < oldest) throw gone(`too old resource version: ${opts.fromRevision} (${oldest})`);
      for (let i = this.historyStart; i < this.history.length; i++) {
        const ev = this.history[i];
        if (ev.rv > opts.fromRevision && this.matches(w, ev)) onEvent(ev);
      }
    }
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
    };
  }

  private matches(w: Watcher, ev: WatchEvent): boolean {
    return (w.gr === undefined || w.gr === ev.gr) && (w.namespace === undefined || (ev.object.metadata.namespace ?? '') === w.namespace);
  }

  private emit(ev: WatchEvent): void {
    this.history.push(ev);
    if (this.history.length - this.historyStart > this.historyLimit) {
      // Drop the oldest; splice in batches so the array never holds more than 1.25 × the limit.
      this.history[this.historyStart] = undefined as unknown as WatchEvent;
      this.historyStart++;
      if (this.historyStart > this.historyLimit / 4) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const w of this.watchers) {
      if (!this.matches(w, ev)) continue;
      try {
        w.fn(ev);
      } catch {
        // A broken watcher must not break writers; it is dropped.
        this.watchers.delete(w);
      }
    }
  }

  close(): void {
    this.watchers.clear();
    this.persistence?.close();
  }
}
