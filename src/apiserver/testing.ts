// Test kit for the HTTP API server: a server on port 0 over a MemoryStore
// (wrapped to count live store watchers, so tests can prove watches are torn
// down), a fake clock, and a small HTTP helper over undici with keep-alive.
import { Pool, request } from 'undici';
import { registerCoreKinds } from '../api/core/kinds.js';
import type { KObject } from '../api/meta.js';
import { ResourceRegistry } from '../api/registry.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store, WatchEvent, WatchOptions } from '../store/store.js';
import { GarbageCollector } from './garbage-collector.js';
import { createApiServer, type ApiServer, type ApiServerDeps } from './http-server.js';
import { ObjectService } from './object-service.js';

/** A Store that delegates to another and counts open watch subscriptions. */
export class CountingStore implements Store {
  activeWatchers = 0;
  constructor(readonly inner: Store) {}
  revision() {
    return this.inner.revision();
  }
  get(gr: string, ns: string, name: string) {
    return this.inner.get(gr, ns, name);
  }
  list(gr: string, ns?: string) {
    return this.inner.list(gr, ns);
  }
  create(gr: string, o: KObject) {
    return this.inner.create(gr, o);
  }
  update(gr: string, o: KObject, rv?: string) {
    return this.inner.update(gr, o, rv);
  }
  delete(gr: string, ns: string, name: string, rv?: string) {
    return this.inner.delete(gr, ns, name, rv);
  }
  watch(opts: WatchOptions, fn: (ev: WatchEvent) => void): () => void {
    const stop = this.inner.watch(opts, fn); // throws (410) before subscribing
    this.activeWatchers++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.activeWatchers--;
      stop();
    };
  }
  oldestWatchableRevision() {
    return this.inner.oldestWatchableRevision();
  }
  close() {
    this.inner.close();
  }
}

export interface TestServer {
  base: string;
  port: number;
  api: ApiServer;
  svc: ObjectService;
  store: CountingStore;
  reg: ResourceRegistry;
  clock: { now: number };
  /** Store watchers other than the garbage collector's. */
  requestWatchers(): number;
  http: Pool;
  close(): Promise<void>;
}

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export async function startTestServer(
  opts: { register?: (reg: ResourceRegistry) => void; deps?: Partial<ApiServerDeps>; initialRevision?: number } = {},
): Promise<TestServer> {
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  opts.register?.(reg);
  const clock = { now: T0 };
  const store = new CountingStore(opts.initialRevision ? new MemoryStore(undefined, { objects: [], revision: opts.initialRevision }) : new MemoryStore());
  const svc = new ObjectService(store, reg, () => clock.now);
  svc.bootstrap();
  const gc = new GarbageCollector(svc);
  gc.start();
  const gcWatchers = store.activeWatchers;
  const api = createApiServer({ svc, clock: () => clock.now, ...opts.deps });
  const port = await api.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const http = new Pool(base, { connections: 4, pipelining: 1, keepAliveTimeout: 10_000 });
  return {
    base,
    port,
    api,
    svc,
    store,
    reg,
    clock,
    http,
    requestWatchers: () => store.activeWatchers - gcWatchers,
    async close() {
      await http.close();
      await api.close();
      gc.stop();
      store.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One request; `body` objects are sent as JSON unless a content-type says otherwise. */
export async function call(
  ts: TestServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  let payload: string | Buffer | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const res = await ts.http.request({ method: method as 'GET', path, headers: h, body: payload });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export const cm = (name: string, data: Record<string, string> = {}, ns = 'default'): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

export const deployment = (name: string, replicas = 1): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }] }] } },
  },
});

/** Wait until `fn` is true (polling every 5 ms), or fail after `ms`. */
export async function until(fn: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface WatchStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  events: any[];
  /** Resolves with the n-th event (0-based) once it has arrived. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  event(n: number, ms?: number): Promise<any>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Disconnect from the client side. */
  close(): void;
}

/** Open a streaming GET and parse newline-delimited JSON watch events. */
export async function openWatch(ts: TestServer, path: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  const ac = new AbortController();
  const res = await request(ts.base + path, { method: 'GET', headers, signal: ac.signal });
  const events: unknown[] = [];
  let buf = '';
  let done = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  const ended = new Promise<void>((resolve) => {
    res.body.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
      wake();
    });
    const finish = () => {
      done = true;
      wake();
      resolve();
    };
    res.body.on('end', finish);
    res.body.on('error', finish);
    res.body.on('close', finish);
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    events,
    ended,
    event(n: number, ms = 2000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (events.length > n) {
            cleanup();
            resolve(events[n]);
          } else if (done) {
            cleanup();
            reject(new Error(`watch ended after ${events.length} events, wanted #${n}: ${JSON.stringify(events)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for watch event #${n}; got ${JSON.stringify(events)}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      ac.abort();
    },
  };
}
