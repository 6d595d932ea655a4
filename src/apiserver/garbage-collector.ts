// Garbage collector: deletes dependents whose owners are gone (cascading
// Background deletion), drives Foreground deletion (dependents first, then
// the owner's foregroundDeletion finalizer is removed), empties terminating
// namespaces, and on start-up sweeps orphans left by a crash mid-cascade.
// Work is queued and done off the store's synchronous watch callback, so
// watchers always see events in revision order.
import type { KObject } from '../api/meta.js';
import { clone } from '../api/meta.js';
import { grOf } from '../api/registry.js';
import type { WatchEvent } from '../store/store.js';
import type { ObjectService } from './object-service.js';

type Ref = { gr: string; ns: string; name: string };

export class GarbageCollector {
  private readonly byOwner = new Map<string, Set<string>>(); // owner uid -> dependent refs "gr|ns|name"
  // Reverse of byOwner (dependent ref -> owner uids it is filed under), so an
  // update un-files one object without scanning every owner (O(owners) per
  // event made bulk applies quadratic).
  private readonly ownersOf = new Map<string, string[]>();
  private readonly uids = new Map<string, Ref>(); // uid -> where the object lives
  private readonly pending = new Set<string>(); // owner uids (or "ns:<name>") to process
  private scheduled = false;
  private stopWatch?: () => void;
  private stopped = false;

  constructor(private readonly svc: ObjectService) {}

  start(): void {
    for (const t of this.svc.registry.all()) {
      const gr = grOf(t);
      for (const o of this.svc.store.list(gr).items) this.index(gr, o);
    }
    this.stopWatch = this.svc.store.watch({}, (ev) => this.onEvent(ev));
    // Orphans from before a restart: dependents whose every owner is gone.
    for (const [ownerUid] of this.byOwner) if (!this.uids.has(ownerUid)) this.pending.add(ownerUid);
    for (const ns of this.svc.store.list('core/namespaces').items) if (ns.metadata.deletionTimestamp) this.pending.add(`ns:${ns.metadata.name}`);
    for (const [uid, ref] of this.uids) {
      const o = this.svc.store.get(ref.gr, ref.ns, ref.name);
      if (o?.metadata.deletionTimestamp && o.metadata.finalizers?.includes('foregroundDeletion')) this.pending.add(uid);
    }
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }

  private key(r: Ref): string {
    return `${r.gr}|${r.ns}|${r.name}`;
  }

  private index(gr: string, o: KObject): void {
    const ref = { gr, ns: o.metadata.namespace ?? '', name: o.metadata.name! };
    if (o.metadata.uid) this.uids.set(o.metadata.uid, ref);
    const refs = o.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const k = this.key(ref);
    const owners = this.ownersOf.get(k) ?? [];
    for (const r of refs) {
      let s = this.byOwner.get(r.uid);
      if (!s) this.byOwner.set(r.uid, (s = new Set()));
      s.add(k);
      if (!owners.includes(r.uid)) owners.push(r.uid);
    }
    this.ownersOf.set(k, owners);
  }

  /** Remove one dependent from every owner's set it was filed under. */
  private unfile(k: string): void {
    for (const uid of this.ownersOf.get(k) ?? []) this.byOwner.get(uid)?.delete(k);
    this.ownersOf.delete(k);
  }

  private unindex(gr: string, o: KObject): void {
    const k = this.key({ gr, ns: o.metadata.namespace ?? '', name: o.metadata.name! });
    if (o.metadata.uid) this.uids.delete(o.metadata.uid);
    this.unfile(k);
    for (const r of o.metadata.ownerReferences ?? []) {
      const s = this.byOwner.get(r.uid);
      s?.delete(k);
      if (s && s.size === 0) this.byOwner.delete(r.uid);
      // An owner waiting in foreground deletion may now be free to go.
      if (this.uids.has(r.uid)) this.pending.add(r.uid);
    }
  }

  private onEvent(ev: WatchEvent): void {
    if (this.stopped) return;
    const o = ev.object;
    if (ev.type === 'DELETED') {
      this.unindex(ev.gr, o);
      if (o.metadata.uid && this.byOwner.has(o.metadata.uid)) this.pending.add(o.metadata.uid);
      if (o.metadata.namespace) {
        const ns = this.svc.store.get('core/namespaces', '', o.metadata.namespace);
        if (ns?.metadata.deletionTimestamp) this.pending.add(`ns:${o.metadata.namespace}`);
      }
    } else {
      const prev = o.metadata.uid ? this.uids.get(o.metadata.uid) : undefined;
      if (prev && ev.type === 'MODIFIED') {
        // owner references may have changed: rebuild this object's entries
        this.unfile(this.key(prev));
      }
      this.index(ev.gr, o);
      if (o.metadata.deletionTimestamp) {
        if (ev.gr === 'core/namespaces') this.pending.add(`ns:${o.metadata.name}`);
        else if (o.metadata.finalizers?.includes('foregroundDeletion')) this.pending.add(o.metadata.uid!);
      }
      // A dependent added with an owner that no longer exists is an orphan.
      for (const r of o.metadata.ownerReferences ?? []) if (!this.uids.has(r.uid)) this.pending.add(r.uid);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /** Process queued owners now (tests call this directly). */
  drain(): void {
    let rounds = 0;
    while (this.pending.size && rounds++ < 1000 && !this.stopped) {
      const batch = [...this.pending];
      this.pending.clear();
      for (const item of batch) {
        try {
          if (item.startsWith('ns:')) this.processNamespace(item.slice(3));
          else this.processOwner(item);
        } catch {
          // Conflicts and not-founds resolve themselves on the next event.
        }
      }
    }
  }

  private dependents(ownerUid: string): Ref[] {
    return [...(this.byOwner.get(ownerUid) ?? [])].map((k) => {
      const [gr, ns, name] = k.split('|');
      return { gr, ns, name };
    });
  }

  private processOwner(uid: string): void {
    const where = this.uids.get(uid);
    const owner = where ? this.svc.store.get(where.gr, where.ns, where.name) : undefined;
    if (!owner) {
      // Owner gone: delete dependents that have no other living owner; drop dangling refs otherwise.
      for (const d of this.dependents(uid)) {
        const o = this.svc.store.get(d.gr, d.ns, d.name);
        if (!o) continue;
        const living = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid && this.uids.has(r.uid));
        if (living.length === 0) {
          if (!o.metadata.deletionTimestamp) this.svc.delete(d.gr, d.ns, d.name, { internal: true, propagationPolicy: 'Background' });
        } else {
          const next = clone(o) as KObject;
          next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          this.svc.store.update(d.gr, next);
        }
      }
      return;
    }
    if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes('foregroundDeletion')) {
      const deps = this.dependents(uid).filter((d) => this.svc.store.get(d.gr, d.ns, d.name));
      for (const d of deps) {
        const o = this.svc.store.get(d.gr, d.ns, d.name)!;
        if (!o.metadata.deletionTimestamp) this.svc.delete(d.gr, d.ns, d.name, { internal: true, propagationPolicy: 'Foreground' });
      }
      if (deps.length === 0) this.removeFinalizer(where!, owner, 'foregroundDeletion');
    }
  }

  private processNamespace(name: string): void {
    const ns = this.svc.store.get('core/namespaces', '', name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const t of this.svc.registry.all()) {
      if (!t.namespaced) continue;
      const gr = grOf(t);
      for (const o of this.svc.store.list(gr, name).items) {
        remaining++;
        if (!o.metadata.deletionTimestamp) this.svc.delete(gr, name, o.metadata.name!, { internal: true, propagationPolicy: 'Background' });
      }
    }
    if (remaining === 0) this.removeFinalizer({ gr: 'core/namespaces', ns: '', name }, ns, 'foregroundDeletion');
  }

  private removeFinalizer(where: Ref, o: KObject, finalizer: string): void {
    const next = clone(o) as KObject;
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.svc.update(where.gr, next, { internal: true });
  }
}
