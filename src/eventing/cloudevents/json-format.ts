// CloudEvents JSON event format (`application/cloudevents+json`) and its batch form: conversion
// between a CloudEventRecord and the JSON document, with validation that names the attribute at
// fault. Used by structured/batched HTTP mode here and by durable logs / Kafka elsewhere.

import {
  type CloudEventRecord,
  type CloudEventValidationOptions,
  type JsonValue,
  CloudEventParseError,
  DEFAULT_MAX_ATTRIBUTE_NAME_LENGTH,
  checkAttributeName,
  checkAttributeValue,
} from './event.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The JSON-format document for an event: attributes top-level, bytes as `data_base64`, JSON data
 * as the value itself. An event without `datacontenttype` whose data is JSON gets
 * `datacontenttype: application/json` explicitly, as the format recommends when re-serialising.
 */
export function toJsonFormat(event: CloudEventRecord): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const name in event) {
    const value = event[name];
    if (value === undefined || name === 'data') continue;
    doc[name] = value;
  }
  const data = event.data;
  if (data instanceof Uint8Array) {
    doc.data_base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  } else if (data !== undefined) {
    if (event.datacontenttype === undefined) doc.datacontenttype = 'application/json';
    doc.data = data;
  }
  return doc;
}

/**
 * Build a record from a parsed JSON-format document. `null` attribute values are read as unset;
 * `data_base64` becomes Buffer data; `data` is kept as the JSON value (a string stays a string).
 */
export function fromJsonFormat(doc: unknown, options: CloudEventValidationOptions = {}): CloudEventRecord {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CloudEventParseError('body', `a structured event must be a JSON object, got ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`);
  }
  const maxLen = options.maxAttributeNameLength ?? DEFAULT_MAX_ATTRIBUTE_NAME_LENGTH;
  const src = doc as Record<string, unknown>;
  const event: Record<string, unknown> = {};
  let hasData = false;
  for (const name in src) {
    const value = src[name];
    if (name === 'data') {
      if (value !== undefined) {
        event.data = value as JsonValue;
        hasData = true;
      }
      continue;
    }
    if (name === 'data_base64') continue;
    if (value === null || value === undefined) continue;
    const err = checkAttributeName(name, maxLen) ?? checkAttributeValue(name, value);
    if (err) throw err;
    event[name] = value;
  }
  const b64 = src.data_base64;
  if (b64 !== undefined && b64 !== null) {
    if (hasData) throw new CloudEventParseError('data_base64', '"data" and "data_base64" are mutually exclusive');
    if (typeof b64 !== 'string' || !BASE64.test(b64)) {
      throw new CloudEventParseError('data_base64', '"data_base64" must be a base64 (RFC 4648) string');
    }
    event.data = Buffer.from(b64, 'base64');
  }
  for (const required of ['specversion', 'id', 'source', 'type'] as const) {
    if (event[required] === undefined) throw new CloudEventParseError(required, `required attribute "${required}" is missing`);
  }
  return event as CloudEventRecord;
}

/** Serialise one event as a JSON-format document (UTF-8). */
export function serializeJsonEvent(event: CloudEventRecord): Buffer {
  return Buffer.from(JSON.stringify(toJsonFormat(event)), 'utf8');
}

/** Serialise events as a JSON batch document (an array of JSON-format events). */
export function serializeJsonBatch(events: readonly CloudEventRecord[]): Buffer {
  return Buffer.from(JSON.stringify(events.map(toJsonFormat)), 'utf8');
}

function parseJsonBody(body: Uint8Array): unknown {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CloudEventParseError('body', `body is not valid JSON (${reason})`, { cause });
  }
}

/** Parse a JSON-format event document. */
export function parseJsonEvent(body: Uint8Array, options?: CloudEventValidationOptions): CloudEventRecord {
  return fromJsonFormat(parseJsonBody(body), options);
}

/** Parse a JSON batch document (an array; the empty array is a valid, empty batch). */
export function parseJsonBatch(body: Uint8Array, options?: CloudEventValidationOptions): CloudEventRecord[] {
  const doc = parseJsonBody(body);
  if (!Array.isArray(doc)) throw new CloudEventParseError('body', 'a batch must be a JSON array of events');
  const events: CloudEventRecord[] = new Array(doc.length);
  for (let i = 0; i < doc.length; i++) {
    try {
      events[i] = fromJsonFormat(doc[i], options);
    } catch (err) {
      throw err instanceof CloudEventParseError ? err.atIndex(i) : err;
    }
  }
  return events;
}

