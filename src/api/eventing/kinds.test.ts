// Admission tests for the eventing kinds through the real ObjectService (the
// same path kubectl takes): defaulting from the knative-eventing config maps,
// every validation rule with the field path it names, immutability on update.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../core/kinds.js';
import { ResourceRegistry } from '../registry.js';
import { MemoryStore } from '../../store/memory-store.js';
import { ObjectService } from '../../apiserver/object-service.js';
import { registerEventing } from '../../eventing/register.js';
import { eventingConfigMaps } from '../../eventing/config/bootstrap.js';
import type { KObject } from '../meta.js';
import { GR } from './constants.js';
import { columnsFor } from '../../apiserver/table.js';

function service(opts: { configMaps?: boolean } = {}): ObjectService {
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  registerEventing(reg);
  const s = new ObjectService(new MemoryStore(), reg);
  s.bootstrap();
  if (opts.configMaps !== false) for (const cm of eventingConfigMaps()) s.create('core/configmaps', cm, { internal: true });
  return s;
}

function setConfig(s: ObjectService, name: string, data: Record<string, string>): void {
  const cur = s.store.get('core/configmaps', 'knative-eventing', name);
  if (cur) s.update('core/configmaps', { ...structuredClone(cur), data });
  else s.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'knative-eventing' }, data });
}

const obj = (apiVersion: string, kind: string, name: string, spec: unknown, meta: Record<string, unknown> = {}): KObject => ({ apiVersion, kind, metadata: { name, namespace: 'default', ...meta }, spec });
const broker = (spec: unknown = {}, meta: Record<string, unknown> = {}) => obj('eventing.knative.dev/v1', 'Broker', 'b1', spec, meta);
const trigger = (spec: unknown, meta: Record<string, unknown> = {}) => obj('eventing.knative.dev/v1', 'Trigger', 't1', spec, meta);
const ksvcRef = (name = 'event-display') => ({ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name } });

function rejects(s: ObjectService, gr: string, o: KObject, ...res: RegExp[]): void {
  assert.throws(
    () => s.create(gr, o),
    (e: any) => {
      assert.equal(e.status, 422, e.message);
      for (const re of res) assert.match(e.message, re);
      return true;
    },
  );
}

function updateRejects(s: ObjectService, gr: string, o: KObject, ...res: RegExp[]): void {
  assert.throws(
    () => s.update(gr, o),
    (e: any) => {
      assert.equal(e.status, 422, e.message);
      for (const re of res) assert.match(e.message, re);
      return true;
    },
  );
}

describe('Broker admission', () => {
  test('default class is the durable SkiffLogBroker with Knative delivery defaults and no spec.config', () => {
    const s = service();
    const b = s.create(GR.brokers, broker());
    assert.equal(b.metadata.annotations!['eventing.knative.dev/broker.class'], 'SkiffLogBroker');
    assert.deepEqual(b.spec, { delivery: { retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' } });
  });

  test('MTChannelBasedBroker gets spec.config = config-br-default-channel (Knative defaults)', () => {
    const s = service();
    const b = s.create(GR.brokers, broker({}, { annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' } }));
    assert.deepEqual(b.spec.config, { apiVersion: 'v1', kind: 'ConfigMap', name: 'config-br-default-channel', namespace: 'knative-eventing' });
    assert.deepEqual(b.spec.delivery, { retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' });
  });

  test('without config maps the built-in defaults still apply', () => {
    const s = service({ configMaps: false });
    const b = s.create(GR.brokers, broker());
    assert.equal(b.metadata.annotations!['eventing.knative.dev/broker.class'], 'SkiffLogBroker');
  });

  test('namespace defaults win over the cluster default (class, config, delivery); explicit delivery is kept', () => {
    const s = service();
    setConfig(s, 'config-br-defaults', {
      'default-br-config': [
        'clusterDefault:',
        '  brokerClass: MTChannelBasedBroker',
        '  apiVersion: v1',
        '  kind: ConfigMap',
        '  name: config-br-default-channel',
        '  namespace: knative-eventing',
        'namespaceDefaults:',
        '  default:',
        '    brokerClass: MTChannelBasedBroker',
        '    apiVersion: v1',
        '    kind: ConfigMap',
        '    name: my-channel-config',
        '    delivery:',
        '      retry: 3',
      ].join('\n'),
    });
    const b = s.create(GR.brokers, broker());
    assert.equal(b.metadata.annotations!['eventing.knative.dev/broker.class'], 'MTChannelBasedBroker');
    assert.deepEqual(b.spec.config, { apiVersion: 'v1', kind: 'ConfigMap', name: 'my-channel-config', namespace: 'default' });
    assert.deepEqual(b.spec.delivery, { retry: 3 });
    const b2 = s.create(GR.brokers, { ...broker({ delivery: { retry: 1 } }), metadata: { name: 'b2', namespace: 'default' } });
    assert.deepEqual(b2.spec.delivery, { retry: 1 });
  });

  test('brokerClasses entries apply to an explicitly chosen class', () => {
    const s = service();
    setConfig(s, 'config-br-defaults', {
      'default-br-config': 'clusterDefault:\n  brokerClass: SkiffLogBroker\n  delivery:\n    retry: 5\n  brokerClasses:\n    MTChannelBasedBroker:\n      apiVersion: v1\n      kind: ConfigMap\n      name: mt-config\n      namespace: knative-eventing\n      delivery:\n        retry: 7\n',
    });
    const b = s.create(GR.brokers, broker({}, { annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' } }));
    assert.equal(b.spec.config.name, 'mt-config');
    assert.equal(b.spec.delivery.retry, 7);
  });

  test('class annotation and spec.config are immutable; delivery may change', () => {
    const s = service();
    const b = s.create(GR.brokers, broker({}, { annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' } }));
    const cls = structuredClone(b);
    cls.metadata.annotations!['eventing.knative.dev/broker.class'] = 'SkiffLogBroker';
    updateRejects(s, GR.brokers, cls, /metadata\.annotations\[eventing\.knative\.dev\/broker\.class\]: Immutable annotations changed/);
    const cfg = structuredClone(b);
    cfg.spec.config.name = 'other';
    updateRejects(s, GR.brokers, cfg, /spec: Immutable fields changed \(-old \+new\): config\.name: -"config-br-default-channel" \+"other"/);
    const del = structuredClone(b);
    del.spec.delivery = { retry: 2 };
    assert.equal(s.update(GR.brokers, del).spec.delivery.retry, 2);
    // A manifest without the annotation keeps the stored class (kubectl replace of a hand-written file).
    const bare = structuredClone(s.get(GR.brokers, 'default', 'b1'));
    delete bare.metadata.annotations;
    assert.equal(s.update(GR.brokers, bare).metadata.annotations!['eventing.knative.dev/broker.class'], 'MTChannelBasedBroker');
  });

  test('invalid spec.config and delivery are refused with their paths', () => {
    const s = service();
    rejects(s, GR.brokers, broker({ config: { kind: 'ConfigMap' } }), /spec\.config\.name: missing field/, /spec\.config\.apiVersion: missing field/);
    rejects(s, GR.brokers, broker({ delivery: { retry: -1 } }), /spec\.delivery\.retry/);
    rejects(s, GR.brokers, broker({ delivery: { backoffPolicy: 'sometimes' } }), /spec\.delivery\.backoffPolicy/);
    rejects(s, GR.brokers, broker({ delivery: { backoffDelay: '2s' } }), /spec\.delivery\.backoffDelay/);
    rejects(s, GR.brokers, broker({ delivery: { retryAfterMax: 'PT1S' } }), /spec\.delivery\.retryAfterMax: not allowed: the delivery-retryafter feature is disabled/);
    rejects(s, GR.brokers, broker({ delivery: { deadLetterSink: {} } }), /spec\.delivery\.deadLetterSink\.ref, spec\.delivery\.deadLetterSink\.uri: expected at least one, got none/);
  });

  test('disallowDifferentNamespaceConfig forbids a config map in another namespace', () => {
    const s = service();
    setConfig(s, 'config-br-defaults', {
      'default-br-config': 'clusterDefault:\n  brokerClass: MTChannelBasedBroker\n  apiVersion: v1\n  kind: ConfigMap\n  name: x\n  disallowDifferentNamespaceConfig: true\n',
    });
    rejects(s, GR.brokers, broker({ config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'other' } }), /spec\.config\.namespace: mismatched namespaces/);
  });

  test('live reload: editing config-features enables retryAfterMax at once', () => {
    const s = service();
    rejects(s, GR.brokers, broker({ delivery: { retryAfterMax: 'PT1S' } }), /retryAfterMax/);
    setConfig(s, 'config-features', { 'delivery-retryafter': 'enabled' });
    assert.equal(s.create(GR.brokers, broker({ delivery: { retryAfterMax: 'PT1S' } })).spec.delivery.retryAfterMax, 'PT1S');
  });

  test('printer columns as Knative: URL AGE READY REASON (+CLASS wide)', () => {
    const s = service();
    const t = s.registry.mustGet(GR.brokers);
    assert.deepEqual(
      columnsFor(t).map((c) => [c.def.name, c.def.priority]),
      [
        ['Name', 0],
        ['URL', 0],
        ['Age', 0],
        ['Ready', 0],
        ['Reason', 0],
        ['Class', 1],
      ],
    );
    const tr = s.registry.mustGet(GR.triggers);
    assert.deepEqual(
      columnsFor(tr).map((c) => c.def.name),
      ['Name', 'Broker', 'Subscriber_URI', 'Age', 'Ready', 'Reason'],
    );
  });
});

describe('Trigger admission', () => {
  test('defaults: empty filter, subscriber ref namespace, broker label', () => {
    const s = service();
    const t = s.create(GR.triggers, trigger({ broker: 'b1', subscriber: ksvcRef() }));
    assert.deepEqual(t.spec.filter, {});
    assert.equal(t.spec.subscriber.ref.namespace, 'default');
    assert.equal(t.metadata.labels!['eventing.knative.dev/broker'], 'b1');
  });

  test('broker required; broker XOR brokerRef; brokerRef namespace needs cross-namespace-event-links', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ subscriber: ksvcRef() }), /spec\.broker: missing field/);
    rejects(s, GR.triggers, trigger({ broker: 'b', brokerRef: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'b' }, subscriber: ksvcRef() }), /spec\.broker, spec\.brokerRef: expected exactly one, got both/);
    rejects(s, GR.triggers, trigger({ brokerRef: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'b', namespace: 'other' }, subscriber: ksvcRef() }), /spec\.brokerRef\.namespace/);
  });

  test('attribute filter keys must be lower-case alphanumeric', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ broker: 'b', filter: { attributes: { 'Bad-Key': 'x' } }, subscriber: ksvcRef() }), /spec\.filter\.attributes/, /Bad-Key/);
  });

  test('filters dialects: one per object, non-empty values, known dialect', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ broker: 'b', filters: [{ exact: { type: 'a' }, prefix: { type: 'b' } }], subscriber: ksvcRef() }), /spec\.filters\[0\]: expected exactly one filter dialect per object/);
    rejects(s, GR.triggers, trigger({ broker: 'b', filters: [{ exact: { type: '' } }], subscriber: ksvcRef() }), /spec\.filters\[0\]\.exact\[type\]: exact value must not be empty/);
    rejects(s, GR.triggers, trigger({ broker: 'b', filters: [{ regex: { type: 'a' } }], subscriber: ksvcRef() }), /spec\.filters\[0\]\.regex: unknown filter dialect/);
    rejects(s, GR.triggers, trigger({ broker: 'b', filters: [{ all: [{ not: { suffix: { Type: 'x' } } }] }], subscriber: ksvcRef() }), /spec\.filters\[0\]\.all\[0\]\.not\.suffix\[Type\]/);
  });

  test('invalid CESQL is a 422 naming spec.filters[0].cesql; a valid one is accepted', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ broker: 'b', filters: [{ cesql: "type = 'a' AND (" }], subscriber: ksvcRef() }), /spec\.filters\[0\]\.cesql: invalid CESQL expression/);
    assert.throws(
      () => s.create(GR.triggers, trigger({ broker: 'b', filters: [{ cesql: 'type LIKE' }], subscriber: ksvcRef() })),
      (e: any) => e.status === 422 && e.causes.some((c: any) => c.path === 'spec.filters[0].cesql'),
    );
    const ok = s.create(GR.triggers, trigger({ broker: 'b', filters: [{ cesql: "type = 'dev.knative.sources.ping' AND EXISTS subject" }], subscriber: ksvcRef() }));
    assert.ok(ok.metadata.uid);
  });

  test('subscriber Destination: required; ref XOR absolute uri; relative uri only with a ref', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ broker: 'b' }), /spec\.subscriber: expected at least one, got none/);
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: {} }), /spec\.subscriber\.ref, spec\.subscriber\.uri: expected at least one, got none/);
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: { uri: '/relative' } }), /spec\.subscriber\.uri: invalid value: Relative URI is not allowed/);
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: { ...ksvcRef(), uri: 'http://abs.example.com/x' } }), /Absolute URI is not allowed when Ref/);
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: { ref: { kind: 'Service', name: 'x' } } }), /spec\.subscriber\.ref\.apiVersion: missing field/);
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: { ref: { apiVersion: 'v1', kind: 'Service', name: 'x', namespace: 'other' } } }), /spec\.subscriber\.ref\.namespace: mismatched namespaces/);
    assert.ok(s.create(GR.triggers, trigger({ broker: 'b', subscriber: { ...ksvcRef(), uri: '/update' } })).metadata.uid);
    assert.ok(s.create(GR.triggers, { ...trigger({ broker: 'b', subscriber: { uri: 'http://example.com/x' } }), metadata: { name: 't2', namespace: 'default' } }).metadata.uid);
  });

  test('injection annotation: enabled/disabled only, and only with broker default', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: ksvcRef() }, { annotations: { 'eventing.knative.dev/injection': 'enabled' } }), /only used for default broker, but non-default broker specified here: "b"/);
    rejects(s, GR.triggers, trigger({ broker: 'default', subscriber: ksvcRef() }, { annotations: { 'eventing.knative.dev/injection': 'yes' } }), /can only be "enabled" or "disabled", not "yes"/);
    assert.ok(s.create(GR.triggers, trigger({ broker: 'default', subscriber: ksvcRef() }, { annotations: { 'eventing.knative.dev/injection': 'enabled' } })).metadata.uid);
  });

  test('dependency annotation must be an ObjectReference in the same namespace', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: ksvcRef() }, { annotations: { 'knative.dev/dependency': 'not json' } }), /was not a corev1\.ObjectReference/);
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: ksvcRef() }, { annotations: { 'knative.dev/dependency': '{"kind":"PingSource","name":"p","apiVersion":"sources.knative.dev/v1","namespace":"x"}' } }), /Namespace must be empty or equal to the trigger namespace/);
  });

  test('spec.broker is immutable; delivery and subscriber may change', () => {
    const s = service();
    const t = s.create(GR.triggers, trigger({ broker: 'b', subscriber: ksvcRef() }));
    updateRejects(s, GR.triggers, { ...structuredClone(t), spec: { ...t.spec, broker: 'c' } }, /spec\.broker: Immutable fields changed \(-old \+new\): \.: -"b" \+"c"/);
    const changed = s.update(GR.triggers, { ...structuredClone(t), spec: { ...t.spec, subscriber: ksvcRef('other'), delivery: { retry: 2 } } });
    assert.equal(changed.spec.subscriber.ref.name, 'other');
  });

  test('delivery validated (timeout allowed by default, retryAfterMax not)', () => {
    const s = service();
    rejects(s, GR.triggers, trigger({ broker: 'b', subscriber: ksvcRef(), delivery: { timeout: 'PT0S' } }), /spec\.delivery\.timeout: must be greater than zero/);
    assert.ok(s.create(GR.triggers, trigger({ broker: 'b', subscriber: ksvcRef(), delivery: { timeout: 'PT5S' } })).metadata.uid);
  });
});

describe('Channel / InMemoryChannel / Subscription admission', () => {
  const channel = (spec: unknown = {}, name = 'ch1') => obj('messaging.knative.dev/v1', 'Channel', name, spec);
  const imc = (spec: unknown = {}) => obj('messaging.knative.dev/v1', 'InMemoryChannel', 'imc1', spec);
  const sub = (spec: unknown) => obj('messaging.knative.dev/v1', 'Subscription', 's1', spec);

  test('Channel channelTemplate defaults from default-ch-webhook (namespace default wins) and is immutable', () => {
    const s = service();
    const c = s.create(GR.channels, channel());
    assert.deepEqual(c.spec.channelTemplate, { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' });
    assert.equal(c.metadata.annotations!['messaging.knative.dev/subscribable'], 'v1');
    setConfig(s, 'default-ch-webhook', {
      'default-ch-config': 'clusterDefault:\n  apiVersion: messaging.knative.dev/v1\n  kind: InMemoryChannel\nnamespaceDefaults:\n  default:\n    apiVersion: messaging.knative.dev/v1beta1\n    kind: KafkaChannel\n    spec:\n      numPartitions: 5\n',
    });
    const k = s.create(GR.channels, channel({}, 'ch2'));
    assert.deepEqual(k.spec.channelTemplate, { apiVersion: 'messaging.knative.dev/v1beta1', kind: 'KafkaChannel', spec: { numPartitions: 5 } });
    const changed = structuredClone(c);
    changed.spec.channelTemplate.kind = 'KafkaChannel';
    updateRejects(s, GR.channels, changed, /spec: Immutable fields changed.*channelTemplate\.kind/);
  });

  test('Channel refuses spec.subscribers and an incomplete template', () => {
    const s = service();
    rejects(s, GR.channels, channel({ subscribers: [{ uid: 'x', subscriberUri: 'http://a.b' }] }), /spec\.subscribers: must not set the field/);
    rejects(s, GR.channels, channel({ channelTemplate: { kind: 'InMemoryChannel' } }), /spec\.channelTemplate\.apiVersion: missing field/);
  });

  test('InMemoryChannel: subscribers need a subscriber or reply URI; users may not edit them; scope annotation', () => {
    const s = service();
    rejects(s, GR.inMemoryChannels, imc({ subscribers: [{ uid: 'u1' }] }), /spec\.subscribers\[0\]\.replyUri, spec\.subscribers\[0\]\.subscriberUri: missing field/);
    rejects(s, GR.inMemoryChannels, { ...imc(), metadata: { name: 'imc1', namespace: 'default', annotations: { 'eventing.knative.dev/scope': 'galaxy' } } }, /expected either 'cluster' or 'namespace'/);
    const c = s.create(GR.inMemoryChannels, imc());
    const edited = { ...structuredClone(c), spec: { subscribers: [{ uid: 'u1', subscriberUri: 'http://x.default.svc.cluster.local' }] } };
    updateRejects(s, GR.inMemoryChannels, edited, /spec\.subscribers: Channel\.Spec\.Subscribers changed by a user/);
    assert.equal(s.update(GR.inMemoryChannels, edited, { internal: true }).spec.subscribers.length, 1);
  });

  test('Subscription: channel and subscriber required; channel immutable; reply validated', () => {
    const s = service();
    const chRef = { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', name: 'imc1' };
    rejects(s, GR.subscriptions, sub({ subscriber: ksvcRef() }), /spec\.channel: missing field\(s\): the Subscription must reference a channel/);
    rejects(s, GR.subscriptions, sub({ channel: chRef }), /spec\.subscriber: missing field\(s\): the Subscription must reference a subscriber/);
    rejects(s, GR.subscriptions, sub({ channel: { ...chRef, namespace: 'other' }, subscriber: ksvcRef() }), /spec\.channel\.namespace/);
    rejects(s, GR.subscriptions, sub({ channel: chRef, subscriber: ksvcRef(), reply: { uri: 'relative' } }), /spec\.reply\.uri: invalid value: Relative URI/);
    const o = s.create(GR.subscriptions, sub({ channel: chRef, subscriber: ksvcRef() }));
    assert.equal(o.spec.subscriber.ref.namespace, 'default');
    updateRejects(s, GR.subscriptions, { ...structuredClone(o), spec: { ...o.spec, channel: { ...chRef, name: 'other' } } }, /spec: Immutable fields changed.*channel\.name/);
    assert.equal(s.update(GR.subscriptions, { ...structuredClone(o), spec: { ...o.spec, subscriber: ksvcRef('x') } }).spec.subscriber.ref.name, 'x');
  });

  test('short names and categories as Knative', () => {
    const s = service();
    assert.equal(s.registry.resolve('imc')?.kind, 'InMemoryChannel');
    assert.equal(s.registry.resolve('sub')?.kind, 'Subscription');
    assert.equal(s.registry.resolve('ch')?.kind, 'Channel');
    assert.deepEqual(s.registry.mustGet(GR.inMemoryChannels).categories, ['all', 'knative', 'messaging', 'channel']);
    assert.deepEqual(columnsFor(s.registry.mustGet(GR.subscriptions)).map((c) => c.def.name), ['Name', 'Age', 'Ready', 'Reason']);
    assert.deepEqual(columnsFor(s.registry.mustGet(GR.inMemoryChannels)).map((c) => c.def.name), ['Name', 'URL', 'Age', 'Ready', 'Reason']);
  });
});

describe('Sequence / Parallel admission', () => {
  test('Sequence: channelTemplate defaulted; steps required and validated with paths', () => {
    const s = service();
    const seq = s.create(GR.sequences, obj('flows.knative.dev/v1', 'Sequence', 'sq', { steps: [ksvcRef('a')], reply: ksvcRef('r') }));
    assert.deepEqual(seq.spec.channelTemplate, { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' });
    assert.equal(seq.spec.steps[0].ref.namespace, 'default');
    rejects(s, GR.sequences, obj('flows.knative.dev/v1', 'Sequence', 'sq2', { steps: [] }), /spec\.steps: missing field/);
    rejects(s, GR.sequences, obj('flows.knative.dev/v1', 'Sequence', 'sq3', { steps: [ksvcRef('a'), { uri: 'nope' }] }), /spec\.steps\[1\]\.uri: invalid value/);
    rejects(s, GR.sequences, obj('flows.knative.dev/v1', 'Sequence', 'sq4', { steps: [{ ...ksvcRef('a'), delivery: { backoffPolicy: 'x' } }] }), /spec\.steps\[0\]\.delivery\.backoffPolicy/);
  });

  test('Parallel: branches required; filter/subscriber/reply validated', () => {
    const s = service();
    const p = s.create(GR.parallels, obj('flows.knative.dev/v1', 'Parallel', 'p', { branches: [{ filter: ksvcRef('f'), subscriber: ksvcRef('s') }] }));
    assert.equal(p.spec.branches[0].filter.ref.namespace, 'default');
    rejects(s, GR.parallels, obj('flows.knative.dev/v1', 'Parallel', 'p2', {}), /spec\.branches: missing field/);
    rejects(s, GR.parallels, obj('flows.knative.dev/v1', 'Parallel', 'p3', { branches: [{ subscriber: {} }] }), /spec\.branches\[0\]\.subscriber\.ref, spec\.branches\[0\]\.subscriber\.uri/);
    rejects(s, GR.parallels, obj('flows.knative.dev/v1', 'Parallel', 'p4', { branches: [{ subscriber: ksvcRef(), filter: { uri: 'x' } }] }), /spec\.branches\[0\]\.filter\.uri/);
  });
});

describe('EventType admission', () => {
  test('v1beta3 needs type, source, specversion, id attributes', () => {
    const s = service();
    rejects(s, GR.eventTypes, obj('eventing.knative.dev/v1beta3', 'EventType', 'et', { attributes: [{ name: 'type', value: 'x' }] }), /spec\.attributes\.source, spec\.attributes\.specversion, spec\.attributes\.id: missing field/);
  });
  test('a v1beta2-shaped object is converted to v1beta3 attributes (and broker → reference)', () => {
    const s = service();
    const et = s.create(GR.eventTypes, obj('eventing.knative.dev/v1beta2', 'EventType', 'et', { type: 'dev.example', source: 'http://src', broker: 'default' }));
    assert.equal(et.apiVersion, 'eventing.knative.dev/v1beta3');
    assert.deepEqual(et.spec.reference, { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default', namespace: 'default' });
    assert.deepEqual(et.spec.attributes.map((a: any) => [a.name, a.value ?? null]), [
      ['specversion', null],
      ['id', null],
      ['type', 'dev.example'],
      ['source', 'http://src'],
    ]);
  });
});

describe('Sources admission', () => {
  const sink = { sink: ksvcRef() };
  test('PingSource: schedule default and cron rules, timezone, data XOR dataBase64, JSON content, size limit', () => {
    const s = service();
    const p = s.create(GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p', { ...sink }));
    assert.equal(p.spec.schedule, '* * * * *');
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { ...sink, schedule: '@every 1m' }), /spec\.schedule: invalid value: unsupported descriptor @every/);
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { ...sink, schedule: '61 * * * *' }), /spec\.schedule/);
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { ...sink, schedule: '* * * *' }), /spec\.schedule: invalid value: expected exactly 5 fields/);
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { ...sink, timezone: 'Mars/Olympus' }), /spec\.timezone/);
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { ...sink, data: 'a', dataBase64: 'YQ==' }), /spec\.data, spec\.dataBase64: expected exactly one, got both/);
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { ...sink, contentType: 'application/json', data: '{bad' }), /spec\.data: invalid value/);
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { schedule: '*/2 * * * *' }), /spec\.sink: expected at least one, got none/);
    setConfig(s, 'config-ping-defaults', { 'data-max-size': '4' });
    rejects(s, GR.pingSources, obj('sources.knative.dev/v1', 'PingSource', 'p2', { ...sink, data: 'hello' }), /the data length of 5 bytes exceeds limit set at 4/);
    assert.ok(s.create(GR.pingSources, obj('sources.knative.dev/v1beta2', 'PingSource', 'p3', { ...sink, schedule: '0 */2 * * *', timezone: 'Europe/Madrid', data: 'hi' })).metadata.uid);
  });
  test('ApiServerSource: mode/serviceAccount defaults, resources required, filters need the feature', () => {
    const s = service();
    const a = s.create(GR.apiServerSources, obj('sources.knative.dev/v1', 'ApiServerSource', 'a', { ...sink, resources: [{ apiVersion: 'v1', kind: 'Pod' }] }));
    assert.equal(a.spec.mode, 'Reference');
    assert.equal(a.spec.serviceAccountName, 'default');
    rejects(s, GR.apiServerSources, obj('sources.knative.dev/v1', 'ApiServerSource', 'a2', { ...sink }), /spec\.resources: missing field/);
    rejects(s, GR.apiServerSources, obj('sources.knative.dev/v1', 'ApiServerSource', 'a2', { ...sink, mode: 'Full', resources: [{ apiVersion: 'v1' }] }), /spec\.mode/, /spec\.resources\[0\]\.kind: missing field/);
    rejects(s, GR.apiServerSources, obj('sources.knative.dev/v1', 'ApiServerSource', 'a2', { ...sink, resources: [{ apiVersion: 'v1', kind: 'Pod' }], filters: [{ exact: { type: 'x' } }] }), /NewAPIServerFilters feature is disabled/);
    setConfig(s, 'config-features', { 'new-apiserversource-filters': 'enabled' });
    rejects(s, GR.apiServerSources, obj('sources.knative.dev/v1', 'ApiServerSource', 'a2', { ...sink, resources: [{ apiVersion: 'v1', kind: 'Pod' }], filters: [{ cesql: '(' }] }), /spec\.filters\[0\]\.cesql/);
  });
  test('ContainerSource: container names defaulted; image required; ceOverrides keys alphanumeric', () => {
    const s = service();
    const c = s.create(GR.containerSources, obj('sources.knative.dev/v1', 'ContainerSource', 'cs', { ...sink, template: { spec: { containers: [{ image: 'x' }] } } }));
    assert.equal(c.spec.template.spec.containers[0].name, 'cs-0');
    rejects(s, GR.containerSources, obj('sources.knative.dev/v1', 'ContainerSource', 'cs2', { ...sink, template: { spec: { containers: [{ name: 'a' }] } } }), /spec\.template\.spec\.containers\[0\]\.image: missing field/);
    rejects(s, GR.containerSources, obj('sources.knative.dev/v1', 'ContainerSource', 'cs2', { ...sink, template: { spec: { containers: [{ image: 'a' }] } }, ceOverrides: { extensions: { 'bad-key': 'x' } } }), /spec\.ceOverrides\.extensions\[bad-key\]: invalid key name/);
  });
  test('SinkBinding: subject namespace defaulted and must match; name XOR selector', () => {
    const s = service();
    const b = s.create(GR.sinkBindings, obj('sources.knative.dev/v1', 'SinkBinding', 'sb', { ...sink, subject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' } }));
    assert.equal(b.spec.subject.namespace, 'default');
    rejects(s, GR.sinkBindings, obj('sources.knative.dev/v1', 'SinkBinding', 'sb2', { ...sink, subject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'x', name: 'd' } }), /spec\.subject\.namespace/);
    rejects(s, GR.sinkBindings, obj('sources.knative.dev/v1', 'SinkBinding', 'sb2', { ...sink, subject: { apiVersion: 'apps/v1', kind: 'Deployment' } }), /expected exactly one, got neither/);
    assert.deepEqual(columnsFor(s.registry.mustGet(GR.pingSources)).map((c) => c.def.name), ['Name', 'Sink', 'Schedule', 'Age', 'Ready', 'Reason']);
  });
});
