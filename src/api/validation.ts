// Kubernetes naming and metadata syntax rules (apimachinery's validation
// package), used by every kind's validator.
import { FieldError, invalidValue, required } from './errors.js';
import type { ObjectMeta } from './meta.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}
export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

export function validateDns1123Subdomain(path: string, s: string): FieldError[] {
  if (isDns1123Subdomain(s)) return [];
  return [
    invalidValue(
      path,
      s,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ),
  ];
}
export function validateDns1123Label(path: string, s: string): FieldError[] {
  if (isDns1123Label(s)) return [];
  return [
    invalidValue(
      path,
      s,
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ),
  ];
}
export function validateDns1035Label(path: string, s: string): FieldError[] {
  if (isDns1035Label(s)) return [];
  return [
    invalidValue(
      path,
      s,
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ),
  ];
}

/** Label/annotation key: optional DNS subdomain prefix + '/' + name part (≤63). */
export function validateQualifiedName(path: string, key: string): FieldError[] {
  const parts = key.split('/');
  let name = key;
  if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (!prefix || !isDns1123Subdomain(prefix)) return [invalidValue(path, key, 'prefix part must be a lowercase RFC 1123 subdomain')];
  } else if (parts.length > 2) {
    return [invalidValue(path, key, "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")];
  }
  if (!name) return [invalidValue(path, key, 'name part must be non-empty')];
  if (name.length > 63) return [invalidValue(path, key, 'name part must be no more than 63 characters')];
  if (!QUALIFIED_NAME_PART.test(name))
    return [invalidValue(path, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")];
  return [];
}

export function validateLabels(path: string, labels: unknown): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalidValue(path, labels, 'must be a map of string to string')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    errs.push(...validateQualifiedName(`${path}`, k));
    if (typeof v !== 'string') errs.push(invalidValue(`${path}.${k}`, v, 'label values must be strings'));
    else if (v.length > 63 || !LABEL_VALUE.test(v))
      errs.push(
        invalidValue(
          `${path}`,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (max 63 characters)",
        ),
      );
  }
  return errs;
}

export function validateAnnotations(path: string, annotations: unknown): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [invalidValue(path, annotations, 'must be a map of string to string')];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    errs.push(...validateQualifiedName(path, k.toLowerCase()));
    if (typeof v !== 'string') errs.push(invalidValue(`${path}.${k}`, v, 'annotation values must be strings'));
    else total += k.length + v.length;
  }
  if (total > 256 * 1024) errs.push({ path, message: `Too long: must have at most 262144 bytes`, type: 'FieldValueTooLong' });
  return errs;
}

/** Common metadata checks for every object on create/update. */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameRule: 'subdomain' | 'label' | 'any' = 'subdomain'): FieldError[] {
  if (!meta || typeof meta !== 'object') return [required('metadata')];
  const errs: FieldError[] = [];
  if (!meta.name && !meta.generateName) errs.push({ path: 'metadata.name', message: 'Required value: name or generateName is required', type: 'FieldValueRequired' });
  if (meta.name !== undefined) {
    if (typeof meta.name !== 'string') errs.push(invalidValue('metadata.name', meta.name, 'must be a string'));
    else if (nameRule === 'subdomain') errs.push(...validateDns1123Subdomain('metadata.name', meta.name));
    else if (nameRule === 'label') errs.push(...validateDns1123Label('metadata.name', meta.name));
  }
  if (namespaced && meta.namespace !== undefined && meta.namespace !== '' && !isDns1123Label(meta.namespace))
    errs.push(...validateDns1123Label('metadata.namespace', meta.namespace));
  errs.push(...validateLabels('metadata.labels', meta.labels));
  errs.push(...validateAnnotations('metadata.annotations', meta.annotations));
  if (meta.finalizers !== undefined && !Array.isArray(meta.finalizers)) errs.push(invalidValue('metadata.finalizers', meta.finalizers, 'must be a list'));
  if (meta.ownerReferences !== undefined) {
    if (!Array.isArray(meta.ownerReferences)) errs.push(invalidValue('metadata.ownerReferences', meta.ownerReferences, 'must be a list'));
    else
      meta.ownerReferences.forEach((r, i) => {
        for (const f of ['apiVersion', 'kind', 'name', 'uid'] as const) if (!r || !r[f]) errs.push(required(`metadata.ownerReferences[${i}].${f}`));
      });
  }
  return errs;
}
