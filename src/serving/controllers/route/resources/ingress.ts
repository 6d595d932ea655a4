// The KIngress `{route}` a Route programs (route/resources/ingress.go). For
// every traffic name ('' first, then tags, sorted): a ClusterLocal rule with
// the expanded cluster-local hosts and, unless that name is cluster-local, an
// ExternalIP rule per external host. Each rule has one path whose splits send
// the name's consolidated targets (or, mid-rollout, the rollout's revisions)
// to the revisions' public Services with Knative-Serving-Revision/-Namespace
// headers; 0 % targets are left out. The rollout state and the tag → host map
// ride along as annotations. Pure.
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { L } from '../../../../api/serving/constants.js';
import {
  DEFAULT_ROUTE_HEADER,
  INGRESS_API_VERSION,
  INGRESS_KIND,
  NET,
  REVISION_HEADER,
  REVISION_NAMESPACE_HEADER,
  ROUTE_NAMESPACE_LABEL,
  ROUTE_TAG_HEADER,
  type HTTPIngressPath,
  type HTTPOption,
  type IngressBackendSplit,
  type IngressRule,
  type IngressSpec,
  type IngressVisibility,
  type KIngress,
} from '../../ingress/types.js';
import { rolloutsByTag, serializeRollout, type ConfigurationRollout, type Rollout } from '../traffic/rollout.js';
import { DEFAULT_TARGET, type RevisionTarget, type TrafficConfig } from '../traffic/traffic.js';
import { domainsForVisibility, type RoutingConfig } from './domains.js';
import { ingressName } from './names.js';

/** Revision public Services listen on 80 (Skiff's gateway picks the protocol from the revision itself). */
export const REVISION_SERVICE_PORT = 80;

/** Annotations never copied onto KIngress (or Certificates). */
export const EXCLUDED_ANNOTATIONS: ReadonlySet<string> = new Set([NET.lastApplied, NET.certificateClassAlt, NET.ingressClassAlt]);

/** A bad `networking.knative.dev/http-protocol` annotation. */
export class HttpProtocolError extends Error {
  readonly code = 'SKIFF_ERR_HTTP_PROTOCOL';
  constructor(value: string) {
    super(`incorrect http-protocol annotation: ${value}`);
    this.name = 'HttpProtocolError';
  }
}

/** GetHTTPOption: the object's annotation, else config-network http-protocol (Disabled → unset). */
export function httpOptionFor(cfg: RoutingConfig, annotations: Record<string, string> | undefined): HTTPOption | undefined {
  const a = annotations?.[NET.httpProtocol] ?? annotations?.[NET.httpProtocolAlt];
  if (a) {
    switch (a.toLowerCase()) {
      case 'enabled':
        return 'Enabled';
      case 'redirected':
        return 'Redirected';
      default:
        throw new HttpProtocolError(a.toLowerCase());
    }
  }
  return cfg.network.httpProtocol === 'Disabled' ? undefined : cfg.network.httpProtocol;
}

/** kmeta.FilterMap(kmeta.UnionMaps(base, objectAnnotations), excluded): the object's annotations win. */
export function ingressAnnotations(base: Record<string, string>, own: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...base, ...(own ?? {}) })) if (!EXCLUDED_ANNOTATIONS.has(k)) out[k] = v;
  return out;
}

function splitFor(ns: string, revisionName: string, percent: number): IngressBackendSplit {
  return {
    serviceNamespace: ns,
    serviceName: revisionName,
    servicePort: REVISION_SERVICE_PORT,
    percent,
    appendHeaders: { [REVISION_HEADER]: revisionName, [REVISION_NAMESPACE_HEADER]: ns },
  };
}

/** makeBaseIngressPath. */
export function makeBaseIngressPath(ns: string, targets: RevisionTarget[], roCfgs: ConfigurationRollout[]): HTTPIngressPath {
  const splits: IngressBackendSplit[] = [];
  for (const t of targets) {
    if (t.percent === 0) continue;
    const ro = t.latestRevision ? roCfgs.find((c) => c.configurationName === t.configurationName) : undefined;
    if (!ro || ro.revisions.length < 2) splits.push(splitFor(ns, t.revisionName, t.percent));
    else for (const r of ro.revisions) splits.push(splitFor(ns, r.revisionName, r.percent));
  }
  return { splits };
}

export interface IngressSpecResult {
  spec: IngressSpec;
  /** tag → its primary hosts (cluster-local first), for the tag-to-host annotation. */
  tagToHost: Record<string, string[]>;
}

export function makeIngressSpec(
  cfg: RoutingConfig,
  route: KObject,
  tc: TrafficConfig,
  visibility: Map<string, IngressVisibility>,
  rollout: Rollout,
): IngressSpecResult {
  const ns = route.metadata.namespace!;
  const names = [...tc.targets.keys()].sort();
  const rules: IngressRule[] = [];
  const tagToHost: Record<string, string[]> = {};
  for (const name of names) {
    const visibilities: IngressVisibility[] = ['ClusterLocal'];
    if ((visibility.get(name) ?? 'ExternalIP') === 'ExternalIP') visibilities.push('ExternalIP');
    for (const vis of visibilities) {
      const domains = domainsForVisibility(cfg, route, name, vis);
      const roCfgs = rolloutsByTag(rollout, name);
      const hostGroups = vis === 'ClusterLocal' ? [domains.expanded] : domains.expanded.map((h) => [h]);
      for (const hosts of hostGroups) {
        const path = makeBaseIngressPath(ns, tc.targets.get(name)!, roCfgs);
        const paths: HTTPIngressPath[] = [path];
        if (cfg.tagHeaderBasedRouting) {
          if (name === DEFAULT_TARGET) {
            path.appendHeaders = { [DEFAULT_ROUTE_HEADER]: 'true' };
            const tagPaths = names
              .filter((n) => n !== DEFAULT_TARGET)
              .map((tag) => ({ headers: { [ROUTE_TAG_HEADER]: { exact: tag } }, ...makeBaseIngressPath(ns, tc.targets.get(tag)!, rolloutsByTag(rollout, tag)) }));
            paths.unshift(...tagPaths);
          } else {
            path.appendHeaders = { [ROUTE_TAG_HEADER]: name };
          }
        }
        rules.push({ hosts, visibility: vis, http: { paths } });
      }
      if (name !== DEFAULT_TARGET) (tagToHost[name] ??= []).push(domains.primary);
    }
  }
  const spec: IngressSpec = { rules };
  const httpOption = httpOptionFor(cfg, route.metadata.annotations);
  if (httpOption) spec.httpOption = httpOption;
  return { spec, tagToHost };
}

/** MakeIngressWithRollout. */
export function makeIngress(cfg: RoutingConfig, route: KObject, tc: TrafficConfig, visibility: Map<string, IngressVisibility>, rollout: Rollout): KIngress {
  const { spec, tagToHost } = makeIngressSpec(cfg, route, tc, visibility, rollout);
  const annotations = ingressAnnotations({ [NET.ingressClass]: cfg.network.ingressClass, [NET.rollout]: serializeRollout(rollout) }, route.metadata.annotations);
  if (Object.keys(tagToHost).length) annotations[NET.tagToHost] = JSON.stringify(sortKeys(tagToHost));
  return {
    apiVersion: INGRESS_API_VERSION,
    kind: INGRESS_KIND,
    metadata: {
      name: ingressName(route),
      namespace: route.metadata.namespace,
      labels: { ...(route.metadata.labels ?? {}), [L.route]: route.metadata.name!, [ROUTE_NAMESPACE_LABEL]: route.metadata.namespace! },
      annotations,
      ownerReferences: [makeOwnerRef(route)],
    },
    spec,
  };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
