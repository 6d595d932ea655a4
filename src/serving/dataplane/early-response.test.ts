// An upstream that answers before reading the request body (413 / 400) and
// closes: the gateway passes that answer on instead of a 502, and closes the
// client connection cleanly (the rest of the body is never read).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { DataPlaneFixture, revisionSpec, routeEntry, split } from './testing.js';

let f: DataPlaneFixture;
const upstreams: net.Server[] = [];

/** A raw upstream: once the request head is in, it answers `response` and closes (`reset`: with unread data, i.e. RST). */
async function earlyUpstream(response: string, reset: boolean): Promise<number> {
  const server = net.createServer((s) => {
    let got = '';
    s.setEncoding('latin1');
    s.on('error', () => {});
    s.on('data', (d: string) => {
      if (got.includes('\r\n\r\n')) return;
      got += d;
      if (!got.includes('\r\n\r\n')) return;
      s.write(response, 'latin1');
      // A close with unread input sends a reset; a reset right behind the answer can make
      // the kernel drop the answer before anyone reads it, so the reset trails it a little.
      if (reset) setTimeout(() => s.destroy(), 20);
      else s.end();
    });
  });
  upstreams.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

const TOO_LARGE = 'HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nConnection: close\r\n\r\nbody too large';

/** Uploads `total` bytes (Content-Length) as fast as the gateway takes them; resolves with what came back. */
function upload(port: number, host: string, total: number): Promise<{ reply: string; sent: number }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let reply = '';
    let sent = 0;
    let finished = false;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const done = () => {
      if (finished) return;
      finished = true;
      s.destroy();
      resolve({ reply, sent });
    };
    s.setEncoding('latin1');
    s.on('data', (d: string) => (reply += d));
    s.on('end', done);
    s.on('close', done);
    s.on('error', done);
    const pump = () => {
      while (sent < total && !finished) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          s.once('drain', pump);
          return;
        }
      }
    };
    s.write(`POST /upload HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${total}\r\n\r\n`, 'latin1');
    pump();
  });
}

before(async () => {
  f = await DataPlaneFixture.start();
  const closing = await earlyUpstream(TOO_LARGE, false);
  const resetting = await earlyUpstream(TOO_LARGE, true);
  const bad = await earlyUpstream('HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad', true);
  f.revisions['default/limit-00001'] = revisionSpec([{ pod: 'limit-1', port: closing, ready: true }]);
  f.revisions['default/reset-00001'] = revisionSpec([{ pod: 'reset-1', port: resetting, ready: true }]);
  f.revisions['default/bad-00001'] = revisionSpec([{ pod: 'bad-1', port: bad, ready: true }]);
  const nodeUp = http.createServer((_req, res) => {
    res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
    res.end('body too large');
  });
  upstreams.push(nodeUp as unknown as net.Server);
  await new Promise<void>((r) => nodeUp.listen(0, '127.0.0.1', r));
  f.revisions['default/node-00001'] = revisionSpec([{ pod: 'node-1', port: (nodeUp.address() as net.AddressInfo).port, ready: true }]);
  await f.pushRevisions();
  f.hosts['node.default.example.com'] = routeEntry('node', [split('node-00001', 100)]);
  f.hosts['limit.default.example.com'] = routeEntry('limit', [split('limit-00001', 100)]);
  f.hosts['reset.default.example.com'] = routeEntry('reset', [split('reset-00001', 100)]);
  f.hosts['bad.default.example.com'] = routeEntry('bad', [split('bad-00001', 100)]);
  await f.pushHosts();
});

after(async () => {
  await f.stop();
  for (const s of upstreams) s.close();
});

describe('upstream answers before the request body is read', () => {
  for (const [host, label] of [
    ['limit.default.example.com', 'closes (FIN)'],
    ['reset.default.example.com', 'closes with unread data (RST)'],
  ] as const) {
    test(`413 reaches the client when the upstream ${label} mid-upload`, async () => {
      for (let i = 0; i < 5; i++) {
        const { reply, sent } = await upload(f.port, host, 32 * 1024 * 1024);
        assert.match(reply, /^HTTP\/1\.1 413 Payload Too Large\r\n/, `attempt ${i}: got ${JSON.stringify(reply.slice(0, 240))}`);
        assert.match(reply, /\r\nConnection: close\r\n/i);
        assert.ok(reply.endsWith('\r\n\r\nbody too large'), 'the upstream body is passed on');
        assert.ok(sent > 0);
      }
    });
  }

  test('400 without Connection: close still closes the client connection (body not consumed)', async () => {
    const { reply } = await upload(f.port, 'bad.default.example.com', 8 * 1024 * 1024);
    assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(reply, /\r\nConnection: close\r\n/i);
    assert.ok(reply.endsWith('\r\n\r\nbad'));
  });
});
