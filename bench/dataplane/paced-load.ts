// A constant-rate (open-loop) HTTP/1.1 load generator: requests leave evenly
// spaced at `RATE` per second over up to `CONNECTIONS` keep-alive connections,
// like vegeta's constant pacer that Knative's dataplane-probe benchmark uses.
// Why next to hey: `hey -q 20 -c 50` starts 50 tickers together, so its
// "1,000 rps" is 50 simultaneous requests every 50 ms — the measured latency is
// then mostly the time any proxy needs to work through a burst of 50. This
// measures the per-request cost at the same average rate without the bursts.
// Latency is measured from the moment a request is written to the moment its
// response is complete. Prints one JSON line.
//   URL_HOST=127.0.0.1 URL_PORT=8080 HOST=hello.default.example.com RATE=1000 DURATION_MS=10000 CONNECTIONS=50 \
//     node dist/bench/dataplane/paced-load.js

import net from 'node:net';
import { BodyFramer, CRLFCRLF, parseResponseHead } from '../../src/serving/dataplane/http1.js';

const host = process.env.URL_HOST ?? '127.0.0.1';
const port = Number(process.env.URL_PORT);
const hostHeader = process.env.HOST ?? 'localhost';
const rate = Number(process.env.RATE ?? 1000);
const durationMs = Number(process.env.DURATION_MS ?? 10_000);
const maxConns = Number(process.env.CONNECTIONS ?? 50);
const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: skiff-paced-load\r\nAccept-Encoding: gzip\r\n\r\n`, 'latin1');

const latencies: number[] = [];
let errors = 0;
let late = 0;

class Conn {
  readonly socket: net.Socket;
  busy = false;
  private sentAt = 0n;
  private buf: Buffer | null = null;
  private inBody = false;
  private readonly framer = new BodyFramer();

  constructor() {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', () => {
      if (this.busy) errors++;
      this.busy = true; // never reuse
    });
  }

  send(): void {
    this.busy = true;
    this.inBody = false;
    this.buf = null;
    this.sentAt = process.hrtime.bigint();
    this.socket.write(request);
  }

  private onData(d: Buffer): void {
    if (!this.inBody) {
      const b = this.buf === null ? d : Buffer.concat([this.buf, d]);
      const i = b.indexOf(CRLFCRLF);
      if (i < 0) {
        this.buf = b;
        return;
      }
      const head = parseResponseHead(b, i);
      if (head === null || head.status !== 200) errors++;
      if (head?.chunked) this.framer.reset('chunked');
      else this.framer.reset('length', Math.max(0, head?.contentLength ?? 0));
      this.inBody = true;
      this.framer.advance(b, i + 4);
    } else this.framer.advance(d, 0);
    if (this.framer.done) {
      latencies.push(Number(process.hrtime.bigint() - this.sentAt) / 1e6);
      this.busy = false;
      idle.push(this);
    }
  }
}

const idle: Conn[] = [];
const all: Conn[] = [];
function take(): Conn | null {
  const c = idle.pop();
  if (c !== undefined) return c;
  if (all.length < maxConns) {
    const n = new Conn();
    all.push(n);
    return n;
  }
  return null;
}

// Warm the connections up first so connection set-up is not in the numbers.
for (let i = 0; i < Math.min(maxConns, 8); i++) idle.push(((c) => (all.push(c), c))(new Conn()));

const start = performance.now() + 200;
const total = Math.floor((rate * durationMs) / 1000);
let sent = 0;
function tick(): void {
  const now = performance.now();
  while (sent < total && start + (sent * 1000) / rate <= now) {
    const c = take();
    if (c === null) {
      late++; // no free connection: the target is not keeping up; skip this slot
      sent++;
      continue;
    }
    c.send();
    sent++;
  }
  if (sent < total) setTimeout(tick, 1);
  else setTimeout(finish, 1000);
}
setTimeout(tick, 200);

function finish(): void {
  const s = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  process.stdout.write(
    JSON.stringify({ count: s.length, errors, late, rps: s.length / (durationMs / 1000), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1] ?? NaN }) + '\n',
  );
  for (const c of all) c.socket.destroy();
}
