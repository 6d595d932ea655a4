// Legacy Trigger filter `spec.filter.attributes` (Knative `pkg/eventfilter/attributes`): an AND of
// exact matches on context attributes and extensions; the value "" means "present and non-empty".
// Also owns attribute lookup shared with the Subscriptions API dialects.

import { type CloudEventRecord, attributeText, mediaTypeOf } from '../cloudevents/event.js';
import type { FieldError } from './field-error.js';

/** A compiled filter: true = deliver the event to this trigger's subscriber. */
export type EventFilter = (event: CloudEventRecord) => boolean;

/** Trigger filter keys: lower-case alphanumerics starting with a letter (Knative webhook rule). */
export const FILTER_ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;

/**
 * Text value of an attribute as filters see it, undefined when absent. Besides the CloudEvents 1.0
 * attributes and extensions it understands the names Knative's lookup accepts: `schemaurl`
 * (= dataschema), `datamediatype` (datacontenttype without parameters, lower-cased) and
 * `datacontentencoding` (a 0.3 attribute, never set on 1.0 events). Integer and Boolean
 * extensions compare by their canonical text ("42", "true"). `time` is the text as received
 * (Knative re-formats it from a parsed timestamp; senders normally use the same RFC 3339 text).
 */
export function lookupAttribute(event: CloudEventRecord, name: string): string | undefined {
  switch (name) {
    case 'data':
    case 'datacontentencoding':
      return undefined;
    case 'schemaurl':
      return attributeText(event.dataschema);
    case 'datamediatype': {
      const ct = event.datacontenttype;
      return ct === undefined ? undefined : mediaTypeOf(ct);
    }
    default:
      return attributeText(event[name]);
  }
}

/**
 * Compile `filter.attributes`. Every key must be present; a non-empty value must equal the
 * attribute exactly (case-sensitive); "" only requires a non-empty value. No keys → pass all.
 */
export function compileAttributesFilter(attributes: Readonly<Record<string, string>> | undefined | null): EventFilter {
  const entries = attributes ? Object.entries(attributes) : [];
  if (entries.length === 0) return passAll;
  return (event) => {
    for (let i = 0; i < entries.length; i++) {
      const [name, want] = entries[i]!;
      const got = lookupAttribute(event, name);
      if (got === undefined || got === '') return false;
      if (want !== '' && got !== want) return false;
    }
    return true;
  };
}

export const passAll: EventFilter = () => true;

/** Validate `filter.attributes` (a map of filter key → string). */
export function validateAttributesFilter(attributes: unknown, path: string): FieldError[] {
  if (attributes === undefined || attributes === null) return [];
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    return [{ path, message: 'must be a map of attribute name to value' }];
  }
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (!FILTER_ATTRIBUTE_NAME.test(name)) {
      errors.push({ path: `${path}[${name}]`, message: `invalid attribute name ${JSON.stringify(name)}: must start with a letter and contain only lower-case letters and digits` });
    }
    if (typeof value !== 'string') {
      errors.push({ path: `${path}[${name}]`, message: `value must be a string, got ${value === null ? 'null' : typeof value}` });
    }
  }
  return errors;
}
