// The Kubernetes-style REST API over HTTP, so that stock kubectl (and kn,
// curl, client libraries) work against Skiff unchanged: discovery, CRUD on
// every registered kind (namespaced and cluster-scoped URL forms), patches,
// deletes with propagation, the status/scale/log subresources, watch streams,
// server-side Table output, OpenAPI, health and version endpoints. Object
// semantics (admission, concurrency, finalizers, ...) live in ObjectService;
// this module is only the wire protocol.
//
// Hand-written on node:http, no web framework: Kubernetes' REST conventions
// are specific (a URL grammar where the namespace segment is optional and
// `namespaces/<x>` is both a resource and a scope, negotiation on Accept
// *parameters* such as `as=Table;g=meta.k8s.io`, watch streams, Status
// bodies for every error, patch flavours chosen by Content-Type), and routes
// are derived from the ResourceRegistry on each request so kinds registered
// later appear without a restart. A router library would add little and hide
// the parts kubectl is sensitive to.
import http from 'node:http';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { stringify as toYaml } from 'yaml';
import { ApiError, badRequest, isApiError } from '../api/errors.js';
import { parseFieldSelector, parseSelector } from '../api/labels.js';
import type { KObject } from '../api/meta.js';
import { apiVersionOf, grOf, type ResourceType } from '../api/registry.js';
import { KUBE_COMPAT } from '../api/version.js';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  servesVersion,
  verbsOf,
} from './discovery.js';
import {
  acceptsJson,
  chooseObjectFormat,
  decodeObjectBody,
  decodePatchBody,
  parseAccept,
  wantsAggregatedDiscovery,
  type MediaRange,
  type ObjectFormat,
} from './negotiation.js';
import type { ObjectService } from './object-service.js';
import { minimalOpenApiV2Protobuf, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT, OpenApiBuilder, type SchemaSource } from './openapi.js';
import { makeTable, partialObjectMetadata, type IncludeObject } from './table.js';
import { isPlainObject } from '../api/json.js';

export interface PodLogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  previous?: boolean;
  sinceSeconds?: number;
  timestamps?: boolean;
}

/** Where pod logs come from (the process runtime implements it). */
export interface PodLogSource {
  /**
   * Write the container's log to `out`; with `follow`, keep writing until
   * `signal` aborts. Throws ApiError (404 unknown container, 400 not started).
   */
  read(namespace: string, pod: string, opts: PodLogOptions, out: NodeJS.WritableStream, signal: AbortSignal): Promise<void>;
}

export interface ApiServerDeps {
  svc: ObjectService;
  logs?: PodLogSource;
  /** ms since epoch; used for Table cells (ages). */
  clock?: () => number;
  /** Full OpenAPI schemas for kinds that have them (e.g. Knative types). */
  schemas?: SchemaSource;
  /** A watch without timeoutSeconds ends after this long (default 1800 s; clients re-watch). */
  maxWatchSeconds?: number;
  /** BOOKMARK interval for watches that allow them (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Request body limit (default 3 MiB, Kubernetes' limit). */
  maxBodyBytes?: number;
  /**
   * Diagnostics served as JSON at `/debug/skiff/<name>` (GET reads; DELETE
   * answers the current reading and then resets the counters). Not part of the
   * Kubernetes API: for tests, benchmarks and people reading a running Skiff.
   */
  debug?: Record<string, DebugSource>;
}

/** One diagnostics endpoint (see ApiServerDeps.debug). */
export interface DebugSource {
  read(): unknown;
  reset?(): void;
}

export interface ApiServer {
  server: http.Server;
  /** Listen; resolves to the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stop accepting, end watches and close every connection. */
  close(): Promise<void>;
  /** Open watch streams (for tests and metrics). */
  activeWatches(): number;
}

const MAX_BODY = 3 * 1024 * 1024;
/** A watcher this far behind is cut off (kube-apiserver drops slow watchers too). */
const MAX_WATCH_BACKLOG = 8 * 1024 * 1024;
const SUBRESOURCES = new Set(['status', 'scale', 'log']);

const notFoundPath = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');
const methodNotAllowed = (method: string) => new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
const notAcceptable = () => new ApiError(406, 'NotAcceptable', 'the server was unable to respond with a content type that the client supports');

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  query: URLSearchParams;
  accept: MediaRange[];
  warnings: string[];
  pretty: boolean;
}

interface ResourceRoute {
  t: ResourceType;
  gr: string;
  version: string;
  namespace?: string;
  name?: string;
  sub?: string;
  legacyWatch: boolean;
}


export function createApiServer(deps: ApiServerDeps): ApiServer {
  const { svc } = deps;
  const reg = svc.registry;
  const now = deps.clock ?? Date.now;
  const maxBody = deps.maxBodyBytes ?? MAX_BODY;
  const openapi = new OpenApiBuilder(reg, deps.schemas);
  const watches = new Set<() => void>();
  const sockets = new Set<Socket>();

  // ------------------------------------------------------------ responses

  function writeBody(ctx: Ctx, code: number, text: string, contentType: string, extra?: Record<string, string>): void {
    const { res } = ctx;
    if (res.headersSent || res.destroyed) return;
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...extra };
    if (ctx.warnings.length) headers.Warning = ctx.warnings.map(warningHeader);
    res.writeHead(code, headers);
    res.end(text);
  }

  function writeJson(ctx: Ctx, code: number, body: unknown, contentType = 'application/json', extra?: Record<string, string>): void {
    writeBody(ctx, code, ctx.pretty ? JSON.stringify(body, null, 2) + '\n' : JSON.stringify(body), contentType, extra);
  }

  function writeError(ctx: Ctx, e: unknown): void {
    let err: ApiError;
    if (isApiError(e)) err = e;
    else err = new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
    // 413 and friends: the rest of the body was not read, so this connection cannot be reused.
    const extra = err.status === 413 ? { Connection: 'close' } : undefined;
    writeJson(ctx, err.status, err.toStatus(), 'application/json', extra);
  }

  function includeObjectOf(ctx: Ctx): IncludeObject {
    const v = ctx.query.get('includeObject');
    if (v === null || v === '') return 'Metadata';
    if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
    throw badRequest(`invalid includeObject "${v}": must be one of None, Metadata, Object`);
  }

  /** Write one object (or a Table/PartialObjectMetadata of it) as the client asked. */
  function writeObject(ctx: Ctx, code: number, r: ResourceRoute, obj: KObject, allowTransform: boolean): void {
    const fmt = chooseObjectFormat(ctx.accept, allowTransform);
    if (!fmt) throw notAcceptable();
    const present = (o: KObject) => svc.present(r.t, o, r.version);
    switch (fmt.kind) {
      case 'table':
        return writeJson(
          ctx,
          code,
          makeTable(r.t, [obj], { now: now(), includeObject: includeObjectOf(ctx), tableVersion: fmt.version, resourceVersion: obj.metadata.resourceVersion, present }),
          `application/json;as=Table;v=${fmt.version};g=meta.k8s.io`,
        );
      case 'partial':
        return writeJson(ctx, code, partialObjectMetadata(obj, fmt.version), `application/json;as=PartialObjectMetadata;v=${fmt.version};g=meta.k8s.io`);
      case 'yaml':
        return writeBody(ctx, code, toYaml(present(obj)), 'application/yaml');
      case 'json':
        return writeJson(ctx, code, present(obj));
    }
  }

  /** Non-resource documents (discovery, version, root): JSON, or YAML when that is what was asked for. */
  function writeDoc(ctx: Ctx, body: unknown): void {
    const fmt = chooseObjectFormat(ctx.accept, false);
    if (!fmt) throw notAcceptable();
    if (fmt.kind === 'yaml') return writeBody(ctx, 200, toYaml(body), 'application/yaml');
    writeJson(ctx, 200, body);
  }

  // ------------------------------------------------------------ request bodies

  function readBody(ctx: Ctx): Promise<Buffer> {
    const { req } = ctx;
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBody) {
      req.resume(); // let Node discard it; the connection closes after the 413
      return Promise.reject(tooLarge());
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      req.on('data', (c: Buffer) => {
        if (failed) return;
        size += c.length;
        if (size > maxBody) {
          failed = true;
          reject(tooLarge());
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      });
      req.on('error', (e) => {
        if (!failed) reject(badRequest(`error reading the request body: ${e.message}`));
        failed = true;
      });
    });
  }

  const tooLarge = () => new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than the limit of ${maxBody} bytes`);

  async function readObject(ctx: Ctx): Promise<KObject> {
    const body = decodeObjectBody(await readBody(ctx), ctx.req.headers['content-type']);
    if (!isPlainObject(body)) throw badRequest(`the request body must be a JSON or YAML object, not ${Array.isArray(body) ? 'an array' : typeof body}`);
    if (body.metadata !== undefined && !isPlainObject(body.metadata)) throw badRequest('metadata must be an object');
    return body as KObject;
  }

  // ------------------------------------------------------------ query parameters

  function boolParam(ctx: Ctx, name: string): boolean | undefined {
    const v = ctx.query.get(name);
    if (v === null) return undefined;
    if (v === 'true' || v === '1' || v === '') return true;
    if (v === 'false' || v === '0') return false;
    throw badRequest(`invalid value for query parameter ${name}: "${v}" (expected true or false)`);
  }

  function intParam(ctx: Ctx, name: string, min: number): number | undefined {
    const v = ctx.query.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d{1,15}$/.test(v) || Number(v) < min) throw badRequest(`invalid value for query parameter ${name}: "${v}" (expected an integer >= ${min})`);
    return Number(v);
  }

  function dryRunOf(ctx: Ctx, fromBody?: unknown): boolean {
    const vals = [...ctx.query.getAll('dryRun'), ...(Array.isArray(fromBody) ? fromBody : [])];
    for (const v of vals) if (v !== 'All') throw badRequest(`invalid dryRun value "${v}": supported values: "All"`);
    return vals.length > 0;
  }

  type FieldValidation = 'Ignore' | 'Warn' | 'Strict';
  function fieldValidationOf(ctx: Ctx): FieldValidation {
    const v = ctx.query.get('fieldValidation');
    if (v === null || v === '') return 'Warn';
    if (v === 'Ignore' || v === 'Warn' || v === 'Strict') return v;
    throw badRequest(`invalid fieldValidation "${v}": must be one of Ignore, Warn, Strict`);
  }

  /** Unknown fields: 400 under Strict, `Warning` headers under Warn (the default). */
  function checkFields(ctx: Ctx, r: ResourceRoute, body: unknown, mode: FieldValidation): void {
    if (mode === 'Ignore') return;
    const unknown = openapi.unknownFields(r.t, r.version, body);
    if (!unknown.length) return;
    const msgs = unknown.map((u) => `unknown field "${u}"`);
    if (mode === 'Strict') throw badRequest(`strict decoding error: ${msgs.join(', ')}`);
    ctx.warnings.push(...msgs);
  }

  // ------------------------------------------------------------ routing

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const ctx: Ctx = { req, res, method: req.method ?? 'GET', query: EMPTY_QUERY, accept: [], warnings: [], pretty: false };
    try {
      let url = req.url ?? '/';
      if (!url.startsWith('/')) {
        // absolute-form request target (proxies); anything else is not HTTP we serve
        if (!/^https?:\/\//i.test(url)) throw badRequest(`invalid request target "${url.slice(0, 100)}"`);
        const u = new URL(url);
        url = u.pathname + u.search;
      }
      const qi = url.indexOf('?');
      const pathname = qi < 0 ? url : url.slice(0, qi);
      if (qi >= 0) ctx.query = new URLSearchParams(url.slice(qi + 1));
      ctx.pretty = ctx.query.get('pretty') === 'true';
      ctx.accept = parseAccept(req.headers.accept);
      const segs = pathname.split('/');
      segs.shift();
      if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
      for (let i = 0; i < segs.length; i++) {
        try {
          segs[i] = decodeURIComponent(segs[i]);
        } catch {
          throw badRequest(`malformed percent-encoding in the request path segment "${segs[i].slice(0, 100)}"`);
        }
      }
      await route(ctx, segs);
    } catch (e) {
      try {
        if (!res.headersSent) writeError(ctx, e);
        else res.destroy();
      } catch {
        res.destroy(); // never let a failing error response escape as an unhandled rejection
      }
    }
  }

  async function route(ctx: Ctx, segs: string[]): Promise<void> {
    const head = segs[0];
    if (segs.length === 1 && head === '') return getOnly(ctx, () => writeDoc(ctx, { paths: rootPaths() }));
    switch (head) {
      case 'healthz':
      case 'readyz':
      case 'livez':
        return getOnly(ctx, () => writeBody(ctx, 200, 'ok', 'text/plain; charset=utf-8'));
      case 'version':
        if (segs.length !== 1) throw notFoundPath();
        return getOnly(ctx, () => writeDoc(ctx, versionInfo()));
      case 'openapi':
        return getOnly(ctx, () => serveOpenApi(ctx, segs));
      case 'debug':
        return serveDebug(ctx, segs);
      case 'api':
        if (segs.length === 1)
          return getOnly(ctx, () => {
            const agg = wantsAggregatedDiscovery(ctx.accept);
            if (agg) return writeJson(ctx, 200, aggregatedDiscovery(reg, 'core', agg), aggregatedContentType(agg));
            writeDoc(ctx, apiVersions(reg, ctx.req.headers.host ?? 'localhost'));
          });
        if (segs.length === 2)
          return getOnly(ctx, () => {
            const list = apiResourceList(reg, '', segs[1]);
            if (!list) throw notFoundPath();
            writeDoc(ctx, list);
          });
        return resource(ctx, '', segs[1], segs.slice(2));
      case 'apis':
        if (segs.length === 1)
          return getOnly(ctx, () => {
            const agg = wantsAggregatedDiscovery(ctx.accept);
            if (agg) return writeJson(ctx, 200, aggregatedDiscovery(reg, 'groups', agg), aggregatedContentType(agg));
            writeDoc(ctx, apiGroupList(reg));
          });
        if (segs.length === 2)
          return getOnly(ctx, () => {
            const g = apiGroupDoc(reg, segs[1]);
            if (!g) throw notFoundPath();
            writeDoc(ctx, g);
          });
        if (segs.length === 3)
          return getOnly(ctx, () => {
            const list = segs[1] ? apiResourceList(reg, segs[1], segs[2]) : undefined;
            if (!list) throw notFoundPath();
            writeDoc(ctx, list);
          });
        if (!segs[1]) throw notFoundPath();
        return resource(ctx, segs[1], segs[2], segs.slice(3));
      default:
        throw notFoundPath();
    }
  }

  function getOnly(ctx: Ctx, fn: () => void): void {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed(ctx.method);
    fn();
  }

  function rootPaths(): string[] {
    const out = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/readyz', '/version'];
    for (const g of reg.groups()) if (g) for (const v of reg.groupVersions(g)) out.push(`/apis/${g}`, `/apis/${g}/${v}`);
    return [...new Set(out)].sort();
  }

  function versionInfo(): Record<string, string> {
    return {
      major: KUBE_COMPAT.major,
      minor: KUBE_COMPAT.minor,
      gitVersion: KUBE_COMPAT.gitVersion,
      gitCommit: '',
      gitTreeState: 'clean',
      buildDate: '1970-01-01T00:00:00Z',
      goVersion: `node${process.versions.node}`,
      compiler: 'skiff',
      platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
    };
  }

  function serveDebug(ctx: Ctx, segs: string[]): void {
    const src = segs.length === 3 && segs[1] === 'skiff' && deps.debug && Object.hasOwn(deps.debug, segs[2]) ? deps.debug[segs[2]] : undefined;
    if (!src) throw notFoundPath();
    if (ctx.method === 'DELETE' && src.reset) {
      const reading = src.read();
      src.reset();
      return writeJson(ctx, 200, reading);
    }
    return getOnly(ctx, () => writeJson(ctx, 200, src.read()));
  }

  function serveOpenApi(ctx: Ctx, segs: string[]): void {
    if (segs[1] === 'v2' && segs.length === 2) {
      for (const r of ctx.accept) {
        if (OPENAPI_V2_PROTOBUF_ACCEPT.includes(r.type)) {
          // kubectl: see openapi.ts for why a minimal document is the right answer.
          const pb = minimalOpenApiV2Protobuf();
          ctx.res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': pb.length });
          ctx.res.end(pb);
          return;
        }
        if (r.params.as === undefined && (r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*'))
          return writeJson(ctx, 200, openapi.v2Doc());
      }
      throw notAcceptable();
    }
    if (segs[1] === 'v3') {
      if (!acceptsJson(ctx.accept)) throw notAcceptable();
      if (segs.length === 2) return writeJson(ctx, 200, openapi.v3Root(), 'application/json', { 'Cache-Control': 'no-cache, private' });
      let group: string | undefined;
      let version: string | undefined;
      if (segs[2] === 'api' && segs.length === 4) [group, version] = ['', segs[3]];
      else if (segs[2] === 'apis' && segs.length === 5) [group, version] = [segs[3], segs[4]];
      const d = group !== undefined && version ? openapi.v3Doc(group, version) : undefined;
      if (!d) throw notFoundPath();
      return writeJson(ctx, 200, d.doc, 'application/json', { ETag: `"${d.hash}"`, 'Cache-Control': 'no-cache, private' });
    }
    throw notFoundPath();
  }

  /** Parse `[watch/][namespaces/<ns>/]<plural>[/<name>[/<sub>]]` below a group/version. */
  function parseResourcePath(group: string, version: string, rest: string[]): ResourceRoute {
    let legacyWatch = false;
    if (rest[0] === 'watch') {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    let sub: string | undefined;
    const nsScoped = rest[0] === 'namespaces' && rest.length >= 3 && reg.byGroupPlural(group, rest[2])?.namespaced === true;
    if (nsScoped) {
      if (rest.length > 5) throw notFoundPath();
      [, namespace, plural, name, sub] = rest;
    } else {
      if (rest.length === 0 || rest.length > 3) throw notFoundPath();
      [plural, name, sub] = rest;
    }
    const t = reg.byGroupPlural(group, plural);
    if (!t || !servesVersion(t, version)) throw notFoundPath();
    if (namespace !== undefined && !t.namespaced) throw notFoundPath();
    // A namespaced object is only addressable inside its namespace.
    if (t.namespaced && name !== undefined && namespace === undefined) throw notFoundPath();
    if (namespace === '' || name === '') throw notFoundPath();
    if (sub !== undefined && (legacyWatch || !SUBRESOURCES.has(sub))) throw notFoundPath();
    return { t, gr: grOf(t), version, namespace, name, sub, legacyWatch };
  }

  function requireVerb(r: ResourceRoute, verb: string): void {
    if (!verbsOf(r.t).includes(verb)) throw methodNotAllowed(`${verb} is not supported on ${r.t.plural}`);
  }

  async function resource(ctx: Ctx, group: string, version: string, rest: string[]): Promise<void> {
    if (!version) throw notFoundPath();
    const r = parseResourcePath(group, version, rest);
    const m = ctx.method;
    if (r.legacyWatch) {
      if (m !== 'GET') throw methodNotAllowed(m);
      requireVerb(r, 'watch');
      return watch(ctx, r);
    }
    if (r.sub) return subresource(ctx, r);
    if (r.name === undefined) {
      switch (m) {
        case 'GET':
          if (boolParam(ctx, 'watch')) {
            requireVerb(r, 'watch');
            return watch(ctx, r);
          }
          requireVerb(r, 'list');
          return list(ctx, r);
        case 'POST':
          if (r.t.namespaced && r.namespace === undefined) throw methodNotAllowed(`POST to all namespaces of ${r.t.plural}; use /namespaces/<namespace>/${r.t.plural}`);
          requireVerb(r, 'create');
          return create(ctx, r);
        case 'DELETE':
          if (r.t.namespaced && r.namespace === undefined) throw methodNotAllowed(`DELETE of ${r.t.plural} in all namespaces`);
          requireVerb(r, 'deletecollection');
          return deleteCollection(ctx, r);
        default:
          throw methodNotAllowed(m);
      }
    }
    switch (m) {
      case 'GET':
        if (boolParam(ctx, 'watch')) {
          requireVerb(r, 'watch');
          return watch(ctx, r);
        }
        requireVerb(r, 'get');
        return writeObject(ctx, 200, r, svc.get(r.gr, r.namespace ?? '', r.name), true);
      case 'PUT':
        requireVerb(r, 'update');
        return update(ctx, r);
      case 'PATCH':
        requireVerb(r, 'patch');
        return patch(ctx, r);
      case 'DELETE':
        requireVerb(r, 'delete');
        return remove(ctx, r);
      default:
        throw methodNotAllowed(m);
    }
  }

  // ------------------------------------------------------------ verbs

  function list(ctx: Ctx, r: ResourceRoute): void {
    const fmt = chooseObjectFormat(ctx.accept, true);
    if (!fmt) throw notAcceptable();
    intParam(ctx, 'limit', 0); // validated, then ignored: lists are complete (no continue token)
    const { items, resourceVersion } = svc.list(r.gr, {
      namespace: r.namespace,
      labelSelector: ctx.query.get('labelSelector') ?? undefined,
      fieldSelector: ctx.query.get('fieldSelector') ?? undefined,
    });
    const present = (o: KObject) => svc.present(r.t, o, r.version);
    switch (fmt.kind) {
      case 'table':
        return writeJson(
          ctx,
          200,
          makeTable(r.t, items, { now: now(), includeObject: includeObjectOf(ctx), tableVersion: fmt.version, resourceVersion, present }),
          `application/json;as=Table;v=${fmt.version};g=meta.k8s.io`,
        );
      case 'partial':
        return writeJson(
          ctx,
          200,
          { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${fmt.version}`, metadata: { resourceVersion }, items: items.map((o) => partialObjectMetadata(o, fmt.version)) },
          `application/json;as=PartialObjectMetadataList;v=${fmt.version};g=meta.k8s.io`,
        );
      default: {
        const body = { kind: `${r.t.kind}List`, apiVersion: apiVersionOf({ group: r.t.group, version: r.version }), metadata: { resourceVersion }, items: items.map(present) };
        if (fmt.kind === 'yaml') return writeBody(ctx, 200, toYaml(body), 'application/yaml');
        return writeJson(ctx, 200, body);
      }
    }
  }

  async function create(ctx: Ctx, r: ResourceRoute): Promise<void> {
    const mode = fieldValidationOf(ctx);
    const dryRun = dryRunOf(ctx);
    const obj = await readObject(ctx);
    placeInNamespace(r, obj);
    checkFields(ctx, r, obj, mode);
    const created = svc.create(r.gr, obj, { dryRun });
    writeObject(ctx, 201, r, created, false);
  }

  /** The URL's namespace wins; a different one in the body is an error (as in Kubernetes). */
  function placeInNamespace(r: ResourceRoute, obj: KObject): void {
    if (!r.t.namespaced) return;
    const meta = (obj.metadata ??= {});
    if (meta.namespace && meta.namespace !== r.namespace)
      throw badRequest(`the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${r.namespace})`);
    meta.namespace = r.namespace;
  }

  function checkName(r: ResourceRoute, obj: KObject): void {
    const name = obj.metadata?.name;
    if (name !== r.name) throw badRequest(`the name of the object (${name ?? '<empty>'}) does not match the name on the URL (${r.name})`);
  }

  async function update(ctx: Ctx, r: ResourceRoute, subresource?: 'status'): Promise<void> {
    const mode = fieldValidationOf(ctx);
    const dryRun = dryRunOf(ctx);
    const obj = await readObject(ctx);
    placeInNamespace(r, obj);
    checkName(r, obj);
    checkFields(ctx, r, obj, mode);
    const updated = svc.update(r.gr, obj, { dryRun, subresource });
    writeObject(ctx, 200, r, updated, false);
  }

  async function patch(ctx: Ctx, r: ResourceRoute, subresource?: 'status' | 'scale'): Promise<void> {
    const mode = fieldValidationOf(ctx);
    const dryRun = dryRunOf(ctx);
    boolParam(ctx, 'force');
    const { type, patch: body } = decodePatchBody(await readBody(ctx), ctx.req.headers['content-type']);
    if (type !== 'json' && subresource !== 'scale') checkFields(ctx, r, body, mode);
    const ns = r.namespace ?? '';
    let out: KObject;
    try {
      out = svc.patch(r.gr, ns, r.name!, body, type, { dryRun, subresource });
    } catch (e) {
      // Server-side apply creates what does not exist yet.
      if (!(type === 'apply' && !subresource && isApiError(e) && e.status === 404 && !svc.store.get(r.gr, r.t.namespaced ? ns : '', r.name!))) throw e;
      if (!isPlainObject(body)) throw badRequest('apply patch must be an object');
      const obj = body as KObject;
      if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) throw badRequest('metadata must be an object');
      placeInNamespace(r, obj);
      checkName(r, obj);
      return writeObject(ctx, 201, r, svc.create(r.gr, obj, { dryRun }), false);
    }
    if (subresource === 'scale') return writeJson(ctx, 200, out);
    writeObject(ctx, 200, r, out, false);
  }

  interface DeleteOpts {
    propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
    resourceVersion?: string;
    uid?: string;
    dryRun: boolean;
    gracePeriodSeconds?: number;
  }

  async function deleteOptionsOf(ctx: Ctx): Promise<DeleteOpts> {
    const buf = await readBody(ctx);
    let body: Record<string, unknown> = {};
    if (buf.length && buf.toString('utf8').trim()) {
      const b = decodeObjectBody(buf, ctx.req.headers['content-type']);
      if (!isPlainObject(b)) throw badRequest('DeleteOptions must be an object');
      if (b.kind !== undefined && b.kind !== 'DeleteOptions') throw badRequest(`expected kind DeleteOptions in the request body, got "${String(b.kind)}"`);
      body = b;
    }
    let policy = (body.propagationPolicy as string | undefined) ?? ctx.query.get('propagationPolicy') ?? undefined;
    const orphan = body.orphanDependents ?? boolParam(ctx, 'orphanDependents');
    if (orphan !== undefined && typeof orphan !== 'boolean') throw badRequest('orphanDependents must be a boolean');
    if (orphan !== undefined && policy !== undefined) throw badRequest('orphanDependents and propagationPolicy cannot both be set');
    if (orphan === true) policy = 'Orphan';
    if (policy !== undefined && policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan')
      throw badRequest(`invalid propagationPolicy "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    const grace = body.gracePeriodSeconds ?? intParam(ctx, 'gracePeriodSeconds', 0);
    if (grace !== undefined && (!Number.isInteger(grace) || (grace as number) < 0)) throw badRequest(`invalid gracePeriodSeconds ${JSON.stringify(grace)}: must be a non-negative integer`);
    const pre = body.preconditions;
    if (pre !== undefined && pre !== null && !isPlainObject(pre)) throw badRequest('preconditions must be an object');
    const str = (v: unknown, f: string) => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string') throw badRequest(`${f} must be a string`);
      return v;
    };
    return {
      propagationPolicy: policy as DeleteOpts['propagationPolicy'],
      resourceVersion: str(pre?.resourceVersion, 'preconditions.resourceVersion'),
      uid: str(pre?.uid, 'preconditions.uid'),
      dryRun: dryRunOf(ctx, body.dryRun),
      gracePeriodSeconds: grace as number | undefined,
    };
  }

  async function remove(ctx: Ctx, r: ResourceRoute): Promise<void> {
    const opts = await deleteOptionsOf(ctx);
    const ns = r.t.namespaced ? r.namespace! : '';
    const out = svc.delete(r.gr, ns, r.name!, opts);
    const still = svc.store.get(r.gr, ns, r.name!);
    if (opts.dryRun || (still && still.metadata.uid === out.metadata.uid)) return writeObject(ctx, 200, r, still ?? out, false);
    writeJson(ctx, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: r.name, group: r.t.group, kind: r.t.plural, uid: out.metadata.uid },
    });
  }

  async function deleteCollection(ctx: Ctx, r: ResourceRoute): Promise<void> {
    const opts = await deleteOptionsOf(ctx);
    const { items } = svc.list(r.gr, {
      namespace: r.namespace,
      labelSelector: ctx.query.get('labelSelector') ?? undefined,
      fieldSelector: ctx.query.get('fieldSelector') ?? undefined,
    });
    const deleted: KObject[] = [];
    for (const o of items) {
      try {
        deleted.push(svc.delete(r.gr, o.metadata.namespace ?? '', o.metadata.name!, { propagationPolicy: opts.propagationPolicy, dryRun: opts.dryRun }));
      } catch (e) {
        if (!(isApiError(e) && e.status === 404)) throw e; // gone meanwhile (garbage collected): fine
      }
    }
    writeJson(ctx, 200, {
      kind: `${r.t.kind}List`,
      apiVersion: apiVersionOf({ group: r.t.group, version: r.version }),
      metadata: { resourceVersion: String(svc.store.revision()) },
      items: deleted.map((o) => svc.present(r.t, o, r.version)),
    });
  }

  async function subresource(ctx: Ctx, r: ResourceRoute): Promise<void> {
    const m = ctx.method;
    const ns = r.namespace ?? '';
    switch (r.sub) {
      case 'status':
        if (!r.t.subresources?.status) throw notFoundPath();
        if (m === 'GET') return writeObject(ctx, 200, r, svc.get(r.gr, ns, r.name!), false);
        if (m === 'PUT') return update(ctx, r, 'status');
        if (m === 'PATCH') return patch(ctx, r, 'status');
        throw methodNotAllowed(m);
      case 'scale': {
        if (!r.t.subresources?.scale) throw notFoundPath();
        if (m === 'GET') return writeJson(ctx, 200, svc.getScale(r.gr, ns, r.name!));
        if (m === 'PATCH') return patch(ctx, r, 'scale');
        if (m !== 'PUT') throw methodNotAllowed(m);
        const dryRun = dryRunOf(ctx);
        const scale = await readObject(ctx);
        if (scale.kind !== undefined && scale.kind !== 'Scale') throw badRequest(`expected kind Scale in the request body, got "${String(scale.kind)}"`);
        if (scale.metadata?.name !== undefined && scale.metadata.name !== r.name)
          throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${r.name})`);
        return writeJson(ctx, 200, svc.updateScale(r.gr, ns, r.name!, scale, { dryRun }));
      }
      case 'log':
        if (!r.t.subresources?.log) throw notFoundPath();
        if (m !== 'GET') throw methodNotAllowed(m);
        return podLog(ctx, r);
      default:
        throw notFoundPath();
    }
  }

  // ------------------------------------------------------------ logs

  async function podLog(ctx: Ctx, r: ResourceRoute): Promise<void> {
    const opts: PodLogOptions = {
      container: ctx.query.get('container') || undefined,
      follow: boolParam(ctx, 'follow'),
      previous: boolParam(ctx, 'previous'),
      timestamps: boolParam(ctx, 'timestamps'),
      tailLines: intParam(ctx, 'tailLines', 0),
      sinceSeconds: intParam(ctx, 'sinceSeconds', 1),
    };
    intParam(ctx, 'limitBytes', 1);
    const ns = r.namespace!;
    const pod = svc.get(r.gr, ns, r.name!);
    const containers: string[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: { name?: string }) => c?.name ?? '').filter(Boolean);
    if (opts.container) {
      if (containers.length && !containers.includes(opts.container))
        throw badRequest(`container ${opts.container} is not valid for pod ${r.name}`);
    } else {
      const main: string[] = (pod.spec?.containers ?? []).map((c: { name?: string }) => c?.name ?? '').filter(Boolean);
      const dflt = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
      if (dflt && containers.includes(dflt)) opts.container = dflt;
      else if (main.length === 1) opts.container = main[0];
      else if (main.length > 1) throw badRequest(`a container name must be specified for pod ${r.name}, choose one of: [${main.join(' ')}]`);
    }
    if (!deps.logs) throw badRequest(`logs of pod "${r.name}" are not available: no container runtime is attached to this API server`);
    const { res } = ctx;
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    // Headers go out with the first byte, so errors before any output still become Status objects.
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (res.destroyed || res.writableEnded) return cb();
        if (!res.headersSent) {
          res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
        }
        if (res.write(chunk)) cb();
        else res.once('drain', () => cb());
      },
    });
    try {
      await deps.logs.read(ns, r.name!, opts, out, abort.signal);
    } catch (e) {
      if (abort.signal.aborted) return;
      if (!res.headersSent) throw e;
      res.destroy();
      return;
    }
    await new Promise<void>((resolve) => out.end(resolve));
    if (!res.headersSent) writeBody(ctx, 200, '', 'text/plain');
    else res.end();
  }

  // ------------------------------------------------------------ watch

  function watch(ctx: Ctx, r: ResourceRoute): void {
    const fmt = chooseObjectFormat(ctx.accept, true);
    if (!fmt || fmt.kind === 'yaml') throw notAcceptable();
    const labelSelector = ctx.query.get('labelSelector') ?? undefined;
    let fieldSelector = ctx.query.get('fieldSelector') ?? undefined;
    if (r.name !== undefined) fieldSelector = [fieldSelector, `metadata.name=${r.name}`].filter(Boolean).join(',');
    parseSelector(labelSelector);
    parseFieldSelector(fieldSelector);
    const rv = ctx.query.get('resourceVersion') ?? '';
    if (rv !== '' && !/^\d{1,15}$/.test(rv)) throw badRequest(`invalid resourceVersion "${rv.slice(0, 100)}": must be a non-negative integer`);
    const timeoutSeconds = intParam(ctx, 'timeoutSeconds', 0) || deps.maxWatchSeconds || 1800;
    const bookmarks = boolParam(ctx, 'allowWatchBookmarks') === true && fmt.kind !== 'table';
    const sendInitialEvents = boolParam(ctx, 'sendInitialEvents') === true;
    const includeObject = fmt.kind === 'table' ? includeObjectOf(ctx) : 'Object';
    const apiVersion = apiVersionOf({ group: r.t.group, version: r.version });
    const encode = encoderFor(r, fmt, includeObject);

    const { res } = ctx;
    res.writeHead(200, {
      'Content-Type': fmt.kind === 'table' ? `application/json;as=Table;v=${fmt.version};g=meta.k8s.io` : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();

    let closed = false;
    let unsubscribe: () => void = () => {};
    let timer: NodeJS.Timeout | undefined;
    let bookmarkTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      watches.delete(end);
    };
    const end = () => {
      if (closed) return;
      stop();
      res.end();
    };
    watches.add(end);
    res.on('close', stop);
    const send = (type: string, object: unknown) => {
      if (closed) return;
      res.write(JSON.stringify({ type, object }) + '\n');
      if (res.writableLength > MAX_WATCH_BACKLOG) {
        stop();
        res.destroy(); // a reader this slow would make us buffer without bound
      }
    };
    const bookmark = (annotations?: Record<string, string>) =>
      send('BOOKMARK', { kind: r.t.kind, apiVersion, metadata: { resourceVersion: String(svc.store.revision()), ...(annotations ? { annotations } : {}) } });
    const onEvent = (type: string, o: KObject) => {
      try {
        send(type, encode(o));
      } catch {
        end();
      }
    };
    const q = { namespace: r.namespace, labelSelector, fieldSelector };
    try {
      if (rv === '' || rv === '0' || sendInitialEvents) {
        // Current state first (synthetic ADDED events), then changes after it — as kube does without a resourceVersion.
        const snapshot = svc.list(r.gr, q);
        for (const o of snapshot.items) onEvent('ADDED', o);
        if (sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
        unsubscribe = svc.watch(r.gr, { ...q, resourceVersion: snapshot.resourceVersion }, (ev) => onEvent(ev.type, ev.object));
      } else {
        unsubscribe = svc.watch(r.gr, { ...q, resourceVersion: rv }, (ev) => onEvent(ev.type, ev.object));
      }
    } catch (e) {
      const status =
        isApiError(e) && e.status === 410
          ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: 'Expired', code: 410 }
          : isApiError(e)
            ? e.toStatus()
            : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message}`).toStatus();
      send('ERROR', status);
      end();
      return;
    }
    if (closed) {
      unsubscribe(); // cut off while replaying: do not leave a store watcher behind
      return;
    }
    timer = setTimeout(end, timeoutSeconds * 1000);
    timer.unref();
    if (bookmarks) {
      bookmarkTimer = setInterval(() => bookmark(), deps.bookmarkIntervalMs ?? 60_000);
      bookmarkTimer.unref();
    }
  }

  function encoderFor(r: ResourceRoute, fmt: ObjectFormat, includeObject: IncludeObject): (o: KObject) => unknown {
    const present = (o: KObject) => svc.present(r.t, o, r.version);
    if (fmt.kind === 'table')
      return (o) => makeTable(r.t, [o], { now: now(), includeObject, tableVersion: fmt.version, resourceVersion: o.metadata.resourceVersion, present });
    if (fmt.kind === 'partial') return (o) => partialObjectMetadata(o, fmt.version);
    return present;
  }

  // ------------------------------------------------------------ server

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    res.on('error', () => {}); // a client vanishing mid-response is not our error
    req.on('error', () => {});
    void handle(req, res);
  });
  server.requestTimeout = 60_000; // whole request (headers + body) must arrive within a minute
  server.headersTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // Garbage that is not HTTP: answer 400 (431 for huge headers) if the socket still takes writes.
    if (!socket.writable || (err.code === 'ECONNRESET' && !socket.readable)) return socket.destroy();
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const reason = code === 431 ? 'Request Header Fields Too Large' : code === 408 ? 'Request Timeout' : 'Bad Request';
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `malformed HTTP request: ${err.code ?? err.message}`, reason: 'BadRequest', code });
    socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  return {
    server,
    listen(port: number, host: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    close(): Promise<void> {
      for (const end of [...watches]) end();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
    },
    activeWatches: () => watches.size,
  };
}

const EMPTY_QUERY = new URLSearchParams();

/** RFC 7234 warning: `299 - "text"`, ASCII only (field names come from user JSON). */
function warningHeader(text: string): string {
  const quoted = JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `299 - ${quoted}`;
}
