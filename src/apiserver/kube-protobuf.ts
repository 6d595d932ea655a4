// Decoder for Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`):
// the `k8s\0` envelope (runtime.Unknown) and the built-in kinds Skiff serves, turned
// into the JSON object the same client would have sent as JSON. Needed because
// client-go >= 1.32 typed clients (kubectl create configmap|secret|deployment|...)
// send protobuf for built-in kinds and never fall back to JSON on a 415.
//
// Written by hand: the only JS protobuf runtimes want compiled .proto descriptors;
// ours is a table (kube-proto-schema.gen.ts) that also knows what Go's JSON
// encoding would omit (pointer vs value fields, omitempty, inline structs), which
// protobuf alone cannot tell. Responses are always JSON (clients accept it).
import { ApiError, badRequest } from '../api/errors.js';
import { KUBE_PROTO_MESSAGES, type KubeProtoField } from './kube-proto-schema.gen.js';

export const KUBE_PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

const REPEATED = 1;
const MAP = 2;
const POINTER = 4;
const OMITEMPTY = 8;
const INLINE = 16;

/** Option kinds registered in every group version (the typed client stamps its own apiVersion on them). */
const OPTION_KINDS = new Set(['DeleteOptions']);

function messageFor(apiVersion: string, kind: string): string | undefined {
  if (OPTION_KINDS.has(kind)) return `meta.${kind}`;
  const alias = apiVersion === 'v1' ? 'core' : apiVersion === 'apps/v1' ? 'apps' : apiVersion === 'autoscaling/v1' ? 'autoscaling' : undefined;
  const name = alias && `${alias}.${kind}`;
  return name && KUBE_PROTO_MESSAGES[name] ? name : undefined;
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated();
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
    throw badRequest('protobuf body: varint longer than 10 bytes');
  }

  /** Small non-negative varints (tags, lengths) without BigInt. */
  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw truncated();
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
    }
    throw badRequest('protobuf body: length or tag out of range');
  }

  bytes(): Buffer {
    const len = this.uvarint();
    if (len > this.end - this.pos) throw truncated();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.advance(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.advance(4);
    else throw badRequest(`protobuf body: unsupported wire type ${wire}`);
  }

  advance(n: number): void {
    if (n > this.end - this.pos) throw truncated();
    this.pos += n;
  }
}

const truncated = () => badRequest('protobuf body: truncated message');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const fieldIndex = new Map<string, Map<number, KubeProtoField>>();
function fieldsOf(message: string): Map<number, KubeProtoField> {
  let m = fieldIndex.get(message);
  if (!m) {
    const spec = KUBE_PROTO_MESSAGES[message];
    if (!spec) throw new ApiError(415, 'UnsupportedMediaType', `protobuf message ${message} is not supported; send JSON`);
    m = new Map(spec.map((f) => [f[0], f]));
    fieldIndex.set(message, m);
  }
  return m;
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  const base = d.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** Go's time.Duration String(): 1h2m3.5s, 150ms, 0s. */
function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trimFloat(n / 1e3)}µs`;
  else if (n < 1e9) out = `${trimFloat(n / 1e6)}ms`;
  else {
    const h = Math.floor(n / 3.6e12);
    n -= h * 3.6e12;
    const m = Math.floor(n / 6e10);
    n -= m * 6e10;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trimFloat(n / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}
const trimFloat = (x: number) => String(Number(x.toFixed(9)));

/** Decode one value of a field; `type` is a scalar code, a special code or a message name. */
function decodeValue(r: Reader, wire: number, type: string, depth: number): Json {
  switch (type) {
    case 's':
    case 'b': {
      if (wire !== 2) throw wrongWire(type);
      const b = r.bytes();
      return type === 's' ? b.toString('utf8') : b.toString('base64');
    }
    case 'i': {
      if (wire !== 0) throw wrongWire(type);
      return Number(BigInt.asIntN(64, r.varint()));
    }
    case 'B':
      if (wire !== 0) throw wrongWire(type);
      return r.varint() !== 0n;
    case 'd':
      if (wire !== 1) throw wrongWire(type);
      r.advance(8);
      return r.buf.readDoubleLE(r.pos - 8);
    case 'f':
      if (wire !== 5) throw wrongWire(type);
      r.advance(4);
      return r.buf.readFloatLE(r.pos - 4);
  }
  if (wire !== 2) throw wrongWire(type);
  const body = r.bytes();
  const sub = new Reader(body);
  switch (type) {
    case 't':
    case 'T': {
      let seconds = 0;
      let nanos = 0;
      while (!sub.done()) {
        const tag = sub.uvarint();
        if (tag >> 3 === 1 && (tag & 7) === 0) seconds = Number(BigInt.asIntN(64, sub.varint()));
        else if (tag >> 3 === 2 && (tag & 7) === 0) nanos = Number(BigInt.asIntN(64, sub.varint()));
        else sub.skip(tag & 7);
      }
      return seconds === 0 && nanos === 0 ? null : rfc3339(seconds, nanos, type === 'T');
    }
    case 'D': {
      let ns = 0;
      while (!sub.done()) {
        const tag = sub.uvarint();
        if (tag >> 3 === 1 && (tag & 7) === 0) ns = Number(BigInt.asIntN(64, sub.varint()));
        else sub.skip(tag & 7);
      }
      return goDuration(ns);
    }
    case 'I': {
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      while (!sub.done()) {
        const tag = sub.uvarint();
        const n = tag >> 3;
        if (n === 1 && (tag & 7) === 0) kind = Number(sub.varint());
        else if (n === 2 && (tag & 7) === 0) intVal = Number(BigInt.asIntN(32, sub.varint()));
        else if (n === 3 && (tag & 7) === 2) strVal = sub.bytes().toString('utf8');
        else sub.skip(tag & 7);
      }
      return kind === 1 ? strVal : intVal;
    }
    case 'q':
    case 'r': {
      let raw: Buffer | undefined;
      while (!sub.done()) {
        const tag = sub.uvarint();
        if (tag >> 3 === 1 && (tag & 7) === 2) raw = sub.bytes();
        else sub.skip(tag & 7);
      }
      if (type === 'q') return raw ? raw.toString('utf8') : '0';
      if (!raw || !raw.length) return null;
      try {
        return JSON.parse(raw.toString('utf8')) as Json;
      } catch {
        throw badRequest('protobuf body: embedded raw JSON is not valid JSON');
      }
    }
  }
  return decodeMessage(body, type, depth + 1);
}

const wrongWire = (type: string) => badRequest(`protobuf body: unexpected wire type for a field of type ${type}`);

function isZero(v: Json): boolean {
  return v === '' || v === 0 || v === false || v === null;
}

/** Decode a message into the object Go's encoding/json would produce for it. */
export function decodeMessage(buf: Buffer, message: string, depth = 0): { [k: string]: Json } {
  if (depth > 64) throw badRequest('protobuf body: nested too deeply');
  const fields = fieldsOf(message);
  const r = new Reader(buf);
  const values = new Map<number, Json>();
  while (!r.done()) {
    const tag = r.uvarint();
    const num = tag >> 3;
    const wire = tag & 7;
    const f = fields.get(num);
    if (!f) {
      r.skip(wire); // unknown to this schema version: ignored, as Kubernetes does
      continue;
    }
    const [, , type, flags] = f;
    if (flags & MAP) {
      if (wire !== 2) throw wrongWire('map');
      const entry = new Reader(r.bytes());
      let key = '';
      let value: Json = type === 's' || type === 'b' ? '' : type.includes('.') ? {} : null;
      while (!entry.done()) {
        const t = entry.uvarint();
        if (t >> 3 === 1 && (t & 7) === 2) key = entry.bytes().toString('utf8');
        else if (t >> 3 === 2) value = decodeValue(entry, t & 7, type, depth);
        else entry.skip(t & 7);
      }
      const m = (values.get(num) as { [k: string]: Json } | undefined) ?? {};
      m[key] = value;
      values.set(num, m);
    } else if (flags & REPEATED) {
      const list = (values.get(num) as Json[] | undefined) ?? [];
      if (wire === 2 && (type === 'i' || type === 'B' || type === 'd' || type === 'f')) {
        // packed scalars
        const packed = new Reader(r.bytes());
        const w = type === 'd' ? 1 : type === 'f' ? 5 : 0;
        while (!packed.done()) list.push(decodeValue(packed, w, type, depth));
      } else list.push(decodeValue(r, wire, type, depth));
      values.set(num, list);
    } else values.set(num, decodeValue(r, wire, type, depth));
  }
  const out: { [k: string]: Json } = {};
  for (const f of fields.values()) {
    const [num, name, type, flags] = f;
    if (!values.has(num)) continue;
    const v = values.get(num)!;
    if (flags & INLINE) {
      if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
      continue;
    }
    if (flags & (REPEATED | MAP)) {
      if (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0) continue;
      out[name] = v;
      continue;
    }
    if (v === null) continue; // zero Time, empty raw JSON: Go writes null
    if (!(flags & POINTER) && !type.includes('.') && flags & OMITEMPTY && isZero(v)) continue;
    out[name] = v;
  }
  return out;
}

/**
 * Decode a `k8s\0`-framed protobuf body into a JSON object with apiVersion/kind.
 * 415 for kinds we have no schema for (the client should send JSON instead).
 */
export function decodeKubeProtobuf(body: Buffer): Record<string, Json> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw badRequest('protobuf body does not start with the Kubernetes "k8s\\0" envelope');
  const r = new Reader(body, 4);
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  let encoding = '';
  while (!r.done()) {
    const tag = r.uvarint();
    const n = tag >> 3;
    if (n === 1 && (tag & 7) === 2) {
      const tm = new Reader(r.bytes());
      while (!tm.done()) {
        const t = tm.uvarint();
        if (t >> 3 === 1 && (t & 7) === 2) apiVersion = tm.bytes().toString('utf8');
        else if (t >> 3 === 2 && (t & 7) === 2) kind = tm.bytes().toString('utf8');
        else tm.skip(t & 7);
      }
    } else if (n === 2 && (tag & 7) === 2) raw = r.bytes();
    else if (n === 3 && (tag & 7) === 2) encoding = r.bytes().toString('utf8');
    else r.skip(tag & 7);
  }
  if (encoding) throw new ApiError(415, 'UnsupportedMediaType', `protobuf body: content encoding "${encoding}" is not supported`);
  const message = messageFor(apiVersion, kind);
  if (!message)
    throw new ApiError(415, 'UnsupportedMediaType', `protobuf bodies are accepted for built-in kinds only, not ${apiVersion || '<no apiVersion>'} ${kind || '<no kind>'}; send application/json`);
  const obj = decodeMessage(raw ?? Buffer.alloc(0), message);
  return { apiVersion, kind, ...obj };
}
