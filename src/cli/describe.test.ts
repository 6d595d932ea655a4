import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { LAST_APPLIED_ANNOTATION } from './apply-patch.js';
import { describeObject, eventAge, smartLabel } from './describe.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('describe', () => {
  test('smartLabel: Title Case words, acronyms upper-cased, data keys verbatim', () => {
    assert.equal(smartLabel('latestReadyRevisionName'), 'Latest Ready Revision Name');
    assert.equal(smartLabel('apiVersion'), 'API Version');
    assert.equal(smartLabel('uid'), 'UID');
    assert.equal(smartLabel('url'), 'URL');
    assert.equal(smartLabel('config.yaml'), 'config.yaml');
    assert.equal(smartLabel('clusterIPs'), 'Cluster IPs');
    assert.equal(smartLabel('podIP'), 'Pod IP');
    assert.equal(smartLabel('containerConcurrency'), 'Container Concurrency');
  });

  test('layout: header block, metadata, fields, conditions table, events', () => {
    const obj: KObject = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: {
        name: 'hello',
        namespace: 'default',
        uid: 'abc',
        generation: 2,
        creationTimestamp: '2024-05-01T11:55:00Z',
        labels: { b: '2', a: '1' },
        annotations: { [LAST_APPLIED_ANNOTATION]: '{}', 'serving.knative.dev/creator': 'me' },
      },
      spec: { template: { spec: { containers: [{ image: 'ghcr.io/x/hello', env: [{ name: 'TARGET', value: 'World' }] }] } } },
      status: {
        url: 'http://hello.default.127.0.0.1.sslip.io',
        observedGeneration: 2,
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T11:59:00Z' },
          { type: 'RoutesReady', status: 'False', reason: 'Waiting', message: 'not yet', lastTransitionTime: '2024-05-01T11:58:00Z' },
        ],
      },
    };
    const events: KObject[] = [
      { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2' }, type: 'Normal', reason: 'Updated', message: 'second', source: { component: 'service-controller' }, lastTimestamp: '2024-05-01T11:59:30Z', firstTimestamp: '2024-05-01T11:58:00Z', count: 3 },
      { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, type: 'Normal', reason: 'Created', message: 'first', source: { component: 'service-controller' }, lastTimestamp: '2024-05-01T11:55:00Z' },
    ];
    const text = describeObject(obj, events, NOW, { namespaced: true });
    const expected = [
      'Name:         hello',
      'Namespace:    default',
      'Labels:       a=1',
      '              b=2',
      'Annotations:  serving.knative.dev/creator: me',
      'API Version:  serving.knative.dev/v1',
      'Kind:         Service',
      'Metadata:',
      '  Creation Timestamp:  2024-05-01T11:55:00Z',
      '  Generation:          2',
      '  UID:                 abc',
      'Spec:',
      '  Template:',
      '    Spec:',
      '      Containers:',
      '        Env:',
      '          Name:   TARGET',
      '          Value:  World',
      '        Image:    ghcr.io/x/hello',
      'Status:',
      '  Conditions:',
      '    Type         Status  Last Transition  Reason   Message',
      '    ----         ------  ---------------  ------   -------',
      '    Ready        True    60s                       ',
      '    RoutesReady  False   2m               Waiting  not yet',
      '  Observed Generation:  2',
      '  URL:                  http://hello.default.127.0.0.1.sslip.io',
      'Events:',
      '  Type    Reason   Age               From                Message',
      '  ----    ------   ----              ----                -------',
      '  Normal  Created  5m                service-controller  first',
      '  Normal  Updated  30s (x3 over 2m)  service-controller  second',
      '',
    ].join('\n');
    assert.equal(text, expected);
  });

  test('no events, cluster-scoped: no Namespace line and Events: <none>', () => {
    const text = describeObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }, [], NOW, { namespaced: false });
    assert.equal(text, 'Name:         demo\nLabels:       <none>\nAnnotations:  <none>\nAPI Version:  v1\nKind:         Namespace\nEvents:  <none>\n');
  });

  test('event age repeats', () => {
    assert.equal(eventAge({ apiVersion: 'v1', kind: 'Event', metadata: {}, lastTimestamp: '2024-05-01T11:59:50Z' }, NOW), '10s');
  });
});
