import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { renderListTable } from '../../knative-format.js';
import { describeRevision, REVISION_LIST_HEADERS, revisionListRows, sortRevisions, trafficAndTags } from './format.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

/** `ok` = 4: all conditions True; 3: Active False (no traffic), as in the seed's listings. */
function rev(name: string, gen: number, created: number, ok: 3 | 4, ns = 'default', svc = 'hello'): KObject {
  const types = ['Active', 'ContainerHealthy', 'Ready', 'ResourcesAvailable'];
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name,
      namespace: ns,
      creationTimestamp: ago(created),
      labels: { 'serving.knative.dev/service': svc, 'serving.knative.dev/configurationGeneration': String(gen) },
    },
    spec: { containers: [{ image: 'ikubernetes/helloworld-go' }] },
    status: {
      conditions: types.map((type) => ({ type, status: ok === 4 || type !== 'Active' ? 'True' : 'False' })),
    },
  };
}

const SVC: KObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default' },
  status: {
    traffic: [
      { revisionName: 'hello-00003', latestRevision: true, percent: 50, tag: 'staging' },
      { revisionName: 'hello-00002', latestRevision: false, percent: 50 },
      { revisionName: 'hello-00001', latestRevision: false, percent: 0, tag: 'oldtest' },
    ],
    latestReadyRevisionName: 'hello-00003',
    latestCreatedRevisionName: 'hello-00003',
  },
};

describe('revision output (kn revision)', () => {
  test('list: the seed’s table after --traffic @latest=50 and --tag hello-00001=oldtest', () => {
    const revs = sortRevisions([rev('hello-00001', 1, 39 * 60, 3), rev('hello-00003', 3, 15 * 60, 4), rev('hello-00002', 2, 35 * 60, 4)]);
    const text = renderListTable(REVISION_LIST_HEADERS, revisionListRows(revs, new Map([['default/hello', SVC]]), NOW, false));
    assert.equal(
      text.split('\n').map((l) => l.trimEnd()).join('\n'),
      `NAME          SERVICE   TRAFFIC   TAGS      GENERATION   AGE   CONDITIONS   READY   REASON
hello-00003   hello     50%       staging   3            15m   4 OK / 4     True
hello-00002   hello     50%                 2            35m   4 OK / 4     True
hello-00001   hello               oldtest   1            39m   3 OK / 4     True
`,
    );
  });

  test('sort: namespace, service, generation descending (numeric), then name', () => {
    const names = sortRevisions([rev('b-00002', 2, 1, 4, 'x', 'b'), rev('a-00010', 10, 1, 4), rev('a-00009', 9, 1, 4), rev('z-00001', 1, 1, 4, 'a', 'z')]).map((r) => r.metadata.name);
    assert.deepEqual(names, ['z-00001', 'a-00010', 'a-00009', 'b-00002']);
  });

  test('traffic and tags sum over targets of the same revision', () => {
    const svc = { ...SVC, status: { traffic: [{ revisionName: 'r', percent: 30, tag: 'a' }, { revisionName: 'r', percent: 20, tag: 'b' }] } };
    assert.deepEqual(trafficAndTags('r', svc), { percent: 50, tags: ['a', 'b'] });
    assert.deepEqual(trafficAndTags('r', undefined), { percent: 0, tags: [] });
  });

  test('describe layout (and -v with the service)', () => {
    const r = rev('hello-00003', 3, 15 * 60, 4);
    r.metadata.annotations = { 'autoscaling.knative.dev/min-scale': '1', 'client.knative.dev/user-image': 'ikubernetes/helloworld-go' };
    r.spec.containerConcurrency = 10;
    r.spec.containers[0].resources = { requests: { memory: '64Mi' }, limits: { memory: '128Mi', cpu: '500m' } };
    r.status.actualReplicas = 1;
    r.status.desiredReplicas = 1;
    r.status.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: ago(14 * 60) }, { type: 'Active', status: 'False', reason: 'NoTraffic', severity: 'Info', lastTransitionTime: ago(60) }];
    assert.equal(
      describeRevision(r, undefined, NOW, false),
      `Name:         hello-00003
Namespace:    default
Annotations:  autoscaling.knative.dev/min-scale=1
Age:          15m
Image:        ikubernetes/helloworld-go
Replicas:     1/1
Scale:        1 ... ∞
Concurrency:  
  Limit:      10
Memory:       64Mi ... 128Mi
CPU:          500m
Service:      hello

Conditions:  
  OK TYPE      AGE REASON
  ++ Ready     14m 
   I Active     1m NoTraffic
`,
    );
    const v = describeRevision(r, SVC, NOW, true);
    // With details, Knative's own labels and annotations are listed too, one per line.
    assert.match(v, /^Name: +hello-00003\nNamespace: +default\nLabels: +serving\.knative\.dev\/configurationGeneration=3\n +serving\.knative\.dev\/service=hello\n/);
    assert.match(v, /\nService: +hello\n {2}Configuration Generation: {2}3\n {2}Latest Created: +true\n {2}Latest Ready: +true\n {2}Traffic: +50%\n {2}Tags: +staging\n/);
    assert.match(v, /\n {3}I Active {5}1m NoTraffic \(\)\n/);
  });
});
