import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyFramer, composeResponse, hasToken, isHeadError, parseRequestHead, parseResponseHead, simpleResponse, type RequestHead } from './http1.js';

function head(s: string): RequestHead {
  const h = parseRequestHead(s);
  if (isHeadError(h)) assert.fail(`unexpected error ${h.status} ${h.message}`);
  return h;
}

describe('parseRequestHead', () => {
  test('keeps ordinary headers verbatim, drops Host and hop-by-hop, notes what the gateway needs', () => {
    const h = head(
      'POST /p?q HTTP/1.1\r\nHost: Hello.default:80\r\nUser-Agent: curl\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\n' +
        'Content-Length: 3\r\nX-Forwarded-For: 1.2.3.4\r\nKnative-Serving-Tag: v2\r\nK-Proxy-Request: activator\r\nAccept: */*\r\n',
    );
    assert.equal(h.method, 'POST');
    assert.equal(h.target, '/p?q');
    assert.equal(h.host, 'Hello.default:80');
    assert.equal(h.kept, 'User-Agent: curl\r\nContent-Length: 3\r\nKnative-Serving-Tag: v2\r\nAccept: */*\r\n');
    assert.equal(h.contentLength, 3);
    assert.equal(h.xForwardedFor, '1.2.3.4');
    assert.equal(h.tag, 'v2');
    assert.equal(h.connectionClose, false);
  });
  test('upgrade only with Connection: upgrade; probes recognised', () => {
    assert.equal(head('GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n').upgrade, 'websocket');
    assert.equal(head('GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n').upgrade, null);
    assert.equal(head('GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: kube-probe/1.30\r\n').probe, 'kubelet');
    assert.equal(head('GET / HTTP/1.1\r\nHost: a\r\nK-Network-Probe: queue\r\n').probe, 'queue');
    assert.equal(head('GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Knative-Activator-Probe\r\n').proberAgent, true);
  });
  test('HTTP/1.0 defaults to close; chunked recognised', () => {
    assert.equal(head('GET / HTTP/1.0\r\n').connectionClose, true);
    assert.equal(head('GET / HTTP/1.0\r\nConnection: keep-alive\r\n').connectionClose, false);
    assert.equal(head('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n').chunked, true);
  });
  const bad: Array<[string, string, number]> = [
    ['missing host', 'GET / HTTP/1.1\r\n', 400],
    ['two hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n', 400],
    ['CL + TE', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n', 400],
    ['conflicting CL', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n', 400],
    ['bad CL', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n', 400],
    ['TE not ending in chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n', 400],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : a\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\n b\r\n', 400],
    ['bare LF in value', 'GET / HTTP/1.1\r\nHost: a\nX: y\r\n', 400],
    ['bad method', 'G(T / HTTP/1.1\r\nHost: a\r\n', 400],
    ['HTTP/2 line', 'GET / HTTP/2.0\r\n', 505],
    ['control char in target', 'GET /\x01 HTTP/1.1\r\nHost: a\r\n', 400],
  ];
  for (const [name, s, status] of bad) {
    test(`rejects ${name} with ${status}`, () => {
      const h = parseRequestHead(s);
      assert.ok(isHeadError(h));
      assert.equal(h.status, status);
    });
  }
});

describe('parseResponseHead + composeResponse', () => {
  const parse = (head: string) => {
    const b = Buffer.from(head + '\r\n', 'latin1');
    return { b, r: parseResponseHead(b, b.indexOf('\r\n\r\n')) };
  };
  test('drops Connection, Keep-Alive and headers named in Connection; body appended', () => {
    const { b, r } = parse('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 13\r\n');
    assert.ok(r);
    assert.equal(r.status, 200);
    assert.equal(r.contentLength, 13);
    assert.equal(r.close, false);
    const body = Buffer.concat([b, Buffer.from('Hello World!\n')]);
    const out = composeResponse(body, b.indexOf('\r\n\r\n'), r.drops, false, b.length, body.length).toString('latin1');
    assert.equal(out, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello World!\n');
    assert.equal(
      composeResponse(b, b.indexOf('\r\n\r\n'), r.drops, true, 0, 0).toString('latin1'),
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n',
    );
  });
  test('chunked wins over length; close and HTTP/1.0 noted; junk is null', () => {
    const { r } = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n');
    assert.equal(r!.chunked, true);
    assert.equal(r!.contentLength, -1);
    assert.equal(r!.close, true);
    assert.equal(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n').r!.chunked, true);
    assert.equal(parse('HTTP/1.0 200 OK\r\n').r!.close, true);
    assert.equal(parse('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n').r!.close, false);
    assert.equal(parse('SSH-2.0-OpenSSH xxxxxxxx\r\n').r, null);
    assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n').r, null);
    assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n').r, null);
    assert.equal(parse('HTTP/1.1 200 OK\r\nno colon here\r\n').r, null);
  });
});

describe('BodyFramer', () => {
  test('content-length across chunks, leaving pipelined bytes', () => {
    const f = new BodyFramer();
    f.reset('length', 5);
    assert.equal(f.advance(Buffer.from('abc'), 0), 3);
    assert.equal(f.done, false);
    assert.equal(f.advance(Buffer.from('deGET'), 0), 2);
    assert.equal(f.done, true);
  });
  test('chunked split at every byte boundary, with extensions and trailers', () => {
    const msg = Buffer.from('4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT');
    const bodyLen = msg.length - 4;
    for (let cut = 1; cut < msg.length; cut++) {
      const f = new BodyFramer();
      f.reset('chunked');
      const n1 = f.advance(msg.subarray(0, cut), 0);
      const n2 = f.done ? 0 : f.advance(msg.subarray(cut), 0);
      assert.equal(f.error, null, `cut ${cut}`);
      assert.equal(f.done, true, `cut ${cut}`);
      assert.equal(n1 + n2, bodyLen, `cut ${cut}`);
    }
  });
  test('malformed chunked framing is an error', () => {
    const f = new BodyFramer();
    f.reset('chunked');
    assert.equal(f.advance(Buffer.from('zz\r\n'), 0), -1);
    assert.match(f.error!, /invalid chunk size/);
    f.reset('chunked');
    assert.equal(f.advance(Buffer.from('2\r\nabX'), 0), -1);
  });
  test('until close consumes everything; none consumes nothing', () => {
    const f = new BodyFramer();
    f.reset('close');
    assert.equal(f.advance(Buffer.from('anything'), 0), 8);
    assert.equal(f.done, false);
    f.reset('none');
    assert.equal(f.advance(Buffer.from('x'), 0), 0);
  });
});

test('hasToken and simpleResponse', () => {
  assert.equal(hasToken('keep-alive, Upgrade', 'upgrade'), true);
  assert.equal(hasToken('keep-alive', 'close'), false);
  assert.equal(simpleResponse(503, 'busy\n', { close: true }), 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n');
});
