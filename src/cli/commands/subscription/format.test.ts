import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { renderListTable } from '../../knative-format.js';
import { buildSubscription, describeSubscription, SUBSCRIPTION_LIST_HEADERS, subscriptionListRows } from './format.js';

const NOW = Date.parse('2024-05-10T15:00:00Z');
const CREATED = '2024-05-10T14:58:00Z';
const ksvc = (name: string, namespace = 'default') => ({ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name, namespace } });

function sub(name: string, spec: Record<string, unknown>, ready = true): KObject {
  return {
    apiVersion: 'messaging.knative.dev/v1',
    kind: 'Subscription',
    metadata: { name, namespace: 'default', creationTimestamp: CREATED },
    spec,
    status: { conditions: ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: CREATED }] : [] },
  };
}

describe('subscription list', () => {
  test("the seed's table (CHANNEL is Kind:name; empty REPLY and DEAD LETTER SINK)", () => {
    const items = [
      sub('sub01', { channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'imc01' }, subscriber: ksvc('event-display') }),
      sub('sub02', { channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'imc01' }, subscriber: ksvc('event-display-mirror') }),
    ];
    assert.equal(
      renderListTable(SUBSCRIPTION_LIST_HEADERS, subscriptionListRows(items, NOW, false)),
      [
        'NAME    CHANNEL         SUBSCRIBER                  REPLY   DEAD LETTER SINK   READY   REASON',
        'sub01   Channel:imc01   ksvc:event-display                                     True    ',
        'sub02   Channel:imc01   ksvc:event-display-mirror                              True    ',
        '',
      ].join('\n'),
    );
  });

  test('reply, dead letter sink and a subscriber in another namespace', () => {
    const s = sub('s', { channel: { kind: 'InMemoryChannel', name: 'c' }, subscriber: ksvc('x', 'team'), reply: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'b', namespace: 'default' } }, delivery: { deadLetterSink: { uri: 'http://dls/' } } }, false);
    assert.deepEqual(subscriptionListRows([s], NOW, true), [['default', 's', 'InMemoryChannel:c', 'ksvc:x:team', 'broker:b', 'http://dls/', '<unknown>', '<unknown>']]);
  });
});

describe('buildSubscription / describe', () => {
  test('the object: the dead letter sink goes under delivery', () => {
    assert.deepEqual(buildSubscription('s', 'ns', { channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'c' }, subscriber: ksvc('x'), deadLetterSink: { uri: 'http://d/' } }).spec, {
      channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'c' },
      subscriber: ksvc('x'),
      delivery: { deadLetterSink: { uri: 'http://d/' } },
    });
  });

  test("kn's describe layout", () => {
    const s = sub('sub01', { channel: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'imc01' }, subscriber: ksvc('event-display', 'other') });
    assert.equal(
      describeSubscription(s, NOW, false),
      [
        'Name:         sub01',
        'Namespace:    default',
        'Age:          2m',
        'Channel:      Channel:imc01 (messaging.knative.dev/v1)',
        'Subscriber:   ',
        '  Name:       event-display',
        '  Namespace:  other',
        '  Resource:   Service (serving.knative.dev/v1)',
        '',
        'Conditions:  ',
        '  OK TYPE     AGE REASON',
        '  ++ Ready     2m ',
        '',
      ].join('\n'),
    );
  });
});
