import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { Tracker } from '../../controller/controller.js';
import { FakeClock } from '../../controller/clock.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { FakeApiClient } from '../../controller/testing/fake-client.js';
import { settle } from '../../controller/testing/table.js';
import { DestinationResolveError, DestinationResolver, addressOf, guessGr } from './destination.js';
import { childName } from './names.js';

const NS = 'default';
const obj = (apiVersion: string, kind: string, name: string, status?: Record<string, unknown>): KObject => ({ apiVersion, kind, metadata: { name, namespace: NS }, status });

async function world(objects: KObject[], warm = ['serving.knative.dev/services', 'core/services', 'eventing.knative.dev/brokers', 'messaging.knative.dev/inmemorychannels', 'serving.knative.dev/routes']) {
  const client = new FakeApiClient();
  client.seed(...objects);
  const informers = new SharedInformerFactory(client, { clock: new FakeClock() });
  const enqueued: string[] = [];
  const tracker = new Tracker((k) => enqueued.push(k));
  const resolver = new DestinationResolver({ informers, tracker, enqueue: (k) => enqueued.push(k) });
  for (const gr of warm) resolver.watch(gr);
  informers.start();
  await informers.waitForSync();
  return { client, informers, resolver, enqueued };
}

const parent = { namespace: NS, key: `${NS}/parent` };
const ref = (apiVersion: string, kind: string, name: string, extra: Record<string, string> = {}) => ({ ref: { apiVersion, kind, name, ...extra } });

describe('DestinationResolver', () => {
  test('ksvc, Route, Broker, InMemoryChannel resolve to status.address.url', async () => {
    const w = await world([
      obj('serving.knative.dev/v1', 'Service', 'hello', { address: { url: 'http://hello.default.svc.cluster.local' } }),
      obj('serving.knative.dev/v1', 'Route', 'rt', { address: { url: 'http://rt.default.svc.cluster.local' } }),
      obj('eventing.knative.dev/v1', 'Broker', 'b1', { address: { name: 'http', url: 'http://broker-ingress.knative-eventing.svc.cluster.local/default/b1' } }),
      obj('messaging.knative.dev/v1', 'InMemoryChannel', 'imc01', { address: { name: 'http', url: 'http://imc01-kn-channel.default.svc.cluster.local' } }),
    ]);
    assert.equal(w.resolver.resolve(ref('serving.knative.dev/v1', 'Service', 'hello'), parent).url, 'http://hello.default.svc.cluster.local');
    assert.equal(w.resolver.resolve(ref('serving.knative.dev/v1', 'Route', 'rt'), parent).url, 'http://rt.default.svc.cluster.local');
    assert.deepEqual(w.resolver.resolve(ref('eventing.knative.dev/v1', 'Broker', 'b1'), parent), { url: 'http://broker-ingress.knative-eventing.svc.cluster.local/default/b1', name: 'http' });
    assert.equal(w.resolver.resolve(ref('messaging.knative.dev/v1', 'InMemoryChannel', 'imc01'), parent).url, 'http://imc01-kn-channel.default.svc.cluster.local');
    w.informers.stop();
  });

  test('v1 Service → http://name.ns.svc.cluster.local (https with CACerts); must exist', async () => {
    const w = await world([obj('v1', 'Service', 'event-display')]);
    assert.equal(w.resolver.resolve(ref('v1', 'Service', 'event-display'), parent).url, 'http://event-display.default.svc.cluster.local');
    assert.equal(w.resolver.resolve({ ...ref('v1', 'Service', 'event-display'), CACerts: 'PEM' }, parent).url, 'https://event-display.default.svc.cluster.local');
    assert.throws(() => w.resolver.resolve(ref('v1', 'Service', 'gone'), parent), /failed to get object default\/gone: services "gone" not found/);
    w.informers.stop();
  });

  test('uri: absolute as is; relative resolved against the ref; absolute with a ref refused', async () => {
    const w = await world([obj('serving.knative.dev/v1', 'Service', 'hello', { address: { url: 'http://hello.default.svc.cluster.local' } })]);
    assert.equal(w.resolver.resolve({ uri: 'http://example.com/path?q=1' }, parent).url, 'http://example.com/path?q=1');
    assert.equal(w.resolver.resolve({ ...ref('serving.knative.dev/v1', 'Service', 'hello'), uri: '/update' }, parent).url, 'http://hello.default.svc.cluster.local/update');
    assert.throws(() => w.resolver.resolve({ ...ref('serving.knative.dev/v1', 'Service', 'hello'), uri: 'http://x.y/z' }, parent), /absolute URI is not allowed when Ref/);
    assert.throws(() => w.resolver.resolve({ uri: '/relative' }, parent), /URI is not absolute \(both scheme and host should be non-empty\): "\/relative"/);
    assert.throws(() => w.resolver.resolve({}, parent), /destination missing Ref and URI/);
    w.informers.stop();
  });

  test('addresses[] and ref.address pick a named address; CACerts/audience from the destination override', () => {
    const o = obj('x.dev/v1', 'Thing', 't', { address: { url: 'http://a' }, addresses: [{ name: 'https', url: 'https://t.example' }, { name: 'http', url: 'http://t.example' }] });
    assert.equal(addressOf(o, { name: 't' }).url, 'https://t.example');
    assert.equal(addressOf(o, { name: 't', address: 'http' }).url, 'http://t.example');
    assert.throws(() => addressOf(o, { name: 't', address: 'grpc' }), /address with name "grpc" not found/);
    assert.throws(() => addressOf(obj('x.dev/v1', 'Thing', 't', {}), { name: 't', kind: 'Thing' }), /address not set for Kind = Thing/);
    assert.throws(() => addressOf(obj('x.dev/v1', 'Thing', 't', { address: {} }), { name: 't' }), /URL missing in address/);
  });

  test('an object without an address is not addressable (yet)', async () => {
    const w = await world([obj('serving.knative.dev/v1', 'Service', 'starting', {})]);
    assert.throws(() => w.resolver.resolve(ref('serving.knative.dev/v1', 'Service', 'starting'), parent), (e: unknown) => e instanceof DestinationResolveError && /address not set/.test(e.message));
    w.informers.stop();
  });

  test('a ref is tracked: the sink appearing later enqueues the parent', async () => {
    const w = await world([]);
    assert.throws(() => w.resolver.resolve(ref('serving.knative.dev/v1', 'Service', 'late'), parent), /not found/);
    await w.client.create('serving.knative.dev/services', obj('serving.knative.dev/v1', 'Service', 'late'));
    await settle();
    assert.deepEqual(w.enqueued, [`${NS}/parent`]);
    w.informers.stop();
  });

  test('an informer created on demand: transient error, parent enqueued once it synced', async () => {
    const w = await world([obj('example.dev/v1', 'Sink', 's1', { address: { url: 'http://s1.example' } })], []);
    assert.throws(
      () => w.resolver.resolve(ref('example.dev/v1', 'Sink', 's1'), parent),
      (e: unknown) => e instanceof DestinationResolveError && e.transient && /has not synced yet/.test(e.message),
    );
    await settle(10);
    assert.ok(w.enqueued.includes(`${NS}/parent`));
    assert.equal(w.resolver.resolve(ref('example.dev/v1', 'Sink', 's1'), parent).url, 'http://s1.example');
    w.informers.stop();
  });

  test('kindToGr decides which kinds exist', async () => {
    const client = new FakeApiClient();
    const informers = new SharedInformerFactory(client);
    const resolver = new DestinationResolver({ informers, tracker: new Tracker(() => undefined), enqueue: () => undefined, kindToGr: () => undefined });
    assert.throws(() => resolver.resolve(ref('nope.dev/v1', 'Nope', 'x'), parent), /no kind "Nope" is registered for version "nope.dev\/v1"/);
  });
});

describe('names', () => {
  test('guessGr as UnsafeGuessKindToResource', () => {
    assert.equal(guessGr('v1', 'Service'), 'core/services');
    assert.equal(guessGr('messaging.knative.dev/v1', 'InMemoryChannel'), 'messaging.knative.dev/inmemorychannels');
    assert.equal(guessGr('x/v1', 'Policy'), 'x/policies');
    assert.equal(guessGr('x/v1', 'Class'), 'x/classes');
  });
  test('childName as kmeta.ChildName', () => {
    assert.equal(childName('imc01', '-kn-channel'), 'imc01-kn-channel');
    const long = 'a'.repeat(60);
    const n = childName(long, '-kn-channel');
    assert.equal(n.length, 63);
    assert.ok(n.endsWith('-kn-channel'));
    assert.ok(n.startsWith('a'.repeat(20)));
  });
});
