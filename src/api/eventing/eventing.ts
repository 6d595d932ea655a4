// eventing.knative.dev kinds: Broker, Trigger (v1) and EventType (v1beta3,
// also served as v1beta2). Defaulting and validation as Knative's webhook
// (pkg/apis/eventing/v1/{broker,trigger}_{defaults,validation}.go,
// pkg/apis/eventing/v1beta3/eventtype_*.go); printer columns as
// config/core/resources/{broker,trigger,eventtype}.yaml.
//
// Deliberate differences:
// - On update, a Broker without the class annotation (or spec.config) keeps the stored one
//   instead of being re-defaulted (so `kubectl replace` of a hand-written manifest works even
//   after config-br-defaults changed); an explicit change is still refused as immutable.
// - The broker's delivery default is looked up by broker class (Knative looks it up by
//   spec.config.kind when spec.config is set, which finds no class entry).
// - EventType: the registry stores one schema, so a v1beta2-shaped object (spec.type/source/
//   schema/broker) is converted to v1beta3 attributes on write (Knative's ConvertTo); reads at
//   v1beta2 show the v1beta3 shape.
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import type { AdmissionContext, ResourceType } from '../registry.js';
import {
  brokerConfigFor,
  brokerConfigMayCrossNamespaces,
  brokerDefaultsFrom,
  defaultBrokerClass,
  featuresFrom,
} from './config.js';
import { A, EVENTING_GROUP, L } from './constants.js';
import type { EventingAdmissionDeps } from './deps.js';
import {
  COL,
  defaultDelivery,
  defaultDestination,
  immutable,
  isObject,
  missing,
  validateDelivery,
  validateDestination,
  validateKReference,
  without,
} from './duck.js';

const EVENTING_CATEGORIES = ['all', 'knative', 'eventing'];

function nsOf(o: KObject): string {
  return o.metadata.namespace || 'default';
}

// ---------------------------------------------------------------- Broker

function defaultBroker(o: KObject, ctx: AdmissionContext, old?: KObject): void {
  const ns = nsOf(o);
  const d = brokerDefaultsFrom(ctx.get);
  const annotations = (o.metadata.annotations ??= {});
  let cls = annotations[A.brokerClass];
  if (!cls && old) cls = old.metadata.annotations?.[A.brokerClass] ?? '';
  if (!cls) cls = defaultBrokerClass(d, ns) ?? '';
  if (cls) annotations[A.brokerClass] = cls;
  else if (Object.keys(annotations).length === 0) delete o.metadata.annotations;

  if (!isObject(o.spec)) o.spec = {};
  const spec = o.spec;
  if ((spec.config === undefined || spec.config === null) && old && isObject(old.spec?.config)) spec.config = structuredClone(old.spec.config);
  const entry = brokerConfigFor(d, ns, cls);
  if ((spec.config === undefined || spec.config === null) && entry?.ref) spec.config = structuredClone(entry.ref);
  if ((spec.delivery === undefined || spec.delivery === null) && entry?.delivery) {
    const { deadLetterSink, retry, backoffPolicy, backoffDelay } = entry.delivery;
    const delivery: Record<string, unknown> = { deadLetterSink, retry, backoffPolicy, backoffDelay };
    for (const k of Object.keys(delivery)) if (delivery[k] === undefined) delete delivery[k];
    spec.delivery = structuredClone(delivery);
  }
  if (isObject(spec.config) && !spec.config.namespace) spec.config.namespace = ns;
  defaultDelivery(spec.delivery, ns);
}

function validateBroker(o: KObject, old: KObject | undefined, ctx: AdmissionContext, deps: EventingAdmissionDeps): FieldError[] {
  const ns = nsOf(o);
  const errs: FieldError[] = [];
  const features = featuresFrom(ctx.get);
  const cls = o.metadata.annotations?.[A.brokerClass];
  if (!cls) errs.push(missing(`metadata.annotations[${A.brokerClass}]`));
  const spec = o.spec ?? {};
  if (!isObject(spec)) return [...errs, { path: 'spec', message: 'must be an object' }];
  if (spec.config !== undefined && spec.config !== null) {
    errs.push(
      ...validateKReference(spec.config, 'spec.config', {
        parentNamespace: ns,
        allowDifferentNamespace: brokerConfigMayCrossNamespaces(brokerDefaultsFrom(ctx.get), ns),
        allowGroup: features.kreferenceGroup,
      }),
    );
  }
  errs.push(...validateDelivery(spec.delivery, 'spec.delivery', deps.validateDeliverySpec, features, { parentNamespace: ns, allowGroup: features.kreferenceGroup }));
  if (old) {
    errs.push(...immutable('spec', without(old.spec, 'delivery'), without(spec, 'delivery')));
    const was = old.metadata.annotations?.[A.brokerClass];
    if (was !== cls)
      errs.push({
        path: `metadata.annotations[${A.brokerClass}]`,
        message: `Immutable annotations changed (-old +new): -${JSON.stringify(was ?? null)} +${JSON.stringify(cls ?? null)}`,
        type: 'FieldValueInvalid',
      });
  }
  return errs;
}

export function brokerType(deps: EventingAdmissionDeps): ResourceType {
  return {
    group: EVENTING_GROUP,
    version: 'v1',
    kind: 'Broker',
    plural: 'brokers',
    singular: 'broker',
    namespaced: true,
    categories: EVENTING_CATEGORIES,
    subresources: { status: true },
    default: defaultBroker,
    validate: (o, old, ctx) => validateBroker(o, old, ctx, deps),
    printerColumns: [
      COL.url,
      COL.age,
      COL.ready,
      COL.reason,
      { name: 'Class', type: 'string', priority: 1, description: 'Broker class', value: (o) => o.metadata.annotations?.[A.brokerClass] ?? '' },
    ],
  };
}

// ---------------------------------------------------------------- Trigger

function defaultTrigger(o: KObject, ctx: AdmissionContext): void {
  const ns = nsOf(o);
  if (!isObject(o.spec)) o.spec = {};
  const spec = o.spec;
  if (spec.filter === undefined || spec.filter === null) spec.filter = {};
  defaultDestination(spec.subscriber, ns);
  defaultDelivery(spec.delivery, ns);
  const features = featuresFrom(ctx.get);
  const brokerName = features.crossNamespaceEventLinks && isObject(spec.brokerRef) && spec.brokerRef.name ? spec.brokerRef.name : spec.broker;
  if (typeof brokerName === 'string' && brokerName) o.metadata.labels = { ...(o.metadata.labels ?? {}), [L.broker]: brokerName };
}

function validateDependencyAnnotation(value: string, ns: string, path: string): FieldError[] {
  let ref: unknown;
  try {
    ref = JSON.parse(value);
  } catch (err) {
    return [{ path, message: `The provided annotation was not a corev1.ObjectReference: ${JSON.stringify(value)}: ${err instanceof Error ? err.message : String(err)}` }];
  }
  if (!isObject(ref)) return [{ path, message: `The provided annotation was not a corev1.ObjectReference: ${JSON.stringify(value)}` }];
  const errs: FieldError[] = [];
  if (ref.namespace && ref.namespace !== ns) errs.push({ path: `${path}.namespace`, message: `Namespace must be empty or equal to the trigger namespace ${JSON.stringify(ns)}` });
  if (!ref.kind) errs.push(missing(`${path}.kind`));
  if (!ref.name) errs.push(missing(`${path}.name`));
  if (!ref.apiVersion) errs.push(missing(`${path}.apiVersion`));
  return errs;
}

function validateTrigger(o: KObject, old: KObject | undefined, ctx: AdmissionContext, deps: EventingAdmissionDeps): FieldError[] {
  const ns = nsOf(o);
  const features = featuresFrom(ctx.get);
  const errs: FieldError[] = [];
  const spec = o.spec;
  if (!isObject(spec)) return [missing('spec')];
  const hasRef = spec.brokerRef !== undefined && spec.brokerRef !== null;
  if (spec.broker !== undefined && typeof spec.broker !== 'string') errs.push({ path: 'spec.broker', message: 'invalid value: must be a string', type: 'FieldValueInvalid' });
  if (!hasRef && !spec.broker) errs.push(missing('spec.broker'));
  else if (hasRef && spec.broker) errs.push({ path: 'spec.broker, spec.brokerRef', message: 'expected exactly one, got both', type: 'FieldValueInvalid' });
  if (hasRef) {
    errs.push(...validateKReference(spec.brokerRef, 'spec.brokerRef', { parentNamespace: ns, allowDifferentNamespace: features.crossNamespaceEventLinks, allowGroup: features.kreferenceGroup }));
    if (!features.crossNamespaceEventLinks && isObject(spec.brokerRef) && spec.brokerRef.namespace)
      errs.push({
        path: 'spec.brokerRef.namespace',
        message: 'must not set the field(s): only name, apiVersion and kind are supported fields when feature.CrossNamespaceEventLinks is disabled',
        type: 'FieldValueForbidden',
      });
  }
  errs.push(...deps.validateTriggerFilters({ filter: spec.filter, filters: spec.filters }, 'spec').map((e) => ({ ...e, type: e.type ?? 'FieldValueInvalid' })));
  errs.push(...validateDestination(spec.subscriber, 'spec.subscriber', { parentNamespace: ns, allowGroup: features.kreferenceGroup }));
  errs.push(...validateDelivery(spec.delivery, 'spec.delivery', deps.validateDeliverySpec, features, { parentNamespace: ns, allowGroup: features.kreferenceGroup }));

  const annotations = o.metadata.annotations ?? {};
  const dep = annotations[A.dependency];
  if (dep !== undefined) errs.push(...validateDependencyAnnotation(dep, ns, `metadata.annotations[${A.dependency}]`));
  const inj = annotations[A.injection];
  if (inj !== undefined) {
    const path = `metadata.annotations[${A.injection}]`;
    if (inj !== 'enabled' && inj !== 'disabled')
      errs.push({ path, message: `The provided injection annotation value can only be "enabled" or "disabled", not ${JSON.stringify(inj)}`, type: 'FieldValueInvalid' });
    else if (spec.broker !== 'default')
      errs.push({ path, message: `The provided injection annotation is only used for default broker, but non-default broker specified here: ${JSON.stringify(spec.broker ?? '')}`, type: 'FieldValueInvalid' });
  }
  if (old) errs.push(...immutable('spec.broker', old.spec?.broker, spec.broker));
  return errs;
}

export function triggerType(deps: EventingAdmissionDeps): ResourceType {
  return {
    group: EVENTING_GROUP,
    version: 'v1',
    kind: 'Trigger',
    plural: 'triggers',
    singular: 'trigger',
    namespaced: true,
    categories: EVENTING_CATEGORIES,
    subresources: { status: true },
    default: defaultTrigger,
    validate: (o, old, ctx) => validateTrigger(o, old, ctx, deps),
    printerColumns: [
      { name: 'Broker', type: 'string', jsonPath: '.spec.broker' },
      { name: 'Subscriber_URI', type: 'string', jsonPath: '.status.subscriberUri' },
      COL.age,
      COL.ready,
      COL.reason,
    ],
  };
}

// ---------------------------------------------------------------- EventType

/** v1beta2 → v1beta3 (pkg/apis/eventing/v1beta2/eventtype_conversion.go ConvertTo). */
function convertEventTypeV1beta2(spec: Record<string, any>): void {
  const legacy = ['type', 'source', 'schema', 'schemaData', 'broker'].some((k) => spec[k] !== undefined);
  if (!legacy || Array.isArray(spec.attributes)) return;
  if (!spec.reference && typeof spec.broker === 'string' && spec.broker) spec.reference = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: spec.broker };
  const attributes: Array<Record<string, unknown>> = [
    { name: 'specversion', required: true },
    { name: 'id', required: true },
    spec.type ? { name: 'type', required: true, value: spec.type } : { name: 'type', required: true },
    spec.source ? { name: 'source', required: true, value: spec.source } : { name: 'source', required: true },
  ];
  if (spec.schema) attributes.push({ name: 'schemadata', required: false, value: spec.schema });
  spec.attributes = attributes;
  for (const k of ['type', 'source', 'schema', 'schemaData', 'broker']) delete spec[k];
}

function validateEventType(o: KObject, ctx: AdmissionContext): FieldError[] {
  const spec = o.spec;
  if (!isObject(spec)) return [missing('spec.attributes.type, spec.attributes.source, spec.attributes.specversion, spec.attributes.id')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  if (spec.attributes !== undefined && !Array.isArray(spec.attributes)) return [{ path: 'spec.attributes', message: 'invalid value: must be a list', type: 'FieldValueInvalid' }];
  (spec.attributes ?? []).forEach((a: unknown, i: number) => {
    if (!isObject(a) || typeof a.name !== 'string' || !a.name) errs.push(missing(`spec.attributes[${i}].name`));
    else names.add(a.name);
  });
  const absent = ['type', 'source', 'specversion', 'id'].filter((n) => !names.has(n));
  if (absent.length) errs.push(missing(absent.map((n) => `spec.attributes.${n}`).join(', ')));
  if (spec.reference !== undefined && spec.reference !== null)
    errs.push(...validateKReference(spec.reference, 'spec.reference', { parentNamespace: nsOf(o), allowGroup: featuresFrom(ctx.get).kreferenceGroup }));
  return errs;
}

export const eventTypeType: ResourceType = {
  group: EVENTING_GROUP,
  version: 'v1beta3',
  alsoServed: ['v1beta2'],
  kind: 'EventType',
  plural: 'eventtypes',
  singular: 'eventtype',
  namespaced: true,
  categories: EVENTING_CATEGORIES,
  subresources: { status: true },
  default(o) {
    if (!isObject(o.spec)) o.spec = {};
    convertEventTypeV1beta2(o.spec);
    if (isObject(o.spec.reference) && !o.spec.reference.namespace) o.spec.reference.namespace = nsOf(o);
  },
  validate: (o, _old, ctx) => validateEventType(o, ctx),
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: ".spec.attributes[?(@.name=='type')].value" },
    { name: 'Source', type: 'string', jsonPath: ".spec.attributes[?(@.name=='source')].value" },
    { name: 'Reference Name', type: 'string', jsonPath: '.spec.reference.name' },
    { name: 'Reference Kind', type: 'string', jsonPath: '.spec.reference.kind' },
    { name: 'Description', type: 'string', jsonPath: '.spec.description' },
    COL.ready,
    COL.reason,
  ],
};
