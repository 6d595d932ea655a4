// RevisionReconciler table test (knative pkg/reconciler/revision/table_test.go style).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { DEFAULT_AUTOSCALER_CONFIG } from '../../autoscaler/config.js';
import { runTable, runRow, type TableRow } from '../../../controller/testing/table.js';
import { GR } from '../names.js';
import { DEFAULT_REVISION_CONFIG } from './config.js';
import { configMap, cond, paStatus, revision, withAnnotation, withRoutingState, withStatus, T0, NS } from './fixtures.js';
import { newRevisionReconciler, type PodLogReader } from './reconciler.js';
import { makeDeployment } from './resources/deploy.js';
import { DEPLOYMENT_HASH_LABEL } from './resources/meta.js';
import { makePodAutoscaler } from './resources/pa.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const T1 = '2024-01-01T01:00:00Z';
const KEY = `${NS}/hello-00001`;

const rev = (...opts: Parameters<typeof revision>[1][]) => revision('hello-00001', ...opts);

function deployment(r: KObject, status?: Record<string, unknown>, mutate?: (d: KObject) => void): KObject {
  const d = makeDeployment(r, DEFAULT_REVISION_CONFIG);
  d.metadata.uid = 'dep-uid';
  if (status) d.status = status;
  mutate?.(d);
  return d;
}

function pa(r: KObject, status?: Record<string, unknown>, dep?: KObject): KObject {
  const p = makePodAutoscaler(r, dep, DEFAULT_AUTOSCALER_CONFIG);
  p.metadata.uid = 'pa-uid';
  if (status) p.status = status;
  return p;
}

const images = { containerStatuses: [{ name: 'user-container', imageDigest: 'ikubernetes/helloworld-go' }] };

/** Status of a revision still deploying, as the first reconcile leaves it. */
function deploying(at = T0) {
  return {
    ...images,
    observedGeneration: 1,
    conditions: [
      cond('Active', 'Unknown', at, 'Deploying', undefined, 'Info'),
      cond('ContainerHealthy', 'Unknown', at, 'Deploying'),
      cond('Ready', 'Unknown', at, 'Deploying'),
      cond('ResourcesAvailable', 'Unknown', at, 'Deploying'),
    ],
  };
}

function ready(at = T0, active: ReturnType<typeof cond> = cond('Active', 'True', at, undefined, undefined, 'Info'), replicas = 1) {
  return {
    ...images,
    observedGeneration: 1,
    actualReplicas: replicas,
    desiredReplicas: replicas,
    conditions: [active, cond('ContainerHealthy', 'True', at), cond('Ready', 'True', at), cond('ResourcesAvailable', 'True', at)],
  };
}

const progressing = { replicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] };
const noneAvailable = { replicas: 1, readyReplicas: 0, availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] };
const paReady = paStatus({ ready: 'True', initialized: true, serviceName: 'hello-00001', desired: 1, actual: 1 });
const paActivating = paStatus({ ready: 'Unknown', reason: 'Queued', message: 'Requests to the target are being buffered as resources are provisioned.', serviceName: 'hello-00001', desired: 1, actual: 0 });

function pod(containerStatus: Record<string, unknown>, name = 'hello-00001-deployment-abc12'): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { 'serving.knative.dev/revision': 'hello-00001', 'serving.knative.dev/revisionUID': 'hello-00001-uid', app: 'hello-00001' } },
    spec: { containers: [{ name: 'user-container', image: 'ikubernetes/helloworld-go' }] },
    status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [{ name: 'user-container', ready: false, restartCount: 1, ...containerStatus }] },
  };
}

/** A failed revision with no ready pod tells its autoscaler to stop holding pods (Knative's infra-failure reachability). */
const unreachablePa = () => {
  const p = pa(rev(), paActivating);
  p.spec.reachability = 'Unreachable';
  return p;
};

const failedStatus = (type: 'ContainerHealthy' | 'ResourcesAvailable', reason: string, message: string) => {
  const s = deploying(T0);
  const other = type === 'ContainerHealthy' ? 'ResourcesAvailable' : 'ContainerHealthy';
  return {
    ...s,
    conditions: [
      cond('Active', 'Unknown', T0, 'Queued', 'Requests to the target are being buffered as resources are provisioned.', 'Info'),
      type === 'ContainerHealthy' ? cond('ContainerHealthy', 'False', T1, reason, message) : cond(other, 'Unknown', T0, 'Deploying'),
      cond('Ready', 'False', T1, reason, message),
      type === 'ResourcesAvailable' ? cond('ResourcesAvailable', 'False', T1, reason, message) : cond(other, 'Unknown', T0, 'Deploying'),
    ],
    actualReplicas: 0,
    desiredReplicas: 1,
  };
};

const rows: TableRow[] = [
  { name: 'key no longer exists: nothing to do', key: KEY },
  {
    name: 'first reconcile creates the Deployment and the PodAutoscaler, and reports Deploying',
    key: KEY,
    objects: [rev()],
    wantCreates: [makeDeployment(rev(), DEFAULT_REVISION_CONFIG), makePodAutoscaler(rev(), undefined, DEFAULT_AUTOSCALER_CONFIG)],
    wantStatusUpdates: [{ ...rev(), status: deploying(T1) }],
  },
  {
    name: 'steady state: nothing written',
    key: KEY,
    objects: [rev(withStatus(ready())), deployment(rev(), progressing), pa(rev(), paReady)],
  },
  {
    name: 'PA initialised: the Revision becomes Ready, replicas are copied, RevisionReady event',
    key: KEY,
    objects: [rev(withStatus(deploying())), deployment(rev(), progressing), pa(rev(), paReady)],
    wantStatusUpdates: [{ ...rev(), status: ready(T1) }],
    wantEvents: ['Normal RevisionReady Revision becomes ready upon all resources being ready'],
  },
  {
    name: 'scaled to zero: stays Ready, Active False NoTraffic, replicas 0',
    key: KEY,
    objects: [
      rev(withStatus(ready())),
      deployment(rev(), { replicas: 0, conditions: [{ type: 'Progressing', status: 'True' }] }, (d) => (d.spec.replicas = 0)),
      pa(rev(), paStatus({ ready: 'False', reason: 'NoTraffic', message: 'The target is not receiving traffic.', initialized: true, serviceName: 'hello-00001', desired: 0, actual: 0 })),
    ],
    wantStatusUpdates: [{ ...rev(), status: ready(T0, cond('Active', 'False', T1, 'NoTraffic', 'The target is not receiving traffic.', 'Info'), 0) }],
  },
  {
    name: 'a Deployment we do not own: ResourcesAvailable False NotOwned, error',
    key: KEY,
    objects: [rev(withStatus(deploying())), deployment(rev(), undefined, (d) => (d.metadata.ownerReferences = []))],
    wantErr: 'revision: "hello-00001" does not own Deployment: "hello-00001-deployment"',
    wantStatusUpdates: [
      {
        ...rev(),
        status: {
          ...deploying(),
          conditions: [
            cond('Active', 'Unknown', T0, 'Deploying', undefined, 'Info'),
            cond('ContainerHealthy', 'Unknown', T0, 'Deploying'),
            cond('Ready', 'False', T1, 'NotOwned', 'There is an existing Deployment "hello-00001-deployment" that we do not own.'),
            cond('ResourcesAvailable', 'False', T1, 'NotOwned', 'There is an existing Deployment "hello-00001-deployment" that we do not own.'),
          ],
        },
      },
    ],
    wantEvents: ['Warning InternalError revision: "hello-00001" does not own Deployment: "hello-00001-deployment"'],
  },
  {
    name: 'a PodAutoscaler we do not own: ResourcesAvailable False NotOwned, error',
    key: KEY,
    objects: [rev(withStatus(ready())), deployment(rev(), progressing), { ...pa(rev(), paReady), metadata: { ...pa(rev()).metadata, ownerReferences: [] } }],
    wantErr: 'revision: "hello-00001" does not own PodAutoscaler: "hello-00001"',
    wantStatusUpdates: [
      {
        ...rev(),
        status: {
          ...ready(),
          conditions: [
            cond('Active', 'True', T0, undefined, undefined, 'Info'),
            cond('ContainerHealthy', 'True', T0),
            cond('Ready', 'False', T1, 'NotOwned', 'There is an existing PodAutoscaler "hello-00001" that we do not own.'),
            cond('ResourcesAvailable', 'False', T1, 'NotOwned', 'There is an existing PodAutoscaler "hello-00001" that we do not own.'),
          ],
        },
      },
    ],
    wantEvents: ['Warning InternalError revision: "hello-00001" does not own PodAutoscaler: "hello-00001"'],
  },
  {
    name: 'a crashing container: ContainerHealthy False ExitCode1 with its termination message',
    key: KEY,
    objects: [
      rev(withStatus(deploying())),
      deployment(rev(), noneAvailable),
      pa(rev(), paActivating),
      pod({ state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'panic: boom' } } }),
    ],
    wantStatusUpdates: [{ ...rev(), status: failedStatus('ContainerHealthy', 'ExitCode1', 'Container failed with: panic: boom') }],
    wantUpdates: [unreachablePa()],
  },
  {
    name: 'a container that just exited (not restarted yet) counts as crashed too',
    key: KEY,
    objects: [
      rev(withStatus(deploying())),
      deployment(rev(), noneAvailable),
      pa(rev(), paActivating),
      pod({ restartCount: 0, state: { terminated: { exitCode: 137, reason: 'Error', message: 'OOMKilled' } } }),
    ],
    wantStatusUpdates: [{ ...rev(), status: failedStatus('ContainerHealthy', 'ExitCode137', 'Container failed with: OOMKilled') }],
    wantUpdates: [unreachablePa()],
  },
  {
    name: 'an image the node agent cannot run: ContainerHealthy False ContainerMissing',
    key: KEY,
    objects: [
      rev(withStatus(deploying())),
      deployment(rev(), noneAvailable),
      pa(rev(), paActivating),
      pod({ state: { waiting: { reason: 'ErrImagePull', message: 'image "ikubernetes/helloworld-go" cannot run in embedded mode' } } }),
    ],
    wantStatusUpdates: [
      { ...rev(), status: failedStatus('ContainerHealthy', 'ContainerMissing', 'Unable to fetch image "ikubernetes/helloworld-go": image "ikubernetes/helloworld-go" cannot run in embedded mode') },
    ],
    wantUpdates: [unreachablePa()],
  },
  {
    name: 'progress deadline exceeded with a pod stuck waiting: ResourcesAvailable False with the waiting reason',
    key: KEY,
    objects: [
      rev(withStatus(deploying())),
      deployment(rev(), { replicas: 1, availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] }),
      pa(rev(), paActivating),
      pod({ state: { waiting: { reason: 'ContainerCreating', message: 'still starting' } } }),
    ],
    wantStatusUpdates: [{ ...rev(), status: failedStatus('ResourcesAvailable', 'ContainerCreating', 'still starting') }],
    wantUpdates: [unreachablePa()],
  },
  {
    name: 'progress deadline exceeded, no pod: ResourcesAvailable False ProgressDeadlineExceeded',
    key: KEY,
    objects: [
      rev(withStatus(deploying())),
      deployment(rev(), { replicas: 1, availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] }),
      pa(rev(), paActivating),
    ],
    wantStatusUpdates: [{ ...rev(), status: failedStatus('ResourcesAvailable', 'ProgressDeadlineExceeded', 'ReplicaSet "x" has timed out progressing.') }],
    wantUpdates: [unreachablePa()],
  },
  {
    name: 'unschedulable pod: ResourcesAvailable False with the scheduler reason',
    key: KEY,
    objects: [
      rev(withStatus(deploying())),
      deployment(rev(), noneAvailable),
      pa(rev(), paActivating),
      { ...pod({}), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] } },
    ],
    wantStatusUpdates: [{ ...rev(), status: failedStatus('ResourcesAvailable', 'Unschedulable', '0/1 nodes are available') }],
    wantUpdates: [unreachablePa()],
  },
  {
    name: 'routing state active: the PodAutoscaler becomes Reachable',
    key: KEY,
    objects: [rev(withRoutingState('active'), withStatus(ready())), deployment(rev(withRoutingState('active')), progressing), pa(rev(), paReady)],
    wantUpdates: [pa(rev(withRoutingState('active')), paReady)],
  },
  {
    name: 'routing state reserve: the PodAutoscaler becomes Unreachable',
    key: KEY,
    objects: [rev(withRoutingState('reserve'), withStatus(ready())), deployment(rev(), progressing), pa(rev(withRoutingState('active')), paReady)],
    wantUpdates: [pa(rev(withRoutingState('reserve')), paReady)],
  },
  {
    name: 'a changed config-deployment updates the Deployment shape but keeps the autoscaler\'s replicas',
    key: KEY,
    objects: [rev(withStatus(ready())), deployment(rev(), progressing, (d) => (d.spec.replicas = 3)), pa(rev(), paReady), configMap('config-deployment', { 'progress-deadline': '120s' })],
    wantUpdates: [
      (() => {
        const want = makeDeployment(rev(), { ...DEFAULT_REVISION_CONFIG, deployment: { progressDeadlineSeconds: 120 } });
        const d = deployment(rev(), progressing);
        return { ...d, metadata: { ...d.metadata, labels: want.metadata.labels }, spec: { ...want.spec, replicas: 3 } };
      })(),
    ],
  },
  {
    name: 'config-observability gives the Revision a log URL',
    key: KEY,
    objects: [rev(withStatus(ready())), deployment(rev(), progressing), pa(rev(), paReady), configMap('config-observability', { 'logging.revision-url-template': 'http://logs.example.com/?rev=${REVISION_UID}' })],
    wantStatusUpdates: [{ ...rev(), status: { ...ready(), logUrl: 'http://logs.example.com/?rev=hello-00001-uid' } }],
  },
  {
    name: 'creating the Deployment fails: error returned, status says Deploying',
    key: KEY,
    objects: [rev()],
    withClient: (c) => c.induceFailure('create', GR.deployments),
    wantErr: 'failed to create deployment "hello-00001-deployment": inducing failure for create deployments',
    wantCreates: [makeDeployment(rev(), DEFAULT_REVISION_CONFIG)],
    wantStatusUpdates: [
      {
        ...rev(),
        status: {
          ...images,
          observedGeneration: 1,
          conditions: [cond('ContainerHealthy', 'Unknown', T1, 'Deploying'), cond('Ready', 'Unknown', T1, 'Deploying'), cond('ResourcesAvailable', 'Unknown', T1, 'Deploying')],
        },
      },
    ],
    wantEvents: ['Warning InternalError failed to create deployment "hello-00001-deployment": inducing failure for create deployments'],
  },
];

describe('RevisionReconciler (table)', () => {
  runTable(rows, (ctx) => newRevisionReconciler(ctx), { now: NOW });
});

describe('RevisionReconciler (extras)', () => {
  const crashPod = pod({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } } });

  test('a crash with no termination message is described by the last log lines, like FallbackToLogsOnError', async () => {
    const asked: unknown[] = [];
    const podLogs: PodLogReader = {
      async read(ns, name, opts, out) {
        asked.push({ ns, name, ...opts });
        out.write('listening on 8080\nError: missing TARGET\n');
      },
    };
    await runRow(
      {
        name: 'log tail',
        key: KEY,
        objects: [rev(withStatus(deploying())), deployment(rev(), noneAvailable), pa(rev(), paActivating), crashPod],
        wantStatusUpdates: [{ ...rev(), status: failedStatus('ContainerHealthy', 'ExitCode2', 'Container failed with: listening on 8080\nError: missing TARGET') }],
        wantUpdates: [unreachablePa()],
      },
      (ctx) => newRevisionReconciler({ ...ctx, podLogs }),
      { now: NOW },
    );
    assert.deepEqual(asked, [{ ns: NS, name: 'hello-00001-deployment-abc12', container: 'user-container', previous: true, tailLines: 20 }]);
  });

  test('without logs the exit code speaks for itself; a reconcile after that writes nothing more', async () => {
    const status = failedStatus('ContainerHealthy', 'ExitCode2', 'Container failed with: container exited with code 2');
    await runRow(
      {
        name: 'no logs',
        key: KEY,
        objects: [rev(withStatus(deploying())), deployment(rev(), noneAvailable), pa(rev(), paActivating), crashPod],
        wantStatusUpdates: [{ ...rev(), status }],
        wantUpdates: [unreachablePa()],
      },
      (ctx) => newRevisionReconciler(ctx),
      { now: NOW },
    );
    await runRow(
      { name: 'idempotent', key: KEY, objects: [rev(withStatus(status)), deployment(rev(), noneAvailable), unreachablePa(), crashPod] },
      (ctx) => newRevisionReconciler(ctx),
      { now: NOW },
    );
  });

  test('a second reconcile right after the first writes nothing', async () => {
    const first = await runRow(
      {
        name: 'first',
        key: KEY,
        objects: [rev(withAnnotation('autoscaling.knative.dev/min-scale', '1'))],
        wantCreates: [
          makeDeployment(rev(withAnnotation('autoscaling.knative.dev/min-scale', '1')), DEFAULT_REVISION_CONFIG),
          makePodAutoscaler(rev(withAnnotation('autoscaling.knative.dev/min-scale', '1')), undefined, DEFAULT_AUTOSCALER_CONFIG),
        ],
        wantStatusUpdates: [{ ...rev(withAnnotation('autoscaling.knative.dev/min-scale', '1')), status: deploying(T1) }],
        postConditions: async (ctx) => {
          // Feed the world the first run produced into a second run.
          const world = [
            ...ctx.client.all(GR.revisions),
            ...ctx.client.all(GR.deployments),
            ...ctx.client.all(GR.podAutoscalers),
          ];
          await runRow({ name: 'second', key: KEY, objects: world }, (c) => newRevisionReconciler(c), { now: NOW });
          assert.equal(ctx.client.peek(GR.deployments, NS, 'hello-00001-deployment')!.metadata.labels![DEPLOYMENT_HASH_LABEL] !== undefined, true);
        },
      },
      (ctx) => newRevisionReconciler(ctx),
      { now: NOW },
    );
    assert.equal(first.error, undefined);
  });
});
