// Incremental bookkeeping for the data-plane feed: what the worker was last
// sent per key (so a push posts only the keys that changed, as deltas), and
// which source claims each host name (KIngress rules, a revision's
// cluster-local names, a plain Service's), with the winner picked the way the
// full rebuild did: KIngress claims first, then revisions, then Services, and
// among one kind the earliest claim. Keeping this per key is what makes a
// change cost O(that object) instead of O(every service) — rebuilding and
// stringifying whole tables per change made bulk applies quadratic.
// Pure: no I/O, no informers.
import { deepEqual } from '../../api/json.js';
import type { HostEntry } from '../dataplane/protocol.js';

export interface TableDelta<V> {
  /** Keys added or changed since the last take(), with their new values. */
  upsert: Record<string, V>;
  /** Keys gone since the last take(). */
  removed: string[];
}

/** Values by key as last sent; set/delete record only real changes, take() hands them out once. */
export class SentTable<V> {
  private readonly sent = new Map<string, V>();
  private upserts = new Map<string, V>();
  private removals = new Set<string>();

  /** Records `value` for `key`; false when it equals what was sent already. */
  set(key: string, value: V): boolean {
    const cur = this.sent.get(key);
    if (cur !== undefined && deepEqual(cur, value)) return false;
    this.sent.set(key, value);
    this.upserts.set(key, value);
    this.removals.delete(key);
    return true;
  }

  delete(key: string): boolean {
    if (!this.sent.has(key)) return false;
    this.sent.delete(key);
    this.upserts.delete(key);
    this.removals.add(key);
    return true;
  }

  get(key: string): V | undefined {
    return this.sent.get(key);
  }

  has(key: string): boolean {
    return this.sent.has(key);
  }

  keys(): IterableIterator<string> {
    return this.sent.keys();
  }

  get size(): number {
    return this.sent.size;
  }

  /** The changes since the last take(), or undefined when there are none. */
  take(): TableDelta<V> | undefined {
    if (this.upserts.size === 0 && this.removals.size === 0) return undefined;
    const delta: TableDelta<V> = { upsert: Object.fromEntries(this.upserts), removed: [...this.removals] };
    this.upserts = new Map();
    this.removals = new Set();
    return delta;
  }
}

/** Where a host claim comes from; lower wins. */
export type ClaimSource = 'ingress' | 'revision' | 'service';
const RANK: Record<ClaimSource, number> = { ingress: 0, revision: 1, service: 2 };

interface Claim {
  rank: number;
  entry: HostEntry;
}

/** Host name → the claims on it, by source id (`ingress:ns/name` …), in claim order. */
export class HostClaims {
  private readonly claims = new Map<string, Map<string, Claim>>();
  private readonly hostsOf = new Map<string, string[]>();

  /**
   * Replaces every claim of `source` (`kind` + object key) with `hosts`;
   * adds the names whose winner may have changed to `dirty`.
   */
  setSource(kind: ClaimSource, key: string, hosts: Record<string, HostEntry>, dirty: Set<string>): void {
    const id = `${kind}:${key}`;
    const names = Object.keys(hosts);
    for (const h of this.hostsOf.get(id) ?? []) {
      if (Object.prototype.hasOwnProperty.call(hosts, h)) continue;
      const m = this.claims.get(h);
      if (!m) continue;
      m.delete(id);
      if (m.size === 0) this.claims.delete(h);
      dirty.add(h);
    }
    for (const h of names) {
      let m = this.claims.get(h);
      if (!m) this.claims.set(h, (m = new Map()));
      const cur = m.get(id);
      // Overwriting in place keeps this claim's position (its precedence among equals).
      if (cur) cur.entry = hosts[h]!;
      else m.set(id, { rank: RANK[kind], entry: hosts[h]! });
      dirty.add(h);
    }
    if (names.length) this.hostsOf.set(id, names);
    else this.hostsOf.delete(id);
  }

  /** The entry serving `host`: the earliest claim of the best-ranked source kind. */
  winner(host: string): HostEntry | undefined {
    const m = this.claims.get(host);
    if (!m) return undefined;
    let best: Claim | undefined;
    for (const c of m.values()) {
      if (best === undefined || c.rank < best.rank) best = c;
      if (best.rank === 0) break;
    }
    return best?.entry;
  }

  /** Number of sources with at least one claim (tests, debugging). */
  sources(): number {
    return this.hostsOf.size;
  }
}
