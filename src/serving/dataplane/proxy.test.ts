// The forwarding engine through a running worker: X-Forwarded-*/Forwarded,
// absolute-form proxy requests, streaming both ways, WebSocket upgrade,
// pipelining, HTTP/1.0, h2c (h2c client → h2c pod and h1 client → h2c pod),
// 502 on connect errors, client aborts reaching the pod, services, static
// backends, domain mappings.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { DataPlaneFixture, deferred, echoHandler, request, revisionSpec, routeEntry, sleep, split, startUpstream, type Upstream } from './testing.js';

let f: DataPlaneFixture;
let echo: Upstream;
const closers: Array<() => Promise<void> | void> = [];

before(async () => {
  f = await DataPlaneFixture.start();
  echo = await startUpstream(echoHandler('echo'));
  closers.push(echo.close);
  f.revisions['default/echo-00001'] = revisionSpec([{ pod: 'echo-1', port: echo.port, ready: true }]);
  await f.pushRevisions();
  f.hosts['echo.default.example.com'] = routeEntry('echo', [split('echo-00001', 100)]);
  await f.pushHosts();
});

after(async () => {
  await f.stop();
  for (const c of closers) await c();
});

/** Sends raw bytes on a fresh connection and collects everything until the server closes or `until` matches. */
function raw(port: number, data: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      if (until?.test(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.write(data, 'latin1');
  });
}

describe('headers', () => {
  test('X-Forwarded-For/Proto/Host and Forwarded reach the pod; hop-by-hop headers do not', async () => {
    const r = await request(f.port, { host: 'echo.default.example.com', headers: { Connection: 'keep-alive, X-Secret', 'X-Secret': 'no', 'Keep-Alive': 'timeout=5' } });
    const h = JSON.parse(r.body).headers;
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], 'echo.default.example.com');
    assert.equal(h.forwarded, 'for=127.0.0.1;host=echo.default.example.com;proto=http');
    assert.equal(h['keep-alive'], undefined);
    assert.equal(r.headers['keep-alive'], undefined, 'upstream Keep-Alive is not passed to the client');
  });

  test('an incoming X-Forwarded-For is appended to; Forwarded synthesised from all hops', async () => {
    const r = await request(f.port, { host: 'echo.default.example.com', headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https' } });
    const h = JSON.parse(r.body).headers;
    assert.equal(h['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'https');
    assert.equal(h.forwarded, 'for=203.0.113.7, for=127.0.0.1;host=echo.default.example.com;proto=https');
  });

  test('client-sent Knative-Serving-Revision / K-Proxy-Request are replaced, not trusted', async () => {
    const r = await request(f.port, { host: 'echo.default.example.com', headers: { 'Knative-Serving-Revision': 'evil', 'K-Proxy-Request': 'activator' } });
    const h = JSON.parse(r.body).headers;
    assert.equal(h['knative-serving-revision'], 'echo-00001');
    assert.equal(h['k-proxy-request'], undefined);
  });
});

describe('proxy-style requests', () => {
  test('absolute-form request line (gateway as HTTP proxy)', async () => {
    const out = await raw(f.port, 'GET http://echo.default.example.com/some/path?q=1 HTTP/1.1\r\nHost: ignored.example\r\nConnection: close\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    const seen = JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4));
    assert.equal(seen.url, '/some/path?q=1');
    assert.equal(seen.headers.host, 'echo.default.example.com');
  });

  test('node http client with a proxy-style path', async () => {
    const r = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: f.port, path: 'http://echo.default.svc.cluster.local:80/p', headers: { host: 'echo.default.svc.cluster.local' } }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    // the cluster-local form is not registered for this route: 404 names it
    assert.match(r, /no Skiff route for host "echo\.default\.svc\.cluster\.local"/);
  });

  test('pipelined requests on one connection are answered in order', async () => {
    const one = 'GET /1 HTTP/1.1\r\nHost: echo.default.example.com\r\n\r\n';
    const two = 'GET /2 HTTP/1.1\r\nHost: nope.example.com\r\n\r\n';
    const three = 'GET /3 HTTP/1.1\r\nHost: echo.default.example.com\r\nConnection: close\r\n\r\n';
    const out = await raw(f.port, one + two + three);
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '404', '200']);
    assert.ok(out.indexOf('"url":"/1"') < out.indexOf('"url":"/3"'));
  });

  test('HTTP/1.0 client is served (via node:http)', async () => {
    const out = await raw(f.port, 'GET /old HTTP/1.0\r\nHost: echo.default.example.com\r\n\r\n');
    assert.match(out, /^HTTP\/1\.[01] 200 OK/);
    assert.match(out, /"url":"\/old"/);
    assert.match(out, /"x-forwarded-for":"127\.0\.0\.1"/);
  });

  test('malformed requests get 400 and no crash', async () => {
    assert.match(await raw(f.port, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await raw(f.port, 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await raw(f.port, 'GET / HTTP/1.1\r\n folded: x\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await raw(f.port, 'GET / HTTP/3.0\r\n\r\n'), /^HTTP\/1\.1 505 /);
  });
});

describe('streaming', () => {
  test('a chunked response arrives incrementally', async () => {
    const second = deferred();
    const up = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      await second.promise;
      res.end('second');
    });
    closers.push(up.close);
    f.revisions['default/stream-00001'] = revisionSpec([{ pod: 'stream-1', port: up.port, ready: true }]);
    await f.pushRevisions();
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: f.port, headers: { host: 'stream-00001.default' }, agent: false }, (res) => {
          let b = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            b += d;
            if (b === 'first;') second.resolve(); // only now does the pod send the rest
          });
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    assert.equal(body, 'first;second');
  });

  test('a chunked request body streams to the pod and back', async () => {
    const up = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.pipe(res);
    });
    closers.push(up.close);
    f.revisions['default/pipe-00001'] = revisionSpec([{ pod: 'pipe-1', port: up.port, ready: true }]);
    await f.pushRevisions();
    const chunks = ['alpha-', 'beta-', 'gamma'];
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: f.port, method: 'POST', headers: { host: 'pipe-00001.default' }, agent: false }, (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          b += d;
          const next = chunks.shift();
          if (next !== undefined) req.write(next);
          else if (b === 'alpha-beta-gamma') req.end();
        });
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.flushHeaders();
      req.write(chunks.shift()!);
    });
    assert.equal(reply, 'alpha-beta-gamma');
  });

  test('a large Content-Length body passes through intact', async () => {
    const up = await startUpstream((req, res) => {
      const h = crypto.createHash('sha256');
      let n = 0;
      req.on('data', (d: Buffer) => {
        n += d.length;
        h.update(d);
      });
      req.on('end', () => res.end(`${n}:${h.digest('hex')}`));
    });
    closers.push(up.close);
    f.revisions['default/big-00001'] = revisionSpec([{ pod: 'big-1', port: up.port, ready: true }]);
    await f.pushRevisions();
    const body = crypto.randomBytes(3 * 1024 * 1024).toString('base64');
    const r = await request(f.port, { host: 'big-00001.default', method: 'PUT', body });
    assert.equal(r.body, `${body.length}:${crypto.createHash('sha256').update(body).digest('hex')}`);
  });
});

describe('response framing', () => {
  let odd: Upstream;
  before(async () => {
    odd = await startUpstream((req, res) => {
      if (req.url === '/204') {
        res.writeHead(204);
        res.end();
      } else if (req.url === '/close-delimited') {
        // HTTP/1.0-style body ended by closing the connection
        req.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close');
        req.socket.end();
      } else if (req.url === '/continue') {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => res.end(`got ${body}`));
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
        res.end(req.method === 'HEAD' ? undefined : 'hello');
      }
    });
    closers.push(odd.close);
    f.revisions['default/odd-00001'] = revisionSpec([{ pod: 'odd-1', port: odd.port, ready: true }]);
    await f.pushRevisions();
  });

  test('HEAD and 204 carry no body and keep the connection usable', async () => {
    const out = await raw(
      f.port,
      'HEAD / HTTP/1.1\r\nHost: odd-00001.default\r\n\r\n' +
        'GET /204 HTTP/1.1\r\nHost: odd-00001.default\r\n\r\n' +
        'GET / HTTP/1.1\r\nHost: odd-00001.default\r\nConnection: close\r\n\r\n',
    );
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '204', '200']);
    assert.ok(out.endsWith('\r\n\r\nhello'), JSON.stringify(out));
  });

  test('a close-delimited upstream body reaches the client, which is told to close', async () => {
    const out = await raw(f.port, 'GET /close-delimited HTTP/1.1\r\nHost: odd-00001.default\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(out, /\r\nConnection: close\r\n/);
    assert.ok(out.endsWith('until-close'));
  });

  test('Expect: 100-continue is passed through', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: f.port, method: 'POST', path: '/continue', headers: { host: 'odd-00001.default', Expect: '100-continue', 'content-length': '4' }, agent: false }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b));
      });
      req.on('continue', () => req.end('body'));
      req.on('error', reject);
    });
    assert.equal(out, 'got body');
  });
});

describe('websocket', () => {
  test('upgrade is passed through and frames echo both ways', async () => {
    const up = await startUpstream(
      (_req, res) => res.end('not a websocket request'),
      (server) =>
        server.on('upgrade', (req, socket: net.Socket) => {
          const accept = crypto
            .createHash('sha1')
            .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
            .digest('base64');
          socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
          socket.on('data', (frame: Buffer) => {
            // one small masked text frame in, the same payload unmasked out
            const len = frame[1]! & 0x7f;
            const mask = frame.subarray(2, 6);
            const payload = Buffer.from(frame.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]!));
            socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
          });
        }),
    );
    closers.push(up.close);
    f.revisions['default/ws-00001'] = revisionSpec([{ pod: 'ws-1', port: up.port, ready: true }]);
    await f.pushRevisions();
    const key = crypto.randomBytes(16).toString('base64');
    const { socket, res } = await new Promise<{ socket: net.Socket; res: http.IncomingMessage }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: f.port,
        headers: { host: 'ws-00001.default', Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (res, socket) => resolve({ socket, res }));
      req.on('response', () => reject(new Error('no upgrade')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.statusCode, 101);
    assert.equal(res.headers['sec-websocket-accept'], crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
    const mask = Buffer.from([1, 2, 3, 4]);
    const text = Buffer.from('hello ws');
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | text.length]), mask, Buffer.from(text.map((b, i) => b ^ mask[i % 4]!))]);
    const echoed = await new Promise<Buffer>((resolve) => {
      socket.once('data', (d: Buffer) => resolve(d));
      socket.write(frame);
    });
    assert.equal(echoed[0], 0x81);
    assert.equal(echoed.subarray(2).toString(), 'hello ws');
    socket.destroy();
  });
});

describe('h2c', () => {
  let grpcLike: http2.Http2Server;
  let h2port = 0;
  before(async () => {
    grpcLike = http2.createServer();
    grpcLike.on('stream', (stream, headers) => {
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (body += d));
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' }));
        stream.end(JSON.stringify({ path: headers[':path'], authority: headers[':authority'], te: headers.te, rev: headers['knative-serving-revision'], body }));
      });
    });
    await new Promise<void>((r) => grpcLike.listen(0, '127.0.0.1', r));
    h2port = (grpcLike.address() as net.AddressInfo).port;
    closers.push(() => new Promise<void>((r) => grpcLike.close(() => r())));
    f.revisions['default/grpc-00001'] = revisionSpec([{ pod: 'grpc-1', port: h2port, ready: true }], { protocol: 'h2c' });
    await f.pushRevisions();
    f.hosts['grpc.default.example.com'] = routeEntry('grpc', [split('grpc-00001', 100)]);
    await f.pushHosts();
  });

  test('h2c prior-knowledge client → h2c pod, with trailers (gRPC style)', async () => {
    const client = http2.connect(`http://127.0.0.1:${f.port}`);
    try {
      const out = await new Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const s = client.request({ ':method': 'POST', ':path': '/helloworld.Greeter/SayHello', ':authority': 'grpc.default.example.com', te: 'trailers', 'content-type': 'application/grpc' });
        let headers: http2.IncomingHttpHeaders = {};
        let trailers: http2.IncomingHttpHeaders = {};
        let body = '';
        s.on('response', (h) => (headers = h));
        s.on('trailers', (t) => (trailers = t));
        s.setEncoding('utf8');
        s.on('data', (d: string) => (body += d));
        s.on('end', () => resolve({ headers, trailers, body }));
        s.on('error', reject);
        s.end('payload');
      });
      assert.equal(out.headers[':status'], 200);
      assert.equal(out.trailers['grpc-status'], '0');
      const seen = JSON.parse(out.body);
      assert.deepEqual(seen, { path: '/helloworld.Greeter/SayHello', authority: 'grpc.default.example.com', te: 'trailers', rev: 'grpc-00001', body: 'payload' });
    } finally {
      client.close();
    }
  });

  test('h2c client → HTTP/1.1 pod is bridged', async () => {
    const client = http2.connect(`http://127.0.0.1:${f.port}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const s = client.request({ ':method': 'GET', ':path': '/via-h2', ':authority': 'echo.default.example.com' });
        let b = '';
        s.setEncoding('utf8');
        s.on('data', (d: string) => (b += d));
        s.on('end', () => resolve(b));
        s.on('error', reject);
        s.end();
      });
      const seen = JSON.parse(body);
      assert.equal(seen.url, '/via-h2');
      assert.equal(seen.headers.host, 'echo.default.example.com');
      assert.equal(seen.headers['knative-serving-revision'], 'echo-00001');
    } finally {
      client.close();
    }
  });

  test('HTTP/1.1 client → h2c pod is bridged', async () => {
    const r = await request(f.port, { host: 'grpc.default.example.com', method: 'POST', path: '/x', body: 'from-h1' });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).body, 'from-h1');
  });
});

describe('failures and aborts', () => {
  test('upstream connect error → 502 with a short body', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const deadPort = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    f.revisions['default/dead-00001'] = revisionSpec([{ pod: 'dead-1', port: deadPort, ready: true }]);
    await f.pushRevisions();
    const r = await request(f.port, { host: 'dead-00001.default' });
    assert.equal(r.status, 502);
    assert.equal(r.body, 'upstream connect error (ECONNREFUSED) for pod "dead-1" of revision "default/dead-00001"\n');
  });

  test('a client abort closes the upstream request (no leaked sockets)', async () => {
    const gotClose = deferred();
    const arrived = deferred();
    const up = await startUpstream((req, _res) => {
      arrived.resolve();
      req.socket.on('close', () => gotClose.resolve());
    });
    closers.push(up.close);
    f.revisions['default/abort-00001'] = revisionSpec([{ pod: 'abort-1', port: up.port, ready: true }]);
    await f.pushRevisions();
    const req = http.request({ host: '127.0.0.1', port: f.port, headers: { host: 'abort-00001.default' }, agent: false });
    req.on('error', () => {});
    req.end();
    await arrived.promise;
    req.destroy();
    await gotClose.promise;
    await sleep(20);
    assert.equal(up.connections(), 0);
  });

  test('idle keep-alive sockets are reused, not multiplied', async () => {
    const up = await startUpstream(echoHandler('reuse'));
    closers.push(up.close);
    f.revisions['default/reuse-00001'] = revisionSpec([{ pod: 'reuse-1', port: up.port, ready: true }]);
    await f.pushRevisions();
    for (let i = 0; i < 20; i++) assert.equal((await request(f.port, { host: 'reuse-00001.default' })).status, 200);
    assert.equal(up.connections(), 1);
  });
});

describe('other hosts', () => {
  test('plain k8s services round-robin over their endpoints', async () => {
    const x = await startUpstream(echoHandler('x'));
    const y = await startUpstream(echoHandler('y'));
    closers.push(x.close, y.close);
    f.services['default/event-display'] = [
      { pod: 'ed-x', port: x.port },
      { pod: 'ed-y', port: y.port },
    ];
    await f.pushServices();
    const names = [];
    for (let i = 0; i < 4; i++) names.push(JSON.parse((await request(f.port, { host: 'event-display.default.svc.cluster.local' })).body).name);
    assert.deepEqual(names.sort(), ['x', 'x', 'y', 'y']);
  });

  test('static backends keep the Host and prefix the path', async () => {
    const broker = await startUpstream(echoHandler('broker'));
    closers.push(broker.close);
    f.staticBackends['broker-ingress.knative-eventing.svc.cluster.local'] = `http://127.0.0.1:${broker.port}`;
    f.staticBackends['*-kn-channel.*.svc.cluster.local'] = `http://127.0.0.1:${broker.port}/channels`;
    await f.pushStatic();
    const r = await request(f.port, { host: 'broker-ingress.knative-eventing.svc.cluster.local', path: '/default/broker01', method: 'POST', body: '{}' });
    const seen = JSON.parse(r.body);
    assert.equal(seen.url, '/default/broker01');
    assert.equal(seen.headers.host, 'broker-ingress.knative-eventing.svc.cluster.local');
    const c = JSON.parse((await request(f.port, { host: 'imc01-kn-channel.default.svc.cluster.local', path: '/' })).body);
    assert.equal(c.url, '/channels/');
    assert.equal(c.headers.host, 'imc01-kn-channel.default.svc.cluster.local');
  });

  test('domain mapping rewrites Host to the target', async () => {
    f.hosts['echo.default.svc.cluster.local'] = routeEntry('echo', [split('echo-00001', 100)], { visibility: 'ClusterLocal' });
    f.hosts['www.example.org'] = routeEntry('www.example.org', [], { rewriteHost: 'echo.default.svc.cluster.local' });
    await f.pushHosts();
    const seen = JSON.parse((await request(f.port, { host: 'www.example.org' })).body);
    assert.equal(seen.headers.host, 'echo.default.svc.cluster.local');
    assert.equal(seen.headers['x-forwarded-host'], 'www.example.org');
  });

  test('a rejected snapshot names the field and keeps the previous one', async () => {
    await assert.rejects(
      f.dp.apply({ type: 'hosts', hosts: { 'x.example.com': { kind: 'route', namespace: 'default', name: 'x', visibility: 'ExternalIP', splits: [split('a', 50)], ingressKey: '' } } }),
      (e: Error & { code?: string; path?: string }) => e.code === 'SKIFF_ERR_DATAPLANE_PROTOCOL' && e.path === 'hosts["x.example.com"].splits',
    );
    assert.equal((await request(f.port, { host: 'echo.default.example.com' })).status, 200);
  });
});
