import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { addressOf, parseEventTarget, planDelivery, statusText } from './send.js';

describe('event send target', () => {
  test("--to takes kn's sink grammar and kn-plugin-event's Kind:apiVersion:name[:ns]", () => {
    assert.deepEqual(parseEventTarget('broker:default', 'dev'), { type: 'ref', gvr: { group: 'eventing.knative.dev', version: 'v1', resource: 'brokers' }, name: 'default', namespace: 'dev' });
    assert.deepEqual(parseEventTarget('Service:serving.knative.dev/v1:event-display', 'default'), {
      type: 'ref',
      gvr: { group: 'serving.knative.dev', version: 'v1', resource: 'services' },
      name: 'event-display',
      namespace: 'default',
    });
    assert.deepEqual(parseEventTarget('InMemoryChannel:messaging.knative.dev/v1:imc01:team', 'default'), {
      type: 'ref',
      gvr: { group: 'messaging.knative.dev', version: 'v1', resource: 'inmemorychannels' },
      name: 'imc01',
      namespace: 'team',
    });
    assert.deepEqual(parseEventTarget('Service:v1:display', 'default'), { type: 'ref', gvr: { group: '', version: 'v1', resource: 'services' }, name: 'display', namespace: 'default' });
    assert.deepEqual(parseEventTarget('http://127.0.0.1:8080/', 'default'), { type: 'url', url: 'http://127.0.0.1:8080/' });
    assert.throws(() => parseEventTarget('nope:x', 'default'), /invalid value 'nope:x' for '--to': unknown prefix 'nope'/);
  });

  test('addresses: status.address.url, else the first status.addresses url; a v1 Service by its DNS name', () => {
    const o = (status: Record<string, unknown>): KObject => ({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', namespace: 'ns' }, status });
    const gvr = { group: 'eventing.knative.dev', version: 'v1', resource: 'brokers' };
    assert.equal(addressOf(o({ address: { url: 'http://a/' } }), gvr), 'http://a/');
    assert.equal(addressOf(o({ addresses: [{ name: 'http' }, { url: 'http://b/' }] }), gvr), 'http://b/');
    assert.equal(addressOf(o({}), gvr), undefined);
    assert.equal(addressOf(o({}), { group: '', version: 'v1', resource: 'services' }), 'http://n.ns.svc.cluster.local');
  });
});

describe('planDelivery', () => {
  const gw = 'http://127.0.0.1:8080';
  test('cluster addresses go to the gateway with their Host', () => {
    assert.deepEqual(planDelivery('http://broker-ingress.knative-eventing.svc.cluster.local/default/b1', gw), {
      url: 'http://127.0.0.1:8080/default/b1',
      host: 'broker-ingress.knative-eventing.svc.cluster.local',
      via: 'gateway',
    });
    assert.deepEqual(planDelivery('http://hello.default.example.com/x?y=1', gw), { url: 'http://127.0.0.1:8080/x?y=1', host: 'hello.default.example.com', via: 'gateway' });
  });

  test('loopback and https go direct; without a gateway only non-cluster hosts do', () => {
    assert.deepEqual(planDelivery('http://127.0.0.1:9999/', gw), { url: 'http://127.0.0.1:9999/', via: 'direct' });
    assert.deepEqual(planDelivery('http://localhost:9999/', gw), { url: 'http://localhost:9999/', via: 'direct' });
    assert.deepEqual(planDelivery('https://events.example.org/', gw), { url: 'https://events.example.org/', via: 'direct' });
    assert.deepEqual(planDelivery('http://events.example.org/', undefined), { url: 'http://events.example.org/', via: 'direct' });
    assert.throws(() => planDelivery('http://imc01-kn-channel.default.svc.cluster.local', undefined), (e: Error & { code?: string }) => e.code === 'SKIFF_ERR_CLI_NO_GATEWAY' && /no Skiff gateway is known/.test(e.message));
    assert.throws(() => planDelivery('ftp://x/', gw), /only http and https URLs are supported/);
    assert.throws(() => planDelivery('::', gw), /not a valid URL/);
  });

  test('status text', () => {
    assert.equal(statusText(202), '202 Accepted');
    assert.equal(statusText(299), '299');
  });
});
