// CloudEvents over HTTP for the built-in images: decode a request (binary or structured mode)
// into a CloudEventRecord, and encode a record as a binary-mode message. This is the one place
// the images touch a CloudEvents codec, so it can later be swapped for Skiff's own.
//
// Attribute mapping, mode detection and spec validation come from the `cloudevents` SDK
// (HTTP.toEvent / HTTP.binary). Three things the SDK loses are kept here, because the images must
// print exactly what Knative's Go images print: `time` with nanoseconds (the SDK rounds to ms and
// invents one when absent), the data bytes as received (the SDK parses JSON bodies, which reorders
// keys and drops escapes), and Go's typing of extension values. The SDK is loaded lazily
// (`require` on first use, or `preloadCloudEventsSdk()` after listen) so it costs nothing at startup.
//
// CommonJS (.cts) like every image module: see ../registry.ts for why.
import type { IncomingHttpHeaders } from 'node:http';
import type * as CloudEventsSdk from 'cloudevents';
import { formatRfc3339Nano, jsonObjectMemberSpans, parseRfc3339, type GoTime } from './go-compat.cjs';

/** Extension values as Go's SDK types them: strings, int32 numbers, booleans. */
export type ExtensionValue = string | number | boolean;

/** A decoded CloudEvent, attributes typed the way Knative's Go images see them. */
export interface CloudEventRecord {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  /** Nanosecond-precision event time (absent when the event has none). */
  time?: GoTime;
  dataschema?: string;
  /** The content type exactly as received (parameters included). */
  datacontenttype?: string;
  extensions: Record<string, ExtensionValue>;
  /** The data bytes as received; undefined when the event carries no data. */
  data?: Buffer;
  /** True when structured-mode data came as `data_base64` (Go prints "Data (binary),"). */
  dataBase64: boolean;
}

/** A request that is not a well-formed CloudEvent; answered with HTTP 400. */
export class CloudEventDecodeError extends Error {
  readonly code = 'SKIFF_ERR_CLOUDEVENT_DECODE';
  readonly status = 400;
  constructor(
    message: string,
    /** The attribute or header at fault, when known. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CloudEventDecodeError';
  }
}

let sdk: typeof CloudEventsSdk | undefined;

function loadSdk(): typeof CloudEventsSdk {
  sdk ??= require('cloudevents') as typeof CloudEventsSdk;
  return sdk;
}

/** Loads the SDK now (call after the server listens, so the first request doesn't pay for it). */
export function preloadCloudEventsSdk(): void {
  loadSdk();
}

const CONTEXT_ATTRIBUTES = new Set([
  'specversion', 'id', 'source', 'type', 'subject', 'time', 'dataschema', 'datacontenttype',
  'data', 'data_base64',
  // Attributes of spec 0.3 the SDK maps itself.
  'schemaurl', 'datacontentencoding',
]);

/** The media type of a content type (lower-cased, parameters dropped), as Go's mime.ParseMediaType. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** Go SDK's isJSON: the media types whose structured-mode data is kept as raw JSON. */
export function isJsonMediaType(mediaType: string): boolean {
  return (
    mediaType === '' ||
    mediaType === 'application/json' ||
    mediaType === 'text/json' ||
    mediaType === 'application/cloudevents+json' ||
    mediaType === 'application/cloudevents-batch+json'
  );
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

// `ce-*` header values are percent-encoded on the wire (HTTP binding §3.1.3.2): Skiff's brokers
// and channels send `Push Hook` as `Push%20Hook`, and Knative's Go images print it decoded.
const NEEDS_DECODING = /[%\u0080-\uFFFF]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

function percentDecodeUtf8(value: string, latin1AsBytes: boolean): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length) {
      const hi = hexDigit(value.charCodeAt(i + 1));
      const lo = hexDigit(value.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    if (c < 0x80 || (latin1AsBytes && c <= 0xff)) bytes.push(c);
    else {
      const cp = value.codePointAt(i)!;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/**
 * A `ce-*` header value as the attribute value: one round of percent-decoding, then UTF-8. Raw
 * UTF-8 (which node:http hands over as latin1 characters) is accepted too; a value that decodes
 * to invalid UTF-8 is kept as received rather than rejected, as the images are lenient receivers.
 */
export function decodeCeHeaderValue(raw: string): string {
  if (!NEEDS_DECODING.test(raw)) return raw;
  return percentDecodeUtf8(raw, true) ?? percentDecodeUtf8(raw, false) ?? raw;
}

const NEEDS_ENCODING = /[^\x21\x23\x24\x26-\x7E]/;

/** Percent-encodes a `ce-*` header value: space, `"`, `%` and non-printable/non-ASCII (UTF-8 bytes). */
export function encodeCeHeaderValue(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x25) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The request headers with every `ce-*` value percent-decoded (others untouched). */
function decodedCeHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  let out: IncomingHttpHeaders | undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (!k.startsWith('ce-') || typeof v !== 'string' || !NEEDS_DECODING.test(v)) continue;
    out ??= { ...headers };
    out[k] = decodeCeHeaderValue(v);
  }
  return out ?? headers;
}

/** Go's types.Validate for a JSON extension value: numbers become int32 (truncated). */
function toExtensionValue(name: string, value: unknown): ExtensionValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (value > 2147483647 || value < -2147483648) {
      throw new CloudEventDecodeError(`extension ${name}: ${value} is out of the int32 range`, name);
    }
    return Math.trunc(value);
  }
  throw new CloudEventDecodeError(`extension ${name}: invalid CloudEvents value ${JSON.stringify(value)}`, name);
}

function parseTime(raw: unknown, field: string): GoTime {
  const t = typeof raw === 'string' ? parseRfc3339(raw) : undefined;
  if (!t) throw new CloudEventDecodeError(`${field}: ${JSON.stringify(raw)} is not in RFC3339 format`, field);
  return t;
}

function sdkValidationMessage(err: unknown): string {
  const e = err as { message?: string; errors?: Array<{ instancePath?: string; message?: string } | string> };
  const details = (e.errors ?? [])
    .map((x) => (typeof x === 'string' ? x : `${x.instancePath ? x.instancePath.slice(1) + ': ' : ''}${x.message ?? ''}`))
    .filter((x) => x !== '');
  return details.length ? details.join('; ') : (e.message ?? String(err));
}

function requireAttributes(rec: CloudEventRecord, binary: boolean): void {
  for (const name of ['id', 'source', 'type'] as const) {
    if (rec[name].trim() === '') {
      const field = binary ? `ce-${name}` : name;
      throw new CloudEventDecodeError(
        binary ? `header ${field} is required and must be non-empty` : `attribute ${name} is required and must be a non-empty string`,
        field,
      );
    }
  }
}

function stringAttr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Decodes an HTTP request into a CloudEventRecord. Binary mode needs `ce-specversion`; structured
 * mode needs `Content-Type: application/cloudevents+json`. Throws CloudEventDecodeError.
 */
export function decodeHttpCloudEvent(headers: IncomingHttpHeaders, body: Buffer): CloudEventRecord {
  const { HTTP } = loadSdk();
  const contentType = headerValue(headers, 'content-type');
  const mediaType = mediaTypeOf(contentType);
  if (mediaType.startsWith('application/cloudevents-batch')) {
    throw new CloudEventDecodeError('batched CloudEvents (application/cloudevents-batch+json) are not supported', 'content-type');
  }

  if (mediaType.startsWith('application/cloudevents')) {
    if (mediaType !== 'application/cloudevents+json') {
      throw new CloudEventDecodeError(`unsupported structured event format ${JSON.stringify(mediaType)}`, 'content-type');
    }
    const text = body.toString('utf8');
    const spans = jsonObjectMemberSpans(text);
    if (!spans) throw new CloudEventDecodeError('structured CloudEvent: the body is not a JSON object');
    const raw = (key: string): unknown => {
      const span = spans.get(key);
      return span ? JSON.parse(text.slice(span[0], span[1])) : undefined;
    };
    const specversion = raw('specversion');
    if (typeof specversion !== 'string') throw new CloudEventDecodeError('attribute specversion is required', 'specversion');
    checkSpecVersion(specversion, 'specversion');
    let sdkEvent: Record<string, unknown>;
    try {
      // The SDK only knows the bare media type, so parameters (charset) are dropped here.
      sdkEvent = HTTP.toEvent({ headers: { 'content-type': 'application/cloudevents+json' }, body: text }) as unknown as Record<string, unknown>;
    } catch (err) {
      throw new CloudEventDecodeError(`structured CloudEvent: ${sdkValidationMessage(err)}`);
    }
    const rec: CloudEventRecord = {
      specversion,
      id: String(raw('id') ?? ''),
      source: String(raw('source') ?? ''),
      type: String(raw('type') ?? ''),
      extensions: {},
      dataBase64: false,
    };
    const subject = stringAttr(raw('subject'));
    if (subject !== undefined) rec.subject = subject;
    const dataschema = stringAttr(raw('dataschema'));
    if (dataschema !== undefined) rec.dataschema = dataschema;
    const dct = stringAttr(raw('datacontenttype'));
    if (dct !== undefined) rec.datacontenttype = dct;
    if (spans.has('time')) rec.time = parseTime(raw('time'), 'time');
    for (const key of spans.keys()) {
      if (CONTEXT_ATTRIBUTES.has(key)) continue;
      const v = toExtensionValue(key, raw(key));
      if (v !== undefined) rec.extensions[key] = v;
    }
    const b64 = spans.get('data_base64');
    const data = spans.get('data');
    if (b64) {
      const encoded = raw('data_base64');
      if (typeof encoded !== 'string') throw new CloudEventDecodeError('data_base64: expected a string', 'data_base64');
      rec.data = Buffer.from(encoded, 'base64');
      rec.dataBase64 = true;
    } else if (data) {
      if (isJsonMediaType(mediaTypeOf(rec.datacontenttype))) {
        rec.data = Buffer.from(text.slice(data[0], data[1]), 'utf8');
      } else {
        const s = raw('data');
        if (typeof s !== 'string') {
          throw new CloudEventDecodeError(
            `data: unexpected payload for media type ${JSON.stringify(mediaTypeOf(rec.datacontenttype))}, expected a string`,
            'data',
          );
        }
        rec.data = Buffer.from(s, 'utf8');
      }
    }
    validate(rec, sdkEvent, false);
    return rec;
  }

  headers = decodedCeHeaders(headers);
  const specversion = headerValue(headers, 'ce-specversion');
  if (specversion === undefined) {
    throw new CloudEventDecodeError(
      headerValue(headers, 'ce-id') === undefined
        ? 'not a CloudEvent: no ce-specversion header (binary mode) and Content-Type is not application/cloudevents+json (structured mode)'
        : 'header ce-specversion is required',
      'ce-specversion',
    );
  }
  checkSpecVersion(specversion, 'ce-specversion');
  const rec: CloudEventRecord = {
    specversion,
    id: headerValue(headers, 'ce-id') ?? '',
    source: headerValue(headers, 'ce-source') ?? '',
    type: headerValue(headers, 'ce-type') ?? '',
    extensions: {},
    dataBase64: false,
  };
  const subject = stringAttr(headerValue(headers, 'ce-subject'));
  if (subject !== undefined) rec.subject = subject;
  const dataschema = stringAttr(headerValue(headers, 'ce-dataschema') ?? headerValue(headers, 'ce-schemaurl'));
  if (dataschema !== undefined) rec.dataschema = dataschema;
  if (contentType) rec.datacontenttype = contentType;
  const time = headerValue(headers, 'ce-time');
  if (time !== undefined) rec.time = parseTime(time, 'ce-time');
  requireAttributes(rec, true); // before the SDK, whose own message would be "no cloud event detected"
  let sdkEvent: Record<string, unknown>;
  try {
    // An empty body keeps the SDK from parsing the data; the bytes are attached unchanged below.
    sdkEvent = HTTP.toEvent({ headers: headers as Record<string, string>, body: '' }) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new CloudEventDecodeError(`binary CloudEvent: ${sdkValidationMessage(err)}`);
  }
  for (const key of Object.keys(sdkEvent)) {
    if (CONTEXT_ATTRIBUTES.has(key)) continue;
    const v = sdkEvent[key];
    if (typeof v === 'string') rec.extensions[key] = v;
  }
  if (body.length > 0) rec.data = body;
  validate(rec, sdkEvent, true);
  return rec;
}

function checkSpecVersion(specversion: string, field: string): void {
  if (specversion !== '1.0' && specversion !== '0.3') {
    throw new CloudEventDecodeError(`${field}: unknown value ${JSON.stringify(specversion)} (want 1.0 or 0.3)`, field);
  }
}

function validate(rec: CloudEventRecord, sdkEvent: Record<string, unknown>, binary: boolean): void {
  requireAttributes(rec, binary);
  if (rec.specversion !== '1.0') return; // the SDK's schema only covers 1.0
  try {
    (sdkEvent as unknown as { validate(): boolean }).validate();
  } catch (err) {
    throw new CloudEventDecodeError(`invalid CloudEvent: ${sdkValidationMessage(err)}`);
  }
}

/** A binary-mode HTTP message: headers plus the data bytes (undefined when there is no data). */
export interface BinaryMessage {
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** Encodes a record as a binary-mode HTTP message (time kept to the nanosecond). */
export function encodeBinaryCloudEvent(rec: CloudEventRecord): BinaryMessage {
  const { HTTP, CloudEvent } = loadSdk();
  const attributes: Record<string, unknown> = {
    specversion: rec.specversion,
    id: rec.id,
    source: rec.source,
    type: rec.type,
    ...rec.extensions,
  };
  if (rec.subject !== undefined) attributes.subject = rec.subject;
  if (rec.dataschema !== undefined) attributes.dataschema = rec.dataschema;
  if (rec.datacontenttype !== undefined) attributes.datacontenttype = rec.datacontenttype;
  const message = HTTP.binary(new CloudEvent(attributes as never, false));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) {
    if (v === undefined || v === null) continue;
    const name = k.toLowerCase();
    headers[name] = name.startsWith('ce-') ? encodeCeHeaderValue(String(v)) : String(v);
  }
  // The SDK always stamps a millisecond time and a default content type; Go's SDK writes neither
  // unless the event has them.
  delete headers['ce-time'];
  if (rec.time) headers['ce-time'] = formatRfc3339Nano(rec.time);
  if (rec.datacontenttype === undefined) delete headers['content-type'];
  else headers['content-type'] = rec.datacontenttype;
  return { headers, body: rec.data };
}
