// Knative Serving kinds (serving.knative.dev, networking.internal,
// autoscaling.internal): registration with Knative's short names,
// categories, defaulting, validation (the webhook's job) and the printer
// columns of Knative's CRDs, so `kubectl get ksvc/rev/kpa` read as on a cluster.
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { condition } from '../meta.js';
import { age } from '../printers.js';
import type { ResourceRegistry, ResourceType, PrinterColumn } from '../registry.js';
import { isDns1123Subdomain, validateDns1035Label } from '../validation.js';
import { servingDefaultsFrom } from './config-defaults.js';
import { A, AUTOSCALING_INTERNAL_GROUP, CLUSTER_LOCAL, L, NETWORKING_INTERNAL_GROUP, SERVING_GROUP } from './constants.js';
import { defaultRevisionSpec, validateRevisionSpec, validateTemplateName } from './revision-spec.js';
import { defaultTraffic, validateTraffic } from './traffic.js';
import { parseGoDuration } from '../go-syntax.js';

const READY: PrinterColumn = { name: 'Ready', type: 'string', value: (o) => condition(o, 'Ready')?.status ?? '' };
const REASON: PrinterColumn = { name: 'Reason', type: 'string', value: (o) => condition(o, 'Ready')?.reason ?? '' };
const URL: PrinterColumn = { name: 'URL', type: 'string', value: (o) => o.status?.url ?? '' };
const AGE: PrinterColumn = { name: 'Age', type: 'string', value: (o, now) => age(o, now) };
const KNATIVE_CATEGORIES = ['all', 'knative', 'serving'];

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : 1))) : val));
}

function validateVisibilityLabel(o: KObject, path = 'metadata.labels'): FieldError[] {
  const v = o.metadata.labels?.[L.visibility];
  if (v !== undefined && v !== CLUSTER_LOCAL)
    return [{ path: `${path}.${L.visibility}`, message: `Invalid value: ${JSON.stringify(v)}: expected "cluster-local"` }];
  return [];
}

function validateRollout(o: KObject): FieldError[] {
  const v = o.metadata.annotations?.[A.rolloutDuration] ?? o.metadata.annotations?.[A.rolloutDurationLegacy];
  if (v === undefined) return [];
  const d = parseGoDuration(v);
  if (d === undefined || d < 0) return [{ path: `metadata.annotations.${A.rolloutDuration}`, message: `invalid value: ${v}: must be a non-negative duration like 380s` }];
  return [];
}

/** Template rules shared by Service and Configuration. */
function validateTemplate(o: KObject, old: KObject | undefined, get: Parameters<typeof servingDefaultsFrom>[0]): FieldError[] {
  const errs: FieldError[] = [];
  const tpl = o.spec?.template;
  if (!tpl || typeof tpl !== 'object') return [{ path: 'spec.template', message: 'missing field(s)', type: 'FieldValueRequired' }];
  const d = servingDefaultsFrom(get);
  errs.push(...validateTemplateName(tpl.metadata?.name, o.metadata.name ?? '', o.metadata.generateName, 'spec.template.metadata.name'));
  errs.push(...validateRevisionSpec(tpl.spec, 'spec.template.spec', d, tpl.metadata?.annotations, get));
  if (old && tpl.metadata?.name && tpl.metadata.name === old.spec?.template?.metadata?.name) {
    const was = { ...old.spec.template, spec: withCurrentDefaults(old.spec.template.spec, old.spec.template.metadata, d) };
    if (stableJson(tpl) !== stableJson(was))
      errs.push({ path: 'spec.template.metadata.name', message: `Saw the following changes without a name change (-old +new): ${diffSummary(was, tpl)}` });
  }
  return errs;
}

/**
 * A stored spec as today's defaulting would have written it: objects saved
 * before a default was added (e.g. resources: {}) must not look changed when
 * the same spec comes back through admission.
 */
function withCurrentDefaults(spec: any, meta: any, d: ReturnType<typeof servingDefaultsFrom>): any {
  if (!spec || typeof spec !== 'object') return spec;
  const copy = structuredClone(spec);
  defaultRevisionSpec(copy, meta, d);
  return copy;
}

function diffSummary(a: unknown, b: unknown, path = ''): string {
  if (stableJson(a) === stableJson(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys]
      .map((k) => diffSummary((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k))
      .filter(Boolean)
      .join('; ');
  }
  return `${path}: -${JSON.stringify(a)} +${JSON.stringify(b)}`;
}

function defaultTemplate(o: KObject, get: Parameters<typeof servingDefaultsFrom>[0]): void {
  o.spec ??= {};
  const tpl = (o.spec.template ??= {});
  tpl.metadata ??= {};
  tpl.spec ??= {};
  defaultRevisionSpec(tpl.spec, tpl.metadata, servingDefaultsFrom(get));
}

function validateKsvcName(o: KObject): FieldError[] {
  return o.metadata.name ? validateDns1035Label('metadata.name', o.metadata.name) : [];
}

export const serviceType: ResourceType = {
  group: SERVING_GROUP,
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  shortNames: ['kservice', 'ksvc'],
  namespaced: true,
  categories: KNATIVE_CATEGORIES,
  subresources: { status: true },
  nameRule: 'label',
  default(o, ctx) {
    defaultTemplate(o, ctx.get);
    if (!o.spec.traffic || o.spec.traffic.length === 0) o.spec.traffic = [{ latestRevision: true, percent: 100 }];
    defaultTraffic(o.spec.traffic);
  },
  validate(o, old, ctx) {
    return [
      ...validateKsvcName(o),
      ...validateVisibilityLabel(o),
      ...validateRollout(o),
      ...validateTemplate(o, old, ctx.get),
      ...validateTraffic(o.spec?.traffic, 'spec.traffic', true),
    ];
  },
  printerColumns: [
    URL,
    { name: 'LatestCreated', type: 'string', value: (o) => o.status?.latestCreatedRevisionName ?? '' },
    { name: 'LatestReady', type: 'string', value: (o) => o.status?.latestReadyRevisionName ?? '' },
    READY,
    REASON,
  ],
};

export const configurationType: ResourceType = {
  group: SERVING_GROUP,
  version: 'v1',
  kind: 'Configuration',
  plural: 'configurations',
  singular: 'configuration',
  shortNames: ['config', 'cfg'],
  namespaced: true,
  categories: KNATIVE_CATEGORIES,
  subresources: { status: true },
  nameRule: 'label',
  default(o, ctx) {
    defaultTemplate(o, ctx.get);
  },
  validate(o, old, ctx) {
    return [...validateKsvcName(o), ...validateTemplate(o, old, ctx.get)];
  },
  printerColumns: [
    { name: 'LatestCreated', type: 'string', value: (o) => o.status?.latestCreatedRevisionName ?? '' },
    { name: 'LatestReady', type: 'string', value: (o) => o.status?.latestReadyRevisionName ?? '' },
    READY,
    REASON,
  ],
};

export const revisionType: ResourceType = {
  group: SERVING_GROUP,
  version: 'v1',
  kind: 'Revision',
  plural: 'revisions',
  singular: 'revision',
  shortNames: ['rev'],
  namespaced: true,
  categories: KNATIVE_CATEGORIES,
  subresources: { status: true },
  nameRule: 'label',
  default(o, ctx) {
    o.spec ??= {};
    defaultRevisionSpec(o.spec, o.metadata, servingDefaultsFrom(ctx.get));
  },
  validate(o, old, ctx) {
    const d = servingDefaultsFrom(ctx.get);
    const errs = [...validateKsvcName(o), ...validateRevisionSpec(o.spec, 'spec', d, o.metadata.annotations, ctx.get)];
    const was = old ? withCurrentDefaults(old.spec, old.metadata, d) : undefined;
    if (old && stableJson(was) !== stableJson(o.spec)) errs.push({ path: 'spec', message: `Immutable fields changed (-old +new): ${diffSummary(was, o.spec)}` });
    return errs;
  },
  printerColumns: [
    { name: 'Config Name', type: 'string', value: (o) => o.metadata.labels?.[L.configuration] ?? '' },
    { name: 'K8s Service Name', type: 'string', value: (o) => o.status?.serviceName ?? '' },
    { name: 'Generation', type: 'string', value: (o) => o.metadata.labels?.[L.configurationGeneration] ?? '' },
    READY,
    REASON,
    { name: 'Actual Replicas', type: 'integer', value: (o) => o.status?.actualReplicas ?? '' },
    { name: 'Desired Replicas', type: 'integer', value: (o) => o.status?.desiredReplicas ?? '' },
  ],
};

export const routeType: ResourceType = {
  group: SERVING_GROUP,
  version: 'v1',
  kind: 'Route',
  plural: 'routes',
  singular: 'route',
  shortNames: ['rt'],
  namespaced: true,
  categories: KNATIVE_CATEGORIES,
  subresources: { status: true },
  nameRule: 'label',
  default(o) {
    o.spec ??= {};
    defaultTraffic(o.spec.traffic);
  },
  validate(o) {
    return [...validateKsvcName(o), ...validateVisibilityLabel(o), ...validateRollout(o), ...validateTraffic(o.spec?.traffic, 'spec.traffic', false)];
  },
  printerColumns: [URL, READY, REASON],
};

function validateKRef(ref: any, path: string, ns: string | undefined): FieldError[] {
  if (!ref || typeof ref !== 'object') return [{ path, message: 'missing field(s)', type: 'FieldValueRequired' }];
  const errs: FieldError[] = [];
  for (const f of ['apiVersion', 'kind', 'name']) if (!ref[f]) errs.push({ path: `${path}.${f}`, message: 'missing field(s)', type: 'FieldValueRequired' });
  if (ref.namespace && ns && ref.namespace !== ns) errs.push({ path: `${path}.namespace`, message: `mismatched namespaces: ${ref.namespace} != ${ns}` });
  return errs;
}

export const domainMappingType: ResourceType = {
  group: SERVING_GROUP,
  version: 'v1beta1',
  alsoServed: ['v1alpha1'],
  kind: 'DomainMapping',
  plural: 'domainmappings',
  singular: 'domainmapping',
  shortNames: ['dm'],
  namespaced: true,
  categories: ['all', 'knative', 'serving'],
  subresources: { status: true },
  validate(o) {
    const errs: FieldError[] = [];
    const name = o.metadata.name ?? '';
    if (!isDns1123Subdomain(name) || !name.includes('.'))
      errs.push({ path: 'metadata.name', message: `invalid name "${name}": must be a fully qualified domain name (a DNS-1123 subdomain with at least one dot)` });
    errs.push(...validateKRef(o.spec?.ref, 'spec.ref', o.metadata.namespace));
    return errs;
  },
  printerColumns: [URL, READY, REASON],
};

export const clusterDomainClaimType: ResourceType = {
  group: NETWORKING_INTERNAL_GROUP,
  version: 'v1alpha1',
  kind: 'ClusterDomainClaim',
  plural: 'clusterdomainclaims',
  singular: 'clusterdomainclaim',
  shortNames: ['cdc'],
  namespaced: false,
  categories: ['knative-internal', 'networking'],
  generationFields: ['spec'],
  validate(o) {
    return o.spec?.namespace ? [] : [{ path: 'spec.namespace', message: 'missing field(s)', type: 'FieldValueRequired' }];
  },
  printerColumns: [AGE],
};

function internalKind(group: string, kind: string, plural: string, shortNames: string[], cols: PrinterColumn[]): ResourceType {
  return {
    group,
    version: 'v1alpha1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames,
    namespaced: true,
    categories: ['knative-internal', group.startsWith('autoscaling') ? 'autoscaling' : 'networking'],
    subresources: { status: true },
    printerColumns: cols,
  };
}

export const serverlessServiceType = internalKind(NETWORKING_INTERNAL_GROUP, 'ServerlessService', 'serverlessservices', ['sks'], [
  { name: 'Mode', type: 'string', value: (o) => o.spec?.mode ?? '' },
  { name: 'Activators', type: 'integer', value: (o) => o.spec?.numActivators ?? '' },
  { name: 'ServiceName', type: 'string', value: (o) => o.status?.serviceName ?? '' },
  { name: 'PrivateServiceName', type: 'string', value: (o) => o.status?.privateServiceName ?? '' },
  READY,
  REASON,
]);
export const ingressType = internalKind(NETWORKING_INTERNAL_GROUP, 'Ingress', 'ingresses', ['kingress', 'king'], [READY, REASON]);
export const certificateType = internalKind(NETWORKING_INTERNAL_GROUP, 'Certificate', 'certificates', ['kcert'], [READY, REASON]);
export const podAutoscalerType = internalKind(AUTOSCALING_INTERNAL_GROUP, 'PodAutoscaler', 'podautoscalers', ['kpa', 'pa'], [
  { name: 'DesiredScale', type: 'integer', value: (o) => o.status?.desiredScale ?? '' },
  { name: 'ActualScale', type: 'integer', value: (o) => o.status?.actualScale ?? '' },
  READY,
  REASON,
]);
export const metricType = internalKind(AUTOSCALING_INTERNAL_GROUP, 'Metric', 'metrics', [], [READY, REASON]);

export function registerServingKinds(r: ResourceRegistry): void {
  for (const t of [
    serviceType,
    configurationType,
    revisionType,
    routeType,
    domainMappingType,
    clusterDomainClaimType,
    serverlessServiceType,
    ingressType,
    certificateType,
    podAutoscalerType,
    metricType,
  ])
    r.register(t);
}
