// CloudEvents HTTP protocol binding 1.0: reading binary, structured and batched messages into
// CloudEventRecords, and writing binary / structured / batched messages.
//
// Hand-written instead of the SDK's `HTTP.toEvent`/`HTTP.binary` because the SDK (v10) does not
// percent-encode or decode `ce-*` header values and matches `Content-Type` case-sensitively
// (eventing.md §5.7); both are MUSTs of the binding. Tests cross-check our wire output against the
// SDK so the two stay interoperable for plain ASCII values.

import {
  type CloudEventRecord,
  type CloudEventValidationOptions,
  CloudEventParseError,
  DEFAULT_MAX_ATTRIBUTE_NAME_LENGTH,
  attributeText,
  checkAttributeName,
  checkAttributeValue,
  encodeEventData,
} from './event.js';
import { parseJsonBatch, parseJsonEvent, serializeJsonBatch, serializeJsonEvent } from './json-format.js';

export { CloudEventParseError } from './event.js';

/** Header bag as node:http (`IncomingHttpHeaders`), undici (`request().headers`) or fetch give it. */
export type HttpHeadersInput = Record<string, string | string[] | number | undefined> | Headers;

/** An outgoing HTTP message: lower-case header names, body bytes. */
export interface HttpMessage {
  headers: Record<string, string>;
  body: Buffer;
}

export const STRUCTURED_JSON_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
export const BATCH_JSON_CONTENT_TYPE = 'application/cloudevents-batch+json; charset=utf-8';

export type HttpEventMode = 'binary' | 'structured' | 'batch';

// ---------------------------------------------------------------------------------------------
// Header value percent-encoding (HTTP binding §3.1.3.2)

// Characters that may appear unencoded: U+0021..U+007E except `"` (U+0022) and `%` (U+0025).
const NEEDS_ENCODING = /[^\x21\x23\x24\x26-\x7E]/;
const HEX = Array.from({ length: 256 }, (_, b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'));

/**
 * Percent-encode an attribute value for a `ce-*` header: space, `"`, `%` and everything outside
 * printable ASCII become `%XY` of their UTF-8 bytes (upper-case hex). ASCII-safe values are
 * returned unchanged without allocating.
 */
export function encodeHeaderValue(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x25) {
      out += ch;
    } else if (c < 0x80) {
      out += HEX[c];
    } else {
      // Lone surrogates encode as U+FFFD, which is what Buffer's UTF-8 encoder produces.
      for (const b of Buffer.from(ch, 'utf8')) out += HEX[b];
    }
  }
  return out;
}

const NEEDS_DECODING = /[%\u0080-\uFFFF]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Decode a `ce-*` header value: unquote an RFC 9110 quoted-string (old senders), then one round of
 * percent-decoding (either hex case; unnecessary escapes accepted), then strict UTF-8 decoding —
 * invalid UTF-8 such as the overlong `%C0%A0` is rejected with a CloudEventParseError naming the
 * header. A `%` not followed by two hex digits is kept literally (senders that never encode).
 *
 * Characters U+0080..U+00FF are taken as raw bytes, because node:http hands header bytes over as
 * latin1 — so a sender writing raw UTF-8 into a header still decodes correctly. If that reading is
 * not valid UTF-8 the characters are kept as they are (a JS caller passing a decoded string).
 */
export function decodeHeaderValue(raw: string, header: string, attribute = header.startsWith('ce-') ? header.slice(3) : header): string {
  let value = raw;
  if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) {
    value = value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (!NEEDS_DECODING.test(value)) return value;
  const viaBytes = percentDecode(value, true);
  if (viaBytes !== undefined) return viaBytes;
  const viaChars = percentDecode(value, false);
  if (viaChars !== undefined) return viaChars;
  throw new CloudEventParseError(attribute, `value of attribute "${attribute}" is not valid percent-encoded UTF-8`, { header });
}

function percentDecode(value: string, latin1AsBytes: boolean): string | undefined {
  const bytes = Buffer.allocUnsafe(value.length * 3);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length) {
      const hi = hexDigit(value.charCodeAt(i + 1));
      const lo = hexDigit(value.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    if (c < 0x80 || (latin1AsBytes && c <= 0xff)) {
      bytes[n++] = c;
    } else {
      // Take the whole code point (surrogate pair) and append its UTF-8 bytes.
      const cp = value.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      n += bytes.write(s, n, 'utf8');
      if (cp > 0xffff) i++;
    }
  }
  try {
    return strictUtf8.decode(bytes.subarray(0, n));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

function forEachHeader(headers: HttpHeadersInput, fn: (lowerName: string, value: string) => void): void {
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => fn(name, value));
    return;
  }
  const rec = headers as Record<string, string | string[] | number | undefined>;
  for (const name in rec) {
    const v = rec[name];
    if (v === undefined) continue;
    fn(name.toLowerCase(), Array.isArray(v) ? v.join(',') : String(v));
  }
}

/** Value of one header (case-insensitive name), joined when repeated. */
export function getHeader(headers: HttpHeadersInput, lowerName: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(lowerName) ?? undefined;
  const rec = headers as Record<string, string | string[] | number | undefined>;
  let v = rec[lowerName];
  if (v === undefined) {
    for (const name in rec) {
      if (name.toLowerCase() === lowerName) {
        v = rec[name];
        break;
      }
    }
  }
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : String(v);
}

function startsWithIgnoreCase(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix;
}

/** Event format named by a structured/batch content type: the part after `+`, before `;`. */
function formatOf(contentType: string, prefixLength: number): string {
  const rest = contentType.slice(prefixLength);
  const semi = rest.indexOf(';');
  const fmt = (semi === -1 ? rest : rest.slice(0, semi)).trim().toLowerCase();
  return fmt.startsWith('+') ? fmt.slice(1) : fmt;
}

/**
 * Which binding mode a message uses, from its Content-Type (case-insensitive, parameters ignored):
 * `application/cloudevents-batch…` → batch, `application/cloudevents…` → structured, else binary.
 */
export function detectHttpMode(contentType: string | undefined): HttpEventMode {
  if (contentType === undefined) return 'binary';
  const ct = contentType.trimStart();
  if (startsWithIgnoreCase(ct, 'application/cloudevents-batch')) return 'batch';
  if (startsWithIgnoreCase(ct, 'application/cloudevents')) return 'structured';
  return 'binary';
}

/**
 * Parse an HTTP request or response into CloudEvents: one event for binary and structured mode,
 * any number (possibly zero) for a batch. Throws CloudEventParseError (HTTP 400) naming the
 * attribute and header at fault. A structured message in a format other than JSON is read as
 * binary if it carries `ce-specversion` (the binding allows that), otherwise rejected.
 */
export function parseHttpEvents(headers: HttpHeadersInput, body: Uint8Array, options: CloudEventValidationOptions = {}): CloudEventRecord[] {
  const contentType = getHeader(headers, 'content-type');
  const mode = detectHttpMode(contentType);
  if (mode === 'binary') return [parseBinary(headers, body, options)];
  const ct = contentType!.trimStart();
  const format = formatOf(ct, mode === 'batch' ? 'application/cloudevents-batch'.length : 'application/cloudevents'.length);
  if (format === 'json' || format === '') {
    return mode === 'batch' ? parseJsonBatch(body, options) : [parseJsonEvent(body, options)];
  }
  if (mode === 'structured' && getHeader(headers, 'ce-specversion') !== undefined) return [parseBinary(headers, body, options)];
  throw new CloudEventParseError('content-type', `unsupported event format ${JSON.stringify(contentType)}: only JSON (application/cloudevents+json) is supported`, {
    header: 'content-type',
  });
}

/** Parse a message that must hold exactly one event (binary or structured; a batch of one is accepted). */
export function parseHttpEvent(headers: HttpHeadersInput, body: Uint8Array, options?: CloudEventValidationOptions): CloudEventRecord {
  const events = parseHttpEvents(headers, body, options);
  if (events.length !== 1) throw new CloudEventParseError('body', `expected exactly one event, got a batch of ${events.length}`);
  return events[0]!;
}

function parseBinary(headers: HttpHeadersInput, body: Uint8Array, options: CloudEventValidationOptions): CloudEventRecord {
  const maxLen = options.maxAttributeNameLength ?? DEFAULT_MAX_ATTRIBUTE_NAME_LENGTH;
  const event: Record<string, unknown> = {};
  let contentType: string | undefined;
  let sawCeHeader = false;
  forEachHeader(headers, (name, raw) => {
    if (name === 'content-type') {
      contentType = raw.trim();
      return;
    }
    if (name.length < 3 || name.charCodeAt(0) !== 0x63 || name.charCodeAt(1) !== 0x65 || name.charCodeAt(2) !== 0x2d) return; // "ce-"
    sawCeHeader = true;
    const attr = name.slice(3);
    // Content-Type is authoritative in binary mode; a ce-datacontenttype header must not be sent.
    if (attr === 'datacontenttype') return;
    const nameErr = checkAttributeName(attr, maxLen, name);
    if (nameErr) throw nameErr;
    const value = decodeHeaderValue(raw, name, attr);
    const valueErr = checkAttributeValue(attr, value, name);
    if (valueErr) throw valueErr;
    event[attr] = value;
  });
  if (event.specversion === undefined) {
    const detail = sawCeHeader
      ? 'required attribute "specversion" is missing'
      : 'not a CloudEvent: no ce-specversion header, and Content-Type is not application/cloudevents+json';
    throw new CloudEventParseError('specversion', detail, { header: 'ce-specversion' });
  }
  for (const required of ['id', 'source', 'type'] as const) {
    if (event[required] === undefined) throw new CloudEventParseError(required, `required attribute "${required}" is missing`, { header: `ce-${required}` });
  }
  if (contentType !== undefined && contentType !== '') {
    const err = checkAttributeValue('datacontenttype', contentType, 'content-type');
    if (err) throw err;
    event.datacontenttype = contentType;
  }
  if (body.byteLength > 0) event.data = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return event as CloudEventRecord;
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Binary mode: every attribute as a percent-encoded `ce-*` header, `datacontenttype` as
 * Content-Type, data as the body. JSON (non-byte) data without a content type is sent as
 * `application/json`. The event is assumed valid (validate on input, not on every hop).
 */
export function toBinaryHttp(event: CloudEventRecord): HttpMessage {
  const headers: Record<string, string> = {};
  for (const name in event) {
    if (name === 'data' || name === 'datacontenttype') continue;
    const text = attributeText(event[name]);
    if (text !== undefined) headers['ce-' + name] = encodeHeaderValue(text);
  }
  const data = event.data;
  const contentType = event.datacontenttype ?? (data !== undefined && !(data instanceof Uint8Array) ? 'application/json' : undefined);
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { headers, body: encodeEventData(event) ?? EMPTY };
}

const EMPTY = Buffer.alloc(0);

/** Structured mode: the JSON-format document as the body. */
export function toStructuredHttp(event: CloudEventRecord): HttpMessage {
  return { headers: { 'content-type': STRUCTURED_JSON_CONTENT_TYPE }, body: serializeJsonEvent(event) };
}

/** Batched mode: a JSON array of JSON-format documents (only when the receiver asked for it). */
export function toBatchHttp(events: readonly CloudEventRecord[]): HttpMessage {
  return { headers: { 'content-type': BATCH_JSON_CONTENT_TYPE }, body: serializeJsonBatch(events) };
}
