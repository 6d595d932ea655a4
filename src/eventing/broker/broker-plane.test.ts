import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { CloudEventRecord } from '../cloudevents/event.js';
import { toBatchHttp, toBinaryHttp, toStructuredHttp } from '../cloudevents/http.js';
import { compileDeliveryPolicy } from '../delivery/delivery-spec.js';
import { createHttpSender } from '../delivery/http-sender.js';
import { compileTriggerFilter } from '../filter/subscriptions-api.js';
import { compileCesql, cesqlMatches } from '../filter/cesql/index.js';
import { eventually } from '../channel/contract.js';
import { BROKER_CLASS_LOG, BROKER_CLASS_MT, BrokerPlane, type BrokerClass } from './broker-plane.js';
import { startRecordingSink, type RecordingSink } from './testing/sink-server.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-broker-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

const sender = createHttpSender();
after(() => sender.close());
const instantSleep = async (_ms: number, signal?: AbortSignal) => {
  if (signal?.aborted) throw signal.reason;
  await new Promise((r) => setImmediate(r));
};

const ev = (id: string, extra: Partial<CloudEventRecord> = {}): CloudEventRecord => ({ specversion: '1.0', id, source: '/test', type: 'com.example.a', data: { id }, ...extra });
const cesql = { compileCesql, cesqlMatches: cesqlMatches as never };

interface Env {
  plane: BrokerPlane;
  url: string;
  sink: RecordingSink;
  dataDir: string;
  close(): Promise<void>;
}

async function startEnv(dataDir = join(root, `d${dirs++}`), sink?: RecordingSink): Promise<Env> {
  const plane = new BrokerPlane({ dataDir, send: sender.send, sleep: instantSleep, ingressBaseUrl: 'http://broker.test', log: { retentionIntervalMs: 0, synchronous: 'normal' } });
  const server: Server = createServer(plane.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s = sink ?? (await startRecordingSink());
  return {
    plane,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sink: s,
    dataDir,
    async close() {
      await plane.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      if (sink === undefined) await s.close();
    },
  };
}

async function post(url: string, msg: { headers: Record<string, string>; body: Buffer | string }, method = 'POST') {
  const res = await request(url, { method, headers: msg.headers, body: msg.body });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const send = (env: Env, path: string, event: CloudEventRecord) => post(env.url + path, toBinaryHttp(event));

describe('broker ingress HTTP surface', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
    env.plane.upsertBroker('ns1', 'b1', { class: BROKER_CLASS_LOG });
  });
  after(() => env.close());

  test('OPTIONS → 200 with webhook headers; GET → 405', async () => {
    const opt = await request(env.url + '/ns1/b1', { method: 'OPTIONS' });
    await opt.body.dump();
    assert.equal(opt.statusCode, 200);
    assert.equal(opt.headers['webhook-allowed-origin'], '*');
    assert.equal(opt.headers['allow'], 'POST');
    const get = await request(env.url + '/ns1/b1', { method: 'GET' });
    await get.body.dump();
    assert.equal(get.statusCode, 405);
  });

  test('path rules: / → 404, wrong segment count → 400, unknown broker → 404 (checked before the body)', async () => {
    const msg = toBinaryHttp(ev('x'));
    assert.equal((await post(env.url + '/', msg)).status, 404);
    for (const p of ['/ns1', '/ns1/b1/extra', '/ns1//b1', '//b1']) {
      const r = await post(env.url + p, msg);
      assert.equal(r.status, 400, p);
      assert.match(r.text, /expected \/\{namespace\}\/\{broker\}/);
    }
    const unknown = await post(env.url + '/ns1/nope', { headers: { 'content-type': 'text/plain' }, body: 'not an event' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /broker ns1\/nope not found/);
    assert.equal((await post(env.url + '/ns1/b1/?x=1', msg)).status, 202, 'trailing slash and query are fine');
  });

  test('invalid CloudEvent → 400 naming the attribute; TTL exhausted → 400', async () => {
    const bad = toBinaryHttp(ev('x'));
    delete bad.headers['ce-source'];
    const r = await post(env.url + '/ns1/b1', bad);
    assert.equal(r.status, 400);
    assert.match(r.text, /"source"/);
    const looped = await send(env, '/ns1/b1', ev('loop', { knativebrokerttl: 1 }));
    assert.equal(looped.status, 400);
    assert.match(looped.text, /knativebrokerttl/);
  });

  test('a batch is all-or-nothing: one exhausted TTL refuses the whole request', async () => {
    env.plane.upsertTrigger('ns1', 'b1', { name: 'batch', uid: 'batch-uid', subscriberUri: env.sink.url + '/batch' });
    const bad = await post(env.url + '/ns1/b1', toBatchHttp([ev('b1'), ev('b2', { knativebrokerttl: 1 })]));
    assert.equal(bad.status, 400);
    const ok = await post(env.url + '/ns1/b1', toBatchHttp([ev('b3'), ev('b4')]));
    assert.equal(ok.status, 202);
    await eventually(() => env.sink.at('/batch').length === 2, 'batch delivered');
    assert.deepEqual(env.sink.at('/batch').map((r) => r.event.id).sort(), ['b3', 'b4']);
    env.plane.deleteTrigger('ns1', 'b1', 'batch');
  });

  test('unknown class and class changes are refused', () => {
    assert.throws(() => env.plane.upsertBroker('ns1', 'x', { class: 'Kafka' as BrokerClass }), /unknown broker class "Kafka".*MTChannelBasedBroker, SkiffLogBroker/);
    assert.throws(() => env.plane.upsertBroker('ns1', 'b1', { class: BROKER_CLASS_MT }), /immutable/);
  });
});

for (const cls of [BROKER_CLASS_LOG, BROKER_CLASS_MT] as const) {
  describe(`broker data path (${cls})`, () => {
    let env: Env;
    before(async () => {
      env = await startEnv();
    });
    after(() => env.close());

    test('filters route events; subscribers get arrival time, no TTL, Prefer: reply, Kn-Namespace', async () => {
      env.sink.received.length = 0;
      env.plane.upsertBroker('ns', 'route', { class: cls });
      env.plane.upsertTrigger('ns', 'route', { name: 't-all', uid: 'u-all', subscriberUri: env.sink.url + '/all' });
      env.plane.upsertTrigger('ns', 'route', {
        name: 't-b',
        uid: 'u-b',
        subscriberUri: env.sink.url + '/b',
        filter: compileTriggerFilter({ filters: [{ cesql: "type LIKE '%.b'" }] }, cesql),
      });
      assert.equal((await send(env, '/ns/route', ev('1'))).status, 202);
      assert.equal((await post(env.url + '/ns/route', toStructuredHttp(ev('2', { type: 'com.example.b' })))).status, 202);
      await eventually(() => env.sink.at('/all').length === 2 && env.sink.at('/b').length === 1, 'routed');
      assert.equal(env.sink.at('/b')[0]!.event.id, '2');
      const got = env.sink.at('/all')[0]!;
      assert.equal(got.event.knativebrokerttl, undefined);
      assert.match(String(got.event.knativearrivaltime), /^\d{4}-\d{2}-\d{2}T/);
      assert.equal(got.headers['prefer'], 'reply');
      assert.equal(got.headers['kn-namespace'], 'ns');
      assert.deepEqual(env.plane.stats('ns', 'route')!.subscribers.find((s) => s.uid === 'u-b')!.filtered, 1);
    });

    test('replies re-enter the broker and are seen by every trigger; TTL stops reply loops (→ DLS, code 400)', async () => {
      env.sink.received.length = 0;
      env.sink.respond((r) => {
        if (r.path === '/echo') return { reply: { ...r.event, id: `re-${r.event.id}`, source: '/echo' } };
        if (r.path === '/replier' && r.event.type === 'com.example.a') return { reply: ev(`reply-${r.event.id}`, { type: 'com.example.reply' }) };
        return { status: 202 };
      });
      env.plane.upsertBroker('ns', 'reply', { class: cls });
      const only = (type: string) => compileTriggerFilter({ filter: { attributes: { type } } }, cesql);
      env.plane.upsertTrigger('ns', 'reply', { name: 'replier', uid: 'r1', subscriberUri: env.sink.url + '/replier', filter: only('com.example.a') });
      env.plane.upsertTrigger('ns', 'reply', { name: 'reply-watcher', uid: 'r2', subscriberUri: env.sink.url + '/watch', filter: only('com.example.reply') });
      assert.equal((await send(env, '/ns/reply', ev('q1'))).status, 202);
      await eventually(() => env.sink.at('/watch').length === 1, 'reply reached the second trigger');
      const reply = env.sink.at('/watch')[0]!.event;
      assert.equal(reply.id, 'reply-q1');
      assert.equal(reply.knativebrokerttl, undefined);
      assert.ok(reply.knativearrivaltime);

      // A trigger that answers every event with another event of the same type loops until TTL runs out.
      env.plane.upsertBroker('ns', 'loop', { class: cls, deadLetterUri: env.sink.url + '/dls' });
      env.plane.upsertTrigger('ns', 'loop', { name: 'echo', uid: 'e1', subscriberUri: env.sink.url + '/echo' });
      assert.equal((await send(env, '/ns/loop', ev('x', { knativebrokerttl: 4 }))).status, 202);
      await eventually(() => env.sink.at('/dls').length === 1, 'loop dead-lettered');
      // TTL 4 → 3 at ingress (x), 3 → 2 (re-x), 2 → 1 (re-re-x), then 0: the third reply is refused.
      assert.deepEqual(env.sink.at('/echo').map((r) => r.event.id), ['x', 're-x', 're-re-x']);
      const dead = env.sink.at('/dls')[0]!.event;
      assert.equal(dead.id, 're-re-x');
      assert.equal(dead.knativeerrordest, 'http://broker.test/ns/loop');
      assert.equal(Number(dead.knativeerrorcode), 400);
      assert.equal(Number(dead.knativebrokerttl), 1, 'the dead-lettered event is the stored one (with its TTL)');
    });

    test('2xx with a non-CloudEvent body is an error (502): retried with the broker delivery, then the broker DLS', async () => {
      env.sink.received.length = 0;
      env.sink.respond((r) => (r.path === '/text' ? { status: 200, headers: { 'content-type': 'text/plain' }, body: 'hello there' } : { status: 202 }));
      env.plane.upsertBroker('ns', 'nonce', { class: cls, delivery: compileDeliveryPolicy({ retry: 2 }, { deadLetterSinkUri: env.sink.url + '/dls' }) });
      env.plane.upsertTrigger('ns', 'nonce', { name: 't', uid: 'n1', subscriberUri: env.sink.url + '/text' });
      await send(env, '/ns/nonce', ev('n'));
      await eventually(() => env.sink.at('/dls').length === 1, 'dead-lettered');
      assert.equal(env.sink.at('/text').length, 3, 'broker delivery (retry 2) used as a whole');
      const dead = env.sink.at('/dls')[0]!.event;
      assert.equal(Number(dead.knativeerrorcode), 502);
      assert.equal(dead.knativeerrordest, env.sink.url + '/text');
      assert.equal(Buffer.from(String(dead.knativeerrordata), 'base64').toString(), 'hello there');
    });

    test("trigger delivery wins as a whole; the trigger's DLS wins over the broker's", async () => {
      env.sink.received.length = 0;
      env.sink.respond((r) => (r.path === '/fail' ? { status: 503 } : { status: 202 }));
      env.plane.upsertBroker('ns', 'prec', { class: cls, delivery: compileDeliveryPolicy({ retry: 5 }, { deadLetterSinkUri: env.sink.url + '/broker-dls' }) });
      env.plane.upsertTrigger('ns', 'prec', { name: 't1', uid: 'p1', subscriberUri: env.sink.url + '/fail', delivery: compileDeliveryPolicy({ retry: 1 }), deadLetterUri: env.sink.url + '/trigger-dls' });
      env.plane.upsertTrigger('ns', 'prec', { name: 't2', uid: 'p2', subscriberUri: env.sink.url + '/fail', delivery: compileDeliveryPolicy({ retry: 0 }) });
      await send(env, '/ns/prec', ev('p')).catch(() => undefined);
      await eventually(() => env.sink.at('/trigger-dls').length === 1 && env.sink.at('/broker-dls').length === 1, 'both dead-lettered');
      assert.equal(env.sink.at('/fail').length, 3, 't1: 2 attempts, t2: 1 attempt');
    });

    test('triggers added before their broker apply once it exists; deleteBroker → 404', async () => {
      env.sink.received.length = 0;
      env.sink.respond(() => ({ status: 202 }));
      env.plane.upsertTrigger('ns', 'late', { name: 't', uid: 'l1', subscriberUri: env.sink.url + '/late' });
      assert.equal((await send(env, '/ns/late', ev('early'))).status, 404);
      env.plane.upsertBroker('ns', 'late', { class: cls });
      assert.equal((await send(env, '/ns/late', ev('ok'))).status, 202);
      await eventually(() => env.sink.at('/late').length === 1, 'delivered');
      env.plane.deleteTrigger('ns', 'late', 't');
      assert.equal((await send(env, '/ns/late', ev('unrouted'))).status, 202);
      await env.plane.deleteBroker('ns', 'late');
      assert.equal((await send(env, '/ns/late', ev('gone'))).status, 404);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(env.sink.at('/late').map((r) => r.event.id), ['ok']);
    });
  });
}

describe('broker classes: what 202 means', () => {
  test('MTChannelBasedBroker: the producer waits for the fan-out and gets 500 when a trigger loses the event', async () => {
    const env = await startEnv();
    env.sink.respond((r) => (r.path === '/bad' ? { status: 500 } : { status: 202 }));
    env.plane.upsertBroker('ns', 'mt', { class: BROKER_CLASS_MT });
    env.plane.upsertTrigger('ns', 'mt', { name: 'good', uid: 'g', subscriberUri: env.sink.url + '/good' });
    const ok = await send(env, '/ns/mt', ev('1'));
    assert.equal(ok.status, 202);
    assert.equal(env.sink.at('/good').length, 1, 'delivered before the 202');
    env.plane.upsertTrigger('ns', 'mt', { name: 'bad', uid: 'b', subscriberUri: env.sink.url + '/bad' });
    const failed = await send(env, '/ns/mt', ev('2'));
    assert.equal(failed.status, 500);
    await env.close();
  });

  test('SkiffLogBroker: 202 means committed — events survive a restart while the subscriber is down', async () => {
    const sink = await startRecordingSink(() => ({ hang: true }));
    const dataDir = join(root, 'restart');
    let env = await startEnv(dataDir, sink);
    env.plane.upsertBroker('ns', 'durable', { class: BROKER_CLASS_LOG });
    env.plane.upsertTrigger('ns', 'durable', { name: 't', uid: 'd1', subscriberUri: sink.url + '/d', delivery: compileDeliveryPolicy({ timeout: 'PT30S' }) });
    for (let i = 0; i < 5; i++) assert.equal((await send(env, '/ns/durable', ev(`d${i}`))).status, 202);
    await eventually(() => sink.at('/d').length === 5, 'all in flight (hanging)');
    await env.close();

    sink.respond(() => ({ status: 202 }));
    sink.received.length = 0;
    env = await startEnv(dataDir, sink);
    env.plane.upsertBroker('ns', 'durable', { class: BROKER_CLASS_LOG });
    env.plane.upsertTrigger('ns', 'durable', { name: 't', uid: 'd1', subscriberUri: sink.url + '/d' });
    await eventually(() => sink.at('/d').length === 5, 'redelivered after restart');
    assert.deepEqual(sink.at('/d').map((r) => r.event.id).sort(), ['d0', 'd1', 'd2', 'd3', 'd4']);
    await env.plane.drained('ns', 'durable');
    await env.plane.deleteBroker('ns', 'durable');
    await env.close();

    // Deleted brokers leave nothing behind: a re-created broker starts empty.
    sink.received.length = 0;
    env = await startEnv(dataDir, sink);
    env.plane.upsertBroker('ns', 'durable', { class: BROKER_CLASS_LOG });
    env.plane.upsertTrigger('ns', 'durable', { name: 't', uid: 'd1', subscriberUri: sink.url + '/d' });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(sink.received.length, 0);
    await env.close();
    await sink.close();
  });
});
