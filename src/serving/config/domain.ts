// config-domain (knative-serving): which domain suffix a Route's external
// host gets (pkg/reconciler/route/config/domain.go). Keys are domain
// suffixes; a value is empty (the default, matches every route) or YAML
// `selector: {label: value, ...}`. The most specific matching selector
// (most labels) wins, ties go to the lexicographically smallest domain.
// Without a selector-less entry the default is `svc.cluster.local`, i.e.
// routes are cluster-local out of the box; the cluster-local visibility
// label always yields `svc.cluster.local`. Pure: parse → frozen snapshot.
import { parse as parseYaml } from 'yaml';
import { CLUSTER_LOCAL, L } from '../../api/serving/constants.js';

export const CLUSTER_DOMAIN = 'cluster.local';
/** The domain of cluster-local routes (`svc.{cluster-domain}`). */
export const CLUSTER_LOCAL_DOMAIN = `svc.${CLUSTER_DOMAIN}`;
export const DOMAIN_CONFIG_MAP = 'config-domain';

export interface DomainEntry {
  domain: string;
  /** label → value, all required; empty = matches everything (a default domain). */
  selector: Readonly<Record<string, string>>;
}

export interface DomainConfig {
  readonly entries: readonly DomainEntry[];
}

/** A config map value we cannot use; `key` names the entry at fault. */
export class DomainConfigError extends Error {
  readonly code = 'SKIFF_ERR_CONFIG_DOMAIN';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`config-domain: ${key}: ${message}`);
    this.name = 'DomainConfigError';
  }
}

/** Built-in default when the config map is absent (no default domain → cluster-local only). */
export const DEFAULT_DOMAIN_CONFIG: DomainConfig = parseDomainConfig({});

/** Parse config-domain's data. Throws DomainConfigError naming the bad key. */
export function parseDomainConfig(data: Record<string, string> | undefined): DomainConfig {
  const entries: DomainEntry[] = [];
  let hasDefault = false;
  for (const [domain, raw] of Object.entries(data ?? {})) {
    if (domain === '_example') continue;
    let doc: unknown;
    try {
      doc = raw.trim() === '' ? null : parseYaml(raw);
    } catch (err) {
      throw new DomainConfigError(domain, `value is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
    let selector: Record<string, string> = {};
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) throw new DomainConfigError(domain, 'value must be empty or a YAML map like "selector: {app: web}"');
      const sel = (doc as Record<string, unknown>).selector;
      if (sel !== undefined && sel !== null) {
        if (typeof sel !== 'object' || Array.isArray(sel)) throw new DomainConfigError(domain, 'selector must be a map of label: value');
        for (const [k, v] of Object.entries(sel as Record<string, unknown>)) {
          if (typeof v !== 'string') throw new DomainConfigError(domain, `selector.${k} must be a string (quote it), got ${JSON.stringify(v)}`);
          selector[k] = v;
        }
      }
    }
    selector = Object.freeze(selector) as Record<string, string>;
    if (Object.keys(selector).length === 0) hasDefault = true;
    entries.push(Object.freeze({ domain, selector }));
  }
  if (!hasDefault) entries.push(Object.freeze({ domain: CLUSTER_LOCAL_DOMAIN, selector: Object.freeze({}) }));
  return Object.freeze({ entries: Object.freeze(entries) });
}

function matches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** The domain suffix for an object with these labels (always defined: a default exists). */
export function lookupDomainForLabels(cfg: DomainConfig, labels: Readonly<Record<string, string>> | undefined): string {
  if (labels?.[L.visibility] === CLUSTER_LOCAL) return CLUSTER_LOCAL_DOMAIN;
  let domain = '';
  let specificity = -1;
  for (const e of cfg.entries) {
    const s = Object.keys(e.selector).length;
    if (!matches(e.selector, labels) || s < specificity) continue;
    if (s > specificity || e.domain < domain) {
      domain = e.domain;
      specificity = s;
    }
  }
  return domain;
}
