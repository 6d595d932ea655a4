// Knative duck types shared by every eventing kind: KReference and
// Destination (knative.dev/pkg apis/duck/v1), DeliverySpec (with its
// dead-letter sink Destination), SourceSpec's ceOverrides, and the admission
// helpers built on them (defaulting ref namespaces, "Immutable fields
// changed" diffs). Messages follow knative.dev/pkg's apis.FieldError wording.
import type { FieldError } from '../errors.js';
import type { PrinterColumn } from '../registry.js';
import { isPlainObject } from '../json.js';

/** What DeliverySpec validation (src/eventing/delivery) takes; injected to keep src/api free of upward imports. */
export type DeliverySpecValidator = (spec: unknown, path: string, features: { deliveryTimeout?: boolean; deliveryRetryAfter?: boolean }) => FieldError[];

export interface RefRules {
  /** The parent object's namespace (refs default to it; mismatches are refused unless allowed). */
  parentNamespace?: string;
  /** apis.AllowDifferentNamespace (Broker spec.config, cross-namespace links). */
  allowDifferentNamespace?: boolean;
  /** config-features kreference-group. */
  allowGroup?: boolean;
}

/** isPlainObject, narrowed to `any` fields for the loosely-typed validators below. */
export function isObject(v: unknown): v is Record<string, any> {
  return isPlainObject(v);
}

export const missing = (path: string, what = ''): FieldError => ({ path, message: `missing field(s)${what}`, type: 'FieldValueRequired' });
export const invalidValue = (path: string, value: unknown, details?: string): FieldError => ({
  path,
  message: `invalid value: ${typeof value === 'string' ? value : JSON.stringify(value)}${details ? `: ${details}` : ''}`,
  type: 'FieldValueInvalid',
});
export const disallowed = (path: string, details?: string): FieldError => ({ path, message: `must not set the field(s)${details ? `: ${details}` : ''}`, type: 'FieldValueForbidden' });

/** KReference.Validate: name, apiVersion (or group with kreference-group), kind; namespace must match the parent. */
export function validateKReference(ref: unknown, path: string, rules: RefRules = {}): FieldError[] {
  if (!isObject(ref)) return [missing(`${path}.name`), missing(`${path}.apiVersion`), missing(`${path}.kind`)];
  const errs: FieldError[] = [];
  for (const f of ['kind', 'name', 'apiVersion', 'namespace', 'group', 'address']) {
    if (ref[f] !== undefined && ref[f] !== null && typeof ref[f] !== 'string') errs.push(invalidValue(`${path}.${f}`, ref[f], 'must be a string'));
  }
  if (errs.length) return errs;
  if (!ref.name) errs.push(missing(`${path}.name`));
  if (rules.allowGroup) {
    if (!ref.apiVersion && !ref.group) errs.push(missing(`${path}.apiVersion`), missing(`${path}.group`));
    if (ref.apiVersion && ref.group && !String(ref.apiVersion).startsWith(ref.group))
      errs.push({ path: `${path}.apiVersion`, message: 'both apiVersion and group are specified and they refer to different API groups: Only one of them must be specified' });
  } else {
    if (ref.group) errs.push(disallowed(`${path}.group`, 'the kreference-group feature is disabled'));
    if (!ref.apiVersion) errs.push(missing(`${path}.apiVersion`));
  }
  if (!ref.kind) errs.push(missing(`${path}.kind`));
  if (ref.namespace && !rules.allowDifferentNamespace && rules.parentNamespace && ref.namespace !== rules.parentNamespace)
    errs.push({ path: `${path}.namespace`, message: `mismatched namespaces: parent namespace: ${JSON.stringify(rules.parentNamespace)} does not match ref: ${JSON.stringify(ref.namespace)}` });
  return errs;
}

/** Absolute (scheme + host) URL? */
export function isAbsoluteUri(s: string): boolean {
  try {
    const u = new URL(s);
    return u.host !== '' && /^[a-z][a-z0-9+.-]*:$/i.test(u.protocol);
  } catch {
    return false;
  }
}

function validateCACerts(value: unknown, path: string): FieldError[] {
  if (typeof value !== 'string') return [invalidValue(path, value, 'must be a PEM string')];
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(value)) return [invalidValue(`${path}`, 'CA Cert provided is invalid')];
  return [];
}

/**
 * ValidateDestination: `ref` and/or `uri`; with a ref the uri must be relative (it is resolved
 * against the ref's URL); without one it must be absolute with a host.
 */
export function validateDestination(dest: unknown, path: string, rules: RefRules = {}): FieldError[] {
  if (!isObject(dest)) return [{ path, message: 'expected at least one, got none', type: 'FieldValueRequired' }];
  const ref = dest.ref;
  const uri = dest.uri;
  const hasRef = ref !== undefined && ref !== null;
  const hasUri = uri !== undefined && uri !== null && uri !== '';
  if (!hasRef && !hasUri) return [{ path: `${path}.ref, ${path}.uri`, message: 'expected at least one, got none', type: 'FieldValueRequired' }];
  if (hasUri && typeof uri !== 'string') return [invalidValue(`${path}.uri`, uri, 'must be a URI string')];
  if (hasRef && hasUri && isAbsoluteUri(uri))
    return [{ path: `${path}.ref, ${path}.uri`, message: 'Absolute URI is not allowed when Ref or [apiVersion, kind, name] is present' }];
  if (!hasRef && hasUri && !isAbsoluteUri(uri))
    return [{ path: `${path}.uri`, message: `invalid value: Relative URI is not allowed when Ref and [apiVersion, kind, name] is absent: ${JSON.stringify(uri)}`, type: 'FieldValueInvalid' }];
  const errs: FieldError[] = [];
  if (hasRef) errs.push(...validateKReference(ref, `${path}.ref`, rules));
  if (dest.CACerts !== undefined && dest.CACerts !== null) errs.push(...validateCACerts(dest.CACerts, `${path}.CACerts`));
  if (dest.audience !== undefined && dest.audience !== null && typeof dest.audience !== 'string') errs.push(invalidValue(`${path}.audience`, dest.audience, 'must be a string'));
  return errs;
}

/** True for undefined, null and `{}` (Knative's isDestinationNilOrEmpty). */
export function isEmptyDestination(d: unknown): boolean {
  return d === undefined || d === null || (isObject(d) && Object.values(d).every((v) => v === undefined || v === null || v === ''));
}

/** Destination.SetDefaults: an empty ref namespace becomes the parent's. */
export function defaultDestination(dest: unknown, namespace: string | undefined): void {
  if (isObject(dest) && isObject(dest.ref) && !dest.ref.namespace && namespace) dest.ref.namespace = namespace;
}

/** DeliverySpec.SetDefaults: default the dead-letter sink's ref namespace. */
export function defaultDelivery(delivery: unknown, namespace: string | undefined): void {
  if (isObject(delivery)) defaultDestination(delivery.deadLetterSink, namespace);
}

/** DeliverySpec.Validate: the dead-letter sink as a Destination plus the retry/backoff/timeout fields. */
export function validateDelivery(
  delivery: unknown,
  path: string,
  validateSpec: DeliverySpecValidator,
  features: { deliveryTimeout?: boolean; deliveryRetryAfter?: boolean },
  rules: RefRules = {},
): FieldError[] {
  if (delivery === undefined || delivery === null) return [];
  if (!isObject(delivery)) return [invalidValue(path, delivery, 'must be an object')];
  const errs: FieldError[] = [];
  if (delivery.deadLetterSink !== undefined && delivery.deadLetterSink !== null)
    errs.push(...validateDestination(delivery.deadLetterSink, `${path}.deadLetterSink`, rules));
  errs.push(...validateSpec(delivery, path, features).map((e) => ({ ...e, type: e.type ?? 'FieldValueInvalid' })));
  return errs;
}

/** CloudEventOverrides.Validate: extension names non-empty and alphanumeric. */
export function validateCeOverrides(ce: unknown, path: string): FieldError[] {
  if (ce === undefined || ce === null) return [];
  if (!isObject(ce)) return [invalidValue(path, ce, 'must be an object')];
  const ext = ce.extensions;
  if (ext === undefined || ext === null) return [];
  if (!isObject(ext)) return [invalidValue(`${path}.extensions`, ext, 'must be a map of string to string')];
  for (const [k, v] of Object.entries(ext)) {
    if (k === '') return [{ path: `${path}.extensions`, message: 'invalid key name "": keys MUST NOT be empty' }];
    if (!/^[a-zA-Z0-9]+$/.test(k)) return [{ path: `${path}.extensions[${k}]`, message: `invalid key name ${JSON.stringify(k)}: keys are expected to be alphanumeric` }];
    if (typeof v !== 'string') return [invalidValue(`${path}.extensions[${k}]`, v, 'must be a string')];
  }
  return [];
}

// ---------------------------------------------------------------- diffs

export function stableJson(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))) : val,
  );
}

/** kmp.ShortDiff-like summary: `path: -old +new` per changed leaf. */
export function diffSummary(a: unknown, b: unknown, path = ''): string {
  if (stableJson(a) === stableJson(b)) return '';
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys
      .map((k) => diffSummary(a[k], b[k], path ? `${path}.${k}` : k))
      .filter(Boolean)
      .join('; ');
  }
  return `${path || '.'}: -${a === undefined ? '<nil>' : JSON.stringify(a)} +${b === undefined ? '<nil>' : JSON.stringify(b)}`;
}

/** `Immutable fields changed (-old +new)` at `path` when `a` and `b` differ. */
export function immutable(path: string, a: unknown, b: unknown): FieldError[] {
  const d = diffSummary(a, b);
  return d ? [{ path, message: `Immutable fields changed (-old +new): ${d}`, type: 'FieldValueInvalid' }] : [];
}

/** Copy of `o` without the listed keys (for "everything but X is immutable"). */
export function without(o: unknown, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = isObject(o) ? { ...o } : {};
  for (const k of keys) delete out[k];
  return out;
}

// ---------------------------------------------------------------- printer columns (as Knative's CRDs)

export const COL = {
  url: { name: 'URL', type: 'string', jsonPath: '.status.address.url' } as PrinterColumn,
  age: { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' } as PrinterColumn,
  ready: { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' } as PrinterColumn,
  reason: { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' } as PrinterColumn,
  sink: { name: 'Sink', type: 'string', jsonPath: '.status.sinkUri' } as PrinterColumn,
};
