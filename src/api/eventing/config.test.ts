import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUILTIN_BROKER_DEFAULTS,
  EventingConfigError,
  brokerConfigFor,
  channelTemplateFor,
  defaultBrokerClass,
  parseBrokerDefaults,
  parseChannelDefaults,
  parseChannelTemplateSpec,
  parseFeatures,
  parsePingDefaults,
  parseSugarConfig,
} from './config.js';
import { matchesSelector } from '../labels.js';

describe('config-br-defaults (GetBrokerConfig precedence)', () => {
  const d = parseBrokerDefaults({
    'default-br-config': `
clusterDefault:
  brokerClass: MTChannelBasedBroker
  apiVersion: v1
  kind: ConfigMap
  name: cluster-cm
  namespace: knative-eventing
  delivery: { retry: 10 }
  brokerClasses:
    Kafka:
      apiVersion: v1
      kind: ConfigMap
      name: kafka-cm
namespaceDefaults:
  ns1:
    brokerClass: Kafka
    apiVersion: v1
    kind: ConfigMap
    name: ns1-cm
  ns2:
    brokerClasses:
      MTChannelBasedBroker:
        apiVersion: v1
        kind: ConfigMap
        name: ns2-mt
`,
  });
  test('default class: namespace first, then cluster', () => {
    assert.equal(defaultBrokerClass(d, 'ns1'), 'Kafka');
    assert.equal(defaultBrokerClass(d, 'other'), 'MTChannelBasedBroker');
  });
  test('config by class and namespace', () => {
    assert.equal(brokerConfigFor(d, 'other', '')?.ref?.name, 'cluster-cm');
    assert.equal(brokerConfigFor(d, 'other', 'Kafka')?.ref?.name, 'kafka-cm');
    assert.equal(brokerConfigFor(d, 'ns1', '')?.ref?.name, 'ns1-cm');
    assert.equal(brokerConfigFor(d, 'ns1', 'Kafka')?.ref?.name, 'ns1-cm');
    assert.equal(brokerConfigFor(d, 'ns2', 'MTChannelBasedBroker')?.ref?.name, 'ns2-mt');
    assert.equal(brokerConfigFor(d, 'ns2', 'Unknown')?.ref?.name, 'cluster-cm');
    assert.deepEqual(brokerConfigFor(d, 'other', '')?.delivery, { retry: 10 });
  });
  test('built-in: SkiffLogBroker default without config; MT with Knative config', () => {
    assert.equal(defaultBrokerClass(BUILTIN_BROKER_DEFAULTS, 'x'), 'SkiffLogBroker');
    assert.equal(brokerConfigFor(BUILTIN_BROKER_DEFAULTS, 'x', 'SkiffLogBroker')?.ref, undefined);
    assert.equal(brokerConfigFor(BUILTIN_BROKER_DEFAULTS, 'x', 'MTChannelBasedBroker')?.ref?.name, 'config-br-default-channel');
  });
  test('errors name the config map and key', () => {
    assert.throws(() => parseBrokerDefaults({}), (e: unknown) => e instanceof EventingConfigError && /config-br-defaults key "default-br-config": missing or empty/.test(e.message));
    assert.throws(() => parseBrokerDefaults({ 'default-br-config': 'a: [' }), /invalid YAML/);
  });
});

describe('other config maps', () => {
  test('default-ch-webhook: namespace default, else cluster default', () => {
    const d = parseChannelDefaults({ 'default-ch-config': 'clusterDefault: {apiVersion: messaging.knative.dev/v1, kind: InMemoryChannel}\nnamespaceDefaults:\n  kafka: {apiVersion: messaging.knative.dev/v1beta1, kind: KafkaChannel, spec: {numPartitions: 5}}\n' });
    assert.equal(channelTemplateFor(d, 'default')?.kind, 'InMemoryChannel');
    assert.deepEqual(channelTemplateFor(d, 'kafka'), { apiVersion: 'messaging.knative.dev/v1beta1', kind: 'KafkaChannel', spec: { numPartitions: 5 } });
  });
  test('channel-template-spec', () => {
    assert.equal(parseChannelTemplateSpec('c', { 'channel-template-spec': 'apiVersion: messaging.knative.dev/v1\nkind: InMemoryChannel\n' }).kind, 'InMemoryChannel');
    assert.throws(() => parseChannelTemplateSpec('c', { 'channel-template-spec': 'kind: X' }), /must have apiVersion and kind/);
  });
  test('features: Knative defaults, only "enabled" turns a flag on', () => {
    const f = parseFeatures({});
    assert.equal(f.deliveryTimeout, true);
    assert.equal(f.deliveryRetryAfter, false);
    assert.equal(parseFeatures({ 'delivery-timeout': 'disabled', 'kreference-group': 'Enabled' }).deliveryTimeout, false);
    assert.equal(parseFeatures({ 'kreference-group': 'Enabled' }).kreferenceGroup, true);
  });
  test('sugar: empty = off, {} = everything, selectors otherwise', () => {
    assert.equal(parseSugarConfig({}).namespaceSelector, undefined);
    assert.deepEqual(parseSugarConfig({ 'namespace-selector': '{}' }).namespaceSelector, []);
    const sel = parseSugarConfig({ 'trigger-selector': 'matchLabels:\n  inject: "yes"\n' }).triggerSelector!;
    assert.equal(matchesSelector(sel, { inject: 'yes' }), true);
    assert.equal(matchesSelector(sel, {}), false);
    assert.throws(() => parseSugarConfig({ 'namespace-selector': '[1]' }), /config-sugar key "namespace-selector"/);
  });
  test('ping defaults', () => {
    assert.equal(parsePingDefaults(undefined).dataMaxSize, -1);
    assert.equal(parsePingDefaults({ 'data-max-size': '4096' }).dataMaxSize, 4096);
    assert.throws(() => parsePingDefaults({ 'data-max-size': 'lots' }), /data-max-size/);
  });
});
