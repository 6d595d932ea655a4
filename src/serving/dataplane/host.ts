// Main-thread side of the data plane: starts worker.ts in a worker_threads
// Worker and exposes a small handle — post snapshots (seq assigned when
// absent), subscribe to worker messages (ack, stats, poke, drained, …), await
// `ready` for the bound port, and stop gracefully. The control plane never
// shares memory with the data plane; everything crosses as messages.
//
//   const dp = startDataPlane({ host: '127.0.0.1', port: httpPort });   // 0 = ephemeral
//   const { port } = await dp.ready;
//   dp.on((m) => { if (m.type === 'stats') autoscaler.record(m); if (m.type === 'poke') autoscaler.poke(m.key); });
//   await dp.apply({ type: 'revisions', revisions });   // resolves on ack; revisions before the hosts using them
//   await dp.apply({ type: 'hosts', hosts });           // ack ⇒ the Ingress reconciler may mark KIngress Ready
//   beforeTerminate: (pod) => dp.drain(pod.name, graceMs)              // resolves once the pod has nothing in flight
//   await dp.stop({ graceMs: 10_000 });

import { Worker } from 'node:worker_threads';
import { DataPlaneProtocolError, DataPlaneStartError, DataPlaneStoppedError } from './errors.js';
import type { MainToWorker, WorkerToMain } from './protocol.js';
import type { DataPlaneConfig } from './worker.js';

/** A main → worker message; `seq` may be left out (then the handle numbers it). */
export type DataPlaneMessage = MainToWorker extends infer M ? (M extends { seq: number } ? Omit<M, 'seq'> & { seq?: number } : never) : never;

export interface StartDataPlaneOptions {
  /** Listen address, e.g. 127.0.0.1. */
  host: string;
  /** `--http-port`; 0 = ephemeral (see `ready`). */
  port: number;
  /** Stats period (default 1000 ms; tests may shorten it). */
  statsIntervalMs?: number;
  /** Timeout check period (default 25 ms). */
  sweepIntervalMs?: number;
}

export interface DataPlaneHandle {
  /** Sends a message; returns its seq. */
  post(msg: DataPlaneMessage): number;
  /** Sends a message and resolves on its `ack` (rejects with DataPlaneProtocolError on `rejected`). */
  apply(msg: DataPlaneMessage): Promise<number>;
  /**
   * Stops routing new requests to `pod` and resolves true once it has nothing
   * in flight (the node agent's beforeTerminate), or false after `timeoutMs`.
   */
  drain(pod: string, timeoutMs: number): Promise<boolean>;
  /** Subscribes to worker messages; returns an unsubscribe function. */
  on(handler: (msg: WorkerToMain) => void): () => void;
  /** Resolves once the server listens. */
  readonly ready: Promise<{ host: string; port: number }>;
  /** Stop accepting, let in-flight requests finish (up to graceMs, default 10 s), end the worker. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  readonly worker: Worker;
}

export function startDataPlane(opts: StartDataPlaneOptions): DataPlaneHandle {
  const config: DataPlaneConfig = { host: opts.host, port: opts.port };
  if (opts.statsIntervalMs !== undefined) config.statsIntervalMs = opts.statsIntervalMs;
  if (opts.sweepIntervalMs !== undefined) config.sweepIntervalMs = opts.sweepIntervalMs;
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { skiffDataPlane: config } });
  const handlers = new Set<(msg: WorkerToMain) => void>();
  const waiting = new Map<number, { resolve: (seq: number) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let stopped = false;
  let exited = false;
  let failed = false;
  let stopPromise: Promise<void> | null = null;
  let onStopped: (() => void) | null = null;

  let resolveReady!: (v: { host: string; port: number }) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<{ host: string; port: number }>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {
    /* surfaced to whoever awaits it */
  });

  worker.on('message', (msg: WorkerToMain) => {
    switch (msg.type) {
      case 'listening':
        resolveReady({ host: msg.host, port: msg.port });
        break;
      case 'fatal':
        failed = true;
        rejectReady(new DataPlaneStartError(msg.message, 'SKIFF_ERR_DATAPLANE_LISTEN', { errno: msg.code }));
        break;
      case 'ack': {
        const w = waiting.get(msg.seq);
        waiting.delete(msg.seq);
        w?.resolve(msg.seq);
        break;
      }
      case 'rejected': {
        const w = waiting.get(msg.seq);
        waiting.delete(msg.seq);
        w?.reject(new DataPlaneProtocolError(msg.path, msg.message.startsWith(`${msg.path}: `) ? msg.message.slice(msg.path.length + 2) : msg.message));
        break;
      }
      case 'stopped':
        onStopped?.();
        break;
      default:
        break;
    }
    for (const h of handlers) h(msg);
  });
  const emitFatal = (message: string) => {
    for (const h of handlers) h({ type: 'fatal', code: 'SKIFF_ERR_DATAPLANE_CRASH', message });
  };
  worker.on('error', (err) => {
    rejectReady(new DataPlaneStartError(`data-plane worker failed: ${err.message}`, 'SKIFF_ERR_DATAPLANE_START', { cause: err }));
    // After start, handlers hear about it so the composition root can restart the data plane.
    if (!stopped && !failed) emitFatal(`data-plane worker crashed: ${err.stack ?? err.message}`);
  });
  worker.on('exit', (code) => {
    exited = true;
    if (!stopped && !failed) emitFatal(`data-plane worker exited unexpectedly (code ${code})`);
    rejectReady(new DataPlaneStartError(`data-plane worker exited (code ${code}) before listening`));
    for (const w of waiting.values()) w.reject(new DataPlaneStoppedError());
    waiting.clear();
    onStopped?.();
  });

  const post = (msg: DataPlaneMessage): number => {
    if (stopped || exited) throw new DataPlaneStoppedError();
    const s = msg.seq ?? ++seq;
    if (s > seq) seq = s;
    worker.postMessage({ ...msg, seq: s });
    return s;
  };

  return {
    worker,
    ready,
    post,
    apply(msg) {
      return new Promise<number>((resolve, reject) => {
        let s: number;
        try {
          s = post(msg);
        } catch (e) {
          reject(e as Error);
          return;
        }
        waiting.set(s, { resolve, reject });
      });
    },
    on(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    drain(pod, timeoutMs) {
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          handlers.delete(listener);
          resolve(ok);
        };
        const listener = (m: WorkerToMain) => {
          if ((m.type === 'drained' && m.pod === pod) || m.type === 'stopped') done(m.type === 'drained');
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        handlers.add(listener);
        try {
          post({ type: 'drain', pod });
        } catch {
          done(false);
        }
      });
    },
    stop({ graceMs = 10_000 } = {}) {
      if (stopPromise) return stopPromise;
      stopPromise = (async () => {
        if (!exited) {
          const done = new Promise<void>((r) => (onStopped = r));
          worker.postMessage({ type: 'stop', seq: ++seq, graceMs });
          stopped = true;
          const bound = setTimeout(() => void worker.terminate(), graceMs + 2_000);
          await done;
          clearTimeout(bound);
        }
        stopped = true;
        if (!exited) await worker.terminate();
      })();
      return stopPromise;
    },
  };
}
