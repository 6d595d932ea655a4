// CloudEvents 1.0 in memory: the `CloudEventRecord` shape every eventing module passes around,
// attribute/extension validation, and helpers for reading `data`.
//
// Hand-written rather than using the `cloudevents` SDK's `CloudEvent` class: the SDK class runs an
// Ajv schema per construction and freezes the object, which is heavy for a broker that forwards
// every event, and it does not enforce the 20-character name limit. A plain object keeps the hot
// path allocation-light and is trivially serialisable (SQLite, Kafka). `sdk-interop.ts` converts
// to/from the SDK class for code that wants it.

/** A JSON value as found in a structured-mode `data` member. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Event payload. A `Buffer`/`Uint8Array` is opaque bytes (binary-mode bodies and `data_base64` decode
 * to this). Anything else is a JSON value; a string is a JSON string when `datacontenttype` is JSON
 * or absent, and the text itself when `datacontenttype` is some other type (e.g. `text/plain`).
 * To send pre-serialised JSON, pass it as a Buffer.
 */
export type CloudEventData = Uint8Array | JsonValue;

/** Extension values are CloudEvents String, Integer (32-bit) or Boolean. */
export type CloudEventExtensionValue = string | number | boolean;

/**
 * One CloudEvent: context attributes and extensions as top-level lower-case keys (as in the JSON
 * format), plus `data`. `data` absent = no data; `data: null` = the JSON value null.
 * Treat records as immutable once built: filters cache derived views keyed by the object.
 */
export interface CloudEventRecord {
  specversion: string;
  id: string;
  source: string;
  type: string;
  datacontenttype?: string;
  dataschema?: string;
  subject?: string;
  /** RFC 3339 timestamp text, kept exactly as received. */
  time?: string;
  data?: CloudEventData;
  [attribute: string]: CloudEventData | undefined;
}

export const SPEC_VERSION = '1.0';

/** Context attributes defined by the spec (everything else that is not `data` is an extension). */
export const CORE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'datacontenttype',
  'dataschema',
  'subject',
  'time',
]);

/** Default maximum attribute name length (spec: SHOULD NOT exceed 20; we enforce it by default). */
export const DEFAULT_MAX_ATTRIBUTE_NAME_LENGTH = 20;

export interface CloudEventValidationOptions {
  /** Longest accepted attribute name; default 20. Raise it to accept long names some producers use. */
  maxAttributeNameLength?: number;
}

/**
 * An event (on the wire or in memory) that is not a valid CloudEvent. `attribute` names the
 * attribute at fault (or `body` / `content-type` for framing problems); `header` names the HTTP
 * header it came from in binary mode; `index` is the position inside a batch.
 */
export class CloudEventParseError extends Error {
  readonly code = 'SKIFF_ERR_CE_INVALID';
  readonly httpStatus = 400;
  readonly attribute: string;
  /** The problem without location (header / batch index). */
  readonly detail: string;
  readonly header?: string;
  readonly index?: number;

  constructor(attribute: string, detail: string, opts: { header?: string; index?: number; cause?: unknown } = {}) {
    let msg = 'invalid CloudEvent';
    if (opts.index !== undefined) msg += ` at batch index ${opts.index}`;
    msg += ': ' + detail;
    if (opts.header !== undefined) msg += ` (header ${opts.header})`;
    super(msg, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CloudEventParseError';
    this.attribute = attribute;
    this.detail = detail;
    if (opts.header !== undefined) this.header = opts.header;
    if (opts.index !== undefined) this.index = opts.index;
  }

  /** The same error located inside a batch. */
  atIndex(index: number): CloudEventParseError {
    return new CloudEventParseError(this.attribute, this.detail, { header: this.header, index, cause: this.cause });
  }
}

function invalid(attribute: string, detail: string, header?: string): CloudEventParseError {
  return new CloudEventParseError(attribute, detail, header === undefined ? {} : { header });
}

// ---------------------------------------------------------------------------------------------
// Attribute rules

const NAME_CHARS = /^[a-z0-9]+$/;

/** Check an attribute/extension name: [a-z0-9], 1..maxLength chars, not `data`. */
export function checkAttributeName(name: string, maxLength = DEFAULT_MAX_ATTRIBUTE_NAME_LENGTH, header?: string): CloudEventParseError | undefined {
  if (name.length === 0) return invalid(name, 'attribute names must not be empty', header);
  if (!NAME_CHARS.test(name)) {
    return invalid(name, `attribute name ${JSON.stringify(name)} is invalid: names may only contain lower-case letters a-z and digits 0-9`, header);
  }
  if (name.length > maxLength) {
    return invalid(name, `attribute name "${name}" is too long (${name.length} characters, at most ${maxLength} allowed)`, header);
  }
  if (name === 'data') return invalid(name, '"data" is reserved and cannot be used as an extension name', header);
  return undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when `text` is an RFC 3339 date-time (full precision to seconds, explicit offset). */
export function isRfc3339Timestamp(text: string): boolean {
  const m = RFC3339.exec(text);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  return true;
}

// RFC 2046 / RFC 9110 media type: token "/" token, then optional parameters (loosely checked).
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*(?:;.*)?$/;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Validate one attribute value. `value` must not be undefined/null (callers drop those as unset).
 * Returns the error or undefined. `name` must already be a valid name.
 */
export function checkAttributeValue(name: string, value: unknown, header?: string): CloudEventParseError | undefined {
  switch (name) {
    case 'specversion':
      if (typeof value !== 'string') return invalid(name, `attribute "specversion" must be a string, got ${describe(value)}`, header);
      if (value !== SPEC_VERSION) return invalid(name, `attribute "specversion" must be "1.0", got ${describe(value)}`, header);
      return undefined;
    case 'id':
    case 'source':
    case 'type':
    case 'subject':
      if (typeof value !== 'string') return invalid(name, `attribute "${name}" must be a string, got ${describe(value)}`, header);
      if (value.length === 0) return invalid(name, `attribute "${name}" must not be empty`, header);
      return undefined;
    case 'datacontenttype':
      if (typeof value !== 'string') return invalid(name, `attribute "datacontenttype" must be a string, got ${describe(value)}`, header);
      if (!MEDIA_TYPE.test(value)) return invalid(name, `attribute "datacontenttype" must be a media type like "application/json", got ${describe(value)}`, header);
      return undefined;
    case 'dataschema':
      if (typeof value !== 'string') return invalid(name, `attribute "dataschema" must be a string, got ${describe(value)}`, header);
      if (!ABSOLUTE_URI.test(value)) return invalid(name, `attribute "dataschema" must be a non-empty absolute URI, got ${describe(value)}`, header);
      return undefined;
    case 'time':
      if (typeof value !== 'string') return invalid(name, `attribute "time" must be an RFC 3339 timestamp string, got ${describe(value)}`, header);
      if (!isRfc3339Timestamp(value)) {
        return invalid(name, `attribute "time" must be an RFC 3339 timestamp like "2024-01-02T03:04:05Z", got ${describe(value)}`, header);
      }
      return undefined;
    default:
      if (typeof value === 'string' || typeof value === 'boolean') return undefined;
      if (typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return undefined;
      return invalid(name, `extension "${name}" must be a string, boolean or 32-bit integer, got ${describe(value)}`, header);
  }
}

/**
 * Validate an in-memory event. Returns the first problem found, or undefined when valid.
 * Checks required attributes, specversion, names, value types, `time` format and `data` type.
 */
export function validateCloudEvent(event: Record<string, unknown>, options: CloudEventValidationOptions = {}): CloudEventParseError | undefined {
  const maxLen = options.maxAttributeNameLength ?? DEFAULT_MAX_ATTRIBUTE_NAME_LENGTH;
  for (const required of ['specversion', 'id', 'source', 'type'] as const) {
    const v = event[required];
    if (v === undefined || v === null) return invalid(required, `required attribute "${required}" is missing`);
  }
  for (const name in event) {
    const value = event[name];
    if (name === 'data') {
      if (value !== undefined && !isValidData(value)) return invalid('data', `data must be bytes or a JSON value, got ${typeof value}`);
      continue;
    }
    if (value === undefined || value === null) continue;
    const nameErr = checkAttributeName(name, maxLen);
    if (nameErr) return nameErr;
    const valueErr = checkAttributeValue(name, value);
    if (valueErr) return valueErr;
  }
  return undefined;
}

/** Throwing form of `validateCloudEvent`; narrows the type on success. */
export function assertCloudEvent(event: Record<string, unknown>, options?: CloudEventValidationOptions): asserts event is CloudEventRecord {
  const err = validateCloudEvent(event, options);
  if (err) throw err;
}

function isValidData(value: unknown): boolean {
  const t = typeof value;
  return value === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'object';
}

// ---------------------------------------------------------------------------------------------
// Data helpers

/** Lower-cased media type without parameters (`Application/JSON; charset=x` → `application/json`). */
export function mediaTypeOf(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** JSON media types per the JSON format: `application/json`, `*\/json`, `*\/*+json`. */
export function isJsonMediaType(contentType: string): boolean {
  const mt = mediaTypeOf(contentType);
  return mt.endsWith('/json') || mt.endsWith('+json');
}

/** `data` is serialised as JSON (not raw bytes/text) when the content type is JSON or absent. */
export function dataIsJson(event: CloudEventRecord): boolean {
  const ct = event.datacontenttype;
  return ct === undefined || isJsonMediaType(ct);
}

function isTextMediaType(contentType: string): boolean {
  const mt = mediaTypeOf(contentType);
  return mt.startsWith('text/') || /;\s*charset=/i.test(contentType) || mt === 'application/xml' || mt.endsWith('+xml');
}

/**
 * `data` as the application most likely wants it: bytes with a JSON content type → parsed JSON;
 * bytes with a text content type → string; other bytes stay bytes; non-byte data is returned as is.
 * Throws CloudEventParseError(attribute "data") when bytes declared as JSON do not parse.
 */
export function decodeEventData(event: CloudEventRecord): CloudEventData | undefined {
  const data = event.data;
  if (!(data instanceof Uint8Array)) return data;
  const ct = event.datacontenttype;
  if (ct === undefined) return data;
  if (isJsonMediaType(ct)) {
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    try {
      return JSON.parse(text) as JsonValue;
    } catch (cause) {
      throw new CloudEventParseError('data', `data is declared as ${mediaTypeOf(ct)} but is not valid JSON`, { cause });
    }
  }
  if (isTextMediaType(ct)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  return data;
}

/** Serialise `data` to bytes as a binary-mode body would carry it (undefined when there is no data). */
export function encodeEventData(event: CloudEventRecord): Buffer | undefined {
  const data = event.data;
  if (data === undefined) return undefined;
  if (data instanceof Uint8Array) return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string' && !dataIsJson(event)) return Buffer.from(data, 'utf8');
  return Buffer.from(JSON.stringify(data), 'utf8');
}

/** Extension names of an event (every key that is neither a core attribute nor `data`). */
export function extensionNames(event: CloudEventRecord): string[] {
  const names: string[] = [];
  for (const k in event) if (k !== 'data' && !CORE_ATTRIBUTES.has(k) && event[k] !== undefined) names.push(k);
  return names;
}

/** Canonical string form of an attribute value (Integer/Boolean → text), undefined when unset. */
export function attributeText(value: CloudEventData | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
