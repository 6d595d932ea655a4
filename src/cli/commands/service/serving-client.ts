// The Knative Serving resources the kn-style nouns talk to, and the few
// calls they share (get-or-undefined, list a service's revisions, update with
// retry on conflict). Fixed resource descriptions instead of discovery: like
// kn's typed clients, these commands only ever speak serving.knative.dev.
import type { KObject } from '../../../api/meta.js';
import type { CliContext } from '../../context.js';
import type { ApiResource } from '../../discovery.js';
import { ServerError } from '../../errors.js';
import type { KubeClient } from '../../http.js';
import { KnError, toKnError } from '../../knative-format.js';

export const SERVING_GROUP = 'serving.knative.dev';

function servingResource(name: string, singularName: string, kind: string, version: string, shortNames: string[]): ApiResource {
  return {
    group: SERVING_GROUP,
    version,
    name,
    singularName,
    kind,
    namespaced: true,
    shortNames,
    categories: ['all', 'knative', 'serving'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status'],
    preferred: true,
  };
}

export const KSVC = servingResource('services', 'service', 'Service', 'v1', ['kservice', 'ksvc']);
export const CONFIGURATION = servingResource('configurations', 'configuration', 'Configuration', 'v1', ['config', 'cfg']);
export const REVISION = servingResource('revisions', 'revision', 'Revision', 'v1', ['rev']);
export const ROUTE = servingResource('routes', 'route', 'Route', 'v1', ['rt']);
export const DOMAIN_MAPPING = servingResource('domainmappings', 'domainmapping', 'DomainMapping', 'v1beta1', ['dm']);

export const LABEL_SERVICE = 'serving.knative.dev/service';
export const LABEL_CONFIGURATION_GENERATION = 'serving.knative.dev/configurationGeneration';
export const LABEL_ROUTING_STATE = 'serving.knative.dev/routingState';

export function apiVersionOf(r: ApiResource): string {
  return `${r.group}/${r.version}`;
}

/** Lists may drop apiVersion/kind on items; `-o yaml` wants them back. */
export function typed(r: ApiResource, o: KObject): KObject {
  return { ...o, apiVersion: o.apiVersion || apiVersionOf(r), kind: o.kind || r.kind };
}

/** The namespace a list reads: undefined (all) with -A. */
export function listNamespace(ctx: CliContext): string | undefined {
  return ctx.globals.allNamespaces ? undefined : ctx.namespace();
}

export async function listServiceRevisions(client: KubeClient, ns: string | undefined, service: string): Promise<KObject[]> {
  return (await client.list(REVISION, ns, { labelSelector: `${LABEL_SERVICE}=${service}` })).items.map((o) => typed(REVISION, o));
}

/**
 * GET, change, PUT; on a 409 conflict fetch again and retry (kn's
 * UpdateServiceWithRetry). `mutate` may throw to abort.
 */
export async function updateWithRetry(
  client: KubeClient,
  r: ApiResource,
  ns: string,
  name: string,
  mutate: (current: KObject) => Promise<KObject> | KObject,
  attempts = 5,
): Promise<{ before: KObject; after: KObject }> {
  for (let i = 1; ; i++) {
    const before = typed(r, await client.get(r, ns, name));
    const desired = await mutate(structuredClone(before));
    try {
      const after = await client.replace(r, ns, desired);
      return { before, after };
    } catch (e) {
      if (e instanceof ServerError && e.status === 409 && i < attempts) continue;
      throw e;
    }
  }
}

/** Run a kn verb: server failures are reported the way kn reports them. */
export async function knRun<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toKnError(e);
  }
}

/** kn's "requires the … name given as single argument" check. */
export function singleName(positionals: string[], message: string): string {
  if (positionals.length !== 1) throw new KnError(message);
  return positionals[0];
}
