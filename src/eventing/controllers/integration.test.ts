// Eventing control plane end to end, in process: MemoryStore + ObjectService
// with core, serving and eventing kinds (the same admission kubectl gets),
// InProcessClient, shared informers, every eventing controller, the garbage
// collector, and a fake data plane standing in for the broker/channel planes.
// Real clock; every wait is a short poll with a deadline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../../api/core/kinds.js';
import type { Condition, KObject } from '../../api/meta.js';
import { ResourceRegistry, grOf } from '../../api/registry.js';
import { GarbageCollector } from '../../apiserver/garbage-collector.js';
import { ObjectService } from '../../apiserver/object-service.js';
import { InProcessClient } from '../../client/in-process-client.js';
import { realClock } from '../../controller/clock.js';
import { FakeEventRecorder } from '../../controller/events.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { MemoryStore } from '../../store/memory-store.js';
import { registerServing } from '../../serving/register.js';
import { bootstrapEventingConfig } from '../config/bootstrap.js';
import { registerEventing } from '../register.js';
import { startEventingControllers, type EventingControllers } from './index.js';
import { FakeDataPlane } from './testing/fake-dataplane.js';
import type { CloudEventRecord } from '../cloudevents/event.js';

const NS = 'default';

let svc: ObjectService;
let client: InProcessClient;
let informers: SharedInformerFactory;
let plane: FakeDataPlane;
let ctrls: EventingControllers;
let gc: GarbageCollector;

async function eventually<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function get(gr: string, name: string, ns = NS): KObject | undefined {
  return svc.store.get(gr, ns, name);
}

function ready(o: KObject | undefined): Condition | undefined {
  return o?.status?.conditions?.find((c: Condition) => c.type === 'Ready');
}

const isReady = (gr: string, name: string, ns = NS) => () => ready(get(gr, name, ns))?.status === 'True' && get(gr, name, ns);

async function ksvc(name: string): Promise<void> {
  await client.create('serving.knative.dev/services', {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { template: { spec: { containers: [{ image: 'ikubernetes/event_display' }] } } },
  });
  // No serving controllers here: write the address a Service reconciler would.
  const cur = get('serving.knative.dev/services', name)!;
  await client.updateStatus('serving.knative.dev/services', {
    ...structuredClone(cur),
    status: { url: `http://${name}.${NS}.example.com`, address: { url: `http://${name}.${NS}.svc.cluster.local` }, conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

const sinkRef = (name: string) => ({ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name } });

describe('eventing control plane (integration)', () => {
  before(async () => {
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServing(reg);
    registerEventing(reg);
    svc = new ObjectService(new MemoryStore(), reg);
    svc.bootstrap();
    gc = new GarbageCollector(svc);
    gc.start();
    client = new InProcessClient(svc);
    await bootstrapEventingConfig(client);
    informers = new SharedInformerFactory(client, { clock: realClock });
    plane = new FakeDataPlane();
    const kindToGr = (apiVersion: string, kind: string) => {
      const t = reg.byApiVersionKind(apiVersion, kind);
      return t ? grOf(t) : undefined;
    };
    ctrls = startEventingControllers({ client, informers, recorder: new FakeEventRecorder(), clock: realClock, dataPlane: plane, kindToGr });
    await ctrls.ready;
    await ksvc('event-display');
  });

  after(async () => {
    await ctrls.stop();
    informers.stop();
    gc.stop();
  });

  test('config maps are bootstrapped once and left alone afterwards', async () => {
    const cm = get('core/configmaps', 'config-br-defaults', 'knative-eventing')!;
    assert.match(cm.data['default-br-config'], /brokerClass: SkiffLogBroker/);
    assert.deepEqual(await bootstrapEventingConfig(client), []);
  });

  test('broker (default class SkiffLogBroker) becomes Ready at the broker-ingress address; trigger registered with its filter', async () => {
    await client.create('eventing.knative.dev/brokers', { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'broker01', namespace: NS } });
    const b = await eventually('broker01 ready', isReady('eventing.knative.dev/brokers', 'broker01'));
    assert.equal(b.status.address.url, `http://broker-ingress.knative-eventing.svc.cluster.local/${NS}/broker01`);
    assert.equal(b.status.conditions.length, 6);
    assert.equal(plane.brokers.get(`${NS}/broker01`)?.class, 'SkiffLogBroker');

    await client.create('eventing.knative.dev/triggers', {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: 'push-trigger', namespace: NS },
      spec: { broker: 'broker01', filters: [{ cesql: "type = 'dev.knative.sources.gitlab.push'" }], subscriber: sinkRef('event-display') },
    });
    const t = await eventually('push-trigger ready', isReady('eventing.knative.dev/triggers', 'push-trigger'));
    assert.equal(t.status.subscriberUri, `http://event-display.${NS}.svc.cluster.local`);
    assert.equal(t.status.conditions.length, 6);
    const cfg = plane.triggers.get(`${NS}/broker01/push-trigger`)!;
    const ev = (type: string) => ({ specversion: '1.0', id: '1', source: 'gitlab', type }) as CloudEventRecord;
    assert.equal(cfg.filter!(ev('dev.knative.sources.gitlab.push')), true);
    assert.equal(cfg.filter!(ev('dev.knative.sources.gitlab.issue')), false);
    assert.deepEqual(cfg.delivery, { retry: 10, backoffPolicy: 'exponential', backoffDelayMs: 200, format: 'binary' });
  });

  test('an invalid CESQL filter is rejected at admission naming spec.filters[0].cesql', async () => {
    await assert.rejects(
      client.create('eventing.knative.dev/triggers', {
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Trigger',
        metadata: { name: 'bad', namespace: NS },
        spec: { broker: 'broker01', filters: [{ cesql: "type = 'x' AND" }], subscriber: sinkRef('event-display') },
      }),
      (e: { status?: number; message?: string }) => e.status === 422 && /spec\.filters\[0\]\.cesql/.test(e.message ?? ''),
    );
  });

  test('a trigger whose subscriber appears later becomes Ready once it does', async () => {
    await client.create('eventing.knative.dev/triggers', {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: 'late', namespace: NS },
      spec: { broker: 'broker01', subscriber: sinkRef('late-display') },
    });
    await eventually('late trigger unresolved', () => get('eventing.knative.dev/triggers', 'late')?.status?.conditions?.find((c: Condition) => c.type === 'SubscriberResolved' && c.status === 'False'));
    await ksvc('late-display');
    const t = await eventually('late trigger ready', isReady('eventing.knative.dev/triggers', 'late'));
    assert.equal(t.status.subscriberUri, `http://late-display.${NS}.svc.cluster.local`);
  });

  test('channel + subscriptions (the seed: imc01, sub01, sub02): both Ready, both subscribers on the data plane', async () => {
    await ksvc('event-display-mirror');
    await client.create('messaging.knative.dev/channels', {
      apiVersion: 'messaging.knative.dev/v1',
      kind: 'Channel',
      metadata: { name: 'imc01', namespace: NS },
      spec: { channelTemplate: { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' } },
    });
    const ch = await eventually('channel imc01 ready', isReady('messaging.knative.dev/channels', 'imc01'));
    assert.equal(ch.status.address.url, `http://imc01-kn-channel.${NS}.svc.cluster.local`);
    assert.ok(get('core/services', 'imc01-kn-channel'), 'the ExternalName Service exists');
    for (const [name, sink] of [
      ['sub01', 'event-display'],
      ['sub02', 'event-display-mirror'],
    ]) {
      await client.create('messaging.knative.dev/subscriptions', {
        apiVersion: 'messaging.knative.dev/v1',
        kind: 'Subscription',
        metadata: { name, namespace: NS },
        spec: { channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'imc01' }, subscriber: sinkRef(sink) },
      });
    }
    await eventually('sub01 ready', isReady('messaging.knative.dev/subscriptions', 'sub01'));
    const s2 = await eventually('sub02 ready', isReady('messaging.knative.dev/subscriptions', 'sub02'));
    assert.equal(s2.status.physicalSubscription.subscriberUri, `http://event-display-mirror.${NS}.svc.cluster.local`);
    const subs = await eventually('both on the plane', () => plane.channels.get(`${NS}/imc01`)?.subscribers.length === 2 && plane.channels.get(`${NS}/imc01`)!.subscribers);
    assert.deepEqual(subs.map((s) => s.subscriberUri).sort(), [`http://event-display-mirror.${NS}.svc.cluster.local`, `http://event-display.${NS}.svc.cluster.local`]);
    assert.equal(get('messaging.knative.dev/channels', 'imc01')!.status.subscribers.length, 2);

    // Deleting a subscription takes it out of the channel (finalizer).
    await client.delete('messaging.knative.dev/subscriptions', NS, 'sub02');
    await eventually('sub02 gone', () => !get('messaging.knative.dev/subscriptions', 'sub02'));
    await eventually('one subscriber left on the plane', () => plane.channels.get(`${NS}/imc01`)?.subscribers.length === 1);
  });

  test('sequence (the seed: sq-demo): three channels, three chained subscriptions, address of channel 0', async () => {
    for (const s of ['sq-appender-01', 'sq-appender-02', 'sq-appender-03']) await ksvc(s);
    await client.create('flows.knative.dev/sequences', {
      apiVersion: 'flows.knative.dev/v1',
      kind: 'Sequence',
      metadata: { name: 'sq-demo', namespace: NS },
      spec: { steps: [sinkRef('sq-appender-01'), sinkRef('sq-appender-02'), sinkRef('sq-appender-03')], reply: sinkRef('event-display') },
    });
    const seq = await eventually('sq-demo ready', isReady('flows.knative.dev/sequences', 'sq-demo'));
    assert.equal(seq.status.address.url, `http://sq-demo-kn-sequence-0-kn-channel.${NS}.svc.cluster.local`);
    const step0 = plane.channels.get(`${NS}/sq-demo-kn-sequence-0`)!;
    assert.equal(step0.subscribers[0].subscriberUri, `http://sq-appender-01.${NS}.svc.cluster.local`);
    assert.equal(step0.subscribers[0].replyUri, `http://sq-demo-kn-sequence-1-kn-channel.${NS}.svc.cluster.local`);
    assert.equal(plane.channels.get(`${NS}/sq-demo-kn-sequence-2`)!.subscribers[0].replyUri, `http://event-display.${NS}.svc.cluster.local`);
  });

  test('parallel (the seed: filetype-parallel): address of the ingress channel, filters reply into branch channels', async () => {
    for (const s of ['image-filter', 'para-appender-image', 'para-appender-text']) await ksvc(s);
    await client.create('flows.knative.dev/parallels', {
      apiVersion: 'flows.knative.dev/v1',
      kind: 'Parallel',
      metadata: { name: 'filetype-parallel', namespace: NS },
      spec: { branches: [{ filter: sinkRef('image-filter'), subscriber: sinkRef('para-appender-image') }, { subscriber: sinkRef('para-appender-text') }], reply: sinkRef('event-display') },
    });
    const p = await eventually('parallel ready', isReady('flows.knative.dev/parallels', 'filetype-parallel'));
    assert.equal(p.status.address.url, `http://filetype-parallel-kn-parallel-kn-channel.${NS}.svc.cluster.local`);
    const ingress = plane.channels.get(`${NS}/filetype-parallel-kn-parallel`)!;
    assert.deepEqual(ingress.subscribers.map((s) => [s.subscriberUri, s.replyUri ?? null]).sort(), [
      [`http://filetype-parallel-kn-parallel-1-kn-channel.${NS}.svc.cluster.local`, null],
      [`http://image-filter.${NS}.svc.cluster.local`, `http://filetype-parallel-kn-parallel-0-kn-channel.${NS}.svc.cluster.local`],
    ]);
  });

  test('namespace labelled eventing.knative.dev/injection=enabled gets a Ready "default" broker, re-created when deleted', async () => {
    await client.create('core/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'injected', labels: { 'eventing.knative.dev/injection': 'enabled' } } });
    const b = await eventually('default broker ready', isReady('eventing.knative.dev/brokers', 'default', 'injected'));
    assert.equal(b.metadata.labels?.['eventing.knative.dev/injected'], 'true');
    await client.delete('eventing.knative.dev/brokers', 'injected', 'default');
    await eventually('deleted from the plane', () => plane.calls.includes('deleteBroker injected/default'));
    await eventually('re-created', isReady('eventing.knative.dev/brokers', 'default', 'injected'));
  });

  test('deleting a broker removes it from the data plane; its triggers report BrokerDoesNotExist', async () => {
    await client.delete('eventing.knative.dev/brokers', NS, 'broker01');
    await eventually('broker01 off the plane', () => !plane.brokers.has(`${NS}/broker01`));
    await eventually('trigger sees it', () => ready(get('eventing.knative.dev/triggers', 'push-trigger'))?.reason === 'BrokerDoesNotExist');
  });
});
