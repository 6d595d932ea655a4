// Destination resolution (knative.dev/pkg resolver.URIResolver
// AddressableFromDestinationV1): a `ref` becomes the referenced object's
// address — `http://{name}.{ns}.svc.cluster.local` for a plain v1 Service, else
// the Addressable duck (`status.addresses[]` by `ref.address` name, else the
// first one, else `status.address`) of a ksvc, Route, Broker, Channel,
// InMemoryChannel, Sequence, Parallel or any other kind — and a `uri` is used
// as is (absolute) or resolved against the ref's URL (relative). Every ref is
// tracked for the calling controller, so a sink that appears or changes later
// re-enqueues the parent. Error texts follow knative.dev/pkg.
import type { KObject } from '../../api/meta.js';
import type { Informer, SharedInformerFactory } from '../../controller/informer.js';
import type { Tracker } from '../../controller/controller.js';

export interface KReferenceLike {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  address?: string;
}

export interface DestinationLike {
  ref?: KReferenceLike | null;
  uri?: string | null;
  CACerts?: string | null;
  audience?: string | null;
}

/** A resolved address (duckv1.Addressable). */
export interface ResolvedAddress {
  url: string;
  name?: string;
  CACerts?: string;
  audience?: string;
}

export type KindToGr = (apiVersion: string, kind: string) => string | undefined;

/** A Destination that cannot be resolved (yet); `transient` when waiting on a cache may fix it. */
export class DestinationResolveError extends Error {
  readonly code = 'SKIFF_ERR_DESTINATION_UNRESOLVED';
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'DestinationResolveError';
  }
}

/** meta.UnsafeGuessKindToResource: `Service` → `services`, `Policy` → `policies`, core group → `core`. */
export function guessGr(apiVersion: string, kind: string): string {
  const i = apiVersion.indexOf('/');
  const group = i < 0 ? 'core' : apiVersion.slice(0, i);
  const k = kind.toLowerCase();
  let plural: string;
  if (k === '') plural = k;
  else if (k.endsWith('s')) plural = `${k}es`;
  else if (k.endsWith('y')) plural = `${k.slice(0, -1)}ies`;
  else plural = `${k}s`;
  return `${group}/${plural}`;
}

function isAbsolute(uri: string): URL | undefined {
  try {
    const u = new URL(uri);
    return u.host ? u : undefined;
  } catch {
    return undefined;
  }
}

/** `Kind = X, Namespace = Y, Name = Z, APIVersion = V` (KReference.String in knative.dev/pkg). */
export function describeRef(ref: KReferenceLike): string {
  return `Kind = ${ref.kind ?? ''}, Namespace = ${ref.namespace ?? ''}, Name = ${ref.name ?? ''}, APIVersion = ${ref.apiVersion ?? ''}, Group = , Address = ${ref.address ?? ''}`;
}

/** Pick the Addressable of an object (selectAddress). */
export function addressOf(obj: KObject, ref: KReferenceLike): ResolvedAddress {
  const addresses: Array<Record<string, unknown>> = Array.isArray(obj.status?.addresses) ? obj.status.addresses : [];
  const address = obj.status?.address as Record<string, unknown> | undefined;
  if (addresses.length === 0 && !address) throw new DestinationResolveError(`address not set for ${describeRef(ref)}`);
  let picked: Record<string, unknown> | undefined;
  if (ref.address) {
    picked = addresses.find((a) => a?.name === ref.address);
    if (!picked) throw new DestinationResolveError(`address with name ${JSON.stringify(ref.address)} not found for ${describeRef(ref)}`);
  } else picked = addresses[0] ?? address;
  const url = picked?.url;
  if (typeof url !== 'string' || url === '') throw new DestinationResolveError(`URL missing in address of ${describeRef(ref)}`);
  if (!isAbsolute(url)) throw new DestinationResolveError(`hostname missing in address of ${describeRef(ref)}`);
  const out: ResolvedAddress = { url };
  if (typeof picked?.name === 'string') out.name = picked.name;
  if (typeof picked?.CACerts === 'string' && picked.CACerts) out.CACerts = picked.CACerts;
  if (typeof picked?.audience === 'string' && picked.audience) out.audience = picked.audience;
  return out;
}

export interface DestinationResolverOptions {
  informers: SharedInformerFactory;
  /** The calling controller's tracker: every resolved ref is tracked for `parentKey`. */
  tracker: Tracker;
  /** Called with parent keys that asked while an informer was still syncing, once it has. */
  enqueue: (parentKey: string) => void;
  kindToGr?: KindToGr;
}

export class DestinationResolver {
  private readonly watched = new Map<string, Informer>();
  private readonly waiting = new Map<string, Set<string>>();
  private readonly kindToGr: KindToGr;

  constructor(private readonly opts: DestinationResolverOptions) {
    this.kindToGr = opts.kindToGr ?? guessGr;
  }

  /** The gr for an apiVersion/kind, or a DestinationResolveError naming it. */
  grFor(apiVersion: string, kind: string): string {
    const gr = this.kindToGr(apiVersion, kind);
    if (!gr) throw new DestinationResolveError(`failed to get lister for ${kind}.${apiVersion}: no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`);
    return gr;
  }

  /** The (shared) informer for `gr`, with the tracker listening to it. Call early to have it synced. */
  watch(gr: string): Informer {
    let inf = this.watched.get(gr);
    if (!inf) {
      inf = this.opts.informers.informerFor(gr);
      inf.addEventHandler(this.opts.tracker.handlerFor(gr));
      this.watched.set(gr, inf);
    }
    return inf;
  }

  /**
   * Get the object `ref` names (tracked for `parentKey`). undefined when it does not exist;
   * throws a transient DestinationResolveError while the informer is still syncing.
   */
  getTracked(gr: string, namespace: string, name: string, parentKey: string): KObject | undefined {
    const inf = this.watch(gr);
    this.opts.tracker.track({ gr, namespace, name }, parentKey);
    if (!inf.hasSynced()) {
      let keys = this.waiting.get(gr);
      if (!keys) {
        this.waiting.set(gr, (keys = new Set()));
        inf
          .waitForSync()
          .then(() => {
            const ks = this.waiting.get(gr);
            this.waiting.delete(gr);
            for (const k of ks ?? []) this.opts.enqueue(k);
          })
          .catch(() => this.waiting.delete(gr));
      }
      keys.add(parentKey);
      throw new DestinationResolveError(`failed to get object ${namespace}/${name}: the cache of ${gr} has not synced yet`, true);
    }
    return inf.get(namespace, name);
  }

  /** Resolve a ref to its object (tracked). Throws when it does not exist. */
  resolveRefObject(ref: KReferenceLike, parentNamespace: string, parentKey: string): { obj: KObject; gr: string } {
    const ns = ref.namespace || parentNamespace;
    const gr = this.grFor(ref.apiVersion ?? '', ref.kind ?? '');
    const obj = this.getTracked(gr, ns, ref.name ?? '', parentKey);
    if (!obj) {
      const [group, resource] = gr.split('/');
      throw new DestinationResolveError(`failed to get object ${ns}/${ref.name}: ${group === 'core' ? resource : `${resource}.${group}`} ${JSON.stringify(ref.name)} not found`);
    }
    return { obj, gr };
  }

  /**
   * AddressableFromDestinationV1. `parent` is the object the destination belongs to
   * (its namespace defaults `ref.namespace`; its key is what the tracker re-enqueues).
   */
  resolve(dest: DestinationLike | null | undefined, parent: { namespace: string; key: string }): ResolvedAddress {
    if (!dest) throw new DestinationResolveError('destination missing Ref and URI, expected at least one');
    const uri = dest.uri || undefined;
    if (dest.ref) {
      const ref = { ...dest.ref, namespace: dest.ref.namespace || parent.namespace };
      let addr: ResolvedAddress;
      if (ref.apiVersion === 'v1' && ref.kind === 'Service') {
        this.resolveRefObject(ref, parent.namespace, parent.key); // must exist (Knative gets it from the lister)
        addr = { url: `${dest.CACerts ? 'https' : 'http'}://${ref.name}.${ref.namespace}.svc.cluster.local` };
        if (ref.address) addr.name = ref.address;
      } else {
        const { obj } = this.resolveRefObject(ref, parent.namespace, parent.key);
        addr = addressOf(obj, ref);
      }
      if (dest.CACerts) addr.CACerts = dest.CACerts;
      if (dest.audience) addr.audience = dest.audience;
      if (uri) {
        if (isAbsolute(uri)) throw new DestinationResolveError('absolute URI is not allowed when Ref or [apiVersion, kind, name] exists');
        addr.url = new URL(uri, addr.url).href;
      }
      return addr;
    }
    if (uri) {
      if (!isAbsolute(uri)) throw new DestinationResolveError(`URI is not absolute (both scheme and host should be non-empty): ${JSON.stringify(uri)}`);
      const out: ResolvedAddress = { url: uri };
      if (dest.CACerts) out.CACerts = dest.CACerts;
      if (dest.audience) out.audience = dest.audience;
      return out;
    }
    throw new DestinationResolveError('destination missing Ref and URI, expected at least one');
  }
}

/** `deadLetterSinkUri` / `deadLetterSinkCACerts` / `deadLetterSinkAudience` (DeliveryStatus from an Addressable). */
export function deliveryStatusOf(addr: ResolvedAddress | undefined): Record<string, string> {
  if (!addr) return {};
  const out: Record<string, string> = { deadLetterSinkUri: addr.url };
  if (addr.CACerts) out.deadLetterSinkCACerts = addr.CACerts;
  if (addr.audience) out.deadLetterSinkAudience = addr.audience;
  return out;
}
