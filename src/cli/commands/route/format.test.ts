import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { describeRoute, routeListRows } from './format.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

const route: KObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Route',
  metadata: {
    name: 'hello',
    namespace: 'default',
    creationTimestamp: ago(3600 * 3),
    labels: { 'serving.knative.dev/service': 'hello' },
    ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', uid: 'u' }],
  },
  status: {
    url: 'http://hello.default.example.com',
    traffic: [
      { revisionName: 'hello-00003', latestRevision: true, percent: 50, tag: 'staging', url: 'http://staging-hello.default.example.com' },
      { revisionName: 'hello-00002', latestRevision: false, percent: 50 },
    ],
    conditions: [
      { type: 'AllTrafficAssigned', status: 'True', lastTransitionTime: ago(60) },
      { type: 'CertificateProvisioned', status: 'True', reason: 'TLSNotEnabled', lastTransitionTime: ago(60) },
      { type: 'IngressReady', status: 'True', lastTransitionTime: ago(60) },
      { type: 'Ready', status: 'True', lastTransitionTime: ago(60) },
    ],
  },
};

describe('route output (kn route)', () => {
  test('list rows', () => {
    assert.deepEqual(routeListRows([route]), [['hello', 'http://hello.default.example.com', 'True']]);
  });

  test('describe layout', () => {
    assert.equal(
      describeRoute(route, NOW, false),
      `Name:       hello
Namespace:  default
Age:        3h
URL:        http://hello.default.example.com
Service:    hello

Traffic Targets:  
   50%  @latest (hello-00003) #staging
        URL:  http://staging-hello.default.example.com
   50%  hello-00002

Conditions:  
  OK TYPE                      AGE REASON
  ++ Ready                      1m 
  ++ AllTrafficAssigned         1m 
  ++ CertificateProvisioned     1m TLSNotEnabled
  ++ IngressReady               1m 
`,
    );
  });
});
