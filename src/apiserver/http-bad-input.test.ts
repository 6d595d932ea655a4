// A corpus of bad requests: every one must get a 4xx (a Status body where
// HTTP got far enough to route), and the server must keep answering.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { call, cm, startTestServer, type TestServer } from './testing.js';

const CM = '/api/v1/namespaces/default/configmaps';

/** Send raw bytes; resolve with the status code of the first response line (0 if none). */
function raw(port: number, chunks: Array<string | Buffer>, ms = 3000): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    };
    const timer = setTimeout(finish, ms);
    sock.on('data', (d) => {
      text += d.toString('latin1');
      // A complete response with a Content-Length is enough; do not wait for the close.
      const head = text.indexOf('\r\n\r\n');
      const cl = /content-length: (\d+)/i.exec(text.slice(0, head));
      if (head > 0 && cl && text.length >= head + 4 + Number(cl[1])) finish();
    });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.on('connect', () => {
      for (const c of chunks) if (!sock.destroyed) sock.write(c);
    });
  });
}

const req = (method: string, path: string, headers: Record<string, string>, body = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}${body || method === 'POST' || method === 'PUT' || method === 'PATCH' ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`;

describe('API server: bad input corpus', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
    await call(ts, 'POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await call(ts, 'POST', CM, cm('exists'));
  });
  after(() => ts.close());

  const json = { 'content-type': 'application/json' };
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  const cases: Array<[string, string, string, Record<string, string>, string | Buffer | undefined, number, RegExp?]> = [
    ['malformed JSON', 'POST', CM, json, '{"apiVersion": "v1", kind: ConfigMap}', 400, /not valid JSON/],
    ['JSON array body', 'POST', CM, json, '[1,2]', 400, /must be a JSON or YAML object, not an array/],
    ['JSON string body', 'POST', CM, json, '"hello"', 400, /not string/],
    ['invalid YAML', 'POST', CM, { 'content-type': 'application/yaml' }, 'a: [1\nb: }', 400, /not valid YAML/],
    ['multi-document YAML', 'POST', CM, { 'content-type': 'application/yaml' }, 'a: 1\n---\nb: 2\n', 400, /multiple documents/],
    ['empty body', 'POST', CM, json, '', 400, /empty/],
    ['wrong kind', 'POST', CM, json, JSON.stringify({ ...cm('x'), kind: 'Pod' }), 400, /kind "Pod"/],
    ['wrong apiVersion', 'POST', CM, json, JSON.stringify({ ...cm('x'), apiVersion: 'apps/v1' }), 400, /apiVersion "apps\/v1"/],
    ['invalid name', 'POST', CM, json, JSON.stringify(cm('UPPER')), 422, /metadata\.name/],
    ['metadata not an object', 'POST', CM, json, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: 'x' }), 400, /metadata must be an object/],
    ['data value not a string', 'POST', CM, json, JSON.stringify({ ...cm('x'), data: { k: 1 } }), 422, /data\.k/],
    ['unknown top-level path', 'GET', '/nope', {}, undefined, 404],
    ['unknown group', 'GET', '/apis/nope.dev/v1/things', {}, undefined, 404],
    ['unknown resource', 'GET', '/api/v1/namespaces/default/gizmos', {}, undefined, 404],
    ['path too deep', 'GET', `${CM}/exists/status/extra`, {}, undefined, 404],
    ['namespaced object without namespace', 'GET', '/api/v1/configmaps/exists', {}, undefined, 404],
    ['PATCH on a collection', 'PATCH', CM, { 'content-type': 'application/merge-patch+json' }, '{}', 405],
    ['POST on /version', 'POST', '/version', json, '{}', 405],
    ['POST to all namespaces', 'POST', '/api/v1/configmaps', json, JSON.stringify(cm('x')), 405],
    ['unsupported patch type', 'PATCH', `${CM}/exists`, { 'content-type': 'application/xml' }, '<x/>', 415],
    ['protobuf create body', 'POST', CM, { 'content-type': 'application/vnd.kubernetes.protobuf' }, 'k8s\0', 415],
    ['bad label selector', 'GET', `${CM}?labelSelector=a%20in%20(b`, {}, undefined, 400],
    ['bad field selector', 'GET', `${CM}?fieldSelector=metadata.name`, {}, undefined, 400, /field selector/],
    ['bad watch resourceVersion', 'GET', `${CM}?watch=1&resourceVersion=-3`, {}, undefined, 400, /resourceVersion/],
    ['JSON patch that is not an array', 'PATCH', `${CM}/exists`, { 'content-type': 'application/json-patch+json' }, '{"op":"add"}', 400, /JSON array/],
    ['JSON patch with unknown op', 'PATCH', `${CM}/exists`, { 'content-type': 'application/json-patch+json' }, '[{"op":"frob","path":"/a"}]', 400, /unknown op/],
    ['deeply nested JSON', 'POST', CM, json, deep, 400, /nested deeper/],
    ['__proto__ key', 'POST', CM, json, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pp"},"data":{"__proto__":{"x":"1"}}}', 400, /__proto__/],
    ['protobuf-only Accept', 'GET', `${CM}/exists`, { accept: 'application/vnd.kubernetes.protobuf' }, undefined, 406],
    ['bad percent-encoding', 'GET', '/api/v1/namespaces/%ZZ/configmaps', {}, undefined, 400, /percent-encoding/],
    ['invalid dryRun', 'POST', `${CM}?dryRun=Yes`, json, JSON.stringify(cm('dr')), 400, /dryRun/],
    ['log with bad tailLines', 'GET', '/api/v1/namespaces/default/pods/p/log?tailLines=abc', {}, undefined, 400, /tailLines/],
    ['DeleteOptions of the wrong kind', 'DELETE', `${CM}/exists`, json, '{"kind":"Pod"}', 400, /DeleteOptions/],
    ['invalid UTF-8 body', 'POST', CM, json, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 400, /not valid JSON/],
    ['namespace in body differs from URL', 'POST', CM, json, JSON.stringify(cm('x', {}, 'kube-system')), 400, /does not match the namespace/],
    ['gracePeriodSeconds not a number', 'DELETE', `${CM}/exists?gracePeriodSeconds=soon`, {}, undefined, 400],
  ];

  for (const [what, method, path, headers, body, status, msg] of cases) {
    test(`${what} → ${status}`, async () => {
      const r = await call(ts, method, path, body, headers);
      assert.equal(r.status, status, `${what}: ${r.text.slice(0, 300)}`);
      assert.equal(r.json?.kind, 'Status', what);
      assert.equal(r.json.code, status);
      if (msg) assert.match(r.json.message, msg);
    });
  }

  test('bodies over 3 MiB → 413, by Content-Length or while streaming chunked', async () => {
    const big = await raw(ts.port, [`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n{"a":"`]);
    assert.equal(big.status, 413);
    assert.match(big.text, /RequestEntityTooLarge/);
    const piece = Buffer.alloc(512 * 1024, 'a');
    const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
    const chunked = await raw(ts.port, [`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, ...Array(8).fill(chunk)]);
    assert.equal(chunked.status, 413);
  });

  const garbage: Array<[string, Array<string | Buffer>, number[]]> = [
    ['binary garbage', [Buffer.from([0, 1, 2, 3, 0xff, 0x0d, 0x0a, 0x0d, 0x0a])], [400]],
    ['unknown method', ['BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n'], [400, 405]],
    ['bad HTTP version', ['GET / HTTP/7.5\r\nHost: x\r\n\r\n'], [400, 505]],
    ['header line without colon', ['GET /healthz HTTP/1.1\r\nHost: x\r\nBroken Header\r\n\r\n'], [400]],
    ['Content-Length not a number', [`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`], [400]],
    ['Content-Length and Transfer-Encoding together', [`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`], [400]],
    ['bad chunk size', [`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n`], [400]],
    ['headers over 16 KiB', [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`], [431]],
    ['request target without a slash', [req('GET', 'api/v1', {})], [400]],
  ];
  for (const [what, chunks, statuses] of garbage) {
    test(`raw: ${what} → ${statuses.join('/')}`, async () => {
      const r = await raw(ts.port, chunks);
      assert.ok(statuses.includes(r.status), `${what}: got ${r.status} ${JSON.stringify(r.text.slice(0, 200))}`);
    });
  }

  test('a client that vanishes mid-body or mid-headers does not hurt the server', async () => {
    await raw(ts.port, [`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":`], 50);
    await raw(ts.port, ['GET /heal'], 50);
    const r = await raw(ts.port, [req('GET', '/healthz', {})]);
    assert.equal(r.status, 200);
  });

  test('after the corpus the server still serves reads and writes', async () => {
    assert.equal((await call(ts, 'GET', '/healthz')).status, 200);
    assert.equal((await call(ts, 'POST', CM, cm('still-alive', { ok: 'yes' }))).status, 201);
    assert.equal((await call(ts, 'GET', `${CM}/still-alive`)).json.data.ok, 'yes');
    assert.equal(ts.requestWatchers(), 0);
  });
});
