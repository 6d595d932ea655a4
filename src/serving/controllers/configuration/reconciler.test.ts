// ConfigurationReconciler table test and makeRevision / name-availability unit tests.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { GR } from '../names.js';
import { cond, NS, revision, T0, withLabel, withStatus } from '../revision/fixtures.js';
import { configStatus, configuration } from './fixtures.js';
import { newConfigurationReconciler } from './reconciler.js';
import { checkNameAvailability, makeRevision, setRoutingState } from './resources/revision.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const T1 = '2024-01-01T01:00:00Z';
const KEY = `${NS}/hello`;

const readyRev = { observedGeneration: 1, conditions: [cond('Ready', 'True', T0)] };
const unknownRev = { observedGeneration: 1, conditions: [cond('Ready', 'Unknown', T0, 'Deploying')] };
const failedRev = { observedGeneration: 1, conditions: [cond('Ready', 'False', T0, 'ExitCode1', 'Container failed with: boom')] };

const gen2 = (o: Parameters<typeof configuration>[1] = {}) => configuration('hello', { generation: 2, spec: (s) => (s.containers[0].env[0].value = 'World-2'), ...o });
/** hello-00002 as the Configuration's second template stamps it. */
const rev2 = (...opts: Parameters<typeof revision>[1][]) =>
  revision('hello-00002', withLabel('serving.knative.dev/configurationGeneration', '2'), (r) => (r.spec.containers[0].env[0].value = 'World-2'), ...opts);

const rows: TableRow[] = [
  { name: 'key no longer exists: nothing to do', key: KEY },
  {
    name: 'first reconcile stamps hello-00001 and waits for it',
    key: KEY,
    objects: [configuration()],
    wantCreates: [makeRevision(configuration(), NOW)],
    wantStatusUpdates: [{ ...configuration(), status: configStatus({ created: 'hello-00001', at: T1 }) }],
    wantEvents: ['Normal Created Created Revision "hello-00001"'],
  },
  {
    name: 'revision not ready yet: nothing written, the revision is left alone',
    key: KEY,
    objects: [configuration('hello', { status: configStatus({ created: 'hello-00001' }) }), revision('hello-00001', withStatus(unknownRev))],
  },
  {
    name: 'revision ready: latestReady moves, Configuration Ready',
    key: KEY,
    objects: [configuration('hello', { status: configStatus({ created: 'hello-00001' }) }), revision('hello-00001', withStatus(readyRev))],
    wantStatusUpdates: [{ ...configuration(), status: configStatus({ created: 'hello-00001', ready: 'hello-00001', at: T1 }) }],
    wantEvents: ['Normal ConfigurationReady Configuration becomes ready', 'Normal LatestReadyUpdate LatestReadyRevisionName updated to "hello-00001"'],
  },
  {
    name: 'steady state: nothing written',
    key: KEY,
    objects: [configuration('hello', { status: configStatus({ created: 'hello-00001', ready: 'hello-00001' }) }), revision('hello-00001', withStatus(readyRev))],
  },
  {
    name: 'template changed (generation 2): hello-00002 is stamped, latestReady stays on hello-00001',
    key: KEY,
    objects: [gen2({ status: configStatus({ created: 'hello-00001', ready: 'hello-00001' }) }), revision('hello-00001', withStatus(readyRev))],
    wantCreates: [makeRevision(gen2(), NOW)],
    wantStatusUpdates: [{ ...gen2(), status: configStatus({ created: 'hello-00002', ready: 'hello-00001', gen: 2, at: T1 }) }],
    wantEvents: ['Normal Created Created Revision "hello-00002"'],
  },
  {
    name: 'the new revision failed: Ready False RevisionFailed, latestReady (and traffic) stays on the old one',
    key: KEY,
    objects: [
      gen2({ status: configStatus({ created: 'hello-00002', ready: 'hello-00001', gen: 2 }) }),
      revision('hello-00001', withStatus(readyRev)),
      rev2(withStatus(failedRev)),
    ],
    wantStatusUpdates: [
      {
        ...gen2(),
        status: configStatus({
          created: 'hello-00002',
          ready: 'hello-00001',
          gen: 2,
          readyCond: cond('Ready', 'False', T1, 'RevisionFailed', 'Revision "hello-00002" failed with message: Container failed with: boom.'),
        }),
      },
    ],
    wantEvents: ['Warning LatestCreatedFailed Latest created revision "hello-00002" has failed'],
  },
  {
    name: 'the failure is reported once: a second pass writes nothing and records nothing',
    key: KEY,
    objects: [
      gen2({
        status: configStatus({ created: 'hello-00002', ready: 'hello-00001', gen: 2, readyCond: cond('Ready', 'False', T0, 'RevisionFailed', 'Revision "hello-00002" failed with message: Container failed with: boom.') }),
      }),
      revision('hello-00001', withStatus(readyRev)),
      rev2(withStatus(failedRev)),
    ],
  },
  {
    name: 'the new revision ready: latestReady moves to it',
    key: KEY,
    objects: [gen2({ status: configStatus({ created: 'hello-00002', ready: 'hello-00001', gen: 2 }) }), revision('hello-00001', withStatus(readyRev)), rev2(withStatus(readyRev))],
    wantStatusUpdates: [{ ...gen2(), status: configStatus({ created: 'hello-00002', ready: 'hello-00002', gen: 2, at: T1 }) }],
    wantEvents: ['Normal LatestReadyUpdate LatestReadyRevisionName updated to "hello-00002"'],
  },
  {
    name: 'the latest ready revision was deleted: the newest ready one left takes over',
    key: KEY,
    objects: [
      configuration('hello', { generation: 3, spec: (sp) => (sp.containers[0].env[0].value = 'World-3'), status: configStatus({ created: 'hello-00003', ready: 'hello-00002', gen: 3 }) }),
      revision('hello-00001', withStatus(readyRev)),
      revision('hello-00003', withLabel('serving.knative.dev/configurationGeneration', '3'), (r) => (r.spec.containers[0].env[0].value = 'World-3'), withStatus(unknownRev)),
    ],
    wantStatusUpdates: [
      {
        ...configuration('hello', { generation: 3, spec: (sp) => (sp.containers[0].env[0].value = 'World-3') }),
        status: configStatus({ created: 'hello-00003', ready: 'hello-00001', gen: 3 }),
      },
    ],
    wantEvents: ['Normal LatestReadyUpdate LatestReadyRevisionName updated to "hello-00001"'],
  },
  {
    name: 'BYO name: the revision is named after the template',
    key: KEY,
    objects: [configuration('hello', { templateName: 'hello-world' })],
    wantCreates: [makeRevision(configuration('hello', { templateName: 'hello-world' }), NOW)],
    wantStatusUpdates: [{ ...configuration('hello', { templateName: 'hello-world' }), status: configStatus({ created: 'hello-world', at: T1 }) }],
    wantEvents: ['Normal Created Created Revision "hello-world"'],
    postConditions: (ctx) => assert.equal(ctx.client.creates()[0].metadata.name, 'hello-world'),
  },
  {
    name: 'BYO name already used by another Configuration: RevisionFailed, nothing created, no retry',
    key: KEY,
    objects: [
      configuration('hello', { templateName: 'hello-world' }),
      revision('hello-world', (r) => (r.metadata.ownerReferences = [{ apiVersion: 'serving.knative.dev/v1', kind: 'Configuration', name: 'other', uid: 'other-uid', controller: true }])),
    ],
    wantStatusUpdates: [
      {
        ...configuration('hello', { templateName: 'hello-world' }),
        status: { observedGeneration: 1, conditions: [cond('Ready', 'False', T1, 'RevisionFailed', 'Revision creation failed with message: revisions.serving.knative.dev "hello-world" already exists.')] },
      },
    ],
  },
  {
    name: 'BYO name of an earlier template with a different spec: taken',
    key: KEY,
    objects: [configuration('hello', { templateName: 'hello-world', generation: 2, spec: (s) => (s.containerConcurrency = 10) }), revision('hello-world', withStatus(readyRev))],
    wantStatusUpdates: [
      {
        ...configuration('hello', { templateName: 'hello-world', generation: 2, spec: (s) => (s.containerConcurrency = 10) }),
        status: { observedGeneration: 2, conditions: [cond('Ready', 'False', T1, 'RevisionFailed', 'Revision creation failed with message: revisions.serving.knative.dev "hello-world" already exists.')] },
      },
    ],
  },
  {
    name: 'BYO name already ours (same generation): used as is, never rewritten',
    key: KEY,
    objects: [configuration('hello', { templateName: 'hello-world', status: configStatus({ created: 'hello-world' }) }), revision('hello-world', withStatus(readyRev))],
    wantStatusUpdates: [{ ...configuration('hello', { templateName: 'hello-world' }), status: configStatus({ created: 'hello-world', ready: 'hello-world', at: T1 }) }],
    wantEvents: ['Normal ConfigurationReady Configuration becomes ready', 'Normal LatestReadyUpdate LatestReadyRevisionName updated to "hello-world"'],
  },
  {
    name: 'seed flow: hello-world-002 after hello-world, old one stays latest ready until the new one is',
    key: KEY,
    objects: [
      configuration('hello', { templateName: 'hello-world-002', generation: 2, spec: (s) => (s.containerConcurrency = 10), status: configStatus({ created: 'hello-world', ready: 'hello-world' }) }),
      revision('hello-world', withStatus(readyRev)),
    ],
    wantCreates: [makeRevision(configuration('hello', { templateName: 'hello-world-002', generation: 2, spec: (s) => (s.containerConcurrency = 10) }), NOW)],
    wantStatusUpdates: [
      {
        ...configuration('hello', { templateName: 'hello-world-002', generation: 2, spec: (s) => (s.containerConcurrency = 10) }),
        status: configStatus({ created: 'hello-world-002', ready: 'hello-world', gen: 2, at: T1 }),
      },
    ],
    wantEvents: ['Normal Created Created Revision "hello-world-002"'],
  },
  {
    name: 'creating the revision fails: CreationFailed event, Ready False, error for retry',
    key: KEY,
    objects: [configuration()],
    withClient: (c) => c.induceFailure('create', GR.revisions),
    wantErr: 'failed to create Revision: inducing failure for create revisions',
    wantCreates: [makeRevision(configuration(), NOW)],
    wantStatusUpdates: [
      { ...configuration(), status: { observedGeneration: 1, conditions: [cond('Ready', 'False', T1, 'RevisionFailed', 'Revision creation failed with message: inducing failure for create revisions.')] } },
    ],
    wantEvents: ['Warning CreationFailed Failed to create Revision: inducing failure for create revisions', 'Warning InternalError failed to create Revision: inducing failure for create revisions'],
  },
];

describe('ConfigurationReconciler (table)', () => {
  runTable(rows, (ctx) => newConfigurationReconciler(ctx), { now: NOW });
});

describe('makeRevision', () => {
  test('labels, annotations, owner and routing state of a new revision', () => {
    const cfg = configuration('hello', { annotations: { 'serving.knative.dev/lastModifier': 'alice', 'example.com/x': 'y' } });
    cfg.spec.template.metadata = { labels: { team: 'blue' }, annotations: { 'autoscaling.knative.dev/min-scale': '1' } };
    const r = makeRevision(cfg, NOW);
    assert.equal(r.metadata.name, 'hello-00001');
    assert.equal(r.metadata.namespace, NS);
    assert.deepEqual(r.metadata.labels, {
      team: 'blue',
      'serving.knative.dev/routingState': 'pending',
      'serving.knative.dev/configuration': 'hello',
      'serving.knative.dev/service': 'hello',
      'serving.knative.dev/configurationGeneration': '1',
      'serving.knative.dev/configurationUID': 'hello-cfg-uid',
      'serving.knative.dev/serviceUID': 'hello-svc-uid',
    });
    assert.deepEqual(r.metadata.annotations, {
      'autoscaling.knative.dev/min-scale': '1',
      'serving.knative.dev/routingStateModified': T1,
      'serving.knative.dev/creator': 'alice',
    });
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'serving.knative.dev/v1', kind: 'Configuration', name: 'hello', uid: 'hello-cfg-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(r.spec, cfg.spec.template.spec);
  });

  test('a standalone Configuration has no service labels', () => {
    const r = makeRevision(configuration('solo', { labels: {}, owned: false }), NOW);
    assert.equal(r.metadata.labels!['serving.knative.dev/service'], undefined);
    assert.equal(r.metadata.labels!['serving.knative.dev/serviceUID'], undefined);
    assert.equal(r.metadata.labels!['serving.knative.dev/configuration'], 'solo');
  });

  test('a Configuration that is already routed stamps active revisions carrying its routes', () => {
    const r = makeRevision(configuration('hello', { annotations: { 'serving.knative.dev/routes': 'hello' } }), NOW);
    assert.equal(r.metadata.labels!['serving.knative.dev/routingState'], 'active');
    assert.equal(r.metadata.annotations!['serving.knative.dev/routes'], 'hello');
    assert.equal(r.metadata.annotations!['serving.knative.dev/routingStateModified'], T1);
  });

  test('setRoutingState only stamps the time when the state changes', () => {
    const r: KObject = { apiVersion: 'v1', kind: 'X', metadata: {} };
    setRoutingState(r, 'active', Date.parse(T0));
    setRoutingState(r, 'active', NOW);
    assert.equal(r.metadata.annotations!['serving.knative.dev/routingStateModified'], T0);
    setRoutingState(r, 'reserve', NOW);
    assert.equal(r.metadata.annotations!['serving.knative.dev/routingStateModified'], T1);
    assert.equal(r.metadata.labels!['serving.knative.dev/routingState'], 'reserve');
  });
});

describe('checkNameAvailability', () => {
  const cfg = configuration('hello', { templateName: 'hello-world', generation: 3 });
  test('no template name or no revision: available', () => {
    assert.equal(checkNameAvailability(configuration(), revision('hello-00001')), 'available');
    assert.equal(checkNameAvailability(cfg, undefined), 'available');
  });
  test('ours when owned and stamped at this generation or with the same spec', () => {
    assert.equal(checkNameAvailability(cfg, revision('hello-world', withLabel('serving.knative.dev/configurationGeneration', '3'))), 'ours');
    assert.equal(checkNameAvailability(cfg, revision('hello-world')), 'ours', 'same spec at another generation');
  });
  test('taken when owned by another or made from another template', () => {
    assert.equal(checkNameAvailability(cfg, revision('hello-world', (r) => (r.metadata.ownerReferences = []))), 'taken');
    assert.equal(checkNameAvailability(cfg, revision('hello-world', (r) => (r.spec.containers[0].image = 'other'))), 'taken');
  });
});
