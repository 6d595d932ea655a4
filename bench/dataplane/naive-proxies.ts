// Minimal reverse proxies used to choose the gateway's forwarding engine
// (engines.bench.ts): node:http server + http.Agent(keepAlive), node:http
// server + undici Pool.dispatch, and a raw `net` pass-through. Each does only
// what a proxy must (method, path, headers, body, status) and nothing else.
//   ENGINE=agent|undici|raw PORT=… UPSTREAM=127.0.0.1:8080 node dist/bench/dataplane/naive-proxies.js
import http from 'node:http';
import net from 'node:net';
import { Pool, type Dispatcher } from 'undici';

const [upHost, upPortStr] = (process.env.UPSTREAM ?? '127.0.0.1:8080').split(':') as [string, string];
const upPort = Number(upPortStr);
const engine = process.env.ENGINE ?? 'agent';
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te']);

function agentProxy(): net.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return http.createServer((req, res) => {
    const up = http.request({ host: upHost, port: upPort, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
}

function undiciProxy(): net.Server {
  const pool = new Pool(`http://${upHost}:${upPort}`, { connections: 256 });
  class Handler implements Dispatcher.DispatchHandler {
    constructor(private readonly res: http.ServerResponse) {}
    onRequestStart(): void {}
    onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP.has(k)) h[k] = v;
      this.res.writeHead(status, h);
    }
    onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
      this.res.write(chunk);
    }
    onResponseEnd(): void {
      this.res.end();
    }
    onResponseError(_c: Dispatcher.DispatchController, _err: Error): void {
      if (!this.res.headersSent) this.res.writeHead(502);
      this.res.end();
    }
  }
  return http.createServer((req, res) => {
    const headers: string[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (!HOP.has(raw[i]!.toLowerCase())) headers.push(raw[i]!, raw[i + 1]!);
    const body = req.method === 'GET' || req.method === 'HEAD' ? null : req;
    pool.dispatch({ origin: `http://${upHost}:${upPort}`, method: req.method as Dispatcher.HttpMethod, path: req.url ?? '/', headers, body }, new Handler(res));
  });
}

/** Raw pass-through: GET only, Content-Length responses only — an upper bound, not a proxy. */
function rawProxy(): net.Server {
  const idle: net.Socket[] = [];
  const END = Buffer.from('\r\n\r\n');
  return net.createServer((c) => {
    c.setNoDelay(true);
    let buf: Buffer | null = null;
    c.on('data', (d: Buffer) => {
      buf = buf ? Buffer.concat([buf, d]) : d;
      const i = buf.indexOf(END);
      if (i < 0) return;
      const head = buf.toString('latin1', 0, i + 4);
      buf = null;
      const u = idle.pop() ?? net.connect({ host: upHost, port: upPort, noDelay: true });
      let rb: Buffer | null = null;
      let need = -1;
      const onData = (x: Buffer) => {
        c.write(x);
        if (need < 0) {
          rb = rb ? Buffer.concat([rb, x]) : x;
          const j = rb.indexOf(END);
          if (j < 0) return;
          const h = rb.toString('latin1', 0, j).toLowerCase();
          need = Number.parseInt(h.slice(h.indexOf('content-length:') + 15), 10) - (rb.length - j - 4);
        } else need -= x.length;
        if (need === 0) {
          u.removeListener('data', onData);
          idle.push(u);
        }
      };
      u.on('data', onData);
      u.write(head, 'latin1');
    });
  });
}

const server = engine === 'raw' ? rawProxy() : engine === 'undici' ? undiciProxy() : agentProxy();
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : ''}\n`);
});
process.on('SIGTERM', () => process.exit(0));
