// config-network (knative-serving), the keys Skiff's routing reads
// (knative.dev/networking/pkg/config/config.go): domain-template and
// tag-template (Go templates, checked at parse time to yield a host with no
// path), rollout-duration, autocreate-cluster-domain-claims,
// default-external-scheme, http-protocol, ingress/certificate class and the
// TLS switches. Legacy camelCase keys are read first and overridden by the
// kebab-case ones, as in Knative. Pure: data → frozen NetworkConfig, or a
// NetworkConfigError naming the key; unknown keys come back as warnings.
import { GoTemplateError, parseGoTemplate, type CompiledGoTemplate } from './go-template.js';

export const NETWORK_CONFIG_MAP = 'config-network';
export const DEFAULT_DOMAIN_TEMPLATE = '{{.Name}}.{{.Namespace}}.{{.Domain}}';
export const DEFAULT_TAG_TEMPLATE = '{{.Tag}}-{{.Name}}';
export const DEFAULT_INGRESS_CLASS = 'istio.ingress.networking.knative.dev';
export const DEFAULT_CERTIFICATE_CLASS = 'cert-manager.certificate.networking.knative.dev';

export type HttpProtocol = 'Enabled' | 'Redirected' | 'Disabled';

export interface NetworkConfig {
  readonly ingressClass: string;
  readonly certificateClass: string;
  readonly domainTemplate: CompiledGoTemplate;
  readonly tagTemplate: CompiledGoTemplate;
  /** Seconds over which a new latest revision takes its traffic; 0 = at once. */
  readonly rolloutDurationSecs: number;
  readonly autocreateClusterDomainClaims: boolean;
  /** Scheme of external URLs (`http` unless TLS is terminated in front of Skiff). */
  readonly defaultExternalScheme: string;
  readonly httpProtocol: HttpProtocol;
  readonly externalDomainTLS: boolean;
  readonly clusterLocalDomainTLS: boolean;
  readonly systemInternalTLS: boolean;
  /** Unknown keys seen (hints, not errors). */
  readonly warnings: readonly string[];
}

export class NetworkConfigError extends Error {
  readonly code = 'SKIFF_ERR_CONFIG_NETWORK';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`config-network: ${key}: ${message}`);
    this.name = 'NetworkConfigError';
  }
}

const KNOWN_KEYS = new Set([
  'ingress-class',
  'ingress.class',
  'certificate-class',
  'certificate.class',
  'domain-template',
  'domainTemplate',
  'tag-template',
  'tagTemplate',
  'rollout-duration',
  'rolloutDuration',
  'autocreate-cluster-domain-claims',
  'autocreateClusterDomainClaims',
  'default-external-scheme',
  'defaultExternalScheme',
  'http-protocol',
  'httpProtocol',
  'external-domain-tls',
  'auto-tls',
  'autoTLS',
  'cluster-local-domain-tls',
  'system-internal-tls',
  'internal-encryption',
  'namespace-wildcard-cert-selector',
  'enable-mesh-pod-addressability',
  'mesh-compatibility-mode',
]);

/** strconv.ParseBool. */
function parseBool(key: string, v: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new NetworkConfigError(key, `invalid boolean ${JSON.stringify(v)} (want true or false)`);
}

/**
 * Knative reads an integer number of seconds. Skiff also accepts a Go
 * duration in whole seconds ("380s", "5m") because the docs show the
 * annotation form and people paste it here.
 */
function parseRolloutSeconds(key: string, v: string): number {
  const t = v.trim();
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    if (n < 0) throw new NetworkConfigError(key, `must be a non-negative integer number of seconds, but was ${n}`);
    return n;
  }
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (t && m && (m[1] || m[2] || m[3])) return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  throw new NetworkConfigError(key, `invalid value ${JSON.stringify(v)}: want whole seconds like "380" (or "380s")`);
}

function compile(key: string, src: string): CompiledGoTemplate {
  try {
    return parseGoTemplate(key, src);
  } catch (err) {
    throw new NetworkConfigError(key, err instanceof Error ? err.message : String(err));
  }
}

/** Run the domain template on sample values: it must yield a bare host (no path, query, port junk). */
function checkDomainTemplate(key: string, t: CompiledGoTemplate): void {
  let out: string;
  try {
    out = t.execute({ Name: 'foo', Namespace: 'bar', Domain: 'baz.com', Annotations: undefined, Labels: undefined }, 'config.DomainTemplateValues');
  } catch (err) {
    throw new NetworkConfigError(key, err instanceof GoTemplateError ? err.message : String(err));
  }
  let url: URL;
  try {
    url = new URL(`https://${out}`);
  } catch {
    throw new NetworkConfigError(key, `template yields ${JSON.stringify(out)}, which is not a host name`);
  }
  if (!url.hostname) throw new NetworkConfigError(key, 'empty hostname');
  const rest = url.pathname + url.search;
  if (rest !== '/' || url.hash) throw new NetworkConfigError(key, `domain template has url path: ${rest}${url.hash}`);
}

function checkTagTemplate(key: string, t: CompiledGoTemplate): void {
  try {
    t.execute({ Name: 'foo', Tag: 'v2' }, 'config.TagTemplateValues');
  } catch (err) {
    throw new NetworkConfigError(key, err instanceof GoTemplateError ? err.message : String(err));
  }
}

function pick(data: Record<string, string>, legacy: string, key: string): [string, string] | undefined {
  if (data[key] !== undefined) return [key, data[key]];
  if (data[legacy] !== undefined) return [legacy, data[legacy]];
  return undefined;
}

/** Parse config-network's data (undefined = all defaults). */
export function parseNetworkConfig(input: Record<string, string> | undefined): NetworkConfig {
  const data = input ?? {};
  const warnings: string[] = [];
  for (const k of Object.keys(data)) {
    if (!k.startsWith('_') && !KNOWN_KEYS.has(k)) warnings.push(`config-network: unknown key ${JSON.stringify(k)} ignored`);
  }
  const str = (legacy: string, key: string, def: string) => pick(data, legacy, key)?.[1] ?? def;

  const domainSrc = pick(data, 'domainTemplate', 'domain-template');
  const domainTemplate = compile(domainSrc?.[0] ?? 'domain-template', domainSrc?.[1] ?? DEFAULT_DOMAIN_TEMPLATE);
  checkDomainTemplate(domainSrc?.[0] ?? 'domain-template', domainTemplate);
  const tagSrc = pick(data, 'tagTemplate', 'tag-template');
  const tagTemplate = compile(tagSrc?.[0] ?? 'tag-template', tagSrc?.[1] ?? DEFAULT_TAG_TEMPLATE);
  checkTagTemplate(tagSrc?.[0] ?? 'tag-template', tagTemplate);

  const ro = pick(data, 'rolloutDuration', 'rollout-duration');
  const rolloutDurationSecs = ro ? parseRolloutSeconds(ro[0], ro[1]) : 0;
  const ac = pick(data, 'autocreateClusterDomainClaims', 'autocreate-cluster-domain-claims');
  const autocreateClusterDomainClaims = ac ? parseBool(ac[0], ac[1]) : false;

  let httpProtocol: HttpProtocol = 'Enabled';
  const hp = pick(data, 'httpProtocol', 'http-protocol');
  if (hp) {
    switch (hp[1].toLowerCase()) {
      case '':
      case 'enabled':
        break;
      case 'redirected':
        httpProtocol = 'Redirected';
        break;
      case 'disabled':
        httpProtocol = 'Disabled';
        break;
      default:
        throw new NetworkConfigError(hp[0], `httpProtocol ${hp[1]} in config-network ConfigMap is not supported (want Enabled or Redirected)`);
    }
  }

  let externalDomainTLS = false;
  for (const k of ['autoTLS', 'auto-tls', 'external-domain-tls']) if (data[k] !== undefined) externalDomainTLS = data[k].toLowerCase() === 'enabled';
  const enc = (key: string, fallback = false): boolean => {
    const v = (data[key] ?? '').toLowerCase();
    if (v === '' || v === 'disabled') return fallback;
    if (v === 'enabled') return true;
    throw new NetworkConfigError(key, `${key} with value: ${JSON.stringify(data[key])} in config-network ConfigMap is not supported`);
  };
  const internalEncryption = data['internal-encryption'] !== undefined ? parseBool('internal-encryption', data['internal-encryption']) : false;

  const scheme = str('defaultExternalScheme', 'default-external-scheme', 'http');
  if (!/^[a-z][a-z0-9+.-]*$/i.test(scheme)) throw new NetworkConfigError('default-external-scheme', `invalid URL scheme ${JSON.stringify(scheme)}`);

  return Object.freeze({
    ingressClass: str('ingress.class', 'ingress-class', DEFAULT_INGRESS_CLASS),
    certificateClass: str('certificate.class', 'certificate-class', DEFAULT_CERTIFICATE_CLASS),
    domainTemplate,
    tagTemplate,
    rolloutDurationSecs,
    autocreateClusterDomainClaims,
    defaultExternalScheme: scheme,
    httpProtocol,
    externalDomainTLS,
    clusterLocalDomainTLS: enc('cluster-local-domain-tls'),
    systemInternalTLS: enc('system-internal-tls', internalEncryption),
    warnings: Object.freeze(warnings),
  });
}

export const DEFAULT_NETWORK_CONFIG: NetworkConfig = parseNetworkConfig(undefined);
