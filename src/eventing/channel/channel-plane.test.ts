import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { toBinaryHttp } from '../cloudevents/http.js';
import { compileDeliveryPolicy } from '../delivery/delivery-spec.js';
import { createHttpSender } from '../delivery/http-sender.js';
import { startRecordingSink, type RecordingSink } from '../broker/testing/sink-server.js';
import { eventually, makeEvent } from './contract.js';
import { ChannelPlane, channelHost, parseChannelHost } from './channel-plane.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-channel-plane-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sender = createHttpSender();
after(() => sender.close());

test('channel hosts: Knative shape, any port, case-insensitive; others are not channels', () => {
  assert.equal(channelHost('default', 'imc01'), 'imc01-kn-channel.default.svc.cluster.local');
  assert.deepEqual(parseChannelHost('imc01-kn-channel.default.svc.cluster.local'), { ns: 'default', name: 'imc01' });
  assert.deepEqual(parseChannelHost('My-Ch-kn-channel.NS.svc.cluster.local:8080'), { ns: 'ns', name: 'my-ch' });
  assert.deepEqual(parseChannelHost('a-kn-channel.b.svc'), { ns: 'b', name: 'a' });
  assert.equal(parseChannelHost('hello.default.svc.cluster.local'), undefined);
  assert.equal(parseChannelHost(undefined), undefined);
});

describe('ChannelPlane over HTTP', () => {
  let plane: ChannelPlane;
  let server: Server;
  let url: string;
  let sink: RecordingSink;
  before(async () => {
    plane = new ChannelPlane({ dataDir: root, send: sender.send, sleep: async () => {}, log: { retentionIntervalMs: 0 } });
    server = createServer(plane.handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sink = await startRecordingSink();
  });
  after(async () => {
    await plane.close();
    server.closeAllConnections();
    server.close();
    await sink.close();
  });

  const postTo = async (host: string, path = '/', id = 'e1') => {
    const msg = toBinaryHttp(makeEvent(id));
    const res = await request(url + path, { method: 'POST', headers: { ...msg.headers, host }, body: msg.body });
    return { status: res.statusCode, text: await res.body.text(), allow: res.headers['allow'] };
  };

  for (const backend of ['memory', 'log'] as const) {
    test(`${backend}: routed by Host; subscriptions with reply and DLS; channel delivery is the default`, async () => {
      sink.received.length = 0;
      sink.respond((r) => {
        if (r.path === '/fn') return { reply: makeEvent(`reply-${r.event.id}`) };
        if (r.path === '/broken') return { status: 500 };
        return { status: 202 };
      });
      const name = `ch-${backend}`;
      plane.upsertChannel('ns', name, {
        backend,
        delivery: compileDeliveryPolicy({ retry: 1 }, { deadLetterSinkUri: sink.url + '/dls' }),
        subscribers: [
          { uid: 's1', subscriberUri: sink.url + '/fn', replyUri: sink.url + '/replies' },
          { uid: 's2', subscriberUri: sink.url + '/broken' },
        ],
      });
      const r = await postTo(`${channelHost('ns', name)}:80`, '/', `${backend}-1`);
      assert.equal(r.status, 202);
      assert.equal(r.allow, 'POST, OPTIONS', "Knative's channel receiver answers with Allow");
      await eventually(() => sink.at('/replies').length === 1 && sink.at('/dls').length === 1, 'reply forwarded and failure dead-lettered');
      assert.equal(sink.at('/replies')[0]!.event.id, `reply-${backend}-1`);
      assert.equal(sink.at('/broken').length, 2, 'channel delivery (retry 1) applies');
      assert.equal(sink.at('/fn')[0]!.headers['kn-namespace'], 'ns');
      assert.equal(sink.at('/fn')[0]!.headers['prefer'], 'reply');
      // Path routing (Knative's TLS address form) reaches the same channel.
      assert.equal((await postTo('127.0.0.1', `/ns/${name}`, `${backend}-2`)).status, 202);
      await eventually(() => sink.at('/replies').length === 2, 'second event via path routing');
      await plane.deleteChannel('ns', name);
      assert.equal((await postTo(channelHost('ns', name))).status, 404);
    });
  }

  test('unknown channel → 404 naming it; OPTIONS → 200; a changed backend is refused', async () => {
    const r = await postTo(channelHost('ns', 'nope'));
    assert.equal(r.status, 404);
    assert.match(r.text, /channel ns\/nope/);
    const opt = await request(url, { method: 'OPTIONS', headers: { host: channelHost('ns', 'nope') } });
    await opt.body.dump();
    assert.equal(opt.statusCode, 200);
    plane.upsertChannel('ns', 'fixed', { backend: 'memory' });
    assert.throws(() => plane.upsertChannel('ns', 'fixed', { backend: 'log' }), /cannot change/);
    assert.throws(() => plane.upsertChannel('ns', 'x', { backend: 'kafka' as never }), /unknown channel backend/);
  });
});
