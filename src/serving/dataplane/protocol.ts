// The message protocol between the main thread (control plane) and the data-plane
// worker (gateway + activator + queue). Pure types plus validators: the worker
// validates every incoming message so a bad snapshot is rejected with a field
// path (and the previous snapshot stays in force) instead of crashing the data
// plane. Hand-written validators: the shapes are small and a schema library is
// not among the project's dependencies.
//
// Snapshots are full, or deltas (`partial: true`: the map holds only added or
// changed keys, `removed` lists keys gone; the feed sends deltas so a change
// costs O(changed keys) to post), and carry a monotonically increasing `seq`
// (one counter across all message types). The worker answers every message
// with `ack { seq }` once it is applied, or superseded by a newer one of the
// same type; the Ingress reconciler marks a KIngress Ready after the ack of the
// `hosts` snapshot that contains it. Send `revisions` before the `hosts` that
// reference them: a host whose revision is unknown answers 503.

import { DataPlaneProtocolError } from './errors.js';

export type Visibility = 'ExternalIP' | 'ClusterLocal';
export type HostKind = 'route' | 'revision' | 'service' | 'static';
export type RevisionProtocol = 'http1' | 'h2c';
export type SksMode = 'Serve' | 'Proxy';

/** One weighted target of a host (a KIngress split). */
export interface SplitTarget {
  /** Revision name. */
  revision: string;
  /** Revision namespace; defaults to the host entry's namespace. */
  namespace?: string;
  /** 0–100; the splits of one host sum to 100. */
  percent: number;
  /** The split's appendHeaders (Knative-Serving-Revision / -Namespace), added to the request. */
  headers?: Record<string, string>;
}

/** What a Host header resolves to. */
export interface HostEntry {
  /**
   * - route: a KIngress rule; `splits` pick the revision.
   * - revision: `{rev}.{ns}.svc…`; `splits` may be empty (then: revision `name`, 100 %).
   * - service: plain k8s Service `{namespace}/{name}` from the `services` snapshot, round-robin.
   * - static: the host is resolved through the `static` snapshot (host kept).
   */
  kind: HostKind;
  namespace: string;
  name: string;
  /** ClusterLocal hosts answer only loopback clients (in-cluster callers); others get 404. */
  visibility: Visibility;
  splits: SplitTarget[];
  /** Tag-header routing: `Knative-Serving-Tag: {tag}` → these splits (usually one at 100 %). */
  tagHeaders?: Record<string, SplitTarget[]>;
  /** Path-level appendHeaders (e.g. `Knative-Serving-Default-Route: true`). */
  appendHeaders?: Record<string, string>;
  /** DomainMapping: forward as if the request came for this host (Host rewritten). */
  rewriteHost?: string;
  /** For tag hosts (`{tag}-{route}.{ns}…`): the tag; used for the `.localhost` alias. */
  tag?: string;
  /** `namespace/name` of the KIngress this host comes from ('' when none). */
  ingressKey: string;
}

export interface EndpointSpec {
  /** Pod name (unique across the data plane; `drain` refers to it). */
  pod: string;
  /** Defaults to 127.0.0.1 (embedded pods are local processes). */
  address?: string;
  port: number;
  ready: boolean;
  draining?: boolean;
}

export interface RevisionSpec {
  /** 0 = unlimited. */
  containerConcurrency: number;
  /** Whole-request cap, seconds (fractions allowed). */
  timeoutSeconds: number;
  responseStartTimeoutSeconds?: number;
  /** 0 or absent = off. */
  idleTimeoutSeconds?: number;
  protocol: RevisionProtocol;
  /** SKS mode: Proxy puts the activator in the path. */
  mode: SksMode;
  /** Informational (the KPA decides the mode from it); -1 = always proxy. */
  targetBurstCapacity: number;
  endpoints: EndpointSpec[];
}

export interface ServiceEndpoint {
  pod: string;
  address?: string;
  port: number;
}

// ---- main → worker ----

export interface HostsMessage {
  type: 'hosts';
  seq: number;
  /** Lower-case host (no port) → entry. */
  hosts: Record<string, HostEntry>;
  /** A delta: the map holds only changed keys, merged into the worker's table. */
  partial?: boolean;
  /** With `partial`: keys to drop. */
  removed?: string[];
}
export interface RevisionsMessage {
  type: 'revisions';
  seq: number;
  /** `namespace/revision` → spec. */
  revisions: Record<string, RevisionSpec>;
  /** A delta: the map holds only changed keys, merged into the worker's table. */
  partial?: boolean;
  /** With `partial`: keys to drop. */
  removed?: string[];
}
export interface ServicesMessage {
  type: 'services';
  seq: number;
  /** `namespace/service` → ready endpoints. */
  services: Record<string, ServiceEndpoint[]>;
  /** A delta: the map holds only changed keys, merged into the worker's table. */
  partial?: boolean;
  /** With `partial`: keys to drop. */
  removed?: string[];
}
export interface StaticMessage {
  type: 'static';
  seq: number;
  /** Host pattern (exact, or with `*` matching one DNS label part) → base URL `http://host:port[/prefix]`. */
  backends: Record<string, string>;
}
export interface DrainMessage {
  type: 'drain';
  seq: number;
  pod: string;
}
/** Graceful stop: stop accepting, finish in-flight up to `graceMs`, then close everything. */
export interface StopMessage {
  type: 'stop';
  seq: number;
  graceMs: number;
}

export type SnapshotMessage = HostsMessage | RevisionsMessage | ServicesMessage | StaticMessage;
export type MainToWorker = SnapshotMessage | DrainMessage | StopMessage;

// ---- worker → main ----

export interface AckMessage {
  type: 'ack';
  seq: number;
}
export interface PodStats {
  pod: string;
  /** Time-weighted average in-flight (incl. queued and activator-proxied) over the window. */
  averageConcurrency: number;
  /** Arrivals in the window (incl. proxied). */
  requestCount: number;
  /** The part of averageConcurrency that came through the activator (subtract it: the activator reports it). */
  proxiedConcurrency: number;
  proxiedRequestCount: number;
}
export interface ActivatorStats {
  averageConcurrency: number;
  requestCount: number;
}
export interface RevisionStats {
  /** `namespace/revision`. */
  key: string;
  pods: PodStats[];
  activator: ActivatorStats;
}
export interface StatsMessage {
  type: 'stats';
  /** Window end, ms since epoch. */
  time: number;
  /** Window length, ms (≈ 1000). */
  windowMs: number;
  /** Revisions that have endpoints or saw activator traffic in the window. */
  revisions: RevisionStats[];
}
export interface PokeMessage {
  type: 'poke';
  key: string;
}
export interface DrainedMessage {
  type: 'drained';
  pod: string;
}
/** Sent once the server listens (answers `startDataPlane().ready`). */
export interface ListeningMessage {
  type: 'listening';
  port: number;
  host: string;
}
/** A message was rejected (the previous snapshot stays in force). */
export interface RejectedMessage {
  type: 'rejected';
  seq: number;
  code: string;
  path: string;
  message: string;
}
export interface StoppedMessage {
  type: 'stopped';
  /** In-flight requests cut off when the grace period ended. */
  aborted: number;
}
/** The worker could not start (e.g. port in use). */
export interface FatalMessage {
  type: 'fatal';
  /** errno-style code of the cause (EADDRINUSE, EACCES, …). */
  code: string;
  message: string;
}

/** A bug caught on the request path (that request failed; the data plane goes on). For the log. */
export interface InternalErrorMessage {
  type: 'internal-error';
  message: string;
}

export type WorkerToMain =
  | InternalErrorMessage
  | AckMessage
  | StatsMessage
  | PokeMessage
  | DrainedMessage
  | ListeningMessage
  | RejectedMessage
  | StoppedMessage
  | FatalMessage;

// ---- validators ----

type Obj = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new DataPlaneProtocolError(path, message);
}
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) fail(path, 'must be an object');
  return v;
}
function str(v: unknown, path: string, allowEmpty = false): string {
  if (typeof v !== 'string') fail(path, 'must be a string');
  if (!allowEmpty && v.length === 0) fail(path, 'must not be empty');
  return v;
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be a boolean');
  return v;
}
function num(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'must be a finite number');
  if (v < min || v > max) fail(path, `must be between ${min} and ${max}, got ${v}`);
  return v;
}
function int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = num(v, path, min, max);
  if (!Number.isInteger(n)) fail(path, `must be an integer, got ${n}`);
  return n;
}
function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    fail(path, `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}
function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}
function key(path: string, k: string): string {
  return `${path}[${JSON.stringify(k)}]`;
}
function stringMap(v: unknown, path: string): Record<string, string> {
  const o = obj(v, path);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    if (!HEADER_NAME_RE.test(k)) fail(key(path, k), 'is not a valid HTTP header name');
    const s = str(val, key(path, k), true);
    if (/[\r\n\0]/.test(s)) fail(key(path, k), 'must not contain CR, LF or NUL');
    out[k] = s;
  }
  return out;
}

const HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HOST_RE = /^[a-z0-9*]([a-z0-9*\-.]*[a-z0-9*])?$/;
const NAMESPACED_KEY_RE = /^[a-z0-9]([a-z0-9\-.]*[a-z0-9])?\/[a-z0-9]([a-z0-9\-.]*[a-z0-9])?$/;

function splits(v: unknown, path: string, required: boolean): SplitTarget[] {
  const list = arr(v, path);
  const out: SplitTarget[] = [];
  let sum = 0;
  list.forEach((item, i) => {
    const p = `${path}[${i}]`;
    const o = obj(item, p);
    const s: SplitTarget = { revision: str(o.revision, `${p}.revision`), percent: num(o.percent, `${p}.percent`, 0, 100) };
    if (o.namespace !== undefined) s.namespace = str(o.namespace, `${p}.namespace`);
    if (o.headers !== undefined) s.headers = stringMap(o.headers, `${p}.headers`);
    sum += s.percent;
    out.push(s);
  });
  if (out.length > 0 && Math.abs(sum - 100) > 1e-9) fail(path, `percents must sum to 100, got ${sum}`);
  if (required && out.length === 0) fail(path, 'must have at least one split');
  return out;
}

function hostEntry(v: unknown, path: string): HostEntry {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, ['route', 'revision', 'service', 'static'] as const);
  const e: HostEntry = {
    kind,
    namespace: str(o.namespace, `${path}.namespace`, kind === 'static'),
    name: str(o.name, `${path}.name`, kind === 'static'),
    visibility: oneOf(o.visibility ?? 'ExternalIP', `${path}.visibility`, ['ExternalIP', 'ClusterLocal'] as const),
    splits: o.splits === undefined ? [] : splits(o.splits, `${path}.splits`, false),
    ingressKey: o.ingressKey === undefined ? '' : str(o.ingressKey, `${path}.ingressKey`, true),
  };
  if (o.rewriteHost !== undefined) e.rewriteHost = hostName(o.rewriteHost, `${path}.rewriteHost`);
  if (kind === 'route' && e.splits.length === 0 && e.rewriteHost === undefined) {
    fail(`${path}.splits`, 'a route host needs splits or rewriteHost');
  }
  if (o.tagHeaders !== undefined) {
    const th = obj(o.tagHeaders, `${path}.tagHeaders`);
    e.tagHeaders = {};
    for (const [tag, sp] of Object.entries(th)) e.tagHeaders[tag] = splits(sp, key(`${path}.tagHeaders`, tag), true);
  }
  if (o.appendHeaders !== undefined) e.appendHeaders = stringMap(o.appendHeaders, `${path}.appendHeaders`);
  if (o.tag !== undefined) e.tag = str(o.tag, `${path}.tag`);
  return e;
}

function hostName(v: unknown, path: string): string {
  const s = str(v, path);
  if (s !== s.toLowerCase() || !HOST_RE.test(s) || s.includes(':')) {
    fail(path, `must be a lower-case host name without port, got ${JSON.stringify(s)}`);
  }
  return s;
}

function endpoint(v: unknown, path: string): EndpointSpec {
  const o = obj(v, path);
  const e: EndpointSpec = {
    pod: str(o.pod, `${path}.pod`),
    port: int(o.port, `${path}.port`, 1, 65535),
    ready: bool(o.ready, `${path}.ready`),
  };
  if (o.address !== undefined) e.address = str(o.address, `${path}.address`);
  if (o.draining !== undefined) e.draining = bool(o.draining, `${path}.draining`);
  return e;
}

function revisionSpec(v: unknown, path: string): RevisionSpec {
  const o = obj(v, path);
  const r: RevisionSpec = {
    containerConcurrency: int(o.containerConcurrency, `${path}.containerConcurrency`, 0, 1000),
    timeoutSeconds: num(o.timeoutSeconds, `${path}.timeoutSeconds`, 0.001, 3600),
    protocol: oneOf(o.protocol ?? 'http1', `${path}.protocol`, ['http1', 'h2c'] as const),
    mode: oneOf(o.mode, `${path}.mode`, ['Serve', 'Proxy'] as const),
    targetBurstCapacity: num(o.targetBurstCapacity ?? 200, `${path}.targetBurstCapacity`, -1),
    endpoints: arr(o.endpoints, `${path}.endpoints`).map((e, i) => endpoint(e, `${path}.endpoints[${i}]`)),
  };
  if (o.responseStartTimeoutSeconds !== undefined) {
    r.responseStartTimeoutSeconds = num(o.responseStartTimeoutSeconds, `${path}.responseStartTimeoutSeconds`, 0.001, 3600);
  }
  if (o.idleTimeoutSeconds !== undefined) r.idleTimeoutSeconds = num(o.idleTimeoutSeconds, `${path}.idleTimeoutSeconds`, 0, 3600);
  const pods = new Set<string>();
  r.endpoints.forEach((e, i) => {
    if (pods.has(e.pod)) fail(`${path}.endpoints[${i}].pod`, `duplicate pod "${e.pod}"`);
    pods.add(e.pod);
  });
  return r;
}

function serviceEndpoint(v: unknown, path: string): ServiceEndpoint {
  const o = obj(v, path);
  const e: ServiceEndpoint = { pod: str(o.pod, `${path}.pod`), port: int(o.port, `${path}.port`, 1, 65535) };
  if (o.address !== undefined) e.address = str(o.address, `${path}.address`);
  return e;
}

function baseUrl(v: unknown, path: string): string {
  const s = str(v, path);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    fail(path, `must be an absolute http:// URL, got ${JSON.stringify(s)}`);
  }
  if (u.protocol !== 'http:') fail(path, `only http:// base URLs are supported, got ${JSON.stringify(s)}`);
  if (u.search || u.hash) fail(path, 'must not have a query or fragment');
  return s;
}

function namespacedKey(k: string, path: string): void {
  if (!NAMESPACED_KEY_RE.test(k)) fail(key(path, k), 'key must be "namespace/name"');
}

function delta(o: Obj): { partial?: boolean; removed?: string[] } {
  if (o.partial === undefined || o.partial === false) {
    if (o.removed !== undefined) fail('removed', 'only allowed with partial: true');
    return {};
  }
  bool(o.partial, 'partial');
  const removed = arr(o.removed ?? [], 'removed').map((k, i) => str(k, `removed[${i}]`));
  return { partial: true, removed };
}

/**
 * Validates a main → worker message and returns it typed (defaults filled in).
 * Throws DataPlaneProtocolError naming the field at fault.
 */
export function validateMainToWorker(msg: unknown): MainToWorker {
  const o = obj(msg, 'message');
  const type = oneOf(o.type, 'type', ['hosts', 'revisions', 'services', 'static', 'drain', 'stop'] as const);
  const seq = int(o.seq, 'seq', 0);
  switch (type) {
    case 'hosts': {
      const h = obj(o.hosts, 'hosts');
      const hosts: Record<string, HostEntry> = {};
      for (const [k, v] of Object.entries(h)) {
        hostName(k, key('hosts', k) + ' (key)');
        hosts[k] = hostEntry(v, key('hosts', k));
      }
      return { type, seq, hosts, ...delta(o) };
    }
    case 'revisions': {
      const r = obj(o.revisions, 'revisions');
      const revisions: Record<string, RevisionSpec> = {};
      for (const [k, v] of Object.entries(r)) {
        namespacedKey(k, 'revisions');
        revisions[k] = revisionSpec(v, key('revisions', k));
      }
      return { type, seq, revisions, ...delta(o) };
    }
    case 'services': {
      const s = obj(o.services, 'services');
      const services: Record<string, ServiceEndpoint[]> = {};
      for (const [k, v] of Object.entries(s)) {
        namespacedKey(k, 'services');
        services[k] = arr(v, key('services', k)).map((e, i) => serviceEndpoint(e, `${key('services', k)}[${i}]`));
      }
      return { type, seq, services, ...delta(o) };
    }
    case 'static': {
      const b = obj(o.backends, 'backends');
      const backends: Record<string, string> = {};
      for (const [k, v] of Object.entries(b)) {
        hostName(k, key('backends', k) + ' (key)');
        backends[k] = baseUrl(v, key('backends', k));
      }
      return { type, seq, backends };
    }
    case 'drain':
      return { type, seq, pod: str(o.pod, 'pod') };
    case 'stop':
      return { type, seq, graceMs: num(o.graceMs ?? 30_000, 'graceMs', 0) };
  }
}

const WORKER_TYPES = ['ack', 'stats', 'poke', 'drained', 'listening', 'rejected', 'stopped', 'fatal', 'internal-error'] as const;

/** Validates a worker → main message (cheap structural check; the worker is trusted code). */
export function validateWorkerToMain(msg: unknown): WorkerToMain {
  const o = obj(msg, 'message');
  const type = oneOf(o.type, 'type', WORKER_TYPES);
  switch (type) {
    case 'ack':
      int(o.seq, 'seq', 0);
      break;
    case 'stats':
      num(o.time, 'time', 0);
      num(o.windowMs, 'windowMs', 0);
      arr(o.revisions, 'revisions').forEach((r, i) => {
        const ro = obj(r, `revisions[${i}]`);
        str(ro.key, `revisions[${i}].key`);
        arr(ro.pods, `revisions[${i}].pods`);
        obj(ro.activator, `revisions[${i}].activator`);
      });
      break;
    case 'poke':
      str(o.key, 'key');
      break;
    case 'drained':
      str(o.pod, 'pod');
      break;
    case 'listening':
      int(o.port, 'port', 0, 65535);
      break;
    case 'rejected':
      int(o.seq, 'seq', 0);
      str(o.message, 'message');
      break;
    case 'stopped':
      int(o.aborted, 'aborted', 0);
      break;
    case 'fatal':
    case 'internal-error':
      str(o.message, 'message');
      break;
  }
  return o as unknown as WorkerToMain;
}

/** The Knative cluster-local host forms of `{name}.{namespace}`: `n.ns`, `n.ns.svc`, `n.ns.svc.{clusterDomain}`. */
export function clusterLocalHostnames(name: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.${clusterDomain}`];
}
