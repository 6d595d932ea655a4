// Host names of a route and its tags (route/domains/domains.go): the tag
// template turns (route, tag) into a name, the domain template turns
// (name, namespace, domain from config-domain, labels, annotations) into a
// host, which must be a fully-qualified domain name. Cluster-local targets
// always use the default template under `svc.cluster.local`, and their
// ingress hosts are expanded to the short forms `{n}.{ns}` and `{n}.{ns}.svc`.
import type { ObjectMeta } from '../../../../api/meta.js';
import { CLUSTER_LOCAL, L } from '../../../../api/serving/constants.js';
import { isDns1123Subdomain } from '../../../../api/validation.js';
import { CLUSTER_DOMAIN, lookupDomainForLabels, type DomainConfig } from '../../../config/domain.js';
import { DEFAULT_DOMAIN_TEMPLATE, type NetworkConfig } from '../../../config/network.js';
import { GoTemplateError, parseGoTemplate } from '../../../config/go-template.js';
import type { IngressVisibility } from '../../ingress/types.js';

/** The config snapshot every routing reconcile works from. */
export interface RoutingConfig {
  readonly domain: DomainConfig;
  readonly network: NetworkConfig;
  /** config-features tag-header-based-routing: Enabled. */
  readonly tagHeaderBasedRouting: boolean;
}

/** A domain/tag template produced something that is not a usable host (Knative's ErrDomainName). */
export class DomainNameError extends Error {
  readonly code = 'SKIFF_ERR_DOMAIN_NAME';
  constructor(message: string) {
    super(message);
    this.name = 'DomainNameError';
  }
}

const defaultDomainTemplate = parseGoTemplate('domain-template', DEFAULT_DOMAIN_TEMPLATE);

/** validation.IsFullyQualifiedDomainName, as a message or undefined. */
function fqdnProblem(host: string): string | undefined {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (h.length === 0) return 'Required value';
  if (h.split('.').length < 2) return 'should be a domain with at least two segments separated by dots';
  if (!isDns1123Subdomain(h.toLowerCase()))
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** Copy of `meta` with the cluster-local visibility label set or removed (labels.SetVisibility). */
export function withVisibility(meta: ObjectMeta, clusterLocal: boolean): ObjectMeta {
  const labels = { ...(meta.labels ?? {}) };
  if (clusterLocal) labels[L.visibility] = CLUSTER_LOCAL;
  else delete labels[L.visibility];
  return { ...meta, labels };
}

/** The host for `name` (a route name or tag host name) under `meta`'s domain. */
export function domainNameFromTemplate(cfg: RoutingConfig, meta: ObjectMeta, name: string): string {
  const labels = meta.labels ?? {};
  const domain = lookupDomainForLabels(cfg.domain, labels);
  const tpl = labels[L.visibility] === CLUSTER_LOCAL ? defaultDomainTemplate : cfg.network.domainTemplate;
  let host: string;
  try {
    host = tpl.execute(
      { Name: name, Namespace: meta.namespace ?? '', Domain: domain, Annotations: meta.annotations, Labels: meta.labels },
      'config.DomainTemplateValues',
    );
  } catch (err) {
    throw new DomainNameError(`domain name error: error executing the DomainTemplate: ${err instanceof GoTemplateError ? err.message : String(err)}`);
  }
  const problem = fqdnProblem(host);
  if (problem) throw new DomainNameError(`domain name error: invalid domain name ${JSON.stringify(host)}: url: Invalid value: ${JSON.stringify(host)}: ${problem}`);
  return host;
}

/** The name part of a tag's host: the tag template over (route, tag); the route name itself for the default target. */
export function hostnameFromTemplate(cfg: RoutingConfig, routeName: string, tag: string): string {
  if (!tag) return routeName;
  try {
    return cfg.network.tagTemplate.execute({ Name: routeName, Tag: tag }, 'config.TagTemplateValues');
  } catch (err) {
    throw new DomainNameError(`domain name error: error executing the TagTemplate: ${err instanceof GoTemplateError ? err.message : String(err)}`);
  }
}

/** `{n}.{ns}.svc.cluster.local` plus `{n}.{ns}.svc` and `{n}.{ns}` (ingress.ExpandedHosts), sorted. */
export function expandedHosts(hosts: Iterable<string>): string[] {
  const suffixes = ['', `.${CLUSTER_DOMAIN}`, `.svc.${CLUSTER_DOMAIN}`];
  const out = new Set<string>();
  for (const h of hosts) {
    for (const s of suffixes) {
      if (s !== '' && !h.endsWith(s)) continue;
      const th = s ? h.slice(0, -s.length) : h;
      const tld = th.slice(th.lastIndexOf('.') + 1);
      if (tld.length < 64 && !/^\d+$/.test(tld)) out.add(th);
    }
  }
  return [...out].sort();
}

export interface TargetDomains {
  primary: string;
  /** Sorted. */
  expanded: string[];
}

/** The hosts of traffic target `tag` ('' = default) of `route` for one visibility. */
export function domainsForVisibility(cfg: RoutingConfig, route: { metadata: ObjectMeta }, tag: string, visibility: IngressVisibility): TargetDomains {
  const hostname = hostnameFromTemplate(cfg, route.metadata.name!, tag);
  const clusterLocal = visibility === 'ClusterLocal';
  const primary = domainNameFromTemplate(cfg, withVisibility(route.metadata, clusterLocal), hostname);
  return { primary, expanded: clusterLocal ? expandedHosts([primary]) : [primary] };
}
