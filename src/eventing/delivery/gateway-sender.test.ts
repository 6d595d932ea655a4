import { test } from 'node:test';
import assert from 'node:assert/strict';
import { viaGateway } from './gateway-sender.js';
import type { SendFn } from './dispatcher.js';

test('cluster-local URLs go to the gateway with the original Host; loopback goes direct', async () => {
  const calls: Array<{ url: string; host?: string }> = [];
  const send: SendFn = async (url, _ev, opts) => {
    calls.push({ url, host: opts.headers?.host });
    return { status: 202, headers: {}, body: new Uint8Array() } as any;
  };
  const s = viaGateway(send, 'http://127.0.0.1:8080');
  const ev = { specversion: '1.0', id: '1', source: 's', type: 't' } as any;
  await s('http://event-display.default.svc.cluster.local/path?x=1', ev, {});
  await s('http://127.0.0.1:9999/sink', ev, {});
  await s('http://broker-ingress.knative-eventing.svc.cluster.local/default/b', ev, { headers: { 'prefer': 'reply' } });
  assert.deepEqual(calls, [
    { url: 'http://127.0.0.1:8080/path?x=1', host: 'event-display.default.svc.cluster.local' },
    { url: 'http://127.0.0.1:9999/sink', host: undefined },
    { url: 'http://127.0.0.1:8080/default/b', host: 'broker-ingress.knative-eventing.svc.cluster.local' },
  ]);
});
