// Argument shapes shared by kubectl-style verbs: `KIND[,KIND] [NAME...]` or
// `KIND/NAME...`, the `all` category, and which namespace a request uses.
import type { KObject } from '../../api/meta.js';
import type { CliContext } from '../context.js';
import type { ApiResource, Discovery } from '../discovery.js';
import { UsageError, UserError } from '../errors.js';

export interface Target {
  resource: ApiResource;
  /** Empty = every object of the kind (in scope). */
  names: string[];
}

/**
 * kubectl's grammar: either `TYPE[,TYPE...] [NAME...]` or only `TYPE/NAME`
 * words. `all` expands to the resources in discovery category `all`.
 */
export function resolveTargets(disc: Discovery, args: string[]): { targets: Target[]; multipleKinds: boolean } {
  if (args.length === 0) throw new UsageError('you must specify the type of resource (run `skiff api-resources` for the list)');
  if (args.some((a) => a.includes('/'))) {
    const bad = args.find((a) => !a.includes('/'));
    if (bad !== undefined)
      throw new UserError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff get resource/<resource_name>' instead of 'skiff get resource resource/<resource_name>'`);
    const targets: Target[] = [];
    for (const a of args) {
      const i = a.indexOf('/');
      const kind = a.slice(0, i);
      const name = a.slice(i + 1);
      if (!kind || !name) throw new UserError(`arguments in resource/name form must have a single resource and name`);
      const r = disc.resolve(kind);
      const t = targets.find((x) => x.resource === r);
      if (t) t.names.push(name);
      else targets.push({ resource: r, names: [name] });
    }
    return { targets, multipleKinds: targets.length > 1 };
  }
  const kinds = args[0].split(',').filter(Boolean);
  const names = args.slice(1);
  const targets: Target[] = [];
  let multipleKinds = kinds.length > 1;
  for (const k of kinds) {
    const expanded = k.toLowerCase() === 'all' && !disc.lookup(k) ? disc.inCategory('all') : [disc.resolve(k)];
    if (k.toLowerCase() === 'all') multipleKinds = true;
    for (const r of expanded) if (!targets.some((t) => t.resource === r)) targets.push({ resource: r, names: [...names] });
  }
  return { targets, multipleKinds };
}

/** kubectl refuses `get pod NAME -A`: names are looked up in one namespace. */
export function refuseNamesAcrossNamespaces(ctx: CliContext, targets: Target[]): void {
  if (ctx.globals.allNamespaces && targets.some((t) => t.names.length && t.resource.namespaced))
    throw new UserError('a resource cannot be retrieved by name across all namespaces');
}

/** Namespace for a request on `r`: undefined for cluster-scoped kinds and with -A. */
export function requestNamespace(ctx: CliContext, r: ApiResource): string | undefined {
  if (!r.namespaced) return undefined;
  return ctx.globals.allNamespaces ? undefined : ctx.namespace();
}

/** Lists and watch events may omit apiVersion/kind on items; put them back. */
export function withTypeMeta(r: ApiResource, o: KObject): KObject {
  if (o.apiVersion && o.kind) return o;
  const { apiVersion, kind, ...rest } = o;
  return { apiVersion: apiVersion || (r.group ? `${r.group}/${r.version}` : r.version), kind: kind || r.kind, ...rest } as KObject;
}
