// The Store interface: versioned object storage with watch, the seam between
// the API layer and the bytes on disk. Two implementations pass one contract
// suite (store-contract.ts): MemoryStore (tests) and SqliteStore (embedded).
//
// Semantics (etcd-like): one global, monotonically increasing revision; every
// write gets the next revision, which becomes the object's resourceVersion.
// Objects handed out are deep-frozen: callers clone before changing them.
import type { KObject } from '../api/meta.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  /** Group-resource key, e.g. `core/pods`. */
  gr: string;
  object: KObject;
  /** Revision of this event (= object's resourceVersion; for DELETED the deletion's revision). */
  rv: number;
}

export interface WatchOptions {
  /** Only this group-resource (all when undefined). */
  gr?: string;
  /** Only this namespace (all when undefined). */
  namespace?: string;
  /** Replay every event after this revision first; throws Gone (410) when history no longer reaches back. */
  fromRevision?: number;
}

export interface Store {
  /** Current (latest written) revision. */
  revision(): number;
  get(gr: string, namespace: string, name: string): KObject | undefined;
  /** Objects of one kind, optionally in one namespace, sorted by namespace/name. */
  list(gr: string, namespace?: string): { items: KObject[]; revision: number };
  /** Insert; the object's metadata.name/namespace must be set. Throws 409 AlreadyExists. */
  create(gr: string, obj: KObject): KObject;
  /** Replace; throws 404 NotFound, or 409 Conflict when expectedRv is given and stale. */
  update(gr: string, obj: KObject, expectedRv?: string): KObject;
  /** Remove; throws 404 NotFound, or 409 Conflict when expectedRv is given and stale. */
  delete(gr: string, namespace: string, name: string, expectedRv?: string): KObject;
  /** Subscribe; events are delivered synchronously in revision order. Returns an unsubscribe function. */
  watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void): () => void;
  /** Oldest revision a watch can still resume from. */
  oldestWatchableRevision(): number;
  close(): void;
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}
