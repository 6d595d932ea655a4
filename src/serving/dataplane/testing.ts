// Test fixtures for the data plane: a running worker with message capture and
// snapshot helpers, little upstream "pods" (node:http servers), and an HTTP
// client that can set any Host header (fetch cannot). Used by the *.test.ts
// files here and by the benchmark.

import http from 'node:http';
import net from 'node:net';
import { startDataPlane, type DataPlaneHandle } from './host.js';
import type { HostEntry, RevisionSpec, ServiceEndpoint, SplitTarget, WorkerToMain } from './protocol.js';

export interface Upstream {
  port: number;
  server: http.Server;
  /** Open sockets right now (to check nothing leaks). */
  connections(): number;
  close(): Promise<void>;
}

export async function startUpstream(handler: http.RequestListener, setup?: (s: http.Server) => void): Promise<Upstream> {
  const server = http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  setup?.(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** An upstream answering `name` plus the request's headers as JSON. */
export function echoHandler(name: string): http.RequestListener {
  return (req, res) => {
    const body = JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent | false;
}

/** One request to the gateway on 127.0.0.1:port with an arbitrary Host. */
export function request(port: number, o: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: o.path ?? '/', method: o.method ?? 'GET', headers: { host: o.host, ...o.headers }, agent: o.agent ?? false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export function split(revision: string, percent: number, namespace = 'default'): SplitTarget {
  return { revision, percent, headers: { 'Knative-Serving-Revision': revision, 'Knative-Serving-Namespace': namespace } };
}

export function routeEntry(name: string, splits: SplitTarget[], extra: Partial<HostEntry> = {}, namespace = 'default'): HostEntry {
  return { kind: 'route', namespace, name, visibility: 'ExternalIP', splits, ingressKey: `${namespace}/${name}`, ...extra };
}

export function revisionSpec(endpoints: RevisionSpec['endpoints'], extra: Partial<RevisionSpec> = {}): RevisionSpec {
  return { containerConcurrency: 0, timeoutSeconds: 300, protocol: 'http1', mode: 'Serve', targetBurstCapacity: 200, endpoints, ...extra };
}

/** A running data-plane worker plus the full snapshots last sent, for tests. */
export class DataPlaneFixture {
  readonly messages: WorkerToMain[] = [];
  hosts: Record<string, HostEntry> = {};
  revisions: Record<string, RevisionSpec> = {};
  services: Record<string, ServiceEndpoint[]> = {};
  staticBackends: Record<string, string> = {};
  port = 0;
  private waiters: Array<() => void> = [];

  private constructor(readonly dp: DataPlaneHandle) {
    dp.on((m) => {
      this.messages.push(m);
      for (const w of this.waiters) w();
    });
  }

  static async start(opts: { statsIntervalMs?: number } = {}): Promise<DataPlaneFixture> {
    const dp = startDataPlane({ host: '127.0.0.1', port: 0, sweepIntervalMs: 10, ...opts });
    const f = new DataPlaneFixture(dp);
    f.port = (await dp.ready).port;
    return f;
  }

  async pushRevisions(): Promise<void> {
    await this.dp.apply({ type: 'revisions', revisions: this.revisions });
  }
  async pushHosts(): Promise<void> {
    await this.dp.apply({ type: 'hosts', hosts: this.hosts });
  }
  async pushServices(): Promise<void> {
    await this.dp.apply({ type: 'services', services: this.services });
  }
  async pushStatic(): Promise<void> {
    await this.dp.apply({ type: 'static', backends: this.staticBackends });
  }

  /** Resolves with the first message (received from `from` on) matching `pred`. */
  waitFor<T extends WorkerToMain>(pred: (m: WorkerToMain) => m is T, timeoutMs?: number, from?: number): Promise<T>;
  waitFor(pred: (m: WorkerToMain) => boolean, timeoutMs?: number, from?: number): Promise<WorkerToMain>;
  waitFor(pred: (m: WorkerToMain) => boolean, timeoutMs = 3000, from = 0): Promise<WorkerToMain> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < this.messages.length; i++) {
          const m = this.messages[i]!;
          if (pred(m)) {
            resolve(m);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const w = () => {
        if (check()) {
          clearTimeout(t);
          this.waiters = this.waiters.filter((x) => x !== w);
        }
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error('timed out waiting for a worker message'));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  stop(): Promise<void> {
    return this.dp.stop({ graceMs: 500 });
  }
}

/** A promise plus its resolve function (to release held upstream requests). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
