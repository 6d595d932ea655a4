// The knative-eventing config maps admission and the eventing controllers
// read, parsed the way Knative parses them (pkg/apis/config/defaults.go,
// pkg/apis/messaging/config/channel_defaults.go, pkg/apis/feature,
// pkg/apis/sugar, pkg/apis/sources/config/ping_defaults.go), plus Skiff's
// built-in contents (what bootstrap writes; also the fallback when a map is
// absent or does not parse, so admission never fails on a broken config map).
// Pure: callers pass the config map data (or a `get` reading the store).
import { parse as parseYaml } from 'yaml';
import type { Selector } from '../labels.js';
import { selectorFromObject, type LabelSelectorObject } from '../labels.js';
import type { KObject } from '../meta.js';
import { A, BROKER_CLASS_LOG, BROKER_CLASS_MT, SYSTEM_NAMESPACE } from './constants.js';
import { isPlainObject } from '../json.js';

export type ConfigGetter = (gr: string, ns: string, name: string) => KObject | undefined;

/** A config map that does not parse; `key` names the data key at fault. */
export class EventingConfigError extends Error {
  readonly code = 'SKIFF_ERR_EVENTING_CONFIG';
  constructor(
    readonly configMap: string,
    readonly key: string,
    message: string,
  ) {
    super(`config map ${SYSTEM_NAMESPACE}/${configMap} key ${JSON.stringify(key)}: ${message}`);
    this.name = 'EventingConfigError';
  }
}

export const CONFIG_BR_DEFAULTS = 'config-br-defaults';
export const CONFIG_BR_DEFAULT_CHANNEL = 'config-br-default-channel';
export const DEFAULT_CH_WEBHOOK = 'default-ch-webhook';
export const CONFIG_FEATURES = 'config-features';
export const CONFIG_SUGAR = 'config-sugar';
export const CONFIG_PING_DEFAULTS = 'config-ping-defaults';
export const CONFIG_KREFERENCE_MAPPING = 'config-kreference-mapping';

// ---------------------------------------------------------------- built-in contents

const DEFAULT_DELIVERY_YAML = `delivery:
    retry: 10
    backoffPolicy: exponential
    backoffDelay: PT0.2S`;

/**
 * Skiff's config-br-defaults: the durable SkiffLogBroker is the embedded default class (an
 * accepted event is on disk); MTChannelBasedBroker stays available with Knative's own defaults
 * (spec.config → config-br-default-channel). Both get Knative's default delivery.
 */
export const DEFAULT_BR_CONFIG = `clusterDefault:
  brokerClass: ${BROKER_CLASS_LOG}
  ${DEFAULT_DELIVERY_YAML.replace(/\n/g, '\n  ')}
  brokerClasses:
    ${BROKER_CLASS_MT}:
      apiVersion: v1
      kind: ConfigMap
      name: ${CONFIG_BR_DEFAULT_CHANNEL}
      namespace: ${SYSTEM_NAMESPACE}
      ${DEFAULT_DELIVERY_YAML.replace(/\n/g, '\n      ')}
`;

export const DEFAULT_CHANNEL_TEMPLATE_SPEC = `apiVersion: messaging.knative.dev/v1
kind: InMemoryChannel
`;

export const DEFAULT_CH_CONFIG = `clusterDefault:
  apiVersion: messaging.knative.dev/v1
  kind: InMemoryChannel
`;

/** Knative's config-features defaults (config/core/configmaps/features.yaml). */
export const DEFAULT_FEATURES: Readonly<Record<string, string>> = Object.freeze({
  'kreference-group': 'disabled',
  'delivery-retryafter': 'disabled',
  'delivery-timeout': 'enabled',
  'kreference-mapping': 'disabled',
  'transport-encryption': 'disabled',
  'eventtype-auto-create': 'disabled',
  'authentication-oidc': 'disabled',
  'default-authorization-mode': 'allow-same-namespace',
  'cross-namespace-event-links': 'disabled',
  'new-apiserversource-filters': 'disabled',
});

/**
 * Skiff's config-sugar: the seed's `eventing.knative.dev/injection=enabled` label on a namespace
 * or a trigger gets a `default` broker (Knative ships these selectors empty = off; its docs give
 * exactly these selectors as the way to turn the feature on).
 */
export const DEFAULT_SUGAR: Readonly<Record<string, string>> = Object.freeze({
  'namespace-selector': `matchExpressions:\n- key: ${A.injection}\n  operator: In\n  values: ["enabled"]\n`,
  'trigger-selector': `matchExpressions:\n- key: ${A.injection}\n  operator: In\n  values: ["enabled"]\n`,
});

// ---------------------------------------------------------------- shared shapes

export interface KReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  group?: string;
}

export interface ChannelTemplate {
  apiVersion: string;
  kind: string;
  spec?: Record<string, unknown>;
}


function yamlValue(configMap: string, key: string, text: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new EventingConfigError(configMap, key, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function dataOf(get: ConfigGetter, name: string): Record<string, string> | undefined {
  const cm = get('core/configmaps', SYSTEM_NAMESPACE, name);
  return cm?.data as Record<string, string> | undefined;
}

// ---------------------------------------------------------------- config-br-defaults

export interface BrokerConfigEntry {
  /** spec.config default (the inline KReference), when the entry has one. */
  ref?: KReference;
  /** spec.delivery default. */
  delivery?: Record<string, unknown>;
}

export interface DefaultBrokerConfig {
  brokerClass?: string;
  /** The entry's own (inline) config; undefined when it has neither a reference nor a delivery. */
  config?: BrokerConfigEntry;
  brokerClasses: Record<string, BrokerConfigEntry>;
  disallowDifferentNamespaceConfig?: boolean;
}

export interface BrokerDefaults {
  clusterDefault?: DefaultBrokerConfig;
  namespaceDefaults: Record<string, DefaultBrokerConfig>;
}

function brokerEntry(v: unknown): BrokerConfigEntry | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: BrokerConfigEntry = {};
  const ref: KReference = {};
  for (const k of ['apiVersion', 'kind', 'name', 'namespace', 'group'] as const) if (typeof v[k] === 'string' && v[k] !== '') ref[k] = v[k] as string;
  if (ref.kind || ref.name || ref.apiVersion) out.ref = ref;
  if (isPlainObject(v.delivery)) out.delivery = structuredClone(v.delivery);
  return out.ref || out.delivery ? out : undefined;
}

function defaultBrokerConfig(v: unknown): DefaultBrokerConfig | undefined {
  if (!isPlainObject(v)) return undefined;
  const classes: Record<string, BrokerConfigEntry> = {};
  if (isPlainObject(v.brokerClasses)) for (const [k, e] of Object.entries(v.brokerClasses)) {
    const entry = brokerEntry(e);
    if (entry) classes[k] = entry;
  }
  const out: DefaultBrokerConfig = { brokerClasses: classes, config: brokerEntry(v) };
  if (typeof v.brokerClass === 'string' && v.brokerClass) out.brokerClass = v.brokerClass;
  if (typeof v.disallowDifferentNamespaceConfig === 'boolean') out.disallowDifferentNamespaceConfig = v.disallowDifferentNamespaceConfig;
  return out;
}

/** Parse `config-br-defaults` data (key `default-br-config`). */
export function parseBrokerDefaults(data: Record<string, string> | undefined): BrokerDefaults {
  const text = data?.['default-br-config'];
  if (text === undefined || text.trim() === '') throw new EventingConfigError(CONFIG_BR_DEFAULTS, 'default-br-config', 'missing or empty');
  const v = yamlValue(CONFIG_BR_DEFAULTS, 'default-br-config', text);
  if (!isPlainObject(v)) throw new EventingConfigError(CONFIG_BR_DEFAULTS, 'default-br-config', 'must be a YAML object');
  const namespaceDefaults: Record<string, DefaultBrokerConfig> = {};
  if (isPlainObject(v.namespaceDefaults)) for (const [ns, e] of Object.entries(v.namespaceDefaults)) {
    const c = defaultBrokerConfig(e);
    if (c) namespaceDefaults[ns] = c;
  }
  return { clusterDefault: defaultBrokerConfig(v.clusterDefault), namespaceDefaults };
}

export const BUILTIN_BROKER_DEFAULTS: BrokerDefaults = parseBrokerDefaults({ 'default-br-config': DEFAULT_BR_CONFIG });

/** config-br-defaults from the store; Skiff's built-in defaults when absent or invalid. */
export function brokerDefaultsFrom(get: ConfigGetter): BrokerDefaults {
  const data = dataOf(get, CONFIG_BR_DEFAULTS);
  if (!data) return BUILTIN_BROKER_DEFAULTS;
  try {
    return parseBrokerDefaults(data);
  } catch {
    return BUILTIN_BROKER_DEFAULTS;
  }
}

/** Default broker class for a namespace: the namespace's, else the cluster's (GetBrokerClass). */
export function defaultBrokerClass(d: BrokerDefaults, ns: string): string | undefined {
  return d.namespaceDefaults[ns]?.brokerClass ?? d.clusterDefault?.brokerClass;
}

function clusterConfigFor(d: BrokerDefaults, brokerClass: string): BrokerConfigEntry | undefined {
  const c = d.clusterDefault;
  if (!c || !c.config) {
    // Knative: no cluster default config → error; a class entry alone still serves that class.
    return brokerClass ? c?.brokerClasses[brokerClass] : undefined;
  }
  if (brokerClass === '' || c.brokerClass === brokerClass) return c.brokerClasses[brokerClass] ?? c.config;
  return c.brokerClasses[brokerClass] ?? c.config;
}

/**
 * The spec.config / spec.delivery defaults for a broker of `brokerClass` (empty = the default
 * class) in `ns`: namespace entry for that class, then the cluster's, then the cluster default
 * (pkg/apis/config/defaults.go GetBrokerConfig).
 */
export function brokerConfigFor(d: BrokerDefaults, ns: string, brokerClass: string | undefined): BrokerConfigEntry | undefined {
  const nsc = d.namespaceDefaults[ns];
  if (!brokerClass) {
    if (nsc?.brokerClass) return brokerConfigFor(d, ns, nsc.brokerClass);
    return clusterConfigFor(d, '');
  }
  if (nsc) {
    if (nsc.brokerClass === brokerClass) return nsc.brokerClasses[brokerClass] ?? nsc.config ?? clusterConfigFor(d, brokerClass);
    if (nsc.brokerClasses[brokerClass]) return nsc.brokerClasses[brokerClass];
  }
  return clusterConfigFor(d, brokerClass);
}

/** Whether spec.config may name a config map in another namespace (disallowDifferentNamespaceConfig). */
export function brokerConfigMayCrossNamespaces(d: BrokerDefaults, ns: string): boolean {
  if (d.namespaceDefaults[ns]?.disallowDifferentNamespaceConfig === true) return false;
  return d.clusterDefault?.disallowDifferentNamespaceConfig !== true;
}

// ---------------------------------------------------------------- channel defaults

export interface ChannelDefaults {
  clusterDefault?: ChannelTemplate;
  namespaceDefaults: Record<string, ChannelTemplate>;
}

function channelTemplate(v: unknown): ChannelTemplate | undefined {
  if (!isPlainObject(v) || typeof v.apiVersion !== 'string' || typeof v.kind !== 'string') return undefined;
  const t: ChannelTemplate = { apiVersion: v.apiVersion, kind: v.kind };
  if (isPlainObject(v.spec)) t.spec = structuredClone(v.spec);
  return t;
}

/** Parse `default-ch-webhook` data (key `default-ch-config`). */
export function parseChannelDefaults(data: Record<string, string> | undefined): ChannelDefaults {
  const text = data?.['default-ch-config'];
  if (text === undefined || text.trim() === '') throw new EventingConfigError(DEFAULT_CH_WEBHOOK, 'default-ch-config', 'missing or empty');
  const v = yamlValue(DEFAULT_CH_WEBHOOK, 'default-ch-config', text);
  if (!isPlainObject(v)) throw new EventingConfigError(DEFAULT_CH_WEBHOOK, 'default-ch-config', 'must be a YAML object');
  const namespaceDefaults: Record<string, ChannelTemplate> = {};
  if (isPlainObject(v.namespaceDefaults)) for (const [ns, e] of Object.entries(v.namespaceDefaults)) {
    const t = channelTemplate(e);
    if (t) namespaceDefaults[ns] = t;
  }
  return { clusterDefault: channelTemplate(v.clusterDefault), namespaceDefaults };
}

export const BUILTIN_CHANNEL_DEFAULTS: ChannelDefaults = parseChannelDefaults({ 'default-ch-config': DEFAULT_CH_CONFIG });

export function channelDefaultsFrom(get: ConfigGetter): ChannelDefaults {
  const data = dataOf(get, DEFAULT_CH_WEBHOOK);
  if (!data) return BUILTIN_CHANNEL_DEFAULTS;
  try {
    return parseChannelDefaults(data);
  } catch {
    return BUILTIN_CHANNEL_DEFAULTS;
  }
}

/** The channel template for `ns`: the namespace default, else the cluster default (GetChannelConfig). */
export function channelTemplateFor(d: ChannelDefaults, ns: string): ChannelTemplate | undefined {
  const t = d.namespaceDefaults[ns] ?? d.clusterDefault;
  return t ? structuredClone(t) : undefined;
}

/** Parse `config-br-default-channel` style data (key `channel-template-spec`). */
export function parseChannelTemplateSpec(configMap: string, data: Record<string, string> | undefined): ChannelTemplate {
  const text = data?.['channel-template-spec'];
  if (text === undefined || text.trim() === '') throw new EventingConfigError(configMap, 'channel-template-spec', 'missing or empty');
  const t = channelTemplate(yamlValue(configMap, 'channel-template-spec', text));
  if (!t) throw new EventingConfigError(configMap, 'channel-template-spec', 'must have apiVersion and kind');
  return t;
}

// ---------------------------------------------------------------- config-features

export interface EventingFeatures {
  kreferenceGroup: boolean;
  deliveryRetryAfter: boolean;
  deliveryTimeout: boolean;
  kreferenceMapping: boolean;
  eventTypeAutoCreate: boolean;
  crossNamespaceEventLinks: boolean;
  newApiServerSourceFilters: boolean;
  /** Raw flag values, for flags Skiff does not interpret. */
  raw: Readonly<Record<string, string>>;
}

/** Parse config-features: a flag is on only when its value is "enabled" (case-insensitive). */
export function parseFeatures(data: Record<string, string> | undefined): EventingFeatures {
  const raw: Record<string, string> = { ...DEFAULT_FEATURES };
  for (const [k, v] of Object.entries(data ?? {})) if (!k.startsWith('_')) raw[k] = String(v).trim();
  const on = (k: string) => (raw[k] ?? '').toLowerCase() === 'enabled';
  return {
    kreferenceGroup: on('kreference-group'),
    deliveryRetryAfter: on('delivery-retryafter'),
    deliveryTimeout: on('delivery-timeout'),
    kreferenceMapping: on('kreference-mapping'),
    eventTypeAutoCreate: on('eventtype-auto-create'),
    crossNamespaceEventLinks: on('cross-namespace-event-links'),
    newApiServerSourceFilters: on('new-apiserversource-filters'),
    raw: Object.freeze(raw),
  };
}

export function featuresFrom(get: ConfigGetter): EventingFeatures {
  return parseFeatures(dataOf(get, CONFIG_FEATURES));
}

// ---------------------------------------------------------------- config-sugar

export interface SugarConfig {
  /** undefined = off (matches nothing); [] = every namespace. */
  namespaceSelector?: Selector;
  triggerSelector?: Selector;
}

function sugarSelector(data: Record<string, string>, key: string): Selector | undefined {
  const text = data[key];
  if (text === undefined || text.trim() === '') return undefined;
  const v = yamlValue(CONFIG_SUGAR, key, text);
  if (v === null || v === undefined) return undefined;
  if (!isPlainObject(v)) throw new EventingConfigError(CONFIG_SUGAR, key, 'must be a label selector object (matchLabels / matchExpressions)');
  try {
    return selectorFromObject(v as LabelSelectorObject);
  } catch (err) {
    throw new EventingConfigError(CONFIG_SUGAR, key, err instanceof Error ? err.message : String(err));
  }
}

/** Parse config-sugar. Keys absent or empty turn that half of the feature off (Knative). */
export function parseSugarConfig(data: Record<string, string> | undefined): SugarConfig {
  const d = data ?? {};
  return { namespaceSelector: sugarSelector(d, 'namespace-selector'), triggerSelector: sugarSelector(d, 'trigger-selector') };
}

// ---------------------------------------------------------------- config-ping-defaults

export interface PingDefaults {
  /** Largest `data` / `dataBase64` in bytes; -1 = unlimited. */
  dataMaxSize: number;
}

export function parsePingDefaults(data: Record<string, string> | undefined): PingDefaults {
  const raw = data?.['data-max-size'];
  if (raw === undefined || raw.trim() === '') return { dataMaxSize: -1 };
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) throw new EventingConfigError(CONFIG_PING_DEFAULTS, 'data-max-size', `must be an integer, got ${JSON.stringify(raw)}`);
  return { dataMaxSize: n };
}

export function pingDefaultsFrom(get: ConfigGetter): PingDefaults {
  try {
    return parsePingDefaults(dataOf(get, CONFIG_PING_DEFAULTS));
  } catch {
    return { dataMaxSize: -1 };
  }
}
