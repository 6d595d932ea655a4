// Benchmark sink, run as a forked child so its event loop is not shared with the load generator
// or the broker. Counts deliveries and records end-to-end latency: receive time minus the
// producer's intended send time, carried in the `benchts` extension (ms since the epoch, as text).
// IPC: parent sends {cmd: 'reset' | 'report'}; the child answers reports with SinkReport.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkReport {
  deliveries: number;
  /** Distinct (trigger path, event id) pairs: deliveries − distinct = duplicates. */
  distinct: number;
  latency: { p50: number; p90: number; p99: number; max: number; count: number };
}

let latencies: number[] = [];
let deliveries = 0;
let seen = new Set<string>();

const server = createServer((req, res) => {
  const ts = req.headers['ce-benchts'];
  const key = `${req.url} ${req.headers['ce-id']}`;
  req.resume();
  req.on('end', () => {
    deliveries++;
    seen.add(key);
    if (typeof ts === 'string') latencies.push(Date.now() - Number(ts));
    res.writeHead(202, { 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'reset') {
    latencies = [];
    deliveries = 0;
    seen = new Set();
    process.send!({ ok: true });
  } else if (msg.cmd === 'report') {
    const sorted = Float64Array.from(latencies).sort();
    const arr = Array.from(sorted);
    const report: SinkReport = {
      deliveries,
      distinct: seen.size,
      latency: { p50: percentile(arr, 50), p90: percentile(arr, 90), p99: percentile(arr, 99), max: arr.length ? arr[arr.length - 1]! : NaN, count: arr.length },
    };
    process.send!(report);
  } else if (msg.cmd === 'exit') {
    server.close();
    process.exit(0);
  }
});

server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
