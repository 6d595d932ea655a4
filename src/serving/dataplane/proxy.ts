// The forwarding engine of the data plane: sockets in, sockets out.
//
// Fast path (every HTTP/1.1 request): a raw `net` server parses request heads
// itself (http1.ts), rewrites the head once into a string (X-Forwarded-*,
// Forwarded, Knative-Serving-* / K-Proxy-Request from the split), and writes
// it to a pooled keep-alive upstream socket; request and response bodies pass
// through byte for byte with backpressure, framed by Content-Length / chunked
// / close. Measured against node:http + http.Agent and node:http + an undici
// Pool, this is the only variant that reaches the nginx-relative throughput
// target (docs/benchmarks.md, "Data plane"). Upgrade requests (WebSocket)
// become a raw two-way pipe.
//
// Slow path, by hand-over of the connection (bytes already read are unshifted):
// - HTTP/1.0 clients and HTTP/1.1 requests for h2c revisions → a node:http
//   server (CompatExchange), which talks h1 (http.Agent) or h2c (node:http2) to pods;
// - h2c prior-knowledge clients (`PRI * HTTP/2.0`) → a node:http2 server (same
//   CompatExchange via the http2 compatibility API), e.g. gRPC → h2c pods.

import net from 'node:net';
import http from 'node:http';
import http2 from 'node:http2';
import { Endpoint, Exchange, Gateway, Phase, type RouteInput } from './gateway.js';
import {
  BodyFramer,
  composeResponse,
  CRLFCRLF,
  MAX_HEAD_BYTES,
  isHeadError,
  parseRequestHead,
  parseResponseHead,
  simpleResponse,
  type RequestHead,
} from './http1.js';
import { isLoopbackAddress, parseAbsoluteTarget, type CompiledHost } from './routing.js';

/** Idle client keep-alive connections are closed after this long. */
export const CLIENT_IDLE_MS = 120_000;
/** How long a client whose request body was left unread may go on sending (discarded) before it is cut. */
export const CLIENT_LINGER_MS = 2_000;
/** Pooled upstream sockets idle longer than this are not reused (Node servers close at 5 s by default). */
export const UPSTREAM_IDLE_MS = 4_000;
/** Idle upstream sockets kept per endpoint. */
export const MAX_IDLE_PER_ENDPOINT = 256;
/** Pipelined bytes buffered while a response is outstanding before the client is paused. */
const MAX_PIPELINE_BUFFER = 64 * 1024;
const H2_PREFACE = 'PRI * HTTP/2.0';
/** Response bodies up to this size are written together with the head as one string. */
const SMALL_BODY_INLINE = 4096;

function writeBoth(s: net.Socket, head: Buffer, body: Buffer): boolean {
  s.cork();
  s.write(head);
  const more = s.write(body);
  s.uncork();
  return more;
}

const enum CS {
  Head,
  Body,
  Await,
  Tunnel,
  Gone,
}

function clientIp(addr: string | undefined): string {
  if (addr === undefined) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/** RFC 7239 node: IPv6 literals quoted in brackets. */
function forwardedNode(ip: string): string {
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

/** RFC 7239 value: token as is, anything else quoted. */
function forwardedValue(v: string): string {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * `Forwarded` synthesised from X-Forwarded-* (queue-proxy's ForwardedShimHandler):
 * one `for=` element per X-Forwarded-For hop, host and proto on the last.
 */
export function forwardedFrom(xff: string, xfh: string | null, xfp: string | null): string {
  const hops = xff.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  let s = hops.map((h) => `for=${forwardedNode(h)}`).join(', ');
  const extra = (xfh ? `;host=${forwardedValue(xfh)}` : '') + (xfp ? `;proto=${forwardedValue(xfp)}` : '');
  s = s.length > 0 ? s + extra : extra.slice(1);
  return s;
}

// ---------------------------------------------------------------------------
// Upstream HTTP/1.1 connections

export class UpstreamPool {
  private idle: UpstreamConn[] = [];
  /** The endpoint left every snapshot: connections are closed as they come back. */
  retired = false;
  /** Every live connection (idle or busy), for stop(). */
  readonly live = new Set<UpstreamConn>();

  constructor(
    readonly endpoint: Endpoint,
    readonly server: DataPlaneServer,
  ) {}

  /** An idle keep-alive connection, or a new one (writes are buffered until it connects). */
  acquire(now: number): UpstreamConn {
    while (this.idle.length > 0) {
      const c = this.idle.pop()!;
      if (!c.dead && now - c.idleSince < UPSTREAM_IDLE_MS) return c;
      c.destroy();
    }
    return this.fresh();
  }

  fresh(): UpstreamConn {
    const c = new UpstreamConn(this);
    this.live.add(c);
    return c;
  }

  release(c: UpstreamConn, now: number): void {
    if (this.retired || this.idle.length >= MAX_IDLE_PER_ENDPOINT) {
      c.destroy();
      return;
    }
    c.idleSince = now;
    this.idle.push(c);
  }

  /** Closes idle sockets past their reuse window. */
  sweep(now: number): void {
    if (this.idle.length === 0) return;
    const keep: UpstreamConn[] = [];
    for (const c of this.idle) {
      if (!c.dead && now - c.idleSince < UPSTREAM_IDLE_MS) keep.push(c);
      else c.destroy();
    }
    this.idle = keep;
  }

  closeAll(): void {
    for (const c of this.live) c.destroy();
    this.idle = [];
  }

  /** Closes idle connections now; busy ones close when their exchange ends. */
  retire(): void {
    this.retired = true;
    for (const c of this.idle) c.destroy();
    this.idle = [];
  }
}

class UpstreamConn {
  readonly socket: net.Socket;
  ex: H1Exchange | null = null;
  idleSince = 0;
  dead = false;
  reusable = true;
  /** Requests completed on this socket (0 = fresh, so a failure cannot be a stale keep-alive race). */
  used = 0;
  private buf: Buffer | null = null;
  private inBody = false;
  tunnel = false;
  private readonly framer = new BodyFramer();
  private lastError: Error | null = null;

  constructor(readonly pool: UpstreamPool) {
    const ep = pool.endpoint;
    this.socket = net.connect({ host: ep.address, port: ep.port, noDelay: true });
    this.socket.on('data', this.onData);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
    this.socket.on('drain', this.onDrain);
  }

  attach(ex: H1Exchange, tunnel: boolean): void {
    this.ex = ex;
    this.tunnel = tunnel;
    this.inBody = false;
    this.buf = null;
    this.reusable = !tunnel;
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  private onError = (err: Error): void => {
    this.lastError = err;
  };

  private onDrain = (): void => {
    const ex = this.ex;
    if (ex !== null) ex.conn.upstreamDrained();
  };

  private onClose = (): void => {
    this.dead = true;
    this.pool.live.delete(this);
    const ex = this.ex;
    if (ex === null) return;
    this.ex = null;
    if (this.tunnel) {
      ex.tunnelClosed();
      return;
    }
    if (this.inBody && this.framer.mode === 3) {
      // Body delimited by close: this is its end.
      ex.responseComplete(false);
      return;
    }
    if (!ex.gotUpstreamBytes && this.used > 0 && !ex.retried && ex.requestBodyless) {
      // A pooled keep-alive socket closed under us before answering: retry once on a fresh one.
      ex.retried = true;
      ex.forward();
      return;
    }
    ex.upstreamFailed(this.lastError);
  };

  private onData = (chunk: Buffer): void => {
    try {
      this.handleData(chunk);
    } catch (err) {
      // A bug must not take the data plane down: drop this exchange, report, go on.
      const ex = this.ex;
      this.ex = null;
      this.destroy();
      this.pool.server.internalError(err);
      if (ex !== null) ex.fail(502, 'internal gateway error\n');
    }
  };

  private handleData(chunk: Buffer): void {
    const ex = this.ex;
    if (ex === null) {
      // Bytes on an idle socket: protocol error, do not reuse.
      this.destroy();
      return;
    }
    ex.gotUpstreamBytes = true;
    if (this.tunnel) {
      ex.tunnelData(chunk);
      return;
    }
    if (this.inBody) {
      const n = this.framer.advance(chunk, 0);
      if (n < 0) {
        this.reusable = false;
        ex.upstreamFailed(new Error(`malformed response body: ${this.framer.error}`));
        return;
      }
      if (n > 0) ex.clientWrite(n === chunk.length ? chunk : chunk.subarray(0, n));
      if (this.framer.done) {
        if (n < chunk.length) this.reusable = false;
        this.complete();
      }
      return;
    }
    let buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    this.buf = null;
    for (;;) {
      const idx = buf.indexOf(CRLFCRLF);
      if (idx < 0) {
        if (buf.length > MAX_HEAD_BYTES) {
          this.reusable = false;
          ex.upstreamFailed(new Error('response head too large'));
          return;
        }
        this.buf = buf;
        return;
      }
      const r = parseResponseHead(buf, idx);
      if (r === null) {
        this.reusable = false;
        ex.upstreamFailed(new Error('malformed response head'));
        return;
      }
      const off = idx + 4;
      if (r.status < 200 && r.status !== 101) {
        // 100 Continue / 103 Early Hints: pass through, the final response follows.
        ex.clientWrite(buf.subarray(0, off));
        if (off >= buf.length) return;
        buf = buf.subarray(off);
        continue;
      }
      const method = ex.head.method;
      const noBody = method === 'HEAD' || r.status === 204 || r.status === 304 || r.status === 101;
      if (noBody) this.framer.reset('none');
      else if (r.chunked) this.framer.reset('chunked');
      else if (r.contentLength >= 0) this.framer.reset('length', r.contentLength);
      else {
        this.framer.reset('close');
        this.reusable = false;
      }
      if (r.close) this.reusable = false;
      const n = this.framer.advance(buf, off);
      if (n < 0) {
        this.reusable = false;
        ex.upstreamFailed(new Error(`malformed response body: ${this.framer.error}`));
        return;
      }
      this.inBody = true;
      const untilClose = this.framer.mode === 3;
      ex.responseStart(buf, idx, r.drops, off, off + n, untilClose);
      if (this.framer.done && this.ex === ex) {
        if (off + n < buf.length) this.reusable = false;
        this.complete();
      }
      return;
    }
  }

  private complete(): void {
    const ex = this.ex!;
    this.ex = null;
    this.inBody = false;
    this.used++;
    if (this.reusable && !this.dead && ex.requestBodyDone) this.pool.release(this, ex.gateway.clock.now());
    else this.destroy();
    ex.responseComplete(true);
  }
}

// ---------------------------------------------------------------------------
// Client side of the fast path

class ClientConn {
  state = CS.Head;
  buf: Buffer | null = null;
  ex: H1Exchange | null = null;
  readonly remoteAddress: string | undefined;
  readonly ip: string;
  /** Request body framing of the current exchange. */
  readonly framer = new BodyFramer();
  /** Close after the current exchange (stop(), Connection: close, unread body). */
  closing = false;
  /** The CONNECT target once this connection became a tunnel: every request in it goes to this host. */
  tunnelHost: string | null = null;
  private fwdHost = '';
  private fwdLines = '';

  constructor(
    readonly server: DataPlaneServer,
    readonly socket: net.Socket,
  ) {
    this.remoteAddress = socket.remoteAddress;
    this.ip = clientIp(socket.remoteAddress);
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    // No socket.setTimeout: it re-arms a timer on every read and write. Idle
    // keep-alive connections are closed by the server's periodic sweep instead.
    this.idleSince = server.gateway.clock.now();
  }

  /** When the connection last became idle (no exchange). */
  idleSince: number;

  private onError = (): void => {
    // 'close' follows and does the clean-up.
  };

  private onClose = (): void => {
    this.state = CS.Gone;
    this.server.conns.delete(this);
    const ex = this.ex;
    if (ex !== null) ex.clientAborted();
  };

  private onDrain = (): void => {
    const ex = this.ex;
    if (ex !== null && ex.up !== null) ex.up.socket.resume();
  };

  /** Upstream accepted more request body: read on. */
  upstreamDrained(): void {
    if (this.state === CS.Body || this.state === CS.Tunnel) this.socket.resume();
  }

  private onData = (chunk: Buffer): void => {
    try {
      this.handleData(chunk);
    } catch (err) {
      this.server.internalError(err);
      const ex = this.ex;
      if (ex !== null) ex.fail(500, 'internal gateway error\n');
      this.state = CS.Gone;
      this.socket.destroy();
    }
  };

  private handleData(chunk: Buffer): void {
    switch (this.state) {
      case CS.Head:
        this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
        this.parse();
        return;
      case CS.Body: {
        const ex = this.ex!;
        if (!ex.sending) {
          this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
          this.socket.pause();
          return;
        }
        this.sendBody(chunk);
        return;
      }
      case CS.Tunnel: {
        const ex = this.ex;
        if (ex === null || !ex.sending || ex.up === null) {
          // Not connected upstream yet (held or queued): keep the bytes for startBody().
          this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
          this.socket.pause();
          return;
        }
        if (!ex.up.socket.write(chunk)) this.socket.pause();
        return;
      }
      case CS.Await:
        this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
        if (this.buf.length > MAX_PIPELINE_BUFFER) this.socket.pause();
        return;
      case CS.Gone:
        return;
    }
  }

  /** Passes request body bytes to the upstream; the rest (pipelined requests) is kept. */
  private sendBody(chunk: Buffer): void {
    const ex = this.ex!;
    const n = this.framer.advance(chunk, 0);
    if (n < 0) {
      ex.fail(400, `malformed request body: ${this.framer.error}\n`);
      return;
    }
    const up = ex.up!;
    const more = n > 0 ? up.socket.write(n === chunk.length ? chunk : chunk.subarray(0, n)) : true;
    if (this.framer.done) {
      ex.requestBodyDone = true;
      this.state = CS.Await;
      if (n < chunk.length) this.buf = this.buf === null ? chunk.subarray(n) : Buffer.concat([this.buf, chunk.subarray(n)]);
    } else if (!more) this.socket.pause();
  }

  /** Called by the exchange once an upstream socket is attached: send the buffered body, then stream the rest. */
  startBody(): void {
    const ex = this.ex!;
    if (this.state === CS.Tunnel) {
      if (this.buf !== null) {
        ex.up!.socket.write(this.buf);
        this.buf = null;
      }
      this.socket.resume();
      return;
    }
    if (this.state !== CS.Body) return;
    const pending = this.buf;
    this.buf = null;
    if (pending !== null) this.sendBody(pending);
    if (this.state === CS.Body) this.socket.resume();
  }

  private parsing = false;

  private parse(): void {
    // Re-entered when an exchange finishes synchronously inside route() (e.g. a 404):
    // the outer loop picks up the next pipelined request instead of recursing.
    if (this.parsing) return;
    this.parsing = true;
    try {
      this.parseLoop();
    } finally {
      this.parsing = false;
    }
  }

  private parseLoop(): void {
    while (this.state === CS.Head && this.buf !== null) {
      let buf = this.buf;
      // Tolerate stray CRLFs between requests (RFC 9112 §2.2).
      let start = 0;
      while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
      if (start > 0) {
        buf = start >= buf.length ? Buffer.alloc(0) : buf.subarray(start);
        this.buf = buf.length > 0 ? buf : null;
        if (this.buf === null) return;
      }
      const idx = buf.indexOf(CRLFCRLF);
      if (idx < 0 || idx > MAX_HEAD_BYTES) {
        if (buf.length > MAX_HEAD_BYTES) this.reject(431, 'request head too large\n');
        return;
      }
      const s = buf.toString('latin1', 0, idx + 2);
      if (s.startsWith(H2_PREFACE)) {
        this.handOver(this.server.h2Server);
        return;
      }
      const head = parseRequestHead(s);
      if (isHeadError(head)) {
        this.reject(head.status, `${head.message}\n`);
        return;
      }
      if (head.minor === 0) {
        this.handOver(this.server.compatServer);
        return;
      }
      const rest = idx + 4 < buf.length ? buf.subarray(idx + 4) : null;
      if (!this.start(head, rest)) return;
    }
  }

  /** Starts an exchange for a parsed head; false when the connection was handed over or closed. */
  private start(head: RequestHead, rest: Buffer | null): boolean {
    let hostRaw = this.tunnelHost ?? head.host;
    let path = head.target;
    if (path.charCodeAt(0) !== 47 /* / */) {
      if (head.method === 'CONNECT' && this.tunnelHost === null) {
        // Stays in CS.Head: the loop goes on with the tunnelled requests (or stops after a 404).
        return this.connect(head, rest);
      }
      const abs = parseAbsoluteTarget(path);
      if (abs !== null) {
        if (abs.scheme !== 'http') {
          this.reject(400, `only http:// absolute-form targets are supported, got ${abs.scheme}://\n`);
          return false;
        }
        if (this.tunnelHost === null) hostRaw = abs.authority;
        path = abs.path;
      } else if (path !== '*') {
        this.reject(400, 'invalid request target\n');
        return false;
      }
    }
    const input: RouteInput = { host: hostRaw, tag: head.tag, remoteAddress: this.remoteAddress };
    const compiled = this.server.gateway.resolveHost(input);
    if (compiled !== null && this.needsH2(compiled)) {
      this.handOver(this.server.compatServer);
      return false;
    }
    this.buf = rest;
    const ex = new H1Exchange(this.server.gateway, this, head, hostRaw ?? '', path);
    this.ex = ex;
    if (head.upgrade !== null) this.framer.reset('none');
    else if (head.chunked) this.framer.reset('chunked');
    else if (head.contentLength > 0) this.framer.reset('length', head.contentLength);
    else this.framer.reset('none');
    ex.requestBodyless = this.framer.done;
    ex.requestBodyDone = this.framer.done;
    if (head.connectionClose) this.closing = true;
    if (head.upgrade !== null) {
      this.state = CS.Tunnel;
      this.socket.pause();
    } else if (this.framer.done) {
      this.state = CS.Await;
    } else {
      this.state = CS.Body;
      this.socket.pause();
    }
    ex.countStats = head.probe === null && !head.proberAgent;
    this.server.gateway.route(ex, input, compiled);
    return true;
  }

  /**
   * `CONNECT host:port` from clients using the gateway as their HTTP proxy (undici's
   * ProxyAgent): only for hosts the gateway routes, never an open TCP tunnel. After the
   * 200 the tunnelled bytes are parsed here as ordinary requests with Host fixed to the
   * CONNECT target.
   */
  private connect(head: RequestHead, rest: Buffer | null): boolean {
    const authority = head.target;
    const host = this.server.gateway.resolveHost({ host: authority, tag: null, remoteAddress: this.remoteAddress });
    if (host === null || (host.visibility === 'ClusterLocal' && !isLoopbackAddress(this.remoteAddress))) {
      this.reject(404, `CONNECT ${authority}: no Skiff route for this host; the gateway only tunnels to hosts it routes\n`);
      return false;
    }
    this.tunnelHost = authority.endsWith(':80') ? authority.slice(0, -3) : authority; // what an http:// URL's Host would be
    this.buf = rest;
    this.socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', 'latin1');
    return true;
  }

  private needsH2(h: CompiledHost): boolean {
    if (h.anyH2c) return true;
    if (h.rewriteHost === null) return false;
    const t = this.server.gateway.table.lookup(h.rewriteHost);
    return t !== null && t.anyH2c;
  }

  /** Hands the connection (with the bytes read so far) to a node:http / node:http2 server. */
  private handOver(server: net.Server): void {
    const buf = this.buf;
    this.buf = null;
    this.state = CS.Gone;
    this.server.conns.delete(this);
    const s = this.socket;
    s.pause();
    s.removeListener('data', this.onData);
    s.removeListener('error', this.onError);
    s.removeListener('close', this.onClose);
    s.removeListener('drain', this.onDrain);
    if (buf !== null) s.unshift(buf);
    this.server.handedOver.add(s);
    s.once('close', () => this.server.handedOver.delete(s));
    server.emit('connection', s);
    // node:http reads through the stream ('data'), so it needs the flow back on; node:http2
    // takes the unshifted bytes itself and resuming here would hand them to nobody.
    if (server === this.server.compatServer) s.resume();
  }

  /** Answers an error the gateway produced itself and closes (the framing may be lost). */
  private reject(status: number, body: string): void {
    this.state = CS.Gone;
    this.buf = null;
    this.socket.end(simpleResponse(status, body, { close: true }), 'latin1');
  }

  /** X-Forwarded-* and Forwarded lines for a request (cached for the common no-proxy-headers case). */
  forwardedLines(head: RequestHead, host: string): string {
    if (head.xForwardedFor === null && head.xForwardedProto === null && head.xForwardedHost === null && !head.hasForwarded) {
      if (host !== this.fwdHost || this.fwdLines === '') {
        this.fwdHost = host;
        this.fwdLines =
          `X-Forwarded-For: ${this.ip}\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: ${host}\r\n` +
          `Forwarded: ${forwardedFrom(this.ip, host, 'http')}\r\n`;
      }
      return this.fwdLines;
    }
    const xff = head.xForwardedFor === null ? this.ip : `${head.xForwardedFor}, ${this.ip}`;
    const xfp = head.xForwardedProto ?? 'http';
    const xfh = head.xForwardedHost ?? host;
    let s = `X-Forwarded-For: ${xff}\r\nX-Forwarded-Proto: ${xfp}\r\nX-Forwarded-Host: ${xfh}\r\n`;
    if (!head.hasForwarded) s += `Forwarded: ${forwardedFrom(xff, xfh, xfp)}\r\n`;
    return s;
  }

  /** The current exchange is over: next pipelined request, or close. */
  exchangeDone(ex: H1Exchange): void {
    if (this.ex !== ex) return;
    this.ex = null;
    if (this.state === CS.Gone) return;
    this.idleSince = ex.gateway.clock.now();
    if (!ex.requestBodyDone) {
      // The rest of the request body will never be read (the upstream answered early):
      // half-close, then read and discard what the client is still sending for a while,
      // so it gets to read our answer instead of a reset (HTTP/1.1 lingering close).
      this.state = CS.Gone;
      this.buf = null;
      const s = this.socket;
      s.end();
      s.resume();
      setTimeout(() => s.destroy(), CLIENT_LINGER_MS).unref();
      return;
    }
    if (this.closing || this.server.stopping) {
      this.state = CS.Gone;
      this.buf = null;
      this.socket.end();
      return;
    }
    this.state = CS.Head;
    if (this.socket.isPaused()) this.socket.resume();
    if (this.buf !== null) this.parse();
  }

  /** stop(): close if idle, else after the current exchange. */
  shutdown(): void {
    this.closing = true;
    if (this.ex === null) {
      this.state = CS.Gone;
      this.socket.end();
    }
  }
}

class H1Exchange extends Exchange {
  up: UpstreamConn | null = null;
  /** Upstream socket attached and head written. */
  sending = false;
  responseStarted = false;
  gotUpstreamBytes = false;
  retried = false;
  requestBodyless = true;
  requestBodyDone = true;

  constructor(
    gateway: Gateway,
    readonly conn: ClientConn,
    readonly head: RequestHead,
    readonly hostRaw: string,
    readonly path: string,
  ) {
    super(gateway);
  }

  forward(): void {
    if (this.conn.state === CS.Gone) {
      this.gateway.finish(this);
      return;
    }
    if (this.protocol === 'h2c') {
      // Cannot happen through ClientConn (h2c routes are handed over), but a revision may change protocol mid-flight.
      this.fail(502, 'revision speaks h2c; retry the request\n');
      return;
    }
    const ep = this.endpoint!;
    const pool = (ep.h1 as UpstreamPool | null) ?? this.conn.server.pool(ep);
    const tunnel = this.head.upgrade !== null;
    const up = tunnel || this.retried ? pool.fresh() : pool.acquire(this.gateway.clock.now());
    this.up = up;
    this.gotUpstreamBytes = false;
    up.attach(this, tunnel);
    up.socket.write(this.buildHead(), 'latin1');
    this.sending = true;
    this.conn.startBody();
  }

  private buildHead(): string {
    const h = this.head;
    let s = `${h.method} ${this.pathPrefix}${this.path} HTTP/1.1\r\nHost: ${this.hostOverride ?? this.hostRaw}\r\n${h.kept}`;
    s += this.conn.forwardedLines(h, this.hostRaw);
    const t = this.target;
    if (t !== null) s += this.viaActivator ? t.proxiedHeaderLines : t.headerLines;
    if (h.upgrade !== null) s += `Connection: Upgrade\r\nUpgrade: ${h.upgrade}\r\n`;
    return s + '\r\n';
  }

  /**
   * First bytes of the final response: the upstream head in buf[0, idx+4)
   * (hop-by-hop lines `drops` left out) and the body bytes buf[from, to) that
   * came with it.
   */
  responseStart(buf: Buffer, idx: number, drops: readonly number[], from: number, to: number, untilClose: boolean): void {
    const conn = this.conn;
    if (untilClose || !this.requestBodyDone || conn.closing || conn.server.stopping) conn.closing = true;
    this.responseStarted = true;
    this.wrote(this.gateway.clock.now());
    const s = conn.socket;
    // Small bodies ride in the same buffer as the head: one write, one syscall, no writev/cork machinery.
    const more =
      to - from <= SMALL_BODY_INLINE
        ? s.write(composeResponse(buf, idx, drops, conn.closing, from, to))
        : writeBoth(s, composeResponse(buf, idx, drops, conn.closing, 0, 0), buf.subarray(from, to));
    if (!more) this.up?.socket.pause();
  }

  clientWrite(chunk: Buffer): void {
    this.responseStarted = true;
    this.wrote(this.gateway.clock.now());
    if (!this.conn.socket.write(chunk)) this.up?.socket.pause();
  }

  tunnelData(chunk: Buffer): void {
    if (!this.responseStarted) {
      // The upgrade was answered: from here on the connection is the application's, no more timeouts.
      this.gateway.sweeper.remove(this);
    }
    this.clientWrite(chunk);
  }

  tunnelClosed(): void {
    this.up = null;
    this.conn.closing = true;
    this.gateway.finish(this);
    this.conn.exchangeDone(this);
  }

  responseComplete(_keepUpstream: boolean): void {
    this.up = null;
    this.gateway.finish(this);
    this.conn.exchangeDone(this);
  }

  upstreamFailed(err: Error | null): void {
    const up = this.up;
    this.up = null;
    if (up !== null) {
      up.ex = null;
      up.destroy();
    }
    if (this.phase === Phase.Done) return;
    const code = (err as NodeJS.ErrnoException | null)?.code;
    const ep = this.endpoint;
    const what = this.pod !== null ? `pod "${this.pod.name}" of revision "${this.pod.revision.key}"` : ep !== null ? ep.key : 'upstream';
    this.fail(502, `upstream connect error${code ? ` (${code})` : ''} for ${what}${err && !code ? `: ${err.message}` : ''}\n`);
  }

  clientAborted(): void {
    const up = this.up;
    this.up = null;
    if (up !== null) {
      up.ex = null;
      up.destroy();
    }
    this.gateway.finish(this);
  }

  fail(status: number, body: string): void {
    if (this.phase === Phase.Done) return;
    const up = this.up;
    this.up = null;
    if (up !== null) {
      up.ex = null;
      up.destroy();
    }
    const conn = this.conn;
    if (conn.state !== CS.Gone) {
      if (this.responseStarted) {
        conn.state = CS.Gone;
        conn.socket.destroy();
      } else {
        if (!this.requestBodyDone || this.head.upgrade !== null) conn.closing = true;
        this.responseStarted = true;
        conn.socket.write(simpleResponse(status, body, { close: conn.closing, head: this.head.method === 'HEAD' }), 'latin1');
      }
    }
    this.gateway.finish(this);
    conn.exchangeDone(this);
  }
}

// ---------------------------------------------------------------------------
// Slow path: node:http / node:http2 requests (HTTP/1.0, h1 → h2c, h2c clients)

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'host',
  'proxy-authorization',
  'knative-serving-revision',
  'knative-serving-namespace',
  'k-proxy-request',
  'k-original-host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'http2-settings',
]);
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const PROBER_UA = /^(kube-probe\/|knative-(activator|autoscaling|queue-proxy|ingress)-probe)/i;

type CompatReq = http.IncomingMessage | http2.Http2ServerRequest;
type CompatRes = http.ServerResponse | http2.Http2ServerResponse;

function single(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

class CompatExchange extends Exchange {
  private upstream: http.ClientRequest | http2.ClientHttp2Stream | null = null;
  private readonly host: string;
  private readonly path: string;
  private readonly h2: boolean;

  constructor(
    gateway: Gateway,
    readonly server: DataPlaneServer,
    readonly req: CompatReq,
    readonly res: CompatRes,
  ) {
    super(gateway);
    this.h2 = req.httpVersionMajor === 2;
    const headers = req.headers;
    let host = this.h2 ? single(headers[':authority']) ?? single(headers.host) : single(headers.host);
    let path = (this.h2 ? single(headers[':path']) : req.url) ?? '/';
    if (path.charCodeAt(0) !== 47) {
      const abs = parseAbsoluteTarget(path);
      if (abs !== null) {
        host = abs.authority;
        path = abs.path;
      }
    }
    this.host = host ?? '';
    this.path = path;
    const ua = single(headers['user-agent']) ?? '';
    this.countStats = headers['k-network-probe'] === undefined && headers['k-kubelet-probe'] === undefined && !PROBER_UA.test(ua);
    res.on('close', this.onResClose);
  }

  routeInput(): RouteInput {
    return { host: this.host || null, tag: single(this.req.headers['knative-serving-tag']), remoteAddress: this.req.socket?.remoteAddress };
  }

  private onResClose = (): void => {
    if (this.phase === Phase.Done) return;
    // Client went away (or the response finished without us noticing): cut upstream.
    this.abortUpstream();
    this.gateway.finish(this);
  };

  private abortUpstream(): void {
    const u = this.upstream;
    this.upstream = null;
    if (u === null) return;
    if (u instanceof http.ClientRequest) u.destroy();
    else u.close(http2.constants.NGHTTP2_CANCEL);
  }

  /** Request headers for the upstream, as [name, value] pairs (lower-case names). */
  private upstreamHeaders(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const raw = this.req.rawHeaders;
    let xff: string | null = null;
    let xfp: string | null = null;
    let xfh: string | null = null;
    let hasForwarded = false;
    let te: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const value = raw[i + 1]!;
      if (name.charCodeAt(0) === 58 /* : */) continue;
      if (name === 'x-forwarded-for') xff = xff === null ? value : `${xff}, ${value}`;
      else if (name === 'x-forwarded-proto') xfp = value;
      else if (name === 'x-forwarded-host') xfh = value;
      else if (name === 'te') te = value;
      if (name === 'forwarded') hasForwarded = true;
      if (HOP_BY_HOP.has(name)) continue;
      out.push([name, value]);
    }
    const ip = clientIp(this.req.socket?.remoteAddress);
    xff = xff === null ? ip : `${xff}, ${ip}`;
    xfp ??= 'http';
    xfh ??= this.host;
    out.push(['x-forwarded-for', xff], ['x-forwarded-proto', xfp], ['x-forwarded-host', xfh]);
    if (!hasForwarded) out.push(['forwarded', forwardedFrom(xff, xfh, xfp)]);
    if (te !== null && this.protocol === 'h2c' && /(^|,)\s*trailers\s*(,|$)/i.test(te)) out.push(['te', 'trailers']);
    const t = this.target;
    if (t !== null) for (const [k, v] of this.viaActivator ? t.proxiedHeaderPairs : t.headerPairs) out.push([k.toLowerCase(), v]);
    return out;
  }

  forward(): void {
    if (this.res.destroyed || this.res.writableEnded) {
      this.gateway.finish(this);
      return;
    }
    const ep = this.endpoint!;
    const headers = this.upstreamHeaders();
    const host = this.hostOverride ?? this.host;
    const path = this.pathPrefix + this.path;
    const method = this.req.method ?? 'GET';
    if (this.protocol === 'h2c') {
      const session = this.server.h2Session(ep);
      const h: http2.OutgoingHttpHeaders = { ':method': method, ':path': path, ':authority': host, ':scheme': 'http' };
      for (const [k, v] of headers) {
        const prev = h[k];
        h[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [String(prev), v];
      }
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(h);
      } catch (err) {
        this.upstreamFailed(err as Error);
        return;
      }
      this.upstream = stream;
      stream.on('response', (rh) => this.onH2Response(rh, stream));
      stream.on('error', (err) => this.upstreamFailed(err));
      stream.on('close', () => {
        if (this.upstream === stream && this.phase !== Phase.Done) this.upstreamFailed(new Error('upstream stream closed'));
      });
      this.req.pipe(stream);
      return;
    }
    const outHeaders: string[] = ['Host', host];
    for (const [k, v] of headers) outHeaders.push(k, v);
    const upReq = http.request({ host: ep.address, port: ep.port, method, path, headers: outHeaders, agent: this.server.agent });
    this.upstream = upReq;
    upReq.on('response', (r) => this.onH1Response(r, upReq));
    upReq.on('error', (err) => this.upstreamFailed(err));
    this.req.pipe(upReq);
  }

  private onH1Response(r: http.IncomingMessage, upReq: http.ClientRequest): void {
    if (this.upstream !== upReq) return;
    const res = this.res;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !RESPONSE_HOP_BY_HOP.has(k)) headers[k] = v;
    this.wrote(this.gateway.clock.now());
    (res as http.ServerResponse).writeHead(r.statusCode ?? 502, headers);
    r.on('data', (c: Buffer) => {
      this.wrote(this.gateway.clock.now());
      if (!(res as http.ServerResponse).write(c)) r.pause();
    });
    res.on('drain', () => r.resume());
    r.on('end', () => {
      this.upstream = null;
      res.end();
      this.gateway.finish(this);
    });
    r.on('error', (err) => this.upstreamFailed(err));
    r.on('close', () => {
      if (this.upstream === upReq && this.phase !== Phase.Done) this.upstreamFailed(new Error('upstream response aborted'));
    });
  }

  private onH2Response(rh: http2.IncomingHttpHeaders, stream: http2.ClientHttp2Stream): void {
    if (this.upstream !== stream) return;
    const res = this.res;
    const status = Number(rh[':status'] ?? 502);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(rh)) if (v !== undefined && k.charCodeAt(0) !== 58 && !RESPONSE_HOP_BY_HOP.has(k)) headers[k] = v;
    this.wrote(this.gateway.clock.now());
    (res as http.ServerResponse).writeHead(status, headers);
    stream.on('data', (c: Buffer) => {
      this.wrote(this.gateway.clock.now());
      if (!(res as http.ServerResponse).write(c)) stream.pause();
    });
    res.on('drain', () => stream.resume());
    stream.on('trailers', (t) => {
      const tr: Record<string, string> = {};
      for (const [k, v] of Object.entries(t)) if (v !== undefined && k.charCodeAt(0) !== 58) tr[k] = Array.isArray(v) ? v.join(', ') : String(v);
      res.addTrailers(tr);
    });
    stream.on('end', () => {
      this.upstream = null;
      res.end();
      this.gateway.finish(this);
    });
  }

  private upstreamFailed(err: Error | null): void {
    if (this.phase === Phase.Done) return;
    const code = (err as NodeJS.ErrnoException | null)?.code;
    const what = this.pod !== null ? `pod "${this.pod.name}" of revision "${this.pod.revision.key}"` : this.endpoint?.key ?? 'upstream';
    this.fail(502, `upstream connect error${code ? ` (${code})` : ''} for ${what}\n`);
  }

  fail(status: number, body: string): void {
    if (this.phase === Phase.Done) return;
    this.abortUpstream();
    const res = this.res;
    if (!res.headersSent && !res.destroyed) {
      (res as http.ServerResponse).writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
      if (this.req.method === 'HEAD') res.end();
      else res.end(body);
    } else if (!res.writableEnded) {
      if (res instanceof http2.Http2ServerResponse) res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      else res.destroy();
    }
    this.gateway.finish(this);
  }
}

// ---------------------------------------------------------------------------
// The server

export interface DataPlaneServerOptions {
  gateway: Gateway;
  host: string;
  port: number;
  /** Bugs caught on the request path (the request fails, the server goes on). */
  onInternalError?: (err: unknown) => void;
}

export class DataPlaneServer {
  readonly gateway: Gateway;
  readonly server: net.Server;
  readonly compatServer: http.Server;
  readonly h2Server: http2.Http2Server;
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: MAX_IDLE_PER_ENDPOINT, timeout: 60_000 });
  readonly conns = new Set<ClientConn>();
  readonly handedOver = new Set<net.Socket>();
  private readonly h2Sessions = new Set<http2.ServerHttp2Session>();
  private readonly pools = new Set<UpstreamPool>();
  private readonly upstreamH2 = new Set<http2.ClientHttp2Session>();
  stopping = false;
  private readonly opts: DataPlaneServerOptions;

  constructor(opts: DataPlaneServerOptions) {
    this.opts = opts;
    this.gateway = opts.gateway;
    this.server = net.createServer({ noDelay: true }, (socket) => {
      if (this.stopping) {
        socket.destroy();
        return;
      }
      this.conns.add(new ClientConn(this, socket));
    });
    const handler = (req: CompatReq, res: CompatRes) => {
      const ex = new CompatExchange(this.gateway, this, req, res);
      this.gateway.route(ex, ex.routeInput());
    };
    this.compatServer = http.createServer({ keepAliveTimeout: CLIENT_IDLE_MS }, handler);
    this.compatServer.on('upgrade', (_req, socket: net.Socket) => {
      socket.end(simpleResponse(501, 'protocol upgrade is not supported on this path (HTTP/1.0 or h2c revision)\n', { close: true }), 'latin1');
    });
    this.h2Server = http2.createServer({}, handler);
    this.h2Server.on('session', (s) => {
      this.h2Sessions.add(s);
      s.on('close', () => this.h2Sessions.delete(s));
    });
  }

  /** Listens; resolves with the bound port (ephemeral when 0 was asked). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.removeListener('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  pool(ep: Endpoint): UpstreamPool {
    let p = ep.h1 as UpstreamPool | null;
    if (p === null) {
      p = new UpstreamPool(ep, this);
      ep.h1 = p;
      this.pools.add(p);
    }
    return p;
  }

  /** An endpoint left every snapshot: close its pool and h2 session (in-flight requests finish first). */
  retireEndpoint(ep: Endpoint): void {
    const p = ep.h1 as UpstreamPool | null;
    if (p !== null) {
      p.retire();
      this.pools.delete(p);
    }
    const h2 = ep.h2 as http2.ClientHttp2Session | null;
    if (h2 !== null) h2.close();
  }

  /** The h2c client session to an endpoint (one per endpoint, re-created when it closes). */
  h2Session(ep: Endpoint): http2.ClientHttp2Session {
    const cur = ep.h2 as http2.ClientHttp2Session | null;
    if (cur !== null && !cur.closed && !cur.destroyed) return cur;
    const host = ep.address.includes(':') ? `[${ep.address}]` : ep.address;
    const s = http2.connect(`http://${host}:${ep.port}`);
    s.on('error', () => {
      /* streams see their own errors */
    });
    s.on('close', () => {
      this.upstreamH2.delete(s);
      if (ep.h2 === s) ep.h2 = null;
    });
    this.upstreamH2.add(s);
    ep.h2 = s;
    return s;
  }

  private internalErrors = 0;

  /** Reports a caught bug (at most 10 per process, to keep a hot loop from flooding the log). */
  internalError(err: unknown): void {
    if (this.internalErrors++ < 10) this.opts.onInternalError?.(err);
  }

  /** Periodic housekeeping (once a second): idle upstream sockets and idle client keep-alive connections. */
  sweepPools(now: number): void {
    for (const p of this.pools) p.sweep(now);
    for (const c of this.conns) if (c.ex === null && now - c.idleSince > CLIENT_IDLE_MS) c.socket.destroy();
  }

  /**
   * Graceful stop: no new connections, idle ones closed, in-flight requests
   * get up to `graceMs`; then everything is cut. Resolves with how many
   * requests were cut off.
   */
  async stop(graceMs: number): Promise<number> {
    this.stopping = true;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const c of [...this.conns]) c.shutdown();
    this.compatServer.closeIdleConnections();
    for (const s of this.h2Sessions) s.close();
    const deadline = Date.now() + graceMs;
    while (this.gateway.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const aborted = this.gateway.active;
    for (const c of [...this.conns]) c.socket.destroy();
    for (const s of this.handedOver) s.destroy();
    this.compatServer.closeAllConnections();
    for (const s of this.h2Sessions) s.destroy();
    for (const p of this.pools) p.closeAll();
    for (const s of this.upstreamH2) s.destroy();
    this.agent.destroy();
    await closed;
    return aborted;
  }
}
