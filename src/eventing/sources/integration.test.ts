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
  const envOf = (d: KObject | undefined, i = 0): Record<string, string | undefined> => Object.fromEntries((d?.spec?.template?.spec?.containers?.[i]?.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value]));
  const deployment = (name: string, labels: Record<string, string> = { app: name }): KObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'ikubernetes/demoapp', env: [{ name: 'KEEP', value: 'me' }] }] } } },
  });

  test('a SinkBinding by name injects K_SINK / K_CE_OVERRIDES into the Deployment template and removes them when deleted', async () => {
    await client.create('apps/deployments', deployment('app1'));
    await client.create('sources.knative.dev/sinkbindings', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'SinkBinding',
      metadata: { name: 'bind-app1', namespace: NS },
      spec: { subject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app1' }, sink: { uri: sinkUrl }, ceOverrides: { extensions: { foo: 'bar' } } },
    });
    const d = await eventually('app1 bound', () => envOf(get('apps/deployments', 'app1')).K_SINK === sinkUrl && get('apps/deployments', 'app1'));
    assert.deepEqual(envOf(d), { KEEP: 'me', K_SINK: sinkUrl, K_CE_OVERRIDES: '{"extensions":{"foo":"bar"}}' });
    const sb = await eventually('bind-app1 ready', () => cond(get('sources.knative.dev/sinkbindings', 'bind-app1'))?.status === 'True' && get('sources.knative.dev/sinkbindings', 'bind-app1'));
    assert.equal(sb.status.sinkUri, sinkUrl);
    assert.deepEqual(sb.status.conditions.map((c: Condition) => `${c.type}=${c.status}`).sort(), ['Ready=True', 'SinkBindingAvailable=True', 'SinkProvided=True']);
    await client.delete('sources.knative.dev/sinkbindings', NS, 'bind-app1');
    await eventually('app1 unbound', () => envOf(get('apps/deployments', 'app1')).K_SINK === undefined);
    assert.deepEqual(envOf(get('apps/deployments', 'app1')), { KEEP: 'me' });
  });

  test('a SinkBinding by selector binds matching Deployments (also ones created later), not others; a missing named subject is SubjectMissing', async () => {
    await client.create('apps/deployments', deployment('sel-a', { team: 'x' }));
    await client.create('apps/deployments', deployment('sel-other', { team: 'y' }));
    await client.create('sources.knative.dev/sinkbindings', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'SinkBinding',
      metadata: { name: 'bind-team-x', namespace: NS },
      spec: { subject: { apiVersion: 'apps/v1', kind: 'Deployment', selector: { matchLabels: { team: 'x' } } }, sink: { uri: sinkUrl } },
    });
    await eventually('sel-a bound', () => envOf(get('apps/deployments', 'sel-a')).K_SINK === sinkUrl);
    await client.create('apps/deployments', deployment('sel-b', { team: 'x' }));
    await eventually('sel-b bound', () => envOf(get('apps/deployments', 'sel-b')).K_SINK === sinkUrl);
    assert.equal(envOf(get('apps/deployments', 'sel-other')).K_SINK, undefined);

    await client.create('sources.knative.dev/sinkbindings', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'SinkBinding',
      metadata: { name: 'bind-missing', namespace: NS },
      spec: { subject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' }, sink: { uri: sinkUrl } },
    });
    const c = await eventually('SubjectMissing', () => cond(get('sources.knative.dev/sinkbindings', 'bind-missing'), 'SinkBindingAvailable')?.status === 'False' && cond(get('sources.knative.dev/sinkbindings', 'bind-missing'), 'SinkBindingAvailable'));
    assert.equal(c.reason, 'SubjectMissing');
    await client.create('apps/deployments', deployment('nope'));
    await eventually('late subject bound', () => envOf(get('apps/deployments', 'nope')).K_SINK === sinkUrl);
  });

  test('a ContainerSource creates {name}-deployment (bound to the sink) and {name}-sinkbinding, and is Ready once the Deployment is Available', async () => {
    await client.create('sources.knative.dev/containersources', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'ContainerSource',
      metadata: { name: 'containersource-heartbeat', namespace: NS },
      spec: {
        template: { spec: { containers: [{ image: 'ikubernetes/containersource-heartbeats:latest', name: 'heartbeats' }] } },
        sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'event-display' } },
      },
    });
    const dn = 'containersource-heartbeat-deployment';
    const d = await eventually('adapter bound', () => !!envOf(get('apps/deployments', dn)).K_SINK && get('apps/deployments', dn));
    assert.deepEqual(envOf(d), { POD_NAME: undefined, POD_NAMESPACE: undefined, K_SINK: `http://event-display.${NS}.svc.cluster.local` });
    assert.deepEqual(d.spec.template.spec.containers[0].env[0], { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    const sb = get('sources.knative.dev/sinkbindings', 'containersource-heartbeat-sinkbinding')!;
    assert.equal(sb.metadata.ownerReferences?.[0]?.kind, 'ContainerSource');
    await eventually('ReceiveAdapterReady=Unknown', () => cond(get('sources.knative.dev/containersources', 'containersource-heartbeat'), 'ReceiveAdapterReady')?.status === 'Unknown');

    // No deployment controller here: write the status one would.
    const cur = get('apps/deployments', dn)!;
    await client.updateStatus('apps/deployments', { ...structuredClone(cur), status: { replicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] } });
    const cs = await eventually('containersource ready', () => cond(get('sources.knative.dev/containersources', 'containersource-heartbeat'))?.status === 'True' && get('sources.knative.dev/containersources', 'containersource-heartbeat'));
    assert.equal(cs.status.sinkUri, `http://event-display.${NS}.svc.cluster.local`);
    assert.deepEqual(cs.status.conditions.map((c: Condition) => `${c.type}=${c.status}`).sort(), ['Ready=True', 'ReceiveAdapterReady=True', 'SinkBindingReady=True']);

    // The two reconcilers settle: the Deployment stops changing.
    const rv = get('apps/deployments', dn)!.metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(get('apps/deployments', dn)!.metadata.resourceVersion, rv);
  });
  test('an ApiServerSource (Reference mode) emits ref.add for existing and new ConfigMaps, ref.update and ref.delete, only for matching labels', async () => {
    received.length = 0;
    const cm = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data: { k: 'v' } });
    await client.create('core/configmaps', cm('before', { watch: 'me' }));
    await client.create('sources.knative.dev/apiserversources', {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'ApiServerSource',
      metadata: { name: 'cm-events', namespace: NS },
      spec: { mode: 'Reference', resources: [{ apiVersion: 'v1', kind: 'ConfigMap', selector: { matchLabels: { watch: 'me' } } }], sink: { uri: sinkUrl } },
    });
    const src = await eventually('cm-events ready', () => cond(get('sources.knative.dev/apiserversources', 'cm-events'))?.status === 'True' && get('sources.knative.dev/apiserversources', 'cm-events'));
    assert.deepEqual(src.status.conditions.map((c: Condition) => `${c.type}=${c.status}`).sort(), ['Deployed=True', 'Ready=True', 'SinkProvided=True', 'SufficientPermissions=True']);
    assert.deepEqual(src.status.namespaces, [NS]);
    assert.equal(src.status.ceAttributes.length, 3);
    await eventually('add for existing', () => received.find((r) => r.headers['ce-subject'] === `/apis/v1/namespaces/${NS}/configmaps/before`));
    await client.create('core/configmaps', cm('ignored', { watch: 'not-me' }));
    await client.create('core/configmaps', cm('after', { watch: 'me' }));
    const cur = get('core/configmaps', 'after')!;
    await client.update('core/configmaps', { ...structuredClone(cur), data: { k: 'v2' } });
    await client.delete('core/configmaps', NS, 'after');
    await eventually('3 events for after', () => received.filter((r) => r.headers['ce-name'] === 'after').length === 3);
    const after = received.filter((r) => r.headers['ce-name'] === 'after');
    assert.deepEqual(after.map((r) => r.headers['ce-type']).sort(), ['dev.knative.apiserver.ref.add', 'dev.knative.apiserver.ref.delete', 'dev.knative.apiserver.ref.update']);
    assert.equal(after[0]!.headers['ce-source'], 'https://kubernetes.default.svc');
    assert.equal(after[0]!.headers['ce-kind'], 'ConfigMap');
    assert.equal(after[0]!.headers['ce-namespace'], NS);
    assert.deepEqual(JSON.parse(after[0]!.body), { kind: 'ConfigMap', namespace: NS, name: 'after', apiVersion: 'v1' });
    assert.equal(received.some((r) => r.headers['ce-name'] === 'ignored'), false);
    await client.delete('sources.knative.dev/apiserversources', NS, 'cm-events');
    await eventually('adapter stopped', () => !sources.apiServerAdapter.has(NS, 'cm-events'));
  });
});
