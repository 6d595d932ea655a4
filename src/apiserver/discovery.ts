// Discovery documents built from the ResourceRegistry: legacy discovery
// (`/api` APIVersions, `/apis` APIGroupList, `/apis/<g>` APIGroup,
// `/api/v1` and `/apis/<g>/<v>` APIResourceList) and aggregated discovery
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, what kubectl ≥ 1.26 asks
// for first). Computed from the registry on each call, so kinds registered
// later (Knative) appear without a restart. Pure: no I/O.
import type { ResourceRegistry, ResourceType } from '../api/registry.js';

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

export function verbsOf(t: ResourceType): string[] {
  return t.verbs ?? ALL_VERBS;
}

export function servesVersion(t: ResourceType, version: string): boolean {
  return t.version === version || (t.alsoServed ?? []).includes(version);
}

/** Kinds served at group/version, sorted by plural. */
export function kindsAt(reg: ResourceRegistry, group: string, version: string): ResourceType[] {
  return reg
    .all()
    .filter((t) => t.group === group && servesVersion(t, version))
    .sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
}

const gv = (group: string, version: string) => (group ? `${group}/${version}` : version);

export function apiVersions(reg: ResourceRegistry, serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: reg.groupVersions(''),
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(reg: ResourceRegistry, group: string): Record<string, unknown> {
  const versions = reg.groupVersions(group).map((v) => ({ groupVersion: gv(group, v), version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(reg: ResourceRegistry): Record<string, unknown> {
  const groups = reg
    .groups()
    .filter((g) => g !== '')
    .sort()
    .map((g) => apiGroup(reg, g));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `/apis/<group>`; undefined when the group is not served. */
export function apiGroupDoc(reg: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  if (!group || !reg.groups().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(reg, group) };
}

/** `/api/v1`, `/apis/<g>/<v>`; undefined when the group/version is not served. */
export function apiResourceList(reg: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const kinds = kindsAt(reg, group, version);
  if (!kinds.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of kinds) {
    const r: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: verbsOf(t) };
    if (t.shortNames?.length) r.shortNames = t.shortNames;
    if (t.categories?.length) r.categories = t.categories;
    resources.push(r);
    const sub = t.subresources ?? {};
    if (sub.status) resources.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: SUBRESOURCE_VERBS });
    if (sub.scale)
      resources.push({ name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUBRESOURCE_VERBS });
    if (sub.log) resources.push({ name: `${t.plural}/log`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources };
}

function aggregatedResource(t: ResourceType, group: string, version: string): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group, version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: verbsOf(t),
  };
  if (t.shortNames?.length) r.shortNames = t.shortNames;
  if (t.categories?.length) r.categories = t.categories;
  const subs: Record<string, unknown>[] = [];
  const sub = t.subresources ?? {};
  if (sub.scale) subs.push({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: SUBRESOURCE_VERBS });
  if (sub.status) subs.push({ subresource: 'status', responseKind: { group, version, kind: t.kind }, verbs: SUBRESOURCE_VERBS });
  if (sub.log) subs.push({ subresource: 'log', responseKind: { group, version, kind: t.kind }, verbs: ['get'] });
  if (subs.length) r.subresources = subs;
  return r;
}

/**
 * Aggregated discovery: `/api` answers with the core group only, `/apis`
 * with every other group. Versions are listed preferred first.
 */
export function aggregatedDiscovery(reg: ResourceRegistry, which: 'core' | 'groups', apiVersion: 'v2' | 'v2beta1'): Record<string, unknown> {
  const groups = which === 'core' ? [''] : reg.groups().filter((g) => g !== '').sort();
  const items = groups
    .filter((g) => reg.groupVersions(g).length)
    .map((group) => ({
      metadata: { name: group },
      versions: reg.groupVersions(group).map((version) => ({
        version,
        resources: kindsAt(reg, group, version).map((t) => aggregatedResource(t, group, version)),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
}

export function aggregatedContentType(apiVersion: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${apiVersion};as=APIGroupDiscoveryList`;
}
