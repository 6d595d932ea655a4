// sources.knative.dev/v1 kinds: PingSource (also served as v1beta2),
// ApiServerSource, ContainerSource, SinkBinding — types, defaulting and
// validation only (pkg/apis/sources/v1/*_{defaults,validation}.go); their
// controllers come later. Printer columns as config/core/resources/*.yaml.
// Cron syntax is checked with croner (the scheduler the Ping adapter will use) plus Knative's
// own rules: 5 fields or 6 with leading seconds, descriptors like @hourly, no @every.
import { Cron } from 'croner';
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import type { AdmissionContext, ResourceType } from '../registry.js';
import { isDns1123Label } from '../validation.js';
import { featuresFrom, pingDefaultsFrom } from './config.js';
import { SOURCES_GROUP } from './constants.js';
import type { EventingAdmissionDeps } from './deps.js';
import { COL, defaultDestination, invalidValue, isObject, missing, validateCeOverrides, validateDestination } from './duck.js';

const SOURCE_CATEGORIES = ['all', 'knative', 'sources'];

function nsOf(o: KObject): string {
  return o.metadata.namespace || 'default';
}

/** SourceSpec.Validate: a sink Destination and valid ceOverrides. */
function validateSourceSpec(spec: Record<string, any>, ctx: AdmissionContext, ns: string): FieldError[] {
  const features = featuresFrom(ctx.get);
  return [...validateDestination(spec.sink, 'spec.sink', { parentNamespace: ns, allowGroup: features.kreferenceGroup }), ...validateCeOverrides(spec.ceOverrides, 'spec.ceOverrides')];
}

function sourceType(kind: string, extra: Partial<ResourceType>): ResourceType {
  return {
    group: SOURCES_GROUP,
    version: 'v1',
    kind,
    plural: `${kind.toLowerCase()}s`,
    singular: kind.toLowerCase(),
    namespaced: true,
    categories: SOURCE_CATEGORIES,
    subresources: { status: true },
    printerColumns: [COL.sink, COL.age, COL.ready, COL.reason],
    ...extra,
  };
}

// ---------------------------------------------------------------- PingSource

/** A cron schedule Knative's PingSource accepts; undefined when fine, else why not. */
export function cronScheduleProblem(schedule: string): string | undefined {
  if (schedule.includes('@every')) return 'unsupported descriptor @every';
  const s = schedule.trim();
  if (!s.startsWith('@')) {
    const n = s.split(/\s+/).length;
    if (n !== 5 && n !== 6) return `expected exactly 5 fields (or 6 with leading seconds), found ${n}: ${JSON.stringify(schedule)}`;
  }
  try {
    new Cron(s, { paused: true });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function timezoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `provided bad location ${tz}: unknown time zone ${tz}`;
  }
}

function validatePing(o: KObject, ctx: AdmissionContext): FieldError[] {
  const spec = isObject(o.spec) ? o.spec : {};
  const errs: FieldError[] = [];
  if (typeof spec.schedule !== 'string') errs.push(invalidValue('spec.schedule', spec.schedule, 'must be a string'));
  else {
    const p = cronScheduleProblem(spec.schedule);
    if (p) errs.push(invalidValue('spec.schedule', p));
  }
  if (spec.timezone !== undefined && spec.timezone !== '') {
    const p = typeof spec.timezone === 'string' ? timezoneProblem(spec.timezone) : 'must be a string';
    if (p) errs.push(invalidValue('spec.timezone', p));
  }
  const limit = pingDefaultsFrom(ctx.get).dataMaxSize;
  const json = spec.contentType === 'application/json';
  if (spec.data && spec.dataBase64) errs.push({ path: 'spec.data, spec.dataBase64', message: 'expected exactly one, got both', type: 'FieldValueInvalid' });
  else if (spec.dataBase64) {
    const b = String(spec.dataBase64);
    if (limit > -1 && b.length > limit) errs.push(invalidValue('spec.dataBase64', `the dataBase64 length of ${b.length} bytes exceeds limit set at ${limit}.`));
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b) || b.length % 4 !== 0) errs.push(invalidValue('spec.dataBase64', 'illegal base64 data'));
    else if (json) {
      try {
        JSON.parse(Buffer.from(b, 'base64').toString('utf8'));
      } catch (err) {
        errs.push(invalidValue('spec.dataBase64', err instanceof Error ? err.message : String(err)));
      }
    }
  } else if (spec.data) {
    const d = String(spec.data);
    const size = Buffer.byteLength(d, 'utf8');
    if (limit > -1 && size > limit) errs.push(invalidValue('spec.data', `the data length of ${size} bytes exceeds limit set at ${limit}.`));
    if (json) {
      try {
        JSON.parse(d);
      } catch (err) {
        errs.push(invalidValue('spec.data', err instanceof Error ? err.message : String(err)));
      }
    }
  }
  errs.push(...validateSourceSpec(spec, ctx, nsOf(o)));
  return errs;
}

export const pingSourceType: ResourceType = sourceType('PingSource', {
  alsoServed: ['v1beta2'],
  default(o) {
    if (!isObject(o.spec)) o.spec = {};
    if (!o.spec.schedule) o.spec.schedule = '* * * * *';
  },
  validate: (o, _old, ctx) => validatePing(o, ctx),
  printerColumns: [COL.sink, { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' }, COL.age, COL.ready, COL.reason],
});

// ---------------------------------------------------------------- ApiServerSource

function isGroupVersion(s: unknown): boolean {
  if (typeof s !== 'string' || s === '') return false;
  const parts = s.split('/');
  if (parts.length > 2) return false;
  return parts.every((p) => p !== '');
}

export function apiServerSourceType(deps: EventingAdmissionDeps): ResourceType {
  return sourceType('ApiServerSource', {
    default(o) {
      if (!isObject(o.spec)) o.spec = {};
      if (!o.spec.mode) o.spec.mode = 'Reference';
      if (!o.spec.serviceAccountName) o.spec.serviceAccountName = 'default';
    },
    validate(o, _old, ctx) {
      const spec = isObject(o.spec) ? o.spec : {};
      const errs: FieldError[] = [];
      if (spec.mode !== 'Reference' && spec.mode !== 'Resource') errs.push(invalidValue('spec.mode', spec.mode ?? '', 'expected "Reference" or "Resource"'));
      if (!Array.isArray(spec.resources) || spec.resources.length === 0) errs.push(missing('spec.resources'));
      else
        spec.resources.forEach((r: unknown, i: number) => {
          const res = isObject(r) ? r : {};
          if (!isGroupVersion(res.apiVersion)) errs.push(invalidValue(`spec.resources[${i}].apiVersion`, res.apiVersion ?? ''));
          if (typeof res.kind !== 'string' || res.kind.trim() === '') errs.push(missing(`spec.resources[${i}].kind`));
        });
      if (spec.owner !== undefined && spec.owner !== null) {
        const ow = isObject(spec.owner) ? spec.owner : {};
        if (!isGroupVersion(ow.apiVersion)) errs.push(invalidValue('spec.owner.apiVersion', ow.apiVersion ?? ''));
        if (typeof ow.kind !== 'string' || ow.kind.trim() === '') errs.push(missing('spec.owner.kind'));
      }
      errs.push(...validateSourceSpec(spec, ctx, nsOf(o)));
      const filters = spec.filters;
      if (filters !== undefined && filters !== null) {
        if (!featuresFrom(ctx.get).newApiServerSourceFilters) {
          if (!Array.isArray(filters) || filters.length > 0)
            errs.push({ path: 'spec.filters', message: 'Filters is not empty but the NewAPIServerFilters feature is disabled.', type: 'FieldValueForbidden' });
        } else errs.push(...deps.validateFilters(filters, 'spec.filters').map((e) => ({ ...e, type: e.type ?? 'FieldValueInvalid' })));
      }
      return errs;
    },
  });
}

// ---------------------------------------------------------------- ContainerSource

export const containerSourceType: ResourceType = sourceType('ContainerSource', {
  default(o) {
    if (!isObject(o.spec)) o.spec = {};
    const containers = o.spec.template?.spec?.containers;
    if (Array.isArray(containers)) containers.forEach((c: unknown, i: number) => {
      if (isObject(c) && !c.name) c.name = `${o.metadata.name}-${i}`;
    });
  },
  validate(o, _old, ctx) {
    const spec = isObject(o.spec) ? o.spec : {};
    const errs: FieldError[] = [];
    const containers = spec.template?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) errs.push(missing('spec.template.spec.containers'));
    else
      containers.forEach((c: unknown, i: number) => {
        const ct = isObject(c) ? c : {};
        if (!ct.name) errs.push(missing(`spec.template.spec.containers[${i}].name`));
        if (!ct.image) errs.push(missing(`spec.template.spec.containers[${i}].image`));
      });
    errs.push(...validateSourceSpec(spec, ctx, nsOf(o)));
    return errs;
  },
});

// ---------------------------------------------------------------- SinkBinding

function validateSubject(subject: unknown, ns: string): FieldError[] {
  const path = 'spec.subject';
  if (!isObject(subject)) return [missing(`${path}.apiVersion`), missing(`${path}.kind`), missing(`${path}.namespace`)];
  const errs: FieldError[] = [];
  if (!subject.apiVersion) errs.push(missing(`${path}.apiVersion`));
  else if (!isGroupVersion(subject.apiVersion)) errs.push(invalidValue(`${path}.apiVersion`, subject.apiVersion));
  if (!subject.kind) errs.push(missing(`${path}.kind`));
  else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(subject.kind)) errs.push(invalidValue(`${path}.kind`, subject.kind, 'must be a C identifier'));
  if (!subject.namespace) errs.push(missing(`${path}.namespace`));
  else if (!isDns1123Label(subject.namespace)) errs.push(invalidValue(`${path}.namespace`, subject.namespace));
  else if (subject.namespace !== ns) errs.push(invalidValue(`${path}.namespace`, subject.namespace, `must be the SinkBinding's namespace ${JSON.stringify(ns)}`));
  const hasName = subject.name !== undefined && subject.name !== '';
  const hasSelector = subject.selector !== undefined && subject.selector !== null;
  if (hasName && hasSelector) errs.push({ path: `${path}.name, ${path}.selector`, message: 'expected exactly one, got both', type: 'FieldValueInvalid' });
  else if (!hasName && !hasSelector) errs.push({ path: `${path}.name, ${path}.selector`, message: 'expected exactly one, got neither', type: 'FieldValueRequired' });
  else if (hasName && (typeof subject.name !== 'string' || !isDns1123Label(subject.name))) errs.push(invalidValue(`${path}.name`, subject.name));
  else if (hasSelector && !isObject(subject.selector)) errs.push(invalidValue(`${path}.selector`, subject.selector, 'must be a label selector'));
  return errs;
}

export const sinkBindingType: ResourceType = sourceType('SinkBinding', {
  categories: [...SOURCE_CATEGORIES, 'bindings'],
  default(o) {
    if (!isObject(o.spec)) o.spec = {};
    if (isObject(o.spec.subject) && !o.spec.subject.namespace) o.spec.subject.namespace = nsOf(o);
    defaultDestination(o.spec.sink, nsOf(o));
  },
  validate(o, _old, ctx) {
    const spec = isObject(o.spec) ? o.spec : {};
    return [...validateSubject(spec.subject, nsOf(o)), ...validateSourceSpec(spec, ctx, nsOf(o))];
  },
});
