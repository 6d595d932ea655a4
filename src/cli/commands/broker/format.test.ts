import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { KnError, renderListTable } from '../../knative-format.js';
import { BROKER_LIST_HEADERS, brokerListRows, buildBroker, describeBroker, parseBrokerConfig } from './format.js';

const NOW = Date.parse('2024-05-10T15:00:00Z');
const CREATED = '2024-05-10T14:59:46Z'; // 14s
const URL = 'http://broker-ingress.knative-eventing.svc.cluster.local/default/broker01';
const COND_TYPES = ['Addressable', 'DeadLetterSinkResolved', 'FilterReady', 'IngressReady', 'Ready', 'TriggerChannelReady'];

function broker(extra: Partial<KObject> = {}): KObject {
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Broker',
    metadata: { name: 'broker01', namespace: 'default', creationTimestamp: CREATED, annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' } },
    spec: {},
    status: { address: { url: URL }, conditions: COND_TYPES.map((type) => ({ type, status: 'True', lastTransitionTime: CREATED })) },
    ...extra,
  } as KObject;
}

describe('broker list', () => {
  test("the seed's table", () => {
    assert.equal(
      renderListTable(BROKER_LIST_HEADERS, brokerListRows([broker()], NOW, false)),
      ['NAME       URL                                                                         AGE   CONDITIONS   READY   REASON', `broker01   ${URL}   14s   6 OK / 6     True    `, ''].join('\n'),
    );
  });

  test('a broker without status yet', () => {
    assert.deepEqual(brokerListRows([broker({ status: undefined })], NOW, true), [['default', 'broker01', '', '14s', '0 OK / 0', '<unknown>', '<unknown>']]);
  });
});

describe('buildBroker / --broker-config', () => {
  test('class annotation, config reference, delivery', () => {
    assert.deepEqual(buildBroker('b', 'ns', { brokerClass: 'Kafka', config: parseBrokerConfig('cm:spec-cm'), delivery: { retry: 2 } }), {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      metadata: { name: 'b', namespace: 'ns', annotations: { 'eventing.knative.dev/broker.class': 'Kafka' } },
      spec: { config: { kind: 'ConfigMap', apiVersion: 'v1', name: 'spec-cm' }, delivery: { retry: 2 } },
    });
    assert.deepEqual(buildBroker('b', 'ns', {}), { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'b', namespace: 'ns' }, spec: {} });
  });

  test("kn's config forms", () => {
    assert.deepEqual(parseBrokerConfig('spec-cm'), { kind: 'ConfigMap', apiVersion: 'v1', name: 'spec-cm' });
    assert.deepEqual(parseBrokerConfig('sc:spec-sc:test'), { kind: 'Secret', apiVersion: 'v1', name: 'spec-sc', namespace: 'test' });
    assert.deepEqual(parseBrokerConfig('rmq:c'), { kind: 'RabbitmqCluster', apiVersion: 'rabbitmq.com/v1beta1', name: 'c' });
    assert.deepEqual(parseBrokerConfig('rabbitmq.com/v1beta1:RabbitmqCluster:mycluster:test'), { apiVersion: 'rabbitmq.com/v1beta1', kind: 'RabbitmqCluster', name: 'mycluster', namespace: 'test' });
    assert.deepEqual(parseBrokerConfig('x.io/v1:Thing:n'), { apiVersion: 'x.io/v1', kind: 'Thing', name: 'n' });
    assert.throws(() => parseBrokerConfig('Thing:n'), (e) => e instanceof KnError && /APIVersion could not be determined for kind "Thing"/.test(e.message));
    assert.throws(() => parseBrokerConfig('cm:'), /empty part/);
  });
});

describe('broker describe', () => {
  test('metadata, Address/URL, conditions (no delivery block without delivery)', () => {
    assert.equal(
      describeBroker(broker(), NOW, false),
      [
        'Name:         broker01',
        'Namespace:    default',
        'Annotations:  eventing.knative.dev/broker.class=MTChannelBasedBroker',
        'Age:          14s',
        '',
        'Address:  ',
        `  URL:    ${URL}`,
        '',
        'Conditions:  ',
        '  OK TYPE                      AGE REASON',
        '  ++ Ready                     14s ',
        '  ++ Addressable               14s ',
        '  ++ DeadLetterSinkResolved    14s ',
        '  ++ FilterReady               14s ',
        '  ++ IngressReady              14s ',
        '  ++ TriggerChannelReady       14s ',
        '',
      ].join('\n'),
    );
  });

  test('a Delivery block with a URI dead letter sink', () => {
    const out = describeBroker(broker({ spec: { delivery: { retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', deadLetterSink: { uri: 'http://dls.example.com/' } } }, status: {} }), NOW, false);
    assert.match(out, /\n\nDelivery: {12}\n {2}Retry: {13}10\n {2}Backoff Policy: {4}exponential\n {2}Backoff Delay: {5}PT0\.2S\n {2}Dead Letter Sink: {2}\n {4}URI: {13}http:\/\/dls\.example\.com\/\n\nConditions:/);
  });
});
