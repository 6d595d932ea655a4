import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { renderListTable } from '../../knative-format.js';
import { buildTrigger, describeTrigger, effectiveDelivery, TRIGGER_LIST_HEADERS, triggerListRows } from './format.js';

const NOW = Date.parse('2024-05-10T15:00:00Z');
const CREATED = '2024-05-10T14:59:31Z'; // 29s before NOW
const KSVC_REF = (name: string, namespace = 'default') => ({ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name, namespace } });
const READY = [
  { type: 'BrokerReady', status: 'True', lastTransitionTime: CREATED },
  { type: 'Ready', status: 'True', lastTransitionTime: CREATED },
  { type: 'SubscriberResolved', status: 'True', lastTransitionTime: CREATED },
];

function trigger(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}, ns = 'default'): KObject {
  return { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', metadata: { name, namespace: ns, creationTimestamp: CREATED, labels: { 'eventing.knative.dev/broker': String(spec.broker) } }, spec, status };
}

const broker = (delivery?: Record<string, unknown>): KObject => ({ apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'broker01', namespace: 'default' }, spec: delivery ? { delivery } : {} });

describe('trigger list', () => {
  test("the seed's table: NAME BROKER SINK AGE CONDITIONS READY REASON", () => {
    const items = [
      trigger('issue-trigger', { broker: 'broker01', subscriber: KSVC_REF('event-display-mirror') }, { conditions: READY }),
      trigger('push-trigger', { broker: 'broker01', subscriber: KSVC_REF('event-display') }, { conditions: [{ type: 'Ready', status: 'False', reason: 'BrokerDoesNotExist', message: 'Broker "broker01" does not exist' }] }),
    ];
    assert.equal(
      renderListTable(TRIGGER_LIST_HEADERS, triggerListRows(items, NOW, false)),
      [
        'NAME            BROKER     SINK                        AGE   CONDITIONS   READY   REASON',
        'issue-trigger   broker01   ksvc:event-display-mirror   29s   3 OK / 3     True    ',
        'push-trigger    broker01   ksvc:event-display          29s   0 OK / 1     False   BrokerDoesNotExist : Broker "broker01" does not exist',
        '',
      ].join('\n'),
    );
  });

  test('-A puts the namespace first; a sink in another namespace shows it', () => {
    const rows = triggerListRows([trigger('t', { broker: 'default', subscriber: KSVC_REF('d', 'other') }, {}, 'dev')], NOW, true);
    assert.deepEqual(rows[0].slice(0, 4), ['dev', 't', 'default', 'ksvc:d:other']);
  });
});

describe('buildTrigger', () => {
  test('the object kn would post', () => {
    assert.deepEqual(buildTrigger('push', 'default', { broker: 'broker01', subscriber: KSVC_REF('event-display'), filters: { filter: { attributes: { type: 'a' } } }, delivery: { retry: 3 } }), {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: 'push', namespace: 'default' },
      spec: { broker: 'broker01', filter: { attributes: { type: 'a' } }, subscriber: KSVC_REF('event-display'), delivery: { retry: 3 } },
    });
  });
});

describe('effective delivery', () => {
  test("the trigger's own delivery wins as a whole; the dead letter sink falls back to the broker's", () => {
    const b = broker({ retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', deadLetterSink: { uri: 'http://dls/' } });
    assert.deepEqual(effectiveDelivery(trigger('t', { broker: 'broker01', delivery: { retry: 1 } }), b), {
      delivery: { retry: 1 },
      source: 'trigger',
      deadLetterSink: { uri: 'http://dls/' },
      deadLetterSource: 'broker',
    });
    assert.equal(effectiveDelivery(trigger('t', { broker: 'broker01' }), b).source, 'broker');
    assert.deepEqual(effectiveDelivery(trigger('t', { broker: 'broker01' }), undefined), { source: 'none' });
    assert.deepEqual(effectiveDelivery(trigger('t', { broker: 'broker01', delivery: {} }), broker()), { source: 'none' });
  });
});

describe('trigger describe', () => {
  test('attributes filter, sink, delivery inherited from the broker, conditions', () => {
    const t = trigger('push-trigger', { broker: 'broker01', filter: { attributes: { type: 'dev.knative.sources.gitlab.push', source: 'gitlab' } }, subscriber: KSVC_REF('event-display') }, { conditions: READY });
    const out = describeTrigger(t, broker({ retry: 10, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' }), NOW, false);
    assert.equal(
      out,
      [
        'Name:       push-trigger',
        'Namespace:  default',
        'Labels:     eventing.knative.dev/broker=broker01',
        'Age:        29s',
        'Broker:     broker01',
        'Filter:     ',
        '  source:   gitlab',
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
        '  OK TYPE                  AGE REASON',
        '  ++ Ready                 29s ',
        '  ++ BrokerReady           29s ',
        '  ++ SubscriberResolved    29s ',
        '',
      ].join('\n'),
    );
  });

  test("new filters (nested dialects), a URI sink, the trigger's own delivery with the broker's dead letter sink", () => {
    const t = trigger('sql', {
      broker: 'broker01',
      filters: [{ cesql: "type LIKE 'com.%'" }, { any: [{ exact: { source: 'a' } }, { not: { prefix: { subject: 'tmp/' } } }] }],
      subscriber: { uri: 'http://127.0.0.1:9/hook' },
      delivery: { retry: 2, timeout: 'PT5S' },
    });
    const out = describeTrigger(t, broker({ deadLetterSink: KSVC_REF('dls') }), NOW, false);
    assert.equal(
      out,
      [
        'Name:       sql',
        'Namespace:  default',
        'Labels:     eventing.knative.dev/broker=broker01',
        'Age:        29s',
        'Broker:     broker01',
        '',
        'Filters:          ',
        "  cesql:          type LIKE 'com.%'",
        '  any:            ',
        '    exact:        ',
        '      source:     a',
        '    not:          ',
        '      prefix:     ',
        '        subject:  tmp/',
        '',
        'Sink:   ',
        '  URI:  http://127.0.0.1:9/hook',
        '',
        'Delivery:            from trigger',
        '  Retry:             2',
        '  Timeout:           PT5S',
        "  Dead Letter Sink:  from broker 'broker01'",
        '    Name:            dls',
        '    Resource:        Service (serving.knative.dev/v1)',
        '',
        'Conditions:  ',
        '  OK TYPE    AGE REASON',
        '',
      ].join('\n'),
    );
  });

  test('no delivery anywhere, and a missing broker, say so', () => {
    const t = trigger('t', { broker: 'gone', subscriber: KSVC_REF('x') });
    assert.match(describeTrigger(t, undefined, NOW, false), /\nDelivery: {2}none \(broker 'gone' not found\)\n/);
    assert.match(describeTrigger(t, broker(), NOW, false), /\nDelivery: {2}none \(no retries\)\n/);
  });
});
