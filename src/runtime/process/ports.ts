// Port mapping for process pods. Every pod process shares the host's network,
// so a declared `containerPort` (8080 for most samples) cannot be bound as is:
// each declared port gets its own free host port, and the container learns the
// one to listen on from `PORT` (its first declared port). The first container
// gets a port even when it declares none, so `kubectl run … -- node server.js`
// style workloads have somewhere to listen.
//
// The mapping is recorded on the Pod as the annotation `skiff.dev/ports`, a
// JSON list of `{container, name?, containerPort?, hostPort}` (an entry without
// containerPort is the port handed to an undeclared-port container). Pods are
// immutable, status has no host-port field, and an annotation survives agent
// restarts, so it is the one place Services/Endpoints, the gateway and probes
// read from (`hostPortFor`). `status.podIP` is 127.0.0.1.
//
// This module is pure except LoopbackPortAllocator at the bottom.
import { createServer, type Server } from 'node:net';
import type { KObject } from '../../api/meta.js';

export const PORTS_ANNOTATION = 'skiff.dev/ports';
export const POD_IP = '127.0.0.1';

export interface PortMapping {
  container: string;
  name?: string;
  containerPort?: number;
  hostPort: number;
}

export interface PortNeed {
  container: string;
  name?: string;
  containerPort?: number;
}

/** The host ports a pod needs, in spec order. */
export function portNeeds(pod: KObject): PortNeed[] {
  const out: PortNeed[] = [];
  (pod.spec?.containers ?? []).forEach((c: any, i: number) => {
    const ports = (c.ports ?? []).filter((p: any) => (p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort));
    if (ports.length) for (const p of ports) out.push({ container: c.name, ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort });
    else if (i === 0) out.push({ container: c.name });
  });
  return out;
}

export function parsePortMappings(pod: KObject): PortMapping[] | undefined {
  const raw = pod.metadata.annotations?.[PORTS_ANNOTATION];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw);
    if (!Array.isArray(v)) return undefined;
    return v.filter((m) => m && typeof m.container === 'string' && Number.isInteger(m.hostPort));
  } catch {
    return undefined;
  }
}

export function formatPortMappings(m: PortMapping[]): string {
  return JSON.stringify(m);
}

/** Recorded mappings still cover exactly what the pod needs (so they can be reused after a restart). */
export function mappingsCover(needs: PortNeed[], mappings: PortMapping[]): boolean {
  if (needs.length !== mappings.length) return false;
  return needs.every((n, i) => mappings[i].container === n.container && mappings[i].containerPort === n.containerPort);
}

export function assignPorts(needs: PortNeed[], hostPorts: number[]): PortMapping[] {
  return needs.map((n, i) => ({ ...n, hostPort: hostPorts[i] }));
}

/** The port a container should listen on (`PORT`), if it has one. */
export function containerListenPort(mappings: PortMapping[], container: string): number | undefined {
  return mappings.find((m) => m.container === container)?.hostPort;
}

/**
 * Host port for a container-side port given by number or name. For a
 * container with an undeclared port, any number maps to its `PORT` (the
 * process was told to listen there). Otherwise an unmapped number is used as
 * is (the process may listen on a fixed port of its own choosing).
 */
export function resolveHostPort(mappings: PortMapping[], container: string | undefined, port: number | string): number | undefined {
  const mine = container === undefined ? mappings : mappings.filter((m) => m.container === container);
  if (typeof port === 'string' && !/^\d+$/.test(port)) return (mine.find((m) => m.name === port) ?? mappings.find((m) => m.name === port))?.hostPort;
  const n = Number(port);
  const hit = mine.find((m) => m.containerPort === n) ?? mappings.find((m) => m.containerPort === n);
  if (hit) return hit.hostPort;
  const undeclared = mine.find((m) => m.containerPort === undefined);
  if (undeclared) return undeclared.hostPort;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** For other modules (endpoints, gateway): where a pod's port (number or name) is reachable on 127.0.0.1. */
export function hostPortFor(pod: KObject, port: number | string): number | undefined {
  const m = parsePortMappings(pod);
  return m ? resolveHostPort(m, undefined, port) : undefined;
}

// ---------------------------------------------------------------- allocation (I/O)

export interface PortAllocator {
  /** A currently free port on 127.0.0.1, never one this allocator already handed out. */
  allocate(): Promise<number>;
  /** Claim a specific port again (after an agent restart); false when it is taken. */
  reclaim(port: number): Promise<boolean>;
  release(port: number): void;
  /** Get ready to hand out ports at once (the agent starts). */
  warm?(): Promise<void>;
  /** Let go of anything held for later (the agent stops). */
  close?(): void;
}

function bindProbe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host: POD_IP, exclusive: true }, () => {
      const addr = srv.address();
      const got = addr && typeof addr === 'object' ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

/** Bind 127.0.0.1:0 and keep it bound: the port stays ours (no one else can take it) until the server closes. */
function holdPort(): Promise<{ port: number; server: Server } | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ port: 0, host: POD_IP, exclusive: true, backlog: 1 }, () => {
      const addr = server.address();
      if (addr && typeof addr === 'object') resolve({ port: addr.port, server });
      else {
        server.close();
        resolve(undefined);
      }
    });
  });
}

/**
 * Loopback allocator. A probe-bind (bind 127.0.0.1:0, read the kernel's
 * choice, close) is real I/O: its callback runs only after everything already
 * queued on the event loop — at a pod start, the reconciles the pod's creation
 * set off — so admission would wait behind them. Instead the allocator keeps
 * a few ports *held* (bound, listening, backlog 1, never accepted) and hands
 * one out at once: it closes the holder (the fd is closed synchronously, so
 * the port is free for the pod's process) and refills in the background.
 * While held, nobody else can take those ports, so a pooled port is as free as
 * a freshly probed one; the window between hand-out and the process binding
 * is the same as before. The in-use set keeps two pods from ever being handed
 * the same port. With an empty pool (bursts), allocate probes as before.
 */
export class LoopbackPortAllocator implements PortAllocator {
  private readonly inUse = new Set<number>();
  private readonly held = new Map<number, Server>();
  private refilling?: Promise<void>;
  private closed = false;

  /** @param poolSize ports kept held for immediate hand-out (0: probe every time). */
  constructor(private readonly poolSize = 4) {}

  async allocate(): Promise<number> {
    for (const [p, server] of this.held) {
      this.held.delete(p);
      server.close();
      this.refill();
      if (this.inUse.has(p)) continue;
      this.inUse.add(p);
      return p;
    }
    this.refill();
    for (let i = 0; i < 50; i++) {
      const p = await bindProbe(0);
      if (p !== undefined && !this.inUse.has(p) && !this.held.has(p)) {
        this.inUse.add(p);
        return p;
      }
    }
    throw new Error('SKIFF_ERR_NO_FREE_PORT: could not find a free TCP port on 127.0.0.1');
  }

  async reclaim(port: number): Promise<boolean> {
    if (this.inUse.has(port)) return false;
    const holder = this.held.get(port);
    if (holder) {
      this.held.delete(port);
      holder.close();
      this.inUse.add(port);
      this.refill();
      return true;
    }
    const ok = (await bindProbe(port)) === port;
    if (ok) this.inUse.add(port);
    return ok;
  }

  release(port: number): void {
    this.inUse.delete(port);
  }

  /** Ports held for hand-out right now (tests, diagnostics). */
  heldPorts(): number[] {
    return [...this.held.keys()];
  }

  /** Fill the pool now (the agent calls this at start, so the first pod is served from it too). */
  warm(): Promise<void> {
    this.closed = false;
    return this.refill();
  }

  close(): void {
    this.closed = true;
    for (const server of this.held.values()) server.close();
    this.held.clear();
  }

  private refill(): Promise<void> {
    if (this.refilling) return this.refilling;
    if (this.closed || this.held.size >= this.poolSize) return Promise.resolve();
    this.refilling = (async () => {
      let failures = 0;
      while (!this.closed && this.held.size < this.poolSize && failures < 5) {
        const h = await holdPort();
        if (!h) {
          failures++;
          continue;
        }
        // A port handed to a pod whose process has not bound it yet is free to the kernel: skip it.
        if (this.closed || this.inUse.has(h.port) || this.held.has(h.port)) {
          h.server.close();
          failures++;
          continue;
        }
        this.held.set(h.port, h.server);
      }
    })().finally(() => (this.refilling = undefined));
    return this.refilling;
  }
}
