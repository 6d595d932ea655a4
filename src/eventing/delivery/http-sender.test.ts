import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpSender, DeliveryTransportError, type HttpSender } from './http-sender.js';
import { deliverWithRetry, sleep, systemClock } from './dispatcher.js';
import { compileDeliveryPolicy } from './delivery-spec.js';
import { createCloudEventIngress } from '../cloudevents/ingress.js';
import type { CloudEventRecord } from '../cloudevents/event.js';

const event: CloudEventRecord = { specversion: '1.0', id: 'e1', source: '/s', type: 'com.example.t', subject: 'Grüße 100%', data: { n: 1 } };

describe('httpSender over real HTTP', () => {
  let server: Server;
  let base: string;
  let connections = 0;
  const received: { url: string; headers: IncomingMessage['headers']; events: CloudEventRecord[] }[] = [];
  const hanging: ServerResponse[] = [];
  let flaky = 0;
  let sender: HttpSender;

  before(async () => {
    const ingress = createCloudEventIngress({
      onEvents: (events, req) => {
        received.push({ url: req.url ?? '', headers: req.headers, events });
        if (req.url === '/reply') return { event: { specversion: '1.0', id: 'r1', source: '/fn', type: 'com.example.reply', data: 'ok' } };
        return undefined;
      },
    });
    server = createServer((req, res) => {
      if (req.url === '/hang') {
        hanging.push(res);
        req.resume();
        return;
      }
      if (req.url === '/flaky' && flaky++ < 2) {
        req.resume();
        res.writeHead(503, { 'retry-after': '0' }).end('busy');
        return;
      }
      ingress(req, res);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sender = createHttpSender({ keepAliveTimeoutMs: 5000 });
  });

  after(async () => {
    for (const res of hanging) res.destroy();
    await sender.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('binary mode by default, percent-encoded headers decode on the other side, keep-alive reuses the connection', async () => {
    received.length = 0;
    const before = connections;
    const r1 = await sender.send(`${base}/a`, event, { headers: { prefer: 'reply', 'kn-namespace': 'default' } });
    // undici returns the socket to the pool on the next turn of the event loop.
    await new Promise(setImmediate);
    const r2 = await sender.send(`${base}/a`, { ...event, id: 'e2' }, {});
    await new Promise(setImmediate);
    const r3 = await sender.send(`${base}/a`, { ...event, id: 'e3' }, {});
    assert.deepEqual([r1.status, r2.status, r3.status], [202, 202, 202]);
    assert.equal(connections - before, 1, 'later requests reused the pooled keep-alive connection');
    const [first] = received;
    assert.equal(first!.headers['ce-subject'], 'Gr%C3%BC%C3%9Fe%20100%25');
    assert.equal(first!.headers['prefer'], 'reply');
    assert.equal(first!.headers['kn-namespace'], 'default');
    assert.equal(first!.events[0]!.subject, 'Grüße 100%');
    assert.deepEqual(JSON.parse(String(first!.events[0]!.data)), { n: 1 });
  });

  test('structured mode when format is json', async () => {
    received.length = 0;
    await sender.send(`${base}/a`, event, { format: 'json' });
    assert.match(String(received[0]!.headers['content-type']), /^application\/cloudevents\+json/);
    assert.deepEqual(received[0]!.events[0]!.data, { n: 1 });
  });

  test('deliverWithRetry end to end: retries a flaky subscriber and returns its reply', async () => {
    flaky = 0;
    const policy = compileDeliveryPolicy({ retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.01S' });
    const deps = { send: sender.send, clock: systemClock, sleep };
    let out = await deliverWithRetry(event, `${base}/flaky`, policy, deps);
    assert.equal(out.result, 'delivered');
    assert.equal(out.attempts, 3);
    out = await deliverWithRetry(event, `${base}/reply`, policy, deps);
    assert.ok(out.result === 'delivered' && out.reply);
    assert.equal(out.reply.id, 'r1');
    assert.equal(out.reply.data !== undefined, true);
  });

  test('per-attempt timeout and connection errors are transport errors', async () => {
    await assert.rejects(sender.send(`${base}/hang`, event, { timeoutMs: 50 }), (err: unknown) => {
      assert.ok(err instanceof DeliveryTransportError);
      assert.equal(err.code, 'SKIFF_ERR_DELIVERY_TIMEOUT');
      assert.match(err.message, /timed out after 50 ms/);
      return true;
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(sender.send(`http://127.0.0.1:${port}/`, event, {}), (err: unknown) => {
      assert.ok(err instanceof DeliveryTransportError);
      assert.equal(err.code, 'SKIFF_ERR_DELIVERY_NETWORK');
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
  });
});
