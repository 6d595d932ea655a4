import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { createCloudEventIngress, type IngressResponse } from './ingress.js';
import { parseHttpEvent, toBinaryHttp, toStructuredHttp, toBatchHttp } from './http.js';
import type { CloudEventRecord } from './event.js';

const base: CloudEventRecord = { specversion: '1.0', id: 'e1', source: '/src', type: 'com.example.t' };

describe('createCloudEventIngress over real HTTP', () => {
  let server: Server;
  let url: string;
  const received: CloudEventRecord[][] = [];
  let next: (events: CloudEventRecord[]) => IngressResponse | void | Promise<IngressResponse | void> = () => undefined;

  before(async () => {
    const handler = createCloudEventIngress({
      maxBodyBytes: 64 * 1024,
      webhookAllowedRate: '120',
      onEvents: (events) => {
        received.push(events);
        return next(events);
      },
    });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ns/broker`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('OPTIONS answers the webhook handshake with Allow: POST', async () => {
    const res = await request(url, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventemitter.example.com' } });
    await res.body.dump();
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['allow'], 'POST');
    assert.equal(res.headers['webhook-allowed-origin'], 'eventemitter.example.com');
    assert.equal(res.headers['webhook-allowed-rate'], '120');
  });

  test('non-POST methods get 405 with Allow', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await request(url, { method });
      const text = await res.body.text();
      assert.equal(res.statusCode, 405, method);
      assert.equal(res.headers['allow'], 'POST, OPTIONS');
      assert.match(text, /not allowed/);
    }
  });

  test('a valid binary event reaches the callback and gets 202', async () => {
    received.length = 0;
    next = () => undefined;
    const msg = toBinaryHttp({ ...base, subject: 'grüße', data: { a: 1 } });
    const res = await request(url, { method: 'POST', headers: msg.headers, body: msg.body });
    await res.body.dump();
    assert.equal(res.statusCode, 202);
    assert.equal(received.length, 1);
    assert.equal(received[0]![0]!.subject, 'grüße');
    assert.deepEqual(JSON.parse(String(received[0]![0]!.data)), { a: 1 });
  });

  test('structured and batched requests (fetch client)', async () => {
    received.length = 0;
    const s = toStructuredHttp({ ...base, id: 's1' });
    let res = await fetch(url, { method: 'POST', headers: s.headers, body: new Uint8Array(s.body) });
    assert.equal(res.status, 202);
    const b = toBatchHttp([{ ...base, id: 'b1' }, { ...base, id: 'b2' }]);
    res = await fetch(url, { method: 'POST', headers: b.headers, body: new Uint8Array(b.body) });
    assert.equal(res.status, 202);
    assert.deepEqual(received.map((evs) => evs.map((e) => e.id)), [['s1'], ['b1', 'b2']]);
  });

  test('invalid events get 400 naming the attribute; the callback is not called', async () => {
    received.length = 0;
    const headers = { ...toBinaryHttp(base).headers, 'ce-time': 'not-a-time' };
    let res = await request(url, { method: 'POST', headers, body: '' });
    let text = await res.body.text();
    assert.equal(res.statusCode, 400);
    assert.match(text, /attribute "time" must be an RFC 3339 timestamp.*\(header ce-time\)/);
    res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    text = await res.body.text();
    assert.equal(res.statusCode, 400);
    assert.match(text, /no ce-specversion header/);
    res = await request(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":"1.0","id":"x","type":"t"}' });
    text = await res.body.text();
    assert.equal(res.statusCode, 400);
    assert.match(text, /required attribute "source" is missing/);
    assert.equal(received.length, 0);
  });

  test('a body over the limit gets 413 (declared length and chunked)', async () => {
    const big = Buffer.alloc(70 * 1024, 0x61);
    const headers = toBinaryHttp(base).headers;
    let res = await request(url, { method: 'POST', headers, body: big });
    assert.equal(res.statusCode, 413);
    assert.match(await res.body.text(), /exceeds the limit of 65536 bytes/);
    // Streamed without Content-Length: the limit is enforced while reading.
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(8 * 1024, 0x62));
    res = await request(url, { method: 'POST', headers, body: Readable.from(chunks) });
    assert.equal(res.statusCode, 413);
    await res.body.dump();
    // The server still serves later requests.
    res = await request(url, { method: 'POST', headers, body: 'small' });
    await res.body.dump();
    assert.equal(res.statusCode, 202);
  });

  test('an oversized upload is read to its end after the 413, so a proxy in front sees the 413 (no reset, connection reusable)', async () => {
    const { port } = new URL(url);
    const head = (len: number) =>
      Object.entries({ ...toBinaryHttp(base).headers, host: 'x', 'content-length': String(len) }).reduce((h, [k, v]) => h + `${k}: ${v}\r\n`, 'POST /ns/broker HTTP/1.1\r\n') + '\r\n';
    const sock = connect(Number(port), '127.0.0.1');
    let got = '';
    let failure: Error | undefined;
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', (e) => (failure = e));
    await new Promise((r) => sock.once('connect', r));
    const size = 4 * 1024 * 1024; // 64 times the limit: far more than socket buffers hold
    sock.write(head(size));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let sent = 0; sent < size && !failure; sent += chunk.length) {
      if (!sock.write(chunk)) await new Promise((r) => (sock.once('drain', r), sock.once('close', r)));
    }
    if (!failure) sock.write(head(5) + 'small');
    await new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      sock.once('error', reject);
      const t = setTimeout(() => reject(new Error(`no second answer; got ${JSON.stringify(got.slice(0, 200))}`)), 5000);
      const check = () => {
        if (/HTTP\/1\.1 202/.test(got)) {
          clearTimeout(t);
          resolve();
        }
      };
      sock.on('data', check);
      check();
    });
    sock.destroy();
    assert.equal(failure, undefined);
    assert.match(got, /^HTTP\/1\.1 413 /);
    assert.match(got, /exceeds the limit of 65536 bytes/);
  });

  test('the callback can reply with an event, or a status', async () => {
    next = () => ({ event: { ...base, id: 'reply-1', type: 'com.example.reply', subject: 'é' } });
    let res = await request(url, { method: 'POST', ...toBinaryHttp(base) });
    const body = Buffer.from(await res.body.arrayBuffer());
    assert.equal(res.statusCode, 200);
    const reply = parseHttpEvent(res.headers, body);
    assert.equal(reply.id, 'reply-1');
    assert.equal(reply.subject, 'é');

    next = () => ({ status: 200, body: 'ok' });
    res = await request(url, { method: 'POST', ...toBinaryHttp(base) });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'ok');
  });

  test('callback errors: httpStatus is honoured, other errors become 500 without details', async () => {
    next = () => {
      throw Object.assign(new Error('broker is not ready'), { httpStatus: 503 });
    };
    let res = await request(url, { method: 'POST', ...toBinaryHttp(base) });
    assert.equal(res.statusCode, 503);
    assert.match(await res.body.text(), /broker is not ready/);
    next = async () => {
      throw new Error('secret internals');
    };
    res = await request(url, { method: 'POST', ...toBinaryHttp(base) });
    assert.equal(res.statusCode, 500);
    assert.doesNotMatch(await res.body.text(), /secret/);
    next = () => undefined;
  });
});
