import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { renderListTable } from '../../knative-format.js';
import { describeService, formatBullet, orderByGeneration, revisionDesc, revisionHeader, serviceListRows, SERVICE_LIST_HEADERS, sortByNamespaceAndName } from './format.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function ksvc(name: string, ns: string, created: number, status: Record<string, unknown>): KObject {
  return { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name, namespace: ns, creationTimestamp: ago(created) }, spec: {}, status };
}

const READY3 = [
  { type: 'ConfigurationsReady', status: 'True', lastTransitionTime: ago(90) },
  { type: 'Ready', status: 'True', lastTransitionTime: ago(90) },
  { type: 'RoutesReady', status: 'True', lastTransitionTime: ago(90) },
];

function rev(name: string, generation: number, created: number, ready: Record<string, string> = { type: 'Ready', status: 'True' }, extra: Partial<KObject> = {}): KObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: ago(created),
      labels: { 'serving.knative.dev/service': 'hello', 'serving.knative.dev/configurationGeneration': String(generation) },
      annotations: { 'client.knative.dev/user-image': 'ikubernetes/helloworld-go' },
    },
    spec: { containers: [{ image: 'ikubernetes/helloworld-go', ports: [{ containerPort: 8080 }], env: [{ name: 'TARGET', value: 'Knative' }] }], containerConcurrency: 10 },
    status: { conditions: [ready], actualReplicas: 1, desiredReplicas: 1, containerStatuses: [{ imageDigest: `index.docker.io/ikubernetes/helloworld-go@sha256:${'ab12cd'.padEnd(64, '0')}` }] },
    ...extra,
  };
}

describe('service output (kn service)', () => {
  test('list: the seed’s flow namespace listing', () => {
    const items = sortByNamespaceAndName([
      ksvc('sq-appender-03', 'flow', 596, { url: 'http://sq-appender-03.flow.example.com', latestReadyRevisionName: 'sq-appender-03-00001', conditions: READY3 }),
      ksvc('event-display', 'flow', 17, { url: 'http://event-display.flow.example.com', latestReadyRevisionName: 'event-display-00001', conditions: READY3 }),
      ksvc('sq-appender-01', 'flow', 630, { url: 'http://sq-appender-01.flow.example.com', latestReadyRevisionName: 'sq-appender-01-00001', conditions: READY3 }),
    ]);
    assert.equal(
      renderListTable(SERVICE_LIST_HEADERS, serviceListRows(items, NOW, false)).split('\n').map((l) => l.trimEnd()).join('\n'),
      `NAME             URL                                      LATEST                 AGE     CONDITIONS   READY   REASON
event-display    http://event-display.flow.example.com    event-display-00001    17s     3 OK / 3     True
sq-appender-01   http://sq-appender-01.flow.example.com   sq-appender-01-00001   10m     3 OK / 3     True
sq-appender-03   http://sq-appender-03.flow.example.com   sq-appender-03-00001   9m56s   3 OK / 3     True
`,
    );
  });

  test('list: not ready shows reason : message; -A puts NAMESPACE first', () => {
    const s = ksvc('bad', 'demo', 5, { conditions: [{ type: 'Ready', status: 'False', reason: 'RevisionFailed', message: 'boom' }, { type: 'RoutesReady', status: 'True' }] });
    assert.deepEqual(serviceListRows([s], NOW, true), [['demo', 'bad', '', '', '5s', '1 OK / 2', 'False', 'RevisionFailed : boom']]);
    assert.deepEqual(serviceListRows([ksvc('new', 'demo', 0, {})], NOW, false), [['new', '', '', '0s', '0 OK / 0', '<unknown>', '<unknown>']]);
  });

  test('bullets and headers', () => {
    assert.equal(formatBullet(100, 'True'), '100%');
    assert.equal(formatBullet(10, 'True'), ' 10%');
    assert.equal(formatBullet(0, 'True'), '   +');
    assert.equal(formatBullet(0, 'False'), '   !');
    assert.equal(formatBullet(50, 'Unknown'), ' 50?');
    const svc = ksvc('hello', 'default', 100, { latestReadyRevisionName: 'hello-00002', latestCreatedRevisionName: 'hello-00003' });
    assert.equal(revisionHeader(revisionDesc(rev('hello-00002', 2, 120), { revisionName: 'hello-00002', latestRevision: true, percent: 100, tag: 'cur' }, svc), NOW), '@latest (hello-00002) #cur [2] (2m)');
    assert.equal(revisionHeader(revisionDesc(rev('hello-00002', 2, 120), undefined, svc), NOW), 'hello-00002 (current @latest) [2] (2m)');
    assert.equal(revisionHeader(revisionDesc(rev('hello-00003', 3, 5), undefined, svc), NOW), 'hello-00003 (latest created) [3] (5s)');
    assert.throws(() => revisionDesc({ ...rev('x', 1, 1), metadata: { name: 'x' } }, undefined, svc), /cannot extract configuration generation for revision x/);
  });

  test('describe layout: routed revisions newest first (each aligned on its own), failed revision error, conditions', () => {
    const svc: KObject = {
      ...ksvc('hello', 'default', 3600 * 5, {
        url: 'http://hello.default.example.com',
        latestReadyRevisionName: 'hello-00002',
        latestCreatedRevisionName: 'hello-00003',
        conditions: [
          { type: 'ConfigurationsReady', status: 'False', reason: 'RevisionFailed', lastTransitionTime: ago(30) },
          { type: 'Ready', status: 'False', reason: 'RevisionFailed', lastTransitionTime: ago(30) },
          { type: 'RoutesReady', status: 'True', lastTransitionTime: ago(3600) },
        ],
      }),
    };
    svc.metadata.annotations = { 'serving.knative.dev/creator': 'admin', team: 'web' };
    const descs = orderByGeneration([
      revisionDesc(rev('hello-00001', 1, 7200), { revisionName: 'hello-00001', latestRevision: false, percent: 10 }, svc),
      revisionDesc(rev('hello-00002', 2, 3600), { revisionName: 'hello-00002', latestRevision: true, percent: 90 }, svc),
      revisionDesc(rev('hello-00003', 3, 30, { type: 'Ready', status: 'False', reason: 'ContainerMissing' }, { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ContainerMissing' }] } }), undefined, svc),
    ]);
    assert.equal(
      describeService(svc, descs, NOW, false),
      `Name:         hello
Namespace:    default
Annotations:  team=web
Age:          5h
URL:          http://hello.default.example.com

Revisions:  
     !  hello-00003 (latest created) [3] (30s)
        Error:  ContainerMissing
        Image:  ikubernetes/helloworld-go
   90%  @latest (hello-00002) [2] (1h)
        Image:     ikubernetes/helloworld-go (pinned to ab12cd)
        Replicas:  1/1
   10%  hello-00001 [1] (2h)
        Image:     ikubernetes/helloworld-go (pinned to ab12cd)
        Replicas:  1/1

Conditions:  
  OK TYPE                   AGE REASON
  !! Ready                  30s RevisionFailed
  !! ConfigurationsReady    30s RevisionFailed
  ++ RoutesReady             1h 
`,
    );
  });

  test('describe -v adds port, env, concurrency and all annotations', () => {
    const svc = ksvc('hello', 'default', 60, { url: 'http://hello.default.example.com', latestReadyRevisionName: 'hello-00001', conditions: [] });
    svc.metadata.annotations = { 'serving.knative.dev/creator': 'admin' };
    const out = describeService(svc, [revisionDesc(rev('hello-00001', 1, 60), { revisionName: 'hello-00001', latestRevision: true, percent: 100 }, svc)], NOW, true);
    assert.equal(
      out,
      `Name:         hello
Namespace:    default
Annotations:  serving.knative.dev/creator=admin
Age:          1m
URL:          http://hello.default.example.com

Revisions:  
  100%  @latest (hello-00001) [1] (1m)
        Image:        ikubernetes/helloworld-go (pinned to ab12cd)
        Replicas:     1/1
        Port:         8080
        Env:          TARGET=Knative
        Concurrency:  
          Limit:      10

Conditions:  
  OK TYPE    AGE REASON
`,
    );
  });
});
