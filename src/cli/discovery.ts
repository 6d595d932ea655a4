// What the CLI knows about the server's resource types, learned from API
// discovery (`/api`, `/apis`, `/apis/<group>/<version>` APIResourceLists), and
// how a typed word (`ksvc`, `services.serving.knative.dev`, `Pod`, `deploy`)
// or a manifest's apiVersion+kind maps to a resource — kubectl's rules.
// Pure: fetching lives in http.ts.
import { UserError } from './errors.js';

export interface ApiResource {
  group: string; // '' = core
  version: string;
  /** Plural resource name used in URLs. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources the server lists (`status`, `scale`, `log`). */
  subresources: string[];
  /** True when this version is the group's preferred version. */
  preferred: boolean;
}

/** One APIResourceList as served at /api/v1 or /apis/<g>/<v>. */
export interface ApiResourceList {
  groupVersion: string;
  resources: Array<{
    name: string;
    singularName?: string;
    kind: string;
    namespaced?: boolean;
    shortNames?: string[];
    categories?: string[];
    verbs?: string[];
  }>;
}

export function splitGroupVersion(gv: string): { group: string; version: string } {
  const i = gv.indexOf('/');
  return i < 0 ? { group: '', version: gv } : { group: gv.slice(0, i), version: gv.slice(i + 1) };
}

/** kubectl's name for a kind in messages: `configmap`, `deployment.apps`, `service.serving.knative.dev`. */
export function kindName(kind: string, group: string): string {
  return group ? `${kind.toLowerCase()}.${group}` : kind.toLowerCase();
}

/** Group-qualified plural as the API writes it in errors: `configmaps`, `services.serving.knative.dev`. */
export function resourceName(r: { name: string; group: string }): string {
  return r.group ? `${r.name}.${r.group}` : r.name;
}

export class Discovery {
  readonly resources: ApiResource[];

  /** `lists` in any order; `preferred` maps group → preferred version. */
  constructor(lists: ApiResourceList[], preferred: Map<string, string> = new Map()) {
    const out: ApiResource[] = [];
    const subs = new Map<string, string[]>();
    for (const list of lists) {
      const { group, version } = splitGroupVersion(list.groupVersion);
      for (const r of list.resources ?? []) {
        const slash = r.name.indexOf('/');
        if (slash >= 0) {
          const key = `${list.groupVersion}/${r.name.slice(0, slash)}`;
          subs.set(key, [...(subs.get(key) ?? []), r.name.slice(slash + 1)]);
          continue;
        }
        out.push({
          group,
          version,
          name: r.name,
          singularName: r.singularName || r.kind.toLowerCase(),
          kind: r.kind,
          namespaced: r.namespaced ?? true,
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          verbs: r.verbs ?? [],
          subresources: [],
          preferred: (preferred.get(group) ?? (group === '' ? 'v1' : undefined)) === version,
        });
      }
    }
    for (const r of out) r.subresources = subs.get(`${r.group ? `${r.group}/` : ''}${r.version}/${r.name}`) ?? [];
    // kubectl prefers core, then apps, then everything else; preferred versions first.
    const rank = (r: ApiResource) => (r.group === '' ? 0 : r.group === 'apps' ? 1 : 2);
    out.sort((a, b) => rank(a) - rank(b) || Number(b.preferred) - Number(a.preferred));
    this.resources = out;
  }

  /** Resolve what a user typed; throws kubectl's error when nothing matches. */
  resolve(typed: string): ApiResource {
    const r = this.lookup(typed);
    if (!r) throw new UserError(`the server doesn't have a resource type "${typed}"`, 'SKIFF_ERR_CLI_UNKNOWN_RESOURCE');
    return r;
  }

  lookup(typed: string): ApiResource | undefined {
    const lower = typed.toLowerCase();
    const names = (r: ApiResource) => [r.name, r.singularName, r.kind.toLowerCase(), ...r.shortNames];
    const dot = lower.indexOf('.');
    if (dot > 0) {
      const word = lower.slice(0, dot);
      const rest = lower.slice(dot + 1);
      const candidates = this.resources.filter((r) => names(r).includes(word));
      const exact = candidates.find((r) => r.group === rest && r.preferred) ?? candidates.find((r) => r.group === rest);
      if (exact) return exact;
      // resource.version.group
      const v = rest.indexOf('.');
      if (v > 0) {
        const version = rest.slice(0, v);
        const group = rest.slice(v + 1);
        return candidates.find((r) => r.group === group && r.version === version);
      }
      return undefined;
    }
    const order = this.resources;
    return (
      order.find((r) => r.name === lower) ??
      order.find((r) => r.singularName === lower) ??
      order.find((r) => r.kind.toLowerCase() === lower) ??
      order.find((r) => r.shortNames.includes(lower))
    );
  }

  /** The resource a manifest's apiVersion + kind names (exact version). */
  forKind(apiVersion: string, kind: string): ApiResource | undefined {
    const { group, version } = splitGroupVersion(apiVersion);
    return this.resources.find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  /** Every resource (preferred version only) in a category, e.g. `all`. */
  inCategory(category: string): ApiResource[] {
    return this.resources.filter((r) => r.preferred && r.categories.includes(category));
  }
}

/** URL path of a collection or object: `/api/v1/namespaces/ns/pods/name/log`. */
export function resourcePath(r: Pick<ApiResource, 'group' | 'version' | 'name' | 'namespaced'>, namespace?: string, name?: string, subresource?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.name}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
