import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { renderListTable } from '../../knative-format.js';
import { buildEventType, describeEventType, EVENTTYPE_LIST_HEADERS, eventTypeAttribute, eventTypeListRows } from './format.js';

const NOW = Date.parse('2024-05-10T15:00:00Z');
const CREATED = '2024-05-10T12:00:00Z';

function et(name: string, spec: Record<string, unknown>, ns = 'default'): KObject {
  return { apiVersion: 'eventing.knative.dev/v1beta3', kind: 'EventType', metadata: { name, namespace: ns, creationTimestamp: CREATED }, spec, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
}

describe('eventtype', () => {
  test('attributes come from v1beta3 spec.attributes, else v1beta2 fields', () => {
    const v3 = buildEventType('push', 'default', { type: 'dev.knative.push', source: '/gitlab' });
    assert.equal(eventTypeAttribute(v3, 'type'), 'dev.knative.push');
    assert.equal(eventTypeAttribute(v3, 'source'), '/gitlab');
    assert.equal(eventTypeAttribute(buildEventType('x', 'd', { type: 't' }), 'source'), '');
    assert.equal(eventTypeAttribute(et('old', { type: 'legacy.type' }), 'type'), 'legacy.type');
  });

  test('buildEventType writes the v1beta3 shape with the required attributes', () => {
    assert.deepEqual(buildEventType('push', 'ns', { type: 't', reference: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'b', namespace: 'ns' } }), {
      apiVersion: 'eventing.knative.dev/v1beta3',
      kind: 'EventType',
      metadata: { name: 'push', namespace: 'ns' },
      spec: {
        attributes: [
          { name: 'specversion', required: true },
          { name: 'id', required: true },
          { name: 'type', required: true, value: 't' },
          { name: 'source', required: true },
        ],
        reference: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'b', namespace: 'ns' },
      },
    });
  });

  test('list: NAME TYPE SOURCE REFERENCE AGE READY', () => {
    const items = [{ ...buildEventType('push', 'default', { type: 'dev.knative.push', source: '/gitlab', reference: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' } }), metadata: { name: 'push', namespace: 'default', creationTimestamp: CREATED } }];
    assert.equal(
      renderListTable(EVENTTYPE_LIST_HEADERS, eventTypeListRows(items, NOW, false)),
      ['NAME   TYPE               SOURCE    REFERENCE   AGE   READY', 'push   dev.knative.push   /gitlab   default     3h    <unknown>', ''].join('\n'),
    );
  });

  test('describe shows a reference namespace only when it differs', () => {
    const out = describeEventType(et('push', { attributes: [{ name: 'type', value: 'dev.x' }], reference: { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'c', namespace: 'team' } }), NOW, false);
    assert.equal(
      out,
      [
        'Name:          push',
        'Namespace:     default',
        'Age:           3h',
        'Type:          dev.x',
        'Source:        ',
        'Reference:     ',
        '  APIVersion:  messaging.knative.dev/v1',
        '  Kind:        Channel',
        '  Name:        c',
        '  Namespace:   team',
        '',
        '',
        'Conditions:  ',
        '  OK TYPE     AGE REASON',
        '  ++ Ready        ',
        '',
      ].join('\n'),
    );
  });
});
