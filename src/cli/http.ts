// The CLI's client for the Skiff (Kubernetes-style) REST API over node:http
// with a keep-alive Agent: discovery (fetched once per process), CRUD,
// server-side Table requests, watch streams (JSON lines) and pod logs.
// Failures become CliErrors: a `Status` body becomes a ServerError printed in
// kubectl's words; a refused connection becomes "cannot reach the Skiff API".
// node:http rather than undici: loading undici took ~80 ms of every CLI run,
// while node:http is part of the runtime snapshot (a few ms); a CLI makes a
// handful of requests, so undici's throughput buys nothing here.
import { Agent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import type { Readable } from 'node:stream';
import type { KObject } from '../api/meta.js';
import { Discovery, resourcePath, type ApiResource, type ApiResourceList } from './discovery.js';
import { ServerError, UnreachableError } from './errors.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export type PatchKind = 'merge' | 'json' | 'strategic';
const PATCH_CONTENT_TYPES: Record<PatchKind, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** A connect slower than this fails (with CONNECT_TIMEOUT_CODE) instead of hanging. */
const CONNECT_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_CODE = 'ETIMEDOUT';
/** Non-streaming requests give up when the connection stays quiet this long. */
const IDLE_TIMEOUT_MS = 60_000;

const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'EPIPE',
]);

const HTTP_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A Kubernetes `Status` (or any error body) → ServerError. */
export function errorFromResponse(status: number, body: unknown, text: string): ServerError {
  const s = body as { kind?: string; reason?: string; message?: string; details?: ServerError['details'] } | undefined;
  if (s && typeof s === 'object' && s.kind === 'Status') {
    return new ServerError(status, s.reason ?? HTTP_REASONS[status] ?? '', s.message ?? `the server responded with status ${status}`, s.details ?? {});
  }
  const reason = HTTP_REASONS[status] ?? '';
  const message =
    status === 404 ? 'the server could not find the requested resource' : text.trim().split('\n')[0] || `the server responded with status ${status}`;
  return new ServerError(status, reason, message);
}

export interface Query {
  [key: string]: string | number | boolean | undefined;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  previous?: boolean;
  signal?: AbortSignal;
}

interface RawResponse {
  status: number;
  text: string;
  json: unknown;
}

/** What send() answers: the status and the (unread) body stream. */
interface SentResponse {
  statusCode: number;
  body: IncomingMessage;
}

async function readText(body: Readable): Promise<string> {
  body.setEncoding('utf8');
  let text = '';
  for await (const chunk of body) text += chunk as string;
  return text;
}

export class KubeClient {
  private readonly origin: URL;
  private readonly prefix: string;
  private discoveryPromise?: Promise<Discovery>;
  private transportPromise?: Promise<{ request: typeof httpRequest; agent: Agent }>;

  constructor(readonly baseUrl: string) {
    const u = new URL(baseUrl);
    this.origin = u;
    this.prefix = u.pathname.replace(/\/+$/, '');
  }

  private url(path: string, query?: Query): string {
    let p = this.prefix + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
      const s = qs.toString();
      if (s) p += `?${s}`;
    }
    return p;
  }

  private unreachable(e: unknown): never {
    const code = (e as { code?: string })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
    if (code && CONNECT_ERROR_CODES.has(code)) throw new UnreachableError(this.baseUrl, undefined, { cause: e });
    throw e;
  }

  /** The request function and keep-alive agent; node:https only for an https API (loading TLS costs start-up time). */
  private transport(): Promise<{ request: typeof httpRequest; agent: Agent }> {
    this.transportPromise ??=
      this.origin.protocol === 'https:'
        ? import('node:https').then((https) => ({ request: https.request as unknown as typeof httpRequest, agent: new https.Agent({ keepAlive: true, maxSockets: 8 }) }))
        : Promise.resolve({ request: httpRequest, agent: new Agent({ keepAlive: true, maxSockets: 8 }) });
    return this.transportPromise;
  }

  private async send(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; contentType?: string; accept?: string; signal?: AbortSignal; stream?: boolean } = {},
  ): Promise<SentResponse> {
    const headers: OutgoingHttpHeaders = { accept: opts.accept ?? 'application/json', 'user-agent': 'skiff-cli' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const { request, agent } = await this.transport();
    const reqOpts: RequestOptions = {
      protocol: this.origin.protocol,
      hostname: this.origin.hostname.replace(/^\[|\]$/g, ''),
      port: this.origin.port || undefined,
      method,
      path: this.url(path, opts.query),
      headers,
      agent,
      signal: opts.signal,
    };
    try {
      return await new Promise<SentResponse>((resolve, reject) => {
        const req = request(reqOpts, (res) => resolve({ statusCode: res.statusCode ?? 0, body: res }));
        req.on('error', reject);
        req.on('socket', (socket) => {
          if (!socket.connecting) return;
          const timer = setTimeout(() => req.destroy(Object.assign(new Error(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`), { code: CONNECT_TIMEOUT_CODE })), CONNECT_TIMEOUT_MS);
          timer.unref();
          socket.once('connect', () => clearTimeout(timer));
          socket.once('close', () => clearTimeout(timer));
        });
        // Watches and followed logs may stay quiet for a long time.
        if (!opts.stream) req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no answer within ${IDLE_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
        req.end(body);
      });
    } catch (e) {
      return this.unreachable(e);
    }
  }

  /** One request with a JSON answer; non-2xx becomes a ServerError. */
  async request(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; contentType?: string; accept?: string } = {},
  ): Promise<RawResponse> {
    const res = await this.send(method, path, opts);
    let text: string;
    try {
      text = await readText(res.body);
    } catch (e) {
      return this.unreachable(e);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.statusCode >= 400) throw errorFromResponse(res.statusCode, json, text);
    return { status: res.statusCode, text, json };
  }

  /** Resource types the server serves; fetched once per process. */
  discovery(): Promise<Discovery> {
    this.discoveryPromise ??= this.fetchDiscovery();
    return this.discoveryPromise;
  }

  private async fetchDiscovery(): Promise<Discovery> {
    const [core, groups] = await Promise.all([this.request('GET', '/api'), this.request('GET', '/apis')]);
    const gvs: string[] = [];
    for (const v of (core.json as { versions?: string[] })?.versions ?? []) gvs.push(v);
    const preferred = new Map<string, string>();
    for (const g of (groups.json as { groups?: Array<{ name: string; versions?: Array<{ groupVersion: string; version: string }>; preferredVersion?: { version: string } }> })
      ?.groups ?? []) {
      if (g.preferredVersion?.version) preferred.set(g.name, g.preferredVersion.version);
      else if (g.versions?.[0]) preferred.set(g.name, g.versions[0].version);
      for (const v of g.versions ?? []) gvs.push(v.groupVersion);
    }
    const lists = await Promise.all(
      gvs.map(async (gv) => {
        const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
        const res = await this.request('GET', path);
        const list = res.json as ApiResourceList;
        return { groupVersion: list?.groupVersion ?? gv, resources: list?.resources ?? [] };
      }),
    );
    return new Discovery(lists, preferred);
  }

  path(r: ApiResource, namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(r, namespace, name, subresource);
  }

  async version(): Promise<Record<string, unknown>> {
    return (await this.request('GET', '/version')).json as Record<string, unknown>;
  }

  async get(r: ApiResource, namespace: string | undefined, name: string): Promise<KObject> {
    return (await this.request('GET', this.path(r, namespace, name))).json as KObject;
  }

  /** GET that answers undefined on 404 instead of throwing. */
  async tryGet(r: ApiResource, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    try {
      return await this.get(r, namespace, name);
    } catch (e) {
      if (e instanceof ServerError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** `namespace` undefined = all namespaces. */
  async list(r: ApiResource, namespace: string | undefined, q: ListQuery = {}): Promise<{ items: KObject[]; metadata?: { resourceVersion?: string } }> {
    const res = await this.request('GET', this.path(r, namespace), { query: { ...q } });
    const body = res.json as { items?: KObject[]; metadata?: { resourceVersion?: string } };
    return { items: body?.items ?? [], metadata: body?.metadata };
  }

  /** Server-side Table (kubectl's `get` columns); a server without Table support answers a plain object or list. */
  async table(r: ApiResource, namespace: string | undefined, name?: string, q: ListQuery = {}): Promise<unknown> {
    // includeObject=Metadata: each row carries the object's metadata (namespace for -A, labels for --show-labels).
    const res = await this.request('GET', this.path(r, namespace, name), { query: { ...q, includeObject: 'Metadata' }, accept: TABLE_ACCEPT });
    return res.json;
  }

  async create(r: ApiResource, namespace: string | undefined, obj: KObject): Promise<KObject> {
    return (await this.request('POST', this.path(r, namespace), { body: obj })).json as KObject;
  }

  async replace(r: ApiResource, namespace: string | undefined, obj: KObject): Promise<KObject> {
    return (await this.request('PUT', this.path(r, namespace, obj.metadata.name), { body: obj })).json as KObject;
  }

  async patch(r: ApiResource, namespace: string | undefined, name: string, patch: unknown, kind: PatchKind = 'merge', subresource?: string): Promise<KObject> {
    return (await this.request('PATCH', this.path(r, namespace, name, subresource), { body: patch, contentType: PATCH_CONTENT_TYPES[kind] })).json as KObject;
  }

  /** Answers the object (still terminating, e.g. finalizers pending) or a Status when it is gone. */
  async delete(r: ApiResource, namespace: string | undefined, name: string, opts: { propagationPolicy?: string } = {}): Promise<KObject> {
    const body = opts.propagationPolicy ? { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: opts.propagationPolicy } : undefined;
    return (await this.request('DELETE', this.path(r, namespace, name), { body })).json as KObject;
  }

  /**
   * Watch a collection (`?watch=1`, JSON lines) until the stream ends or
   * `signal` aborts. `accept` lets callers ask for Table rows.
   */
  async watch(
    r: ApiResource,
    namespace: string | undefined,
    q: ListQuery & { resourceVersion?: string; accept?: string },
    onEvent: (ev: WatchEvent) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const { accept, ...query } = q;
    const res = await this.send('GET', this.path(r, namespace), { query: { ...query, watch: 1, allowWatchBookmarks: undefined }, accept, signal, stream: true });
    if (res.statusCode >= 400) {
      const text = await readText(res.body);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      throw errorFromResponse(res.statusCode, json, text);
    }
    let buf = '';
    // setEncoding: a multi-byte character split across chunks stays whole.
    res.body.setEncoding('utf8');
    try {
      for await (const chunk of res.body) {
        buf += chunk as string;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const ev = JSON.parse(line) as WatchEvent;
          if (ev.type === 'ERROR') {
            const st = ev.object as unknown as { code?: number };
            throw errorFromResponse(st?.code ?? 500, ev.object, '');
          }
          await onEvent(ev);
        }
      }
    } catch (e) {
      if (signal?.aborted) return;
      if (e instanceof ServerError) throw e;
      return this.unreachable(e);
    }
  }

  /** Pod logs as a byte stream (`-f` keeps it open). */
  async logs(namespace: string, pod: string, opts: LogOptions = {}): Promise<Readable> {
    const query: Query = {
      container: opts.container,
      follow: opts.follow ? 'true' : undefined,
      tailLines: opts.tailLines,
      previous: opts.previous ? 'true' : undefined,
    };
    const res = await this.send('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`, {
      query,
      accept: '*/*',
      signal: opts.signal,
      stream: true,
    });
    if (res.statusCode >= 400) {
      const text = await readText(res.body);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      throw errorFromResponse(res.statusCode, json, text);
    }
    return res.body;
  }

  /** Drop connections (a CLI run is over; never wait on an open watch or log stream). */
  async close(): Promise<void> {
    if (this.transportPromise) (await this.transportPromise).agent.destroy();
  }
}
