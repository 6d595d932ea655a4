import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig } from '../../../autoscaler/config.js';
import { DEFAULT_REVISION_CONFIG, type RevisionConfig } from '../config.js';
import { revision, withAnnotation, withLabel, withRoutingState, withStatus, cond, T0 } from '../fixtures.js';
import { buildUserContainers, deploymentHash, makeDeployment, revisionProtocol, userPort } from './deploy.js';
import { DEPLOYMENT_HASH_LABEL, makeLabels, mergeMetadata, podAutoscalerAnnotations } from './meta.js';
import { makePodAutoscaler, paAnnotationsNeedSync, reachability, syncPaAnnotations } from './pa.js';

const cfgWith = (o: Partial<RevisionConfig>): RevisionConfig => ({ ...DEFAULT_REVISION_CONFIG, ...o });

describe('makeDeployment', () => {
  test('names, owner, selector and labels follow Knative (routing keys dropped, revision/uid/app added, hash recorded)', () => {
    const d = makeDeployment(revision('hello-00001'), DEFAULT_REVISION_CONFIG);
    assert.equal(d.metadata.name, 'hello-00001-deployment');
    assert.equal(d.metadata.namespace, 'default');
    assert.deepEqual(d.metadata.ownerReferences, [
      { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'hello-00001', uid: 'hello-00001-uid', controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(d.spec.selector, { matchLabels: { 'serving.knative.dev/revisionUID': 'hello-00001-uid' } });
    const { [DEPLOYMENT_HASH_LABEL]: hash, ...labels } = d.metadata.labels!;
    assert.match(hash, /^[0-9a-z]+$/);
    assert.deepEqual(labels, {
      'serving.knative.dev/configuration': 'hello',
      'serving.knative.dev/configurationGeneration': '1',
      'serving.knative.dev/configurationUID': 'hello-cfg-uid',
      'serving.knative.dev/service': 'hello',
      'serving.knative.dev/serviceUID': 'hello-svc-uid',
      'serving.knative.dev/revision': 'hello-00001',
      'serving.knative.dev/revisionUID': 'hello-00001-uid',
      app: 'hello-00001',
    });
    assert.deepEqual(d.spec.template.metadata.labels, labels, 'pod labels carry no hash');
    assert.deepEqual(d.metadata.annotations, {}, 'labeler bookkeeping is not copied');
    assert.deepEqual(d.spec.template.metadata.annotations, {
      'kubectl.kubernetes.io/default-container': 'user-container',
    });
  });

  test('spec: initial replicas, Knative rollout strategy, progress deadline, grace period = timeoutSeconds', () => {
    const d = makeDeployment(revision('hello-00001'), DEFAULT_REVISION_CONFIG);
    assert.equal(d.spec.replicas, 1);
    assert.equal(d.spec.revisionHistoryLimit, 0);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    const pod = d.spec.template.spec;
    assert.equal(pod.terminationGracePeriodSeconds, 300);
    for (const f of ['containerConcurrency', 'timeoutSeconds', 'responseStartTimeoutSeconds', 'idleTimeoutSeconds']) assert.equal(f in pod, false, f);
  });

  test('the user container gets user-port, PORT and K_* env after its own, and a readiness probe on the user port', () => {
    const [c] = makeDeployment(revision('hello-00001'), DEFAULT_REVISION_CONFIG).spec.template.spec.containers;
    assert.deepEqual(c.ports, [{ name: 'user-port', containerPort: 8080 }]);
    assert.deepEqual(c.env, [
      { name: 'TARGET', value: 'World' },
      { name: 'PORT', value: '8080' },
      { name: 'K_REVISION', value: 'hello-00001' },
      { name: 'K_CONFIGURATION', value: 'hello' },
      { name: 'K_SERVICE', value: 'hello' },
    ]);
    assert.deepEqual(c.readinessProbe, { successThreshold: 1, tcpSocket: { port: 8080 } });
    assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError');
  });

  test('a declared containerPort becomes PORT (the node agent remaps it to a host port)', () => {
    const r = revision('hello-00001', (x) => {
      x.spec.containers[0].ports = [{ containerPort: 9000, name: 'h2c' }];
      x.spec.containers[0].readinessProbe = { httpGet: { path: '/healthz' } };
      x.spec.containers[0].livenessProbe = { httpGet: { path: '/live', port: 1234 } };
    });
    assert.equal(userPort(r), 9000);
    assert.equal(revisionProtocol(r), 'h2c');
    const [c] = buildUserContainers(r);
    assert.deepEqual(c.ports, [{ name: 'user-port', containerPort: 9000 }]);
    assert.ok(c.env.some((e: any) => e.name === 'PORT' && e.value === '9000'));
    assert.deepEqual(c.readinessProbe, { httpGet: { path: '/healthz', port: 9000 } });
    assert.deepEqual(c.livenessProbe, { httpGet: { path: '/live', port: 9000 } }, 'liveness always probes the user port');
    assert.equal(userPort(revision('x-00001', (x) => delete x.spec.containers[0].ports)), 8080);
  });

  test('sidecars get K_* env only and lose network readiness probes (only the serving container is probed)', () => {
    const r = revision('hello-00001', (x) => {
      x.spec.containers.push({ name: 'sidecar', image: 'busybox', readinessProbe: { tcpSocket: { port: 5000 } } }, { name: 'exec', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } });
    });
    const [, side, exec] = buildUserContainers(r);
    assert.deepEqual(side.env.map((e: any) => e.name), ['K_REVISION', 'K_CONFIGURATION', 'K_SERVICE']);
    assert.equal(side.ports, undefined);
    assert.equal(side.readinessProbe, undefined);
    assert.deepEqual(exec.readinessProbe, { exec: { command: ['true'] } });
  });

  test('replicas from the initial-scale annotation or config-autoscaler', () => {
    assert.equal(makeDeployment(revision('a-00001', withAnnotation('autoscaling.knative.dev/initial-scale', '3')), DEFAULT_REVISION_CONFIG).spec.replicas, 3);
    assert.equal(makeDeployment(revision('a-00001', withAnnotation('autoscaling.knative.dev/initialScale', '2')), DEFAULT_REVISION_CONFIG).spec.replicas, 2);
    const zeroAllowed = cfgWith({ autoscaler: parseAutoscalerConfig({ 'initial-scale': '0', 'allow-zero-initial-scale': 'true' }) });
    assert.equal(makeDeployment(revision('a-00001'), zeroAllowed).spec.replicas, 0);
  });

  test('progress deadline from the annotation, else config-deployment', () => {
    const cfg = cfgWith({ deployment: { progressDeadlineSeconds: 120 } });
    assert.equal(makeDeployment(revision('a-00001'), cfg).spec.progressDeadlineSeconds, 120);
    assert.equal(makeDeployment(revision('a-00001', withAnnotation('serving.knative.dev/progress-deadline', '45s')), cfg).spec.progressDeadlineSeconds, 45);
    assert.equal(makeDeployment(revision('a-00001', withAnnotation('serving.knative.dev/progress-deadline', 'soon')), cfg).spec.progressDeadlineSeconds, 120);
  });

  test('autoscaling annotations stay off the Deployment and pods; other annotations are copied', () => {
    const d = makeDeployment(
      revision('a-00001', withAnnotation('autoscaling.knative.dev/min-scale', '1'), withAnnotation('example.com/team', 'blue'), withAnnotation('serving.knative.dev/routes', 'a')),
      DEFAULT_REVISION_CONFIG,
    );
    assert.deepEqual(d.metadata.annotations, { 'example.com/team': 'blue' });
    assert.equal(d.spec.template.metadata.annotations['example.com/team'], 'blue');
    assert.equal(d.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale'], undefined);
  });

  test('the hash is stable, ignores the hash label itself, and changes with the desired shape', () => {
    const a = makeDeployment(revision('a-00001'), DEFAULT_REVISION_CONFIG);
    const b = makeDeployment(revision('a-00001'), DEFAULT_REVISION_CONFIG);
    assert.equal(a.metadata.labels![DEPLOYMENT_HASH_LABEL], b.metadata.labels![DEPLOYMENT_HASH_LABEL]);
    assert.equal(deploymentHash(a), a.metadata.labels![DEPLOYMENT_HASH_LABEL]);
    const c = makeDeployment(revision('a-00001'), cfgWith({ deployment: { progressDeadlineSeconds: 30 } }));
    assert.notEqual(c.metadata.labels![DEPLOYMENT_HASH_LABEL], a.metadata.labels![DEPLOYMENT_HASH_LABEL]);
  });
});

describe('meta helpers', () => {
  test('a user-given app label is kept', () => {
    assert.equal(makeLabels(revision('a-00001', withLabel('app', 'mine'))).app, 'mine');
  });

  test('mergeMetadata: knative.dev keys and app follow desired; keys others added survive', () => {
    assert.deepEqual(
      mergeMetadata({ 'serving.knative.dev/x': 'new', app: 'a' }, { 'serving.knative.dev/x': 'old', 'serving.knative.dev/gone': 'y', app: 'b', 'kubectl.kubernetes.io/restartedAt': 't' }),
      { 'serving.knative.dev/x': 'new', app: 'a', 'kubectl.kubernetes.io/restartedAt': 't' },
    );
  });
});

describe('makePodAutoscaler', () => {
  test('spec targets the Deployment; class and metric are defaulted; labeler annotations are dropped', () => {
    const pa = makePodAutoscaler(revision('hello-00001', (r) => (r.spec.containerConcurrency = 10)), undefined, DEFAULT_AUTOSCALER_CONFIG);
    assert.equal(pa.apiVersion, 'autoscaling.internal.knative.dev/v1alpha1');
    assert.equal(pa.metadata.name, 'hello-00001');
    assert.deepEqual(pa.spec, {
      containerConcurrency: 10,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello-00001-deployment' },
      protocolType: 'http1',
    });
    assert.deepEqual(pa.metadata.annotations, { 'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev', 'autoscaling.knative.dev/metric': 'concurrency' });
    assert.equal(pa.metadata.labels!['serving.knative.dev/routingState'], undefined);
    assert.equal(pa.metadata.ownerReferences![0].kind, 'Revision');
  });

  test('class from the annotation or config-autoscaler; HPA defaults to cpu', () => {
    const hpa = makePodAutoscaler(revision('a-00001', withAnnotation('autoscaling.knative.dev/class', 'hpa.autoscaling.knative.dev')), undefined, DEFAULT_AUTOSCALER_CONFIG);
    assert.equal(hpa.metadata.annotations!['autoscaling.knative.dev/metric'], 'cpu');
    const cfg = parseAutoscalerConfig({ 'pod-autoscaler-class': 'hpa.autoscaling.knative.dev' });
    assert.equal(makePodAutoscaler(revision('a-00001'), undefined, cfg).metadata.annotations!['autoscaling.knative.dev/class'], 'hpa.autoscaling.knative.dev');
  });

  test('reachability follows the routing state, and an infra failure with no ready pod is unreachable', () => {
    assert.equal(reachability(revision('a-00001'), undefined), '');
    assert.equal(reachability(revision('a-00001', withRoutingState('active')), undefined), 'Reachable');
    assert.equal(reachability(revision('a-00001', withRoutingState('reserve')), undefined), 'Unreachable');
    const failed = revision('a-00001', withRoutingState('active'), withStatus({ conditions: [cond('ContainerHealthy', 'False', T0, 'ExitCode1')] }));
    const dep = (ready: number) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 1 }, status: { readyReplicas: ready } });
    assert.equal(reachability(failed, dep(0)), 'Unreachable');
    assert.equal(reachability(failed, dep(1)), 'Reachable');
    assert.equal(makePodAutoscaler(revision('a-00001', withRoutingState('reserve')), undefined, DEFAULT_AUTOSCALER_CONFIG).spec.reachability, 'Unreachable');
  });

  test('annotation sync: the Revision is the source of truth except for defaulted class/metric', () => {
    const fromRev = podAutoscalerAnnotations(revision('a-00001', withAnnotation('autoscaling.knative.dev/min-scale', '2')));
    const pa = { 'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev', 'autoscaling.knative.dev/metric': 'concurrency', 'autoscaling.knative.dev/min-scale': '2' };
    assert.equal(paAnnotationsNeedSync(pa, fromRev), false);
    assert.equal(paAnnotationsNeedSync({ ...pa, 'autoscaling.knative.dev/max-scale': '5' }, fromRev), true, 'removed on the revision');
    assert.equal(paAnnotationsNeedSync({ ...pa, 'autoscaling.knative.dev/min-scale': '1' }, fromRev), true, 'changed');
    assert.deepEqual(syncPaAnnotations({ ...pa, 'autoscaling.knative.dev/max-scale': '5', other: 'x' }, fromRev), { ...pa, other: 'x' });
  });
});
