// Pure builders of the data plane's snapshots from API objects: KIngress
// rules → host entries, Revisions + SKS + Pods → revision specs, plain
// Services + Pods → service endpoints. The feed (feed.ts) calls these on
// every relevant change; keeping them pure makes the routing contract
// testable without a worker.
import type { KObject } from '../../api/meta.js';
import { L } from '../../api/serving/constants.js';
import { hostPortFor } from '../../runtime/process/ports.js';
import type { EndpointSpec, HostEntry, RevisionSpec, ServiceEndpoint, SplitTarget } from '../dataplane/protocol.js';

const TAG_TO_HOST = 'networking.internal.knative.dev/tag-to-host';
const TAG_HEADER = 'knative-serving-tag';
const TBC_ANNOTATION = 'autoscaling.knative.dev/target-burst-capacity';
const TBC_LEGACY = 'autoscaling.knative.dev/targetBurstCapacity';

export function podKey(pod: KObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

export function isPodReady(pod: KObject): boolean {
  return !!pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

function clusterLocalHosts(name: string, ns: string): string[] {
  return [`${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
}

function tagsOf(ing: KObject): Map<string, string> {
  const out = new Map<string, string>();
  const raw = ing.metadata.annotations?.[TAG_TO_HOST];
  if (!raw) return out;
  try {
    const m = JSON.parse(raw) as Record<string, string[] | string>;
    for (const [tag, hosts] of Object.entries(m)) for (const h of Array.isArray(hosts) ? hosts : [hosts]) out.set(h.toLowerCase(), tag);
  } catch {
    /* a malformed annotation only loses the .localhost alias of tag hosts */
  }
  return out;
}

function splitsOf(path: any, ns: string): SplitTarget[] {
  return (path?.splits ?? []).map((s: any) => {
    const t: SplitTarget = { revision: s.serviceName, namespace: s.serviceNamespace || ns, percent: Number(s.percent ?? 0) };
    if (s.appendHeaders && Object.keys(s.appendHeaders).length) t.headers = { ...s.appendHeaders };
    return t;
  });
}

/** Host entries from KIngress objects (routes and domain mappings). */
export function hostsFromIngresses(ingresses: KObject[]): Record<string, HostEntry> {
  const hosts: Record<string, HostEntry> = {};
  for (const ing of ingresses) {
    if (ing.metadata.deletionTimestamp) continue;
    const ns = ing.metadata.namespace!;
    const tags = tagsOf(ing);
    const routeName = ing.metadata.labels?.[L.route] ?? ing.metadata.name!;
    for (const rule of ing.spec?.rules ?? []) {
      const paths: any[] = rule.http?.paths ?? [];
      const main = paths.find((p) => !p.headers || Object.keys(p.headers).length === 0) ?? paths[0];
      if (!main) continue;
      const tagHeaders: Record<string, SplitTarget[]> = {};
      for (const p of paths) {
        const tag = p.headers?.[TAG_HEADER]?.exact ?? p.headers?.['Knative-Serving-Tag']?.exact;
        if (p !== main && tag) tagHeaders[tag] = splitsOf(p, ns);
      }
      for (const rawHost of rule.hosts ?? []) {
        const host = String(rawHost).toLowerCase();
        const entry: HostEntry = {
          kind: 'route',
          namespace: ns,
          name: routeName,
          visibility: rule.visibility === 'ClusterLocal' ? 'ClusterLocal' : 'ExternalIP',
          splits: splitsOf(main, ns),
          ingressKey: `${ns}/${ing.metadata.name}`,
        };
        if (Object.keys(tagHeaders).length) entry.tagHeaders = tagHeaders;
        if (main.appendHeaders && Object.keys(main.appendHeaders).length) entry.appendHeaders = { ...main.appendHeaders };
        if (main.rewriteHost) entry.rewriteHost = main.rewriteHost;
        const tag = tags.get(host);
        if (tag) entry.tag = tag;
        hosts[host] ??= entry;
      }
    }
  }
  return hosts;
}

/** `{rev}.{ns}[.svc[.cluster.local]]` straight to a revision (the seed curls these). */
export function hostsFromRevisions(revisions: KObject[], into: Record<string, HostEntry>): void {
  for (const r of revisions) {
    const ns = r.metadata.namespace!;
    for (const h of clusterLocalHosts(r.metadata.name!, ns))
      into[h] ??= { kind: 'revision', namespace: ns, name: r.metadata.name!, visibility: 'ClusterLocal', splits: [], ingressKey: '' };
  }
}

/** Plain Kubernetes Services with a selector: ClusterIP emulation over their ready pods. */
export function servicesSnapshot(
  services: KObject[],
  podsIn: (ns: string) => KObject[],
  into: Record<string, HostEntry>,
): Record<string, ServiceEndpoint[]> {
  const out: Record<string, ServiceEndpoint[]> = {};
  for (const s of services) {
    const sel = s.spec?.selector as Record<string, string> | undefined;
    if (!sel || !Object.keys(sel).length || s.spec?.type === 'ExternalName') continue;
    const ns = s.metadata.namespace!;
    const target = s.spec?.ports?.[0]?.targetPort ?? s.spec?.ports?.[0]?.port;
    const eps: ServiceEndpoint[] = [];
    for (const p of podsIn(ns)) {
      if (p.metadata.deletionTimestamp || !isPodReady(p)) continue;
      const labels = p.metadata.labels ?? {};
      if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) continue;
      const port = (target !== undefined ? hostPortFor(p, target) : undefined) ?? firstHostPort(p);
      if (port) eps.push({ pod: podKey(p), port });
    }
    const key = `${ns}/${s.metadata.name}`;
    out[key] = eps;
    for (const h of clusterLocalHosts(s.metadata.name!, ns))
      into[h] ??= { kind: 'service', namespace: ns, name: s.metadata.name!, visibility: 'ClusterLocal', splits: [], ingressKey: '' };
  }
  return out;
}

function firstHostPort(pod: KObject): number | undefined {
  try {
    const list = JSON.parse(pod.metadata.annotations?.['skiff.dev/ports'] ?? '[]') as Array<{ hostPort?: number }>;
    return list.find((m) => m.hostPort)?.hostPort;
  } catch {
    return undefined;
  }
}

function userPortOf(rev: KObject): { port: number; protocol: 'http1' | 'h2c' } {
  for (const c of rev.spec?.containers ?? []) {
    const p = c?.ports?.[0];
    if (p) return { port: Number(p.containerPort) || 8080, protocol: p.name === 'h2c' ? 'h2c' : 'http1' };
  }
  return { port: 8080, protocol: 'http1' };
}

/** Revision specs: limits, timeouts, SKS mode and endpoints (pods by the revision label). */
export function revisionsSnapshot(
  revisions: KObject[],
  sksOf: (ns: string, name: string) => KObject | undefined,
  podsOfRevision: (ns: string, name: string) => KObject[],
  defaultTbc: number,
): Record<string, RevisionSpec> {
  const out: Record<string, RevisionSpec> = {};
  for (const r of revisions) {
    const ns = r.metadata.namespace!;
    const name = r.metadata.name!;
    const { port: userPort, protocol } = userPortOf(r);
    const endpoints: EndpointSpec[] = [];
    for (const p of podsOfRevision(ns, name)) {
      const port = hostPortFor(p, 'user-port') ?? hostPortFor(p, userPort) ?? firstHostPort(p);
      if (!port) continue;
      const ep: EndpointSpec = { pod: podKey(p), port, ready: isPodReady(p) && !p.metadata.deletionTimestamp };
      if (p.metadata.deletionTimestamp) ep.draining = true;
      endpoints.push(ep);
    }
    endpoints.sort((a, b) => (a.pod < b.pod ? -1 : 1));
    const ann = r.metadata.annotations ?? {};
    const tbcRaw = ann[TBC_ANNOTATION] ?? ann[TBC_LEGACY];
    const tbc = tbcRaw !== undefined && Number.isFinite(Number(tbcRaw)) ? Number(tbcRaw) : defaultTbc;
    const spec: RevisionSpec = {
      containerConcurrency: Number(r.spec?.containerConcurrency ?? 0) || 0,
      timeoutSeconds: Number(r.spec?.timeoutSeconds ?? 300) || 300,
      protocol,
      mode: sksOf(ns, name)?.spec?.mode === 'Serve' ? 'Serve' : 'Proxy',
      targetBurstCapacity: tbc,
      endpoints,
    };
    if (r.spec?.responseStartTimeoutSeconds !== undefined) spec.responseStartTimeoutSeconds = Number(r.spec.responseStartTimeoutSeconds);
    if (r.spec?.idleTimeoutSeconds) spec.idleTimeoutSeconds = Number(r.spec.idleTimeoutSeconds);
    out[`${ns}/${name}`] = spec;
  }
  return out;
}
