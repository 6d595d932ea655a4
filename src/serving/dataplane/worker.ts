// The data-plane worker thread's entry point: builds the Gateway and the
// DataPlaneServer, listens, applies validated snapshots from the main thread
// (answering each with `ack` or `rejected`), runs the 1 s stats ticker and the
// timeout sweep, and stops gracefully on `stop`. Started by host.ts; can also
// run in the current thread (runDataPlane) for profiling.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DataPlaneProtocolError } from './errors.js';
import { Gateway } from './gateway.js';
import { validateMainToWorker, type WorkerToMain } from './protocol.js';
import { DataPlaneServer } from './proxy.js';
import { systemClock } from './queue.js';
import { DriftFreeTicker } from './ticker.js';

/** Quiet time after the last snapshot message before a stale host table is rebuilt ahead of lookups (ms). */
const TABLE_WARM_QUIET_MS = 25;

export interface DataPlaneConfig {
  host: string;
  /** 0 = ephemeral (the bound port is reported in `listening`). */
  port: number;
  /** Stats period; 1000 unless a test wants it shorter. */
  statsIntervalMs?: number;
  /** How often request timeouts are checked (their resolution). */
  sweepIntervalMs?: number;
}

export interface Channel {
  post(msg: WorkerToMain): void;
  onMessage(handler: (msg: unknown) => void): void;
  close(): void;
}

/** Runs the data plane on this thread, talking over `channel`. */
export function runDataPlane(config: DataPlaneConfig, channel: Channel): void {
  const clock = systemClock;
  let server: DataPlaneServer | null = null;
  const gateway = new Gateway({ emit: (m) => channel.post(m), clock, onEndpointRetired: (ep) => server?.retireEndpoint(ep) });
  server = new DataPlaneServer({
    gateway,
    host: config.host,
    port: config.port,
    onInternalError: (err) => channel.post({ type: 'internal-error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  });
  const ticker = new DriftFreeTicker(config.statsIntervalMs ?? 1000, clock, (now, windowMs) => {
    channel.post(gateway.collectStats(now, windowMs));
    server.sweepPools(now);
  });
  const sweep = setInterval(() => gateway.sweep(), config.sweepIntervalMs ?? 25);
  let stopping = false;
  let warmTimer: ReturnType<typeof setTimeout> | undefined;

  channel.onMessage((raw) => {
    let msg;
    try {
      msg = validateMainToWorker(raw);
    } catch (err) {
      const e = err as DataPlaneProtocolError;
      const seq = typeof (raw as { seq?: unknown })?.seq === 'number' ? (raw as { seq: number }).seq : -1;
      channel.post({ type: 'rejected', seq, code: e.code ?? 'SKIFF_ERR_DATAPLANE_PROTOCOL', path: e.path ?? '', message: e.message });
      return;
    }
    if (msg.type === 'stop') {
      if (stopping) return;
      stopping = true;
      ticker.stop();
      clearTimeout(warmTimer);
      void server.stop(msg.graceMs).then((aborted) => {
        clearInterval(sweep);
        channel.post({ type: 'stopped', aborted });
        channel.close();
      });
      return;
    }
    gateway.apply(msg);
    channel.post({ type: 'ack', seq: msg.seq });
    // Rebuild a stale host table once snapshot messages have been quiet for a moment, so
    // the next request rarely pays for it; during a burst (a bulk apply) lookups rebuild on
    // demand instead of the worker rebuilding O(hosts) per message.
    clearTimeout(warmTimer);
    warmTimer = setTimeout(() => gateway.warmTable(), TABLE_WARM_QUIET_MS);
    warmTimer.unref();
  });

  server.listen().then(
    (port) => {
      ticker.start();
      channel.post({ type: 'listening', port, host: config.host });
    },
    (err: NodeJS.ErrnoException) => {
      clearInterval(sweep);
      channel.post({ type: 'fatal', code: err.code ?? 'SKIFF_ERR_DATAPLANE_START', message: `cannot listen on ${config.host}:${config.port}: ${err.message}` });
      channel.close();
    },
  );
}

if (!isMainThread && parentPort !== null && (workerData as { skiffDataPlane?: DataPlaneConfig } | null)?.skiffDataPlane) {
  const port = parentPort;
  runDataPlane((workerData as { skiffDataPlane: DataPlaneConfig }).skiffDataPlane, {
    post: (m) => port.postMessage(m),
    onMessage: (h) => port.on('message', h),
    close: () => port.close(),
  });
}
