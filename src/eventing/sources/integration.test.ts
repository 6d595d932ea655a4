// Sources end to end, in process: MemoryStore + ObjectService with core,
// serving and eventing kinds, InProcessClient, shared informers and the
// source controllers; a local HTTP sink receives what the adapters send.
// Controllers run on the real clock; the Ping adapter on a FakeClock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerCoreKinds } from '../../api/core/kinds.js';
import type { Condition, KObject } from '../../api/meta.js';
import { ResourceRegistry, grOf } from '../../api/registry.js';
import { ObjectService } from '../../apiserver/object-service.js';
import { InProcessClient } from '../../client/in-process-client.js';
import { FakeClock, realClock } from '../../controller/clock.js';
import { FakeEventRecorder } from '../../controller/events.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { MemoryStore } from '../../store/memory-store.js';
import { registerServing } from '../../serving/register.js';
import { bootstrapEventingConfig } from '../config/bootstrap.js';
import { createHttpSender, type HttpSender } from '../delivery/http-sender.js';
import { registerEventing } from '../register.js';
import { startEventingSources, type EventingSources } from './index.js';

const NS = 'default';
let svc: ObjectService;
let client: InProcessClient;
let informers: SharedInformerFactory;
let sources: EventingSources;
let sender: HttpSender;
let server: Server;
let sinkUrl: string;
const pingClock = new FakeClock(Date.UTC(2024, 0, 1, 0, 0, 30));
const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];

async function eventually<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const get = (gr: string, name: string, ns = NS): KObject | undefined => svc.store.get(gr, ns, name);
const cond = (o: KObject | undefined, type = 'Ready'): Condition | undefined => o?.status?.conditions?.find((c: Condition) => c.type === type);

describe('eventing sources (integration)', () => {
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    sinkUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServing(reg);
    registerEventing(reg);
    svc = new ObjectService(new MemoryStore(), reg);
    svc.bootstrap();
    client = new InProcessClient(svc);
    await bootstrapEventingConfig(client);
    informers = new SharedInformerFactory(client, { clock: realClock });
    sender = createHttpSender();
    const kindToGr = (apiVersion: string, kind: string) => {
      const t = reg.byApiVersionKind(apiVersion, kind);
      return t ? grOf(t) : undefined;
    };
    sources = startEventingSources({ client, informers, recorder: new FakeEventRecorder(), clock: realClock, pingClock, send: sender.send, kindToGr, newId: () => 'fixed-id' });
    await sources.ready;
  });

  after(async () => {
    await sources.stop();
    informers.stop();
    await sender.close();
    await new Promise((r) => server.close(r));
  });

  test('a PingSource with a ksvc sink is Ready with sinkUri, 3 conditions and ceAttributes', async () => {
    await client.create('serving.knative.dev/services', {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'event-display', namespace: NS },
      spec: { template: { spec: { containers: [{ image: 'ikubernetes/event_display' }] } } },
    });
    const cur = get('serving.knative.dev/services', 'event-display')!;
    await client.updateStatus('serving.knative.dev/services', { ...structuredClone(cur), status: { address: { url: `http://event-display.${NS}.svc.cluster.local` } } });
    await client.create('sources.knative.dev/pingsources', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'pingsource01', namespace: NS },
      spec: { schedule: '* * * * *', data: '{"message": "event from pingsource01"}', sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'event-display' } } },
    });
    const ps = await eventually('pingsource01 ready', () => cond(get('sources.knative.dev/pingsources', 'pingsource01'))?.status === 'True' && get('sources.knative.dev/pingsources', 'pingsource01'));
    assert.equal(ps.status.sinkUri, `http://event-display.${NS}.svc.cluster.local`);
    assert.deepEqual(ps.status.conditions.map((c: Condition) => `${c.type}=${c.status}`).sort(), ['Deployed=True', 'Ready=True', 'SinkProvided=True']);
    assert.deepEqual(ps.status.ceAttributes, [{ type: 'dev.knative.sources.ping', source: `/apis/v1/namespaces/${NS}/pingsources/pingsource01` }]);
    await client.delete('sources.knative.dev/pingsources', NS, 'pingsource01');
    await eventually('unscheduled', () => !sources.pingAdapter.has(NS, 'pingsource01'));
  });

  test('a PingSource whose sink is missing is not Ready (SinkProvided=False) and not scheduled', async () => {
    await client.create('sources.knative.dev/pingsources', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'nosink', namespace: NS },
      spec: { sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'absent' } } },
    });
    const c = await eventually('SinkProvided=False', () => cond(get('sources.knative.dev/pingsources', 'nosink'), 'SinkProvided')?.status === 'False' && cond(get('sources.knative.dev/pingsources', 'nosink'), 'SinkProvided'));
    assert.equal(c.reason, 'NotFound');
    assert.equal(sources.pingAdapter.has(NS, 'nosink'), false);
  });

  test('a ping reaches a local HTTP sink on the minute (fake clock), in binary mode', async () => {
    await client.create('sources.knative.dev/pingsources', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'pingsource02', namespace: NS },
      spec: { schedule: '* * * * *', contentType: 'application/json', data: '{"message": "hello"}', ceOverrides: { extensions: { the: '42' } }, sink: { uri: sinkUrl } },
    });
    await eventually('scheduled', () => sources.pingAdapter.has(NS, 'pingsource02'));
    pingClock.advance(30_000);
    const got = await eventually('ping received', () => received[0]);
    assert.equal(got.headers['ce-type'], 'dev.knative.sources.ping');
    assert.equal(got.headers['ce-source'], `/apis/v1/namespaces/${NS}/pingsources/pingsource02`);
    assert.equal(got.headers['ce-id'], 'fixed-id');
    assert.equal(got.headers['ce-time'], '2024-01-01T00:01:00.000Z');
    assert.equal(got.headers['ce-the'], '42');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.body, '{"message": "hello"}');
  });
});
