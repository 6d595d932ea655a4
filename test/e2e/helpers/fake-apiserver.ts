// A stand-in for src/apiserver/http-server.ts while that module is being
// written on another branch: just enough of the Kubernetes REST surface over
// an ObjectService for the CLI e2e tests (discovery, CRUD, merge patch,
// Table, watch JSON lines, pods/log). Same factory shape as the real server,
// so the tests switch to the real one by import path alone. Delete once the
// real server is merged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../../src/api/errors.js';
import type { KObject } from '../../../src/api/meta.js';
import { apiVersionOf, type ResourceType } from '../../../src/api/registry.js';
import { KUBE_COMPAT, SKIFF_VERSION } from '../../../src/api/version.js';
import { age } from '../../../src/api/printers.js';
import type { ObjectService } from '../../../src/apiserver/object-service.js';
import { grOf } from '../../../src/api/registry.js';

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function resourceList(svc: ObjectService, group: string, version: string): unknown {
  const resources: unknown[] = [];
  for (const t of svc.registry.all()) {
    if (t.group !== group || ![t.version, ...(t.alsoServed ?? [])].includes(version)) continue;
    resources.push({ name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: t.shortNames, categories: t.categories });
    if (t.subresources?.status) resources.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    if (t.subresources?.log) resources.push({ name: `${t.plural}/log`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function table(t: ResourceType, objects: KObject[], resourceVersion?: string): unknown {
  const now = Date.now();
  const cols = t.printerColumns ?? [{ name: 'Age', type: 'string' as const, value: (o: KObject) => age(o, now) }];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', priority: 0 }, ...cols.map((c) => ({ name: c.name, type: c.type, format: '', priority: c.priority ?? 0 }))],
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...cols.map((c) => (c.value ? c.value(o, now) : undefined))],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

export function createApiServer(opts: { svc: ObjectService; logs?: (ns: string, pod: string, q: URLSearchParams) => string }) {
  const { svc } = opts;
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const seg = url.pathname.split('/').filter(Boolean);
      const q = url.searchParams;
      if (url.pathname === '/version') return send(res, 200, { ...KUBE_COMPAT, skiffVersion: SKIFF_VERSION });
      if (url.pathname === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
      if (url.pathname === '/apis')
        return send(res, 200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: svc.registry
            .groups()
            .filter((g) => g)
            .map((g) => {
              const vs = svc.registry.groupVersions(g);
              return { name: g, versions: vs.map((v) => ({ groupVersion: `${g}/${v}`, version: v })), preferredVersion: { groupVersion: `${g}/${vs[0]}`, version: vs[0] } };
            }),
        });
      let group: string;
      let version: string;
      let rest: string[];
      if (seg[0] === 'api') [group, version, rest] = ['', seg[1], seg.slice(2)];
      else if (seg[0] === 'apis') [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
      else return send(res, 404, new ApiError(404, 'NotFound', 'the server could not find the requested resource').toStatus());
      if (rest.length === 0) return send(res, 200, resourceList(svc, group, version));
      let ns = '';
      if (rest[0] === 'namespaces' && rest.length >= 3) [ns, rest] = [rest[1], rest.slice(2)];
      const [plural, name, sub] = rest;
      const t = svc.registry.byGroupPlural(group, plural);
      if (!t) return send(res, 404, new ApiError(404, 'NotFound', 'the server could not find the requested resource').toStatus());
      const gr = grOf(t);
      const wantsTable = (req.headers.accept ?? '').includes('as=Table');
      const present = (o: KObject) => svc.present(t, o, version);
      switch (req.method) {
        case 'GET': {
          if (name && sub === 'log') {
            svc.get(gr, ns, name);
            res.writeHead(200, { 'content-type': 'text/plain' });
            return res.end(opts.logs?.(ns, name, q) ?? '');
          }
          if (name) {
            const o = present(svc.get(gr, ns, name));
            return send(res, 200, wantsTable ? table(t, [o], o.metadata.resourceVersion) : o);
          }
          const query = { namespace: ns || undefined, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined };
          if (q.get('watch') === '1' || q.get('watch') === 'true') {
            res.writeHead(200, { 'content-type': 'application/json' });
            const stop = svc.watch(gr, { ...query, resourceVersion: q.get('resourceVersion') ?? undefined }, (ev) => {
              const object = wantsTable ? table(t, [present(ev.object)]) : present(ev.object);
              res.write(`${JSON.stringify({ type: ev.type, object })}\n`);
            });
            req.on('close', stop);
            return;
          }
          const list = svc.list(gr, query);
          const items = list.items.map(present);
          if (wantsTable) return send(res, 200, table(t, items, list.resourceVersion));
          return send(res, 200, { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata: { resourceVersion: list.resourceVersion }, items });
        }
        case 'POST': {
          const body = (await readBody(req)) as KObject;
          if (ns && t.namespaced) body.metadata = { ...(body.metadata ?? {}), namespace: ns };
          return send(res, 201, present(svc.create(gr, body)));
        }
        case 'PUT': {
          const body = (await readBody(req)) as KObject;
          if (ns && t.namespaced) body.metadata.namespace = ns;
          return send(res, 200, present(svc.update(gr, body)));
        }
        case 'PATCH': {
          const ct = req.headers['content-type'] ?? '';
          const type = ct.includes('json-patch') ? 'json' : ct.includes('strategic') ? 'strategic' : 'merge';
          return send(res, 200, present(svc.patch(gr, ns, name, await readBody(req), type)));
        }
        case 'DELETE': {
          const body = (await readBody(req)) as { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } | undefined;
          const o = svc.delete(gr, ns, name, { propagationPolicy: body?.propagationPolicy });
          if (o.metadata.deletionTimestamp && svc.store.get(gr, t.namespaced ? ns : '', name)) return send(res, 200, present(o));
          return send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: plural } });
        }
      }
      return send(res, 405, new ApiError(405, 'MethodNotAllowed', 'method not allowed').toStatus());
    } catch (e) {
      if (e instanceof ApiError) return send(res, e.status, e.toStatus());
      return send(res, 500, new ApiError(500, 'InternalError', String((e as Error).message)).toStatus());
    }
  });
  return {
    server,
    listen(port: number, host: string): Promise<number> {
      return new Promise((resolve) => server.listen(port, host, () => resolve((server.address() as AddressInfo).port)));
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
