// Minimal HTTP/1.1 message parsing for the gateway's fast path (pure, no I/O).
// Hand-written on purpose: going through node:http on both sides costs about
// half the throughput of a raw pass-through (see docs/benchmarks.md, "Data
// plane"), and a proxy only needs the request/response heads plus the body
// framing — bodies are forwarded byte for byte, never decoded or buffered.
// Anything unusual (HTTP/1.0, h2c prior knowledge) is handed to node:http or
// node:http2 by the caller instead of being handled here.
//
// Heads are handled as latin1 strings (one byte per char), so header bytes
// survive unchanged whatever their encoding.

/** Largest request/response head accepted (like Node's default 16 KiB, but roomier). */
export const MAX_HEAD_BYTES = 64 * 1024;

export const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

// ---- header classification ----

/** Request/response headers the proxy looks at or rewrites. Everything else passes verbatim. */
export const enum H {
  Other = 0,
  Host,
  ContentLength,
  TransferEncoding,
  Connection,
  KeepAlive,
  ProxyConnection,
  TE,
  Upgrade,
  XForwardedFor,
  XForwardedProto,
  XForwardedHost,
  Forwarded,
  KnativeServingTag,
  KnativeServingRevision,
  KnativeServingNamespace,
  KNetworkProbe,
  KNetworkHash,
  KProxyRequest,
  KOriginalHost,
  KKubeletProbe,
  UserAgent,
  ProxyAuthorization,
  Trailer,
}

const BY_LENGTH: Array<Array<[string, H]>> = [];
for (const [name, id] of [
  ['host', H.Host],
  ['content-length', H.ContentLength],
  ['transfer-encoding', H.TransferEncoding],
  ['connection', H.Connection],
  ['keep-alive', H.KeepAlive],
  ['proxy-connection', H.ProxyConnection],
  ['te', H.TE],
  ['upgrade', H.Upgrade],
  ['x-forwarded-for', H.XForwardedFor],
  ['x-forwarded-proto', H.XForwardedProto],
  ['x-forwarded-host', H.XForwardedHost],
  ['forwarded', H.Forwarded],
  ['knative-serving-tag', H.KnativeServingTag],
  ['knative-serving-revision', H.KnativeServingRevision],
  ['knative-serving-namespace', H.KnativeServingNamespace],
  ['k-network-probe', H.KNetworkProbe],
  ['k-network-hash', H.KNetworkHash],
  ['k-proxy-request', H.KProxyRequest],
  ['k-original-host', H.KOriginalHost],
  ['k-kubelet-probe', H.KKubeletProbe],
  ['user-agent', H.UserAgent],
  ['proxy-authorization', H.ProxyAuthorization],
  ['trailer', H.Trailer],
] as Array<[string, H]>) {
  (BY_LENGTH[name.length] ??= []).push([name, id]);
}

/** Case-insensitive compare of s[start, start+lower.length) with an all-lower-case ASCII name. */
function eqLower(s: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(start + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Which known header the name at s[start, start+len) is. */
export function classifyHeader(s: string, start: number, len: number): H {
  const list = BY_LENGTH[len];
  if (list === undefined) return H.Other;
  for (let i = 0; i < list.length; i++) if (eqLower(s, start, list[i]![0])) return list[i]![1];
  return H.Other;
}

// token chars per RFC 9110 §5.6.2
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

function isToken(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/** Header values may not carry NUL/CR/LF (the head is already split on CRLF; a bare CR or LF is smuggling bait). */
function hasBadValueChar(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13) return true;
  }
  return false;
}

/** True if the comma-separated header value contains `token` (case-insensitive). */
export function hasToken(value: string, token: string): boolean {
  const v = value.toLowerCase();
  let i = 0;
  while (i <= v.length) {
    let j = v.indexOf(',', i);
    if (j < 0) j = v.length;
    if (v.slice(i, j).trim() === token) return true;
    i = j + 1;
  }
  return false;
}

// ---- request head ----

export type HeadError = { status: number; message: string };

/** What the gateway needs from a request head. */
export interface RequestHead {
  method: string;
  /** The request-target as received. */
  target: string;
  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  minor: number;
  host: string | null;
  /** Header lines kept verbatim for the upstream, each ending in CRLF (Host and hop-by-hop removed). */
  kept: string;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  connectionClose: boolean;
  /** Upgrade header value when `Connection: upgrade` asks for it, else null. */
  upgrade: string | null;
  xForwardedFor: string | null;
  xForwardedProto: string | null;
  xForwardedHost: string | null;
  hasForwarded: boolean;
  tag: string | null;
  /** K-Network-Probe value, or 'kubelet' for kube-probe / K-Kubelet-Probe, else null. */
  probe: string | null;
  networkHash: string | null;
  /** User-Agent marks a Knative prober (excluded from stats). */
  proberAgent: boolean;
}

const PROBER_AGENTS = ['kube-probe/', 'knative-activator-probe', 'knative-autoscaling-probe', 'knative-queue-proxy-probe', 'knative-ingress-probe'];

/**
 * Parses a request head (`s` = everything up to and including the CRLF that
 * ends the last header line, without the blank line). Returns a HeadError for
 * malformed input; the caller answers with its status and closes.
 */
export function parseRequestHead(s: string): RequestHead | HeadError {
  const lineEnd = s.indexOf('\r\n');
  if (lineEnd < 0) return { status: 400, message: 'malformed request line' };
  const sp1 = s.indexOf(' ');
  const sp2 = s.lastIndexOf(' ', lineEnd - 1);
  if (sp1 <= 0 || sp2 <= sp1 + 1 || sp2 >= lineEnd) return { status: 400, message: 'malformed request line' };
  if (!isToken(s, 0, sp1)) return { status: 400, message: 'invalid method' };
  if (lineEnd - sp2 - 1 !== 8 || !s.startsWith('HTTP/1.', sp2 + 1)) {
    return { status: 505, message: 'HTTP version not supported' };
  }
  const minorCode = s.charCodeAt(sp2 + 8) - 48;
  if (minorCode !== 0 && minorCode !== 1) return { status: 505, message: 'HTTP version not supported' };
  const target = s.slice(sp1 + 1, sp2);
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 32 || c === 127) return { status: 400, message: 'invalid request target' };
  }
  const head: RequestHead = {
    method: s.slice(0, sp1),
    target,
    minor: minorCode,
    host: null,
    kept: '',
    contentLength: -1,
    chunked: false,
    connectionClose: minorCode === 0,
    upgrade: null,
    xForwardedFor: null,
    xForwardedProto: null,
    xForwardedHost: null,
    hasForwarded: false,
    tag: null,
    probe: null,
    networkHash: null,
    proberAgent: false,
  };
  let kept = '';
  let keepFrom = lineEnd + 2;
  let pos = keepFrom;
  let connectionUpgrade = false;
  let upgradeValue: string | null = null;
  let transferEncoding: string | null = null;
  let hostCount = 0;
  while (pos < s.length) {
    const e = s.indexOf('\r\n', pos);
    if (e < 0) return { status: 400, message: 'malformed header line' };
    const first = s.charCodeAt(pos);
    if (first === 32 || first === 9) return { status: 400, message: 'obsolete line folding is not allowed' };
    const colon = s.indexOf(':', pos);
    if (colon < 0 || colon > e || !isToken(s, pos, colon)) return { status: 400, message: 'invalid header name' };
    let vs = colon + 1;
    let ve = e;
    while (vs < ve && (s.charCodeAt(vs) === 32 || s.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (s.charCodeAt(ve - 1) === 32 || s.charCodeAt(ve - 1) === 9)) ve--;
    if (hasBadValueChar(s, vs, ve)) return { status: 400, message: 'invalid header value' };
    const id = classifyHeader(s, pos, colon - pos);
    let drop = false;
    switch (id) {
      case H.Other:
      case H.Trailer:
        break;
      case H.Host:
        hostCount++;
        head.host = s.slice(vs, ve);
        drop = true;
        break;
      case H.ContentLength: {
        const v = s.slice(vs, ve);
        if (!/^\d{1,15}$/.test(v)) return { status: 400, message: 'invalid Content-Length' };
        const n = Number(v);
        if (head.contentLength >= 0 && head.contentLength !== n) return { status: 400, message: 'conflicting Content-Length headers' };
        head.contentLength = n;
        break;
      }
      case H.TransferEncoding:
        transferEncoding = transferEncoding === null ? s.slice(vs, ve) : `${transferEncoding}, ${s.slice(vs, ve)}`;
        break;
      case H.Connection: {
        const v = s.slice(vs, ve);
        if (hasToken(v, 'close')) head.connectionClose = true;
        else if (head.minor === 0 && hasToken(v, 'keep-alive')) head.connectionClose = false;
        if (hasToken(v, 'upgrade')) connectionUpgrade = true;
        drop = true;
        break;
      }
      case H.KeepAlive:
      case H.ProxyConnection:
      case H.TE:
      case H.ProxyAuthorization:
      case H.KnativeServingRevision:
      case H.KnativeServingNamespace:
      case H.KProxyRequest:
      case H.KOriginalHost:
        drop = true;
        break;
      case H.Upgrade:
        upgradeValue = s.slice(vs, ve);
        drop = true;
        break;
      case H.XForwardedFor:
        head.xForwardedFor = head.xForwardedFor === null ? s.slice(vs, ve) : `${head.xForwardedFor}, ${s.slice(vs, ve)}`;
        drop = true;
        break;
      case H.XForwardedProto:
        head.xForwardedProto = s.slice(vs, ve);
        drop = true;
        break;
      case H.XForwardedHost:
        head.xForwardedHost = s.slice(vs, ve);
        drop = true;
        break;
      case H.Forwarded:
        head.hasForwarded = true;
        break;
      case H.KnativeServingTag:
        head.tag = s.slice(vs, ve);
        break;
      case H.KNetworkProbe:
        head.probe = s.slice(vs, ve);
        break;
      case H.KNetworkHash:
        head.networkHash = s.slice(vs, ve);
        break;
      case H.KKubeletProbe:
        head.probe ??= 'kubelet';
        break;
      case H.UserAgent: {
        const ua = s.slice(vs, ve).toLowerCase();
        for (const p of PROBER_AGENTS) if (ua.startsWith(p)) head.proberAgent = true;
        if (ua.startsWith('kube-probe/')) head.probe ??= 'kubelet';
        break;
      }
    }
    if (drop) {
      kept += s.slice(keepFrom, pos);
      keepFrom = e + 2;
    }
    pos = e + 2;
  }
  kept += s.slice(keepFrom);
  head.kept = kept;
  if (hostCount > 1) return { status: 400, message: 'multiple Host headers' };
  if (head.minor === 1 && head.host === null) return { status: 400, message: 'missing Host header' };
  if (transferEncoding !== null) {
    if (head.contentLength >= 0) return { status: 400, message: 'both Content-Length and Transfer-Encoding' };
    const codings = transferEncoding.toLowerCase().split(',').map((x) => x.trim());
    if (codings[codings.length - 1] !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1) {
      return { status: 400, message: 'unsupported Transfer-Encoding' };
    }
    head.chunked = true;
  }
  if (connectionUpgrade && upgradeValue !== null) head.upgrade = upgradeValue;
  return head;
}

export function isHeadError(x: RequestHead | HeadError): x is HeadError {
  return (x as HeadError).status !== undefined;
}

// ---- response head ----
// Handled as bytes, not strings: the head is scanned in place, hop-by-hop lines
// are skipped while copying, and head + a small body go out as one Buffer.

export interface ResponseHead {
  status: number;
  /** -1 when absent (or when chunked). */
  contentLength: number;
  chunked: boolean;
  /** The upstream wants to close after this response. */
  close: boolean;
  /** Byte ranges [start, end) of hop-by-hop header lines to leave out, ascending, flattened. */
  drops: number[];
}

const B_CONNECTION = Buffer.from('connection');
const B_KEEP_ALIVE = Buffer.from('keep-alive');
const B_CLOSE = Buffer.from('close');
const B_CONTENT_LENGTH = Buffer.from('content-length');
const B_TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const B_PROXY_CONNECTION = Buffer.from('proxy-connection');
const B_CHUNKED = Buffer.from('chunked');
const CONNECTION_CLOSE_LINE = Buffer.from('Connection: close\r\n');

/** Case-insensitive compare of b[start, start+name.length) with a lower-case ASCII name. */
function eqLowerBytes(b: Uint8Array, start: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) {
    let c = b[start + i]!;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== name[i]) return false;
  }
  return true;
}

/**
 * Parses a response head: `idx` is where the blank line's CRLF starts (the
 * result of indexOf('\r\n\r\n')). Null = malformed.
 */
export function parseResponseHead(b: Buffer, idx: number): ResponseHead | null {
  // "HTTP/1.x SSS"
  if (idx < 12 || b[0] !== 72 || b[1] !== 84 || b[2] !== 84 || b[3] !== 80 || b[4] !== 47 || b[5] !== 49 || b[6] !== 46 || b[8] !== 32) return null;
  const d0 = b[9]! - 48;
  const d1 = b[10]! - 48;
  const d2 = b[11]! - 48;
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return null;
  const status = d0 * 100 + d1 * 10 + d2;
  const minor = b[7]! - 48;
  const buf = b;
  let close = minor === 0;
  let contentLength = -1;
  let chunked = false;
  const drops: number[] = [];
  let dropNames: string[] | null = null;
  const headEnd = idx + 2;
  let pos = buf.indexOf(10) + 1;
  if (pos <= 0 || pos > headEnd) return null;
  const lines: number[] = []; // [start, colon, end] per line, for the (rare) Connection-named drops
  while (pos < headEnd) {
    const e = buf.indexOf(13, pos);
    if (e < 0 || e >= headEnd || b[e + 1] !== 10) return null;
    const colon = buf.indexOf(58, pos);
    if (colon < 0 || colon > e || colon === pos) return null;
    let vs = colon + 1;
    let ve = e;
    while (vs < ve && (b[vs] === 32 || b[vs] === 9)) vs++;
    while (ve > vs && (b[ve - 1] === 32 || b[ve - 1] === 9)) ve--;
    const len = colon - pos;
    let drop = false;
    if (len === 10) {
      if (eqLowerBytes(b, pos, B_CONNECTION)) {
        drop = true;
        const vl = ve - vs;
        if (vl === 10 && eqLowerBytes(b, vs, B_KEEP_ALIVE)) {
          if (minor === 0) close = false;
        } else if (vl === 5 && eqLowerBytes(b, vs, B_CLOSE)) close = true;
        else {
          const v = buf.toString('latin1', vs, ve);
          if (hasToken(v, 'close')) close = true;
          else if (minor === 0 && hasToken(v, 'keep-alive')) close = false;
          for (const t of v.toLowerCase().split(',')) {
            const name = t.trim();
            if (name && name !== 'close' && name !== 'keep-alive' && name !== 'upgrade') (dropNames ??= []).push(name);
          }
        }
      } else if (eqLowerBytes(b, pos, B_KEEP_ALIVE)) drop = true;
    } else if (len === 14 && eqLowerBytes(b, pos, B_CONTENT_LENGTH)) {
      if (ve === vs || ve - vs > 15) return null;
      let n = 0;
      for (let i = vs; i < ve; i++) {
        const c = b[i]! - 48;
        if (c < 0 || c > 9) return null;
        n = n * 10 + c;
      }
      if (contentLength >= 0 && contentLength !== n) return null;
      contentLength = n;
    } else if (len === 17 && eqLowerBytes(b, pos, B_TRANSFER_ENCODING)) {
      if ((ve - vs === 7 && eqLowerBytes(b, vs, B_CHUNKED)) || hasToken(buf.toString('latin1', vs, ve), 'chunked')) chunked = true;
    } else if (len === 16 && eqLowerBytes(b, pos, B_PROXY_CONNECTION)) drop = true;
    if (drop) drops.push(pos, e + 2);
    else lines.push(pos, colon, e + 2);
    pos = e + 2;
  }
  if (dropNames !== null) {
    for (let i = 0; i < lines.length; i += 3) {
      if (dropNames.includes(buf.toString('latin1', lines[i]!, lines[i + 1]!).toLowerCase())) drops.push(lines[i]!, lines[i + 2]!);
    }
    // keep the ranges ascending for composeResponse
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < drops.length; i += 2) pairs.push([drops[i]!, drops[i + 1]!]);
    pairs.sort((x, y) => x[0] - y[0]);
    drops.length = 0;
    for (const [x, y] of pairs) drops.push(x, y);
  }
  if (chunked) contentLength = -1;
  return { status, contentLength, chunked, close, drops };
}

/**
 * The response head for the client — b[0, idx+2) without the dropped lines,
 * plus `Connection: close` when asked, plus the blank line — followed by the
 * body bytes b[bodyFrom, bodyTo), as one Buffer (one write).
 */
export function composeResponse(b: Buffer, idx: number, drops: readonly number[], close: boolean, bodyFrom: number, bodyTo: number): Buffer {
  const headEnd = idx + 2;
  let size = headEnd + 2 + (close ? CONNECTION_CLOSE_LINE.length : 0) + (bodyTo - bodyFrom);
  for (let i = 0; i < drops.length; i += 2) size -= drops[i + 1]! - drops[i]!;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  let from = 0;
  for (let i = 0; i < drops.length; i += 2) {
    o += b.copy(out, o, from, drops[i]!);
    from = drops[i + 1]!;
  }
  o += b.copy(out, o, from, headEnd);
  if (close) o += CONNECTION_CLOSE_LINE.copy(out, o);
  out[o++] = 13;
  out[o++] = 10;
  if (bodyTo > bodyFrom) b.copy(out, o, bodyFrom, bodyTo);
  return out;
}

// ---- body framing ----

const enum C {
  Size,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
}

/**
 * Tracks where a message body ends while its bytes are passed through
 * unchanged: by Content-Length, by chunked framing, or at connection close.
 * One instance per connection, reset per message (no per-request allocation).
 */
export class BodyFramer {
  /** 0 = none / finished, 1 = length, 2 = chunked, 3 = until close. */
  mode = 0;
  remaining = 0;
  done = true;
  error: string | null = null;
  private cs = C.Size;
  private sawDigit = false;
  private size = 0;

  reset(mode: 'none' | 'length' | 'chunked' | 'close', length = 0): void {
    this.error = null;
    this.cs = C.Size;
    this.sawDigit = false;
    this.size = 0;
    switch (mode) {
      case 'none':
        this.mode = 0;
        this.done = true;
        break;
      case 'length':
        this.mode = length > 0 ? 1 : 0;
        this.remaining = length;
        this.done = length === 0;
        break;
      case 'chunked':
        this.mode = 2;
        this.done = false;
        break;
      case 'close':
        this.mode = 3;
        this.done = false;
        break;
    }
  }

  /**
   * Consumes body bytes of buf[start..]; returns how many belong to the body.
   * Sets `done` when the body ended, `error` (and returns -1) when the chunked
   * framing is malformed.
   */
  advance(buf: Uint8Array, start: number): number {
    const avail = buf.length - start;
    if (this.done || avail <= 0) return 0;
    if (this.mode === 1) {
      const n = avail < this.remaining ? avail : this.remaining;
      this.remaining -= n;
      if (this.remaining === 0) {
        this.done = true;
        this.mode = 0;
      }
      return n;
    }
    if (this.mode === 3) return avail;
    return this.chunked(buf, start);
  }

  private chunked(buf: Uint8Array, start: number): number {
    let i = start;
    const end = buf.length;
    while (i < end) {
      const c = buf[i]!;
      switch (this.cs) {
        case C.Size: {
          let d = -1;
          if (c >= 48 && c <= 57) d = c - 48;
          else if (c >= 97 && c <= 102) d = c - 87;
          else if (c >= 65 && c <= 70) d = c - 55;
          if (d >= 0) {
            this.size = this.size * 16 + d;
            this.sawDigit = true;
            if (this.size > Number.MAX_SAFE_INTEGER / 16) return this.fail('chunk size too large');
          } else if (!this.sawDigit) return this.fail('invalid chunk size');
          else if (c === 13) this.cs = C.SizeLf;
          else if (c === 59 /* ; */ || c === 32 || c === 9) this.cs = C.Ext;
          else return this.fail('invalid chunk size');
          i++;
          break;
        }
        case C.Ext:
          if (c === 13) this.cs = C.SizeLf;
          else if (c === 10) return this.fail('bare LF in chunk extension');
          i++;
          break;
        case C.SizeLf:
          if (c !== 10) return this.fail('expected LF after chunk size');
          i++;
          if (this.size === 0) this.cs = C.TrailerStart;
          else {
            this.remaining = this.size;
            this.cs = C.Data;
          }
          break;
        case C.Data: {
          const n = end - i < this.remaining ? end - i : this.remaining;
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.cs = C.DataCr;
          break;
        }
        case C.DataCr:
          if (c !== 13) return this.fail('expected CRLF after chunk data');
          this.cs = C.DataLf;
          i++;
          break;
        case C.DataLf:
          if (c !== 10) return this.fail('expected CRLF after chunk data');
          this.cs = C.Size;
          this.size = 0;
          this.sawDigit = false;
          i++;
          break;
        case C.TrailerStart:
          this.cs = c === 13 ? C.FinalLf : C.TrailerLine;
          i++;
          break;
        case C.TrailerLine:
          if (c === 13) this.cs = C.TrailerLf;
          i++;
          break;
        case C.TrailerLf:
          if (c !== 10) return this.fail('malformed trailer');
          this.cs = C.TrailerStart;
          i++;
          break;
        case C.FinalLf:
          if (c !== 10) return this.fail('malformed last chunk');
          i++;
          this.done = true;
          this.mode = 0;
          return i - start;
      }
    }
    return i - start;
  }

  private fail(message: string): number {
    this.error = message;
    this.done = true;
    this.mode = 0;
    return -1;
  }
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** A complete plain-text response the gateway answers itself; write it as latin1 (bodies are ASCII or latin1-decoded input). */
export function simpleResponse(status: number, body: string, opts: { close?: boolean; head?: boolean; extra?: string } = {}): string {
  const len = body.length;
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${len}\r\n` +
    (opts.extra ?? '') +
    (opts.close ? 'Connection: close\r\n' : '') +
    '\r\n' +
    (opts.head ? '' : body)
  );
}
