// End-to-end: the kn-style eventing commands (`skiff broker|trigger|channel|
// subscription|eventtype|event`) against the real HTTP API server
// (ObjectService over a MemoryStore with the core, Serving and Eventing kinds
// and eventing's config maps). No controllers run: tests write the status a
// controller would. The server's clock and the CLI's are fixed, so ages and
// whole tables/describe texts are compared exactly. `event send` posts to a
// node:http sink on 127.0.0.1 (directly, and as the gateway for a broker's
// cluster address).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerCoreKinds } from '../../src/api/core/kinds.js';
import type { KObject } from '../../src/api/meta.js';
import { ResourceRegistry } from '../../src/api/registry.js';
import { createApiServer } from '../../src/apiserver/http-server.js';
import { ObjectService } from '../../src/apiserver/object-service.js';
import { runCli } from '../../src/cli/cli.js';
import { setEventingClock } from '../../src/cli/commands/eventing/verbs.js';
import { captureIO } from '../../src/cli/test-io.js';
import { eventingConfigMaps } from '../../src/eventing/config/bootstrap.js';
import { registerEventing } from '../../src/eventing/register.js';
import { registerServing } from '../../src/serving/register.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const T0 = Date.parse('2024-05-10T14:00:00Z');
const NOW = T0 + 90_000; // objects are 90s old
const BROKERS = 'eventing.knative.dev/brokers';
const TRIGGERS = 'eventing.knative.dev/triggers';
const EVENTTYPES = 'eventing.knative.dev/eventtypes';
const CHANNELS = 'messaging.knative.dev/channels';
const SUBS = 'messaging.knative.dev/subscriptions';
const KSVC = 'serving.knative.dev/services';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('skiff eventing commands (kn grammar) against the API server', () => {
  let svc: ObjectService;
  let server: { close(): Promise<void> };
  let api: string;
  let restoreClock: () => void;
  let sink: Server;
  let sinkUrl: string;
  const received: Received[] = [];
  let sinkStatus = 202;

  before(async () => {
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServing(reg);
    registerEventing(reg);
    svc = new ObjectService(new MemoryStore(), reg, () => T0);
    svc.bootstrap();
    for (const cm of eventingConfigMaps()) svc.create('core/configmaps', cm, { internal: true });
    const s = createApiServer({ svc, clock: () => T0 });
    const port = await s.listen(0, '127.0.0.1');
    server = s;
    api = `http://127.0.0.1:${port}`;
    restoreClock = setEventingClock(() => NOW);
    sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(sinkStatus, { 'content-type': 'text/plain' });
        res.end(sinkStatus >= 300 ? 'no such broker\n' : '');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    // A Knative service to use as a sink.
    svc.create(KSVC, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'event-display', namespace: 'default' },
      spec: { template: { spec: { containers: [{ image: 'ikubernetes/event_display' }] } } },
    });
  });

  after(async () => {
    restoreClock?.();
    await server?.close();
    await new Promise<void>((r) => sink?.close(() => r()));
  });

  async function skiff(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    const io = captureIO({ env });
    const code = await runCli(['--api', api, ...args], io);
    return { code, out: io.stdoutText(), err: io.stderrText() };
  }

  function setStatus(gr: string, name: string, status: Record<string, unknown>, ns = 'default'): KObject {
    const cur = svc.get(gr, ns, name);
    return svc.update(gr, { ...cur, status }, { subresource: 'status' });
  }

  const ts = new Date(T0).toISOString();
  const cond = (type: string, status = 'True', extra: Record<string, unknown> = {}) => ({ type, status, lastTransitionTime: ts, ...extra });

  // ------------------------------------------------------------ broker

  test('broker create / update / list / describe / -o url / delete', async () => {
    let r = await skiff(['broker', 'create', 'broker01', '--namespace', 'default', '--class', 'MTChannelBasedBroker']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Broker 'broker01' successfully created in namespace 'default'.\n");
    const b = svc.get(BROKERS, 'default', 'broker01');
    assert.equal(b.metadata.annotations?.['eventing.knative.dev/broker.class'], 'MTChannelBasedBroker');
    // Delivery defaulted by the server from config-br-defaults.
    assert.ok(b.spec.delivery, 'server-side default delivery');

    r = await skiff(['broker', 'create', 'b2', '--retry', '3', '--backoff-policy', 'linear', '--backoff-delay', 'PT0.5S', '--timeout', 'PT10S', '--dl-sink', 'ksvc:event-display']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(svc.get(BROKERS, 'default', 'b2').spec.delivery, {
      retry: 3,
      backoffPolicy: 'linear',
      backoffDelay: 'PT0.5S',
      timeout: 'PT10S',
      deadLetterSink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'event-display', namespace: 'default' } },
    });

    r = await skiff(['broker', 'create', 'b3', '--backoff-delay', '2s']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: cannot create broker 'b3' in namespace 'default' because: invalid value '2s' for '--backoff-delay': invalid ISO-8601 duration "2s"/);
    assert.equal(svc.store.get(BROKERS, 'default', 'b3'), undefined);

    r = await skiff(['broker', 'create', 'b3', '--dl-sink', 'ksvc:nope']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: cannot create broker 'b3' in namespace 'default' because: .*"nope" not found/);

    r = await skiff(['broker', 'update', 'b2', '--retry', '5', '--backoff-policy', 'exponential']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Broker 'b2' updated in namespace 'default'.\n");
    const d2 = svc.get(BROKERS, 'default', 'b2').spec.delivery;
    assert.equal(d2.retry, 5);
    assert.equal(d2.backoffPolicy, 'exponential');
    assert.equal(d2.backoffDelay, 'PT0.5S');

    r = await skiff(['broker', 'update', 'b2']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: flag\(s\) not set/);

    const url = 'http://broker-ingress.knative-eventing.svc.cluster.local/default/broker01';
    setStatus(BROKERS, 'broker01', {
      address: { url },
      conditions: ['Addressable', 'DeadLetterSinkResolved', 'FilterReady', 'IngressReady', 'Ready', 'TriggerChannelReady'].map((t) => cond(t)),
    });
    r = await skiff(['broker', 'list']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'NAME       URL                                                                         AGE   CONDITIONS   READY       REASON',
        'b2                                                                                     90s   0 OK / 0     <unknown>   <unknown>',
        `broker01   ${url}   90s   6 OK / 6     True        `,
        '',
      ].join('\n'),
    );
    r = await skiff(['broker', 'describe', 'broker01', '-o', 'url']);
    assert.equal(r.out, `${url}\n`);
    r = await skiff(['broker', 'describe', 'b2']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'Name:         b2',
        'Namespace:    default',
        'Annotations:  eventing.knative.dev/broker.class=SkiffLogBroker',
        'Age:          1m',
        '',
        'Address:  ',
        '  URL:    ',
        '',
        'Delivery:            ',
        '  Retry:             5',
        '  Backoff Policy:    exponential',
        '  Backoff Delay:     PT0.5S',
        '  Timeout:           PT10S',
        '  Dead Letter Sink:  ',
        '    Name:            event-display',
        '    Resource:        Service (serving.knative.dev/v1)',
        '',
        'Conditions:  ',
        '  OK TYPE    AGE REASON',
        '',
      ].join('\n'),
    );
    r = await skiff(['broker', 'list', '-o', 'name']);
    assert.equal(r.out, 'broker.eventing.knative.dev/b2\nbroker.eventing.knative.dev/broker01\n');

    r = await skiff(['broker', 'delete', 'b2']);
    assert.equal(r.out, "Broker 'b2' successfully deleted in namespace 'default'.\n");
    assert.equal(svc.store.get(BROKERS, 'default', 'b2'), undefined);
    r = await skiff(['broker', 'delete', 'b2']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: cannot delete broker 'b2' in namespace 'default' because: .*"b2" not found\n/);
  });

  // ------------------------------------------------------------ trigger

  test('trigger create (attributes, CESQL, delivery) / list / describe (effective delivery) / update / delete', async () => {
    let r = await skiff(['trigger', 'create', 'push-trigger', '--broker', 'broker01', '--filter', 'type=dev.knative.sources.gitlab.push', '--sink', 'ksvc:event-display:default']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Trigger 'push-trigger' successfully created in namespace 'default'.\n");
    const t = svc.get(TRIGGERS, 'default', 'push-trigger');
    assert.deepEqual(t.spec.filter, { attributes: { type: 'dev.knative.sources.gitlab.push' } });
    assert.deepEqual(t.spec.subscriber, { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'event-display', namespace: 'default' } });

    r = await skiff(['trigger', 'create', 'sql', '--broker', 'broker01', '--filter-cesql', "type LIKE 'dev.knative.%' AND source = 'curl'", '--sink', 'http://127.0.0.1:9/x', '--retry', '2', '--backoff-delay', 'PT1S']);
    assert.equal(r.code, 0, r.err);
    const sql = svc.get(TRIGGERS, 'default', 'sql');
    assert.deepEqual(sql.spec.filters, [{ cesql: "type LIKE 'dev.knative.%' AND source = 'curl'" }]);
    assert.deepEqual(sql.spec.delivery, { retry: 2, backoffDelay: 'PT1S' });

    r = await skiff(['trigger', 'create', 'bad', '--filter-cesql', "type LIKE", '--sink', 'event-display']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: cannot create trigger 'bad' because invalid value 'type LIKE' for '--filter-cesql': /);
    r = await skiff(['trigger', 'create', 'bad', '--filter', 'type=a', '--filter-cesql', "type = 'a'", '--sink', 'event-display']);
    assert.equal(r.code, 1);
    assert.match(r.err, /Knative ignores the attributes filter when filters are set/);
    r = await skiff(['trigger', 'create', 'bad', '--sink', 'foo:bar']);
    assert.equal(r.code, 1);
    assert.match(r.err, /invalid value 'foo:bar' for '--sink': unknown prefix 'foo'/);
    r = await skiff(['trigger', 'create', 'bad', '--sink', 'ksvc:missing']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: cannot create trigger 'bad' in namespace 'default' because: .*"missing" not found/);
    r = await skiff(['trigger', 'create', 'bad']);
    assert.match(r.err, /^Error: required flag\(s\) "sink" not set/);
    assert.equal(svc.store.get(TRIGGERS, 'default', 'bad'), undefined);

    setStatus(TRIGGERS, 'push-trigger', { conditions: ['BrokerReady', 'DeadLetterSinkResolved', 'DependencyReady', 'Ready', 'SubscriberResolved', 'SubscriptionReady'].map((c) => cond(c)) });
    r = await skiff(['trigger', 'list']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'NAME           BROKER     SINK                   AGE   CONDITIONS   READY       REASON',
        'push-trigger   broker01   ksvc:event-display     90s   6 OK / 6     True        ',
        'sql            broker01   http://127.0.0.1:9/x   90s   0 OK / 0     <unknown>   <unknown>',
        '',
      ].join('\n'),
    );

    // Effective delivery: push-trigger has none of its own → the broker's (server-defaulted).
    r = await skiff(['trigger', 'describe', 'push-trigger']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'Name:       push-trigger',
        'Namespace:  default',
        'Labels:     eventing.knative.dev/broker=broker01',
        'Age:        1m',
        'Broker:     broker01',
        'Filter:     ',
        '  type:     dev.knative.sources.gitlab.push',
        '',
        'Sink:        ',
        '  Name:      event-display',
        '  Resource:  Service (serving.knative.dev/v1)',
        '',
        "Delivery:          from broker 'broker01'",
        '  Retry:           10',
        '  Backoff Policy:  exponential',
        '  Backoff Delay:   PT0.2S',
        '',
        'Conditions:  ',
        '  OK TYPE                      AGE REASON',
        '  ++ Ready                      1m ',
        '  ++ BrokerReady                1m ',
        '  ++ DeadLetterSinkResolved     1m ',
        '  ++ DependencyReady            1m ',
        '  ++ SubscriberResolved         1m ',
        '  ++ SubscriptionReady          1m ',
        '',
      ].join('\n'),
    );
    r = await skiff(['trigger', 'describe', 'sql']);
    assert.match(r.out, /\nFilters: +\n {2}cesql: +type LIKE 'dev\.knative\.%' AND source = 'curl'\n/);
    assert.match(r.out, /\nDelivery: +from trigger\n {2}Retry: +2\n {2}Backoff Delay: +PT1S\n/);
    assert.match(r.out, /\nSink: +\n {2}URI: +http:\/\/127\.0\.0\.1:9\/x\n/);

    r = await skiff(['trigger', 'update', 'push-trigger', '--filter', 'source=gitlab', '--filter', 'type-', '--sink', 'svc:kubernetes']);
    assert.equal(r.code, 1, 'svc:kubernetes does not exist');
    svc.create('core/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'display', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    r = await skiff(['trigger', 'update', 'push-trigger', '--filter', 'source=gitlab', '--filter', 'type-', '--sink', 'svc:display']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Trigger 'push-trigger' updated in namespace 'default'.\n");
    const u = svc.get(TRIGGERS, 'default', 'push-trigger');
    assert.deepEqual(u.spec.filter, { attributes: { source: 'gitlab' } });
    assert.deepEqual(u.spec.subscriber, { ref: { apiVersion: 'v1', kind: 'Service', name: 'display', namespace: 'default' } });
    r = await skiff(['trigger', 'list', 'push-trigger', '--no-headers']);
    assert.match(r.out, /^push-trigger {3}broker01 {3}svc:display {3}/);
    r = await skiff(['trigger', 'update', 'push-trigger', '--broker', 'other']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: cannot update trigger 'push-trigger' because broker is immutable\n/);
    r = await skiff(['trigger', 'update', 'sql', '--clear-filters', '--filter-prefix', 'type=dev.', '--filter-suffix', 'type=.push', '--timeout', 'PT5S']);
    assert.equal(r.code, 0, r.err);
    const s2 = svc.get(TRIGGERS, 'default', 'sql');
    assert.deepEqual(s2.spec.filters, [{ prefix: { type: 'dev.' } }, { suffix: { type: '.push' } }]);
    assert.deepEqual(s2.spec.delivery, { retry: 2, backoffDelay: 'PT1S', timeout: 'PT5S' });

    r = await skiff(['trigger', 'delete', 'sql']);
    assert.equal(r.out, "Trigger 'sql' deleted in namespace 'default'.\n");
    r = await skiff(['trigger', 'list', '-o', 'json']);
    const list = JSON.parse(r.out);
    assert.equal(list.kind, 'TriggerList');
    assert.deepEqual(list.items.map((i: KObject) => i.metadata.name), ['push-trigger']);
  });

  // ------------------------------------------------------------ channel

  test('channel create / list / list-types / describe / delete', async () => {
    let r = await skiff(['channel', 'create', 'imc01', '--type', 'messaging.knative.dev:v1:InMemoryChannel']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Channel 'imc01' created in namespace 'default'.\n");
    assert.deepEqual(svc.get(CHANNELS, 'default', 'imc01').spec.channelTemplate, { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' });
    r = await skiff(['channel', 'create', 'c2']);
    assert.equal(r.code, 0, r.err);
    assert.equal(svc.get(CHANNELS, 'default', 'c2').spec.channelTemplate?.kind, 'InMemoryChannel', 'default-ch-webhook default');
    r = await skiff(['channel', 'create', 'c3', '--type', 'kafka']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: unknown channel type alias: 'kafka'/);

    setStatus(CHANNELS, 'imc01', { address: { url: 'http://imc01-kn-channel.default.svc.cluster.local' }, conditions: [cond('Ready')] });
    r = await skiff(['channel', 'list']);
    assert.equal(
      r.out,
      [
        'NAME    TYPE              URL                                                 AGE   READY       REASON',
        'c2      InMemoryChannel                                                       90s   <unknown>   <unknown>',
        'imc01   InMemoryChannel   http://imc01-kn-channel.default.svc.cluster.local   90s   True        ',
        '',
      ].join('\n'),
    );
    r = await skiff(['channel', 'list', 'imc01', '--no-headers']);
    assert.equal(r.out, 'imc01   InMemoryChannel   http://imc01-kn-channel.default.svc.cluster.local   90s   True   \n');
    r = await skiff(['channel', 'list-types']);
    assert.equal(r.out, 'TYPE              NAME                                     DESCRIPTION\nInMemoryChannel   inmemorychannels.messaging.knative.dev   The events are stored in memory\n');
    r = await skiff(['channel', 'describe', 'imc01', '-o', 'url']);
    assert.equal(r.out, 'http://imc01-kn-channel.default.svc.cluster.local\n');
    r = await skiff(['channel', 'describe', 'imc01']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\nType: +InMemoryChannel \(messaging\.knative\.dev\/v1\)\nURL: +http:\/\/imc01-kn-channel\.default\.svc\.cluster\.local\n\nConditions: {2}\n {2}OK TYPE {5}AGE REASON\n {2}\+\+ Ready {5}1m \n$/);
    r = await skiff(['channel', 'delete', 'c2']);
    assert.equal(r.out, "Channel 'c2' deleted in namespace 'default'.\n");
  });

  // ------------------------------------------------------------ subscription

  test('subscription create / list / describe / update / delete', async () => {
    let r = await skiff(['subscription', 'create', 'sub01', '--channel', 'imc01', '--sink', 'ksvc:event-display:default']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Subscription 'sub01' created in namespace 'default'.\n");
    const s = svc.get(SUBS, 'default', 'sub01');
    assert.deepEqual(s.spec.channel, { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'imc01' });
    r = await skiff(['subscription', 'create', 'sub02', '--channel', 'imc:imc01', '--sink', 'event-display', '--sink-reply', 'broker:broker01', '--sink-dead-letter', 'http://127.0.0.1:9/dls']);
    assert.equal(r.code, 0, r.err);
    const s2 = svc.get(SUBS, 'default', 'sub02');
    assert.deepEqual(s2.spec.channel, { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', name: 'imc01' });
    assert.deepEqual(s2.spec.reply, { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'broker01', namespace: 'default' } });
    assert.deepEqual(s2.spec.delivery, { deadLetterSink: { uri: 'http://127.0.0.1:9/dls' } });
    r = await skiff(['subscription', 'create', 'sub03', '--channel', 'x:y:z']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: incorrect value 'x:y:z' for '--channel'/);
    r = await skiff(['subscription', 'create', 'sub03']);
    assert.match(r.err, /requires the channel reference provided with --channel flag/);

    setStatus(SUBS, 'sub01', { conditions: [cond('AddedToChannel'), cond('ChannelReady'), cond('ReferencesResolved'), cond('Ready')] });
    r = await skiff(['subscription', 'list']);
    assert.equal(
      r.out,
      [
        'NAME    CHANNEL                 SUBSCRIBER           REPLY             DEAD LETTER SINK         READY       REASON',
        'sub01   Channel:imc01           ksvc:event-display                                              True        ',
        'sub02   InMemoryChannel:imc01   ksvc:event-display   broker:broker01   http://127.0.0.1:9/dls   <unknown>   <unknown>',
        '',
      ].join('\n'),
    );
    r = await skiff(['subscription', 'describe', 'sub02']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'Name:            sub02',
        'Namespace:       default',
        'Age:             1m',
        'Channel:         InMemoryChannel:imc01 (messaging.knative.dev/v1)',
        'Subscriber:      ',
        '  Name:          event-display',
        '  Resource:      Service (serving.knative.dev/v1)',
        'Reply:           ',
        '  Name:          broker01',
        '  Resource:      Broker (eventing.knative.dev/v1)',
        'DeadLetterSink:  ',
        '  URI:           http://127.0.0.1:9/dls',
        '',
        'Conditions:  ',
        '  OK TYPE    AGE REASON',
        '',
      ].join('\n'),
    );
    r = await skiff(['subscription', 'update', 'sub01', '--sink-dead-letter', 'broker:broker01']);
    assert.equal(r.out, "Subscription 'sub01' updated in namespace 'default'.\n");
    assert.equal(svc.get(SUBS, 'default', 'sub01').spec.delivery.deadLetterSink.ref.kind, 'Broker');
    r = await skiff(['subscription', 'delete', 'sub02']);
    assert.equal(r.out, "Subscription 'sub02' deleted in namespace 'default'.\n");
    assert.equal(svc.store.get(SUBS, 'default', 'sub02'), undefined);
  });

  // ------------------------------------------------------------ eventtype

  test('eventtype create / list / describe / delete', async () => {
    let r = await skiff(['eventtype', 'create', 'push', '-t', 'dev.knative.sources.gitlab.push', '--source', 'https://gitlab.example.com/repo', '-b', 'broker01']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Eventtype 'push' successfully created in namespace 'default'.\n");
    r = await skiff(['eventtype', 'create', 'issue', '-t', 'dev.knative.sources.gitlab.issue', '--reference', 'channel:imc01']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(svc.get(EVENTTYPES, 'default', 'issue').spec.reference, { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'imc01', namespace: 'default' });
    r = await skiff(['eventtype', 'create', 'x', '-t', 'a', '-b', 'b', '-r', 'broker:b']);
    assert.match(r.err, /^Error: use only one of '--broker' or '--reference' flags/);
    r = await skiff(['eventtype', 'create', 'x', '-t', 'a', '-r', 'ksvc:event-display']);
    assert.match(r.err, /invalid value 'ksvc:event-display' for '--reference': unknown prefix 'ksvc'/);
    r = await skiff(['eventtype', 'create', 'x']);
    assert.match(r.err, /required flag\(s\) "type" not set/);

    r = await skiff(['eventtype', 'list']);
    assert.equal(
      r.out,
      [
        'NAME    TYPE                               SOURCE                            REFERENCE   AGE   READY',
        'issue   dev.knative.sources.gitlab.issue                                     imc01       90s   <unknown>',
        'push    dev.knative.sources.gitlab.push    https://gitlab.example.com/repo   broker01    90s   <unknown>',
        '',
      ].join('\n'),
    );
    r = await skiff(['eventtype', 'describe', 'push']);
    assert.equal(
      r.out,
      [
        'Name:          push',
        'Namespace:     default',
        'Age:           1m',
        'Type:          dev.knative.sources.gitlab.push',
        'Source:        https://gitlab.example.com/repo',
        'Reference:     ',
        '  APIVersion:  eventing.knative.dev/v1',
        '  Kind:        Broker',
        '  Name:        broker01',
        '',
        '',
        'Conditions:  ',
        '  OK TYPE    AGE REASON',
        '',
      ].join('\n'),
    );
    r = await skiff(['eventtype', 'delete', 'issue']);
    assert.equal(r.out, "Eventtype 'issue' successfully deleted in namespace 'default'.\n");
  });

  // ------------------------------------------------------------ event send

  test('event send --to-url posts a binary-mode CloudEvent to a local sink', async () => {
    received.length = 0;
    const r = await skiff(['event', 'send', '--to', `${sinkUrl}/`, '--type', 'com.magedu.file.image', '--source', 'curl', '--id', '00001', '--data', '{"msg":"Hello IMC Channel!"}', '-e', 'partitionkey=7', '--time', '2024-05-10T14:36:25Z']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `Event (ID: 00001) sent to ${sinkUrl}/: 202 Accepted\n`);
    assert.equal(received.length, 1);
    const got = received[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/');
    assert.equal(got.headers['ce-specversion'], '1.0');
    assert.equal(got.headers['ce-id'], '00001');
    assert.equal(got.headers['ce-type'], 'com.magedu.file.image');
    assert.equal(got.headers['ce-source'], 'curl');
    assert.equal(got.headers['ce-time'], '2024-05-10T14:36:25Z');
    assert.equal(got.headers['ce-partitionkey'], '7');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.body, '{"msg":"Hello IMC Channel!"}');
  });

  test('event send --to broker:NAME goes through the gateway with the broker address as Host; structured mode; rejections', async () => {
    received.length = 0;
    let r = await skiff(['event', 'send', '--to', 'broker:broker01', '-t', 'dev.knative.sources.gitlab.push', '-s', 'gitlab', '-i', 'e2', '-f', 'msg=hi', '-f', 'n=2', '--mode', 'structured', '--gateway', sinkUrl]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `Event (ID: e2) sent to http://broker-ingress.knative-eventing.svc.cluster.local/default/broker01 via ${sinkUrl}: 202 Accepted\n`);
    const got = received[0];
    assert.equal(got.url, '/default/broker01');
    assert.equal(got.headers.host, 'broker-ingress.knative-eventing.svc.cluster.local');
    assert.equal(got.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
    const doc = JSON.parse(got.body);
    assert.equal(doc.id, 'e2');
    assert.equal(doc.type, 'dev.knative.sources.gitlab.push');
    assert.deepEqual(doc.data, { msg: 'hi', n: 2 });

    // The gateway comes from SKIFF_GATEWAY too; a plain-text body.
    received.length = 0;
    r = await skiff(['event', 'send', '--to', 'channel:imc01', '-i', 'e3', '-d', 'hello there'], { SKIFF_GATEWAY: sinkUrl });
    assert.equal(r.code, 0, r.err);
    assert.equal(received[0].headers.host, 'imc01-kn-channel.default.svc.cluster.local');
    assert.equal(received[0].headers['content-type'], 'text/plain');
    assert.equal(received[0].headers['ce-type'], 'dev.knative.cli.plugin.event.generic');
    assert.equal(received[0].body, 'hello there');

    // No gateway known for a cluster address: a clear error, nothing sent.
    r = await skiff(['event', 'send', '--to', 'broker:broker01', '--data-dir', '/nonexistent-skiff-dir']);
    assert.equal(r.code, 1);
    assert.match(r.err, /no Skiff gateway is known \(pass --gateway URL, set SKIFF_GATEWAY/);
    // An object without an address yet.
    svc.create(BROKERS, { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'fresh', namespace: 'default' } });
    r = await skiff(['event', 'send', '--to', 'broker:fresh', '--gateway', sinkUrl]);
    assert.match(r.err, /^Error: Broker 'fresh' in namespace 'default' has no address yet/);
    // The recipient refuses: exit 1 with its status and first body line.
    sinkStatus = 404;
    r = await skiff(['event', 'send', '--to-url', `${sinkUrl}/nope`]);
    sinkStatus = 202;
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^Error: can't send event: ${sinkUrl}/nope answered 404 Not Found: no such broker\\n`));
    // Nothing listens: a connection error naming the address.
    r = await skiff(['event', 'send', '--to-url', 'http://127.0.0.1:9/']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: can't send event: cannot connect to http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  });
});
