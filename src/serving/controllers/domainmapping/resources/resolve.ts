// Resolving a DomainMapping's spec.ref to the host its traffic is rewritten
// to (knative.dev/pkg/resolver + domainmapping.resolveRef): a v1 Service is
// `{name}.{ns}.svc.cluster.local`; a Knative Service or Route is its
// status.address.url. The host must be `{name}.{ns}.svc.cluster.local` in
// the mapping's own namespace (KIngress backends cannot cross namespaces)
// and carry no path. Pure over a lookup; errors carry Knative's wording.
import type { KObject } from '../../../../api/meta.js';
import { SERVING_GROUP } from '../../../../api/serving/constants.js';
import { CLUSTER_LOCAL_DOMAIN } from '../../../config/domain.js';
import { serviceHostname } from '../../route/resources/names.js';

export interface KReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** Group-resource of a ref the resolver can read, or undefined for kinds it cannot. */
export function refGr(ref: KReference): string | undefined {
  const group = (ref.apiVersion ?? '').split('/').length === 2 ? ref.apiVersion!.split('/')[0] : '';
  if (ref.apiVersion === 'v1' && ref.kind === 'Service') return 'core/services';
  if (group === SERVING_GROUP && ref.kind === 'Service') return `${SERVING_GROUP}/services`;
  if (group === SERVING_GROUP && ref.kind === 'Route') return `${SERVING_GROUP}/routes`;
  return undefined;
}

export type ResolveResult = { ok: true; host: string; backendServiceName: string } | { ok: false; message: string };

function addressOf(obj: KObject): string | undefined {
  const st = obj.status ?? {};
  const first = Array.isArray(st.addresses) && st.addresses.length ? st.addresses[0] : undefined;
  return (first ?? st.address)?.url;
}

/** `get(gr, ns, name)` reads the informer caches. */
export function resolveDomainMappingRef(dmNamespace: string, ref: KReference, get: (gr: string, ns: string, name: string) => KObject | undefined): ResolveResult {
  const ns = ref.namespace || dmNamespace;
  const name = ref.name ?? '';
  const gr = refGr(ref);
  if (!gr)
    return {
      ok: false,
      message: `${ref.kind ?? '<no kind>'}.${ref.apiVersion ?? '<no apiVersion>'} ${ns}/${name} is not an Addressable Skiff can map a domain to (use a Knative Service, a Route or a v1 Service)`,
    };
  const obj = get(gr, ns, name);
  if (!obj) {
    const [group, resource] = gr.split('/');
    return { ok: false, message: `failed to get object ${ns}/${name}: ${group === 'core' ? resource : `${resource}.${group}`} ${JSON.stringify(name)} not found` };
  }
  let url: URL;
  if (gr === 'core/services') {
    url = new URL(`http://${serviceHostname(name, ns)}`);
  } else {
    const raw = addressOf(obj);
    if (!raw) return { ok: false, message: `address not set for ${ref.kind} ${ns}/${name} (${ref.apiVersion})` };
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, message: `URL missing in address of ${ref.kind} ${ns}/${name}` };
    }
    if (!url.hostname) return { ok: false, message: `hostname missing in address of ${ref.kind} ${ns}/${name}` };
  }
  const shown = url.href.replace(/\/$/, '');
  if (url.pathname.replace(/\/$/, '') !== '') return { ok: false, message: `resolved URI ${JSON.stringify(shown)} contains a path` };
  const suffix = `.${CLUSTER_LOCAL_DOMAIN}`;
  const host = url.hostname;
  const parts = host.endsWith(suffix) ? host.slice(0, -suffix.length).split('.') : [];
  if (parts.length !== 2) return { ok: false, message: `resolved URI ${JSON.stringify(shown)} must be of the form {name}.{namespace}${suffix}` };
  if (parts[1] !== dmNamespace) return { ok: false, message: `resolved URI ${JSON.stringify(shown)} must be in same namespace as DomainMapping` };
  return { ok: true, host, backendServiceName: parts[0] };
}
