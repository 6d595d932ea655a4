// End to end over the real API machinery: MemoryStore + ObjectService (core
// and Serving kinds with admission) + garbage collector + InProcessClient +
// shared informers + the five controllers, on a fake clock. No pods run and
// no Route/KPA reconciler is present: their status is written by hand where
// the flow needs it, as those components would.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../../api/core/kinds.js';
import type { KObject } from '../../api/meta.js';
import { ResourceRegistry } from '../../api/registry.js';
import { GarbageCollector } from '../../apiserver/garbage-collector.js';
import { ObjectService } from '../../apiserver/object-service.js';
import { InProcessClient } from '../../client/in-process-client.js';
import { FakeClock } from '../../controller/clock.js';
import { ApiEventRecorder, EVENTS_GR } from '../../controller/events.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { MemoryLogger } from '../../controller/logger.js';
import { settle } from '../../controller/testing/table.js';
import { MemoryStore } from '../../store/memory-store.js';
import { servingConfigMaps } from '../config/bootstrap.js';
import { registerServing } from '../register.js';
import { GR, startServingRevisionControllers } from './index.js';

const NS = 'default';

async function world() {
  const clock = new FakeClock(Date.UTC(2024, 0, 1));
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  registerServing(reg);
  const svc = new ObjectService(new MemoryStore(), reg, () => clock.now());
  svc.bootstrap();
  for (const cm of servingConfigMaps()) svc.create(GR.configMaps, cm, { internal: true });
  const gc = new GarbageCollector(svc);
  gc.start();
  const client = new InProcessClient(svc);
  const informers = new SharedInformerFactory(client, { clock });
  const recorder = new ApiEventRecorder(client, { component: 'controller', clock });
  const logger = new MemoryLogger();
  const ctrls = startServingRevisionControllers({ client, informers, recorder, clock, logger });
  informers.start();
  await ctrls.ready;

  const get = (gr: string, name: string) => svc.store.get(gr, NS, name);
  /** Let the controllers work (fake time moves so rate-limited retries fire) until `pred` holds. */
  async function until(what: string, pred: () => boolean): Promise<void> {
    for (let i = 0; i < 300; i++) {
      await settle(3);
      if (pred()) return;
      clock.advance(20);
    }
    assert.fail(`timed out waiting for ${what}`);
  }
  const cond = (o: KObject | undefined, type: string) => o?.status?.conditions?.find((c: any) => c.type === type);
  const isTrue = (o: KObject | undefined, type = 'Ready') => cond(o, type)?.status === 'True';

  /** What the KPA reconciler reports once the first pod is ready. */
  async function markPaReady(name: string): Promise<void> {
    const pa = get(GR.podAutoscalers, name)!;
    const c = (type: string) => ({ type, status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' });
    await client.updateStatus(GR.podAutoscalers, {
      ...pa,
      status: { serviceName: name, desiredScale: 1, actualScale: 1, conditions: [c('Active'), c('Ready'), c('SKSReady'), c('ScaleTargetInitialized')] },
    });
  }

  /** What the Route reconciler reports once its KIngress is ready. */
  async function markRouteServing(revision: string): Promise<void> {
    const rt = get(GR.routes, 'hello')!;
    const c = (type: string) => ({ type, status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' });
    await client.updateStatus(GR.routes, {
      ...rt,
      status: {
        observedGeneration: rt.metadata.generation,
        url: 'http://hello.default.example.com',
        address: { url: 'http://hello.default.svc.cluster.local' },
        traffic: [{ revisionName: revision, latestRevision: true, percent: 100 }],
        conditions: [c('AllTrafficAssigned'), c('IngressReady'), c('CertificateProvisioned'), c('Ready')],
      },
    });
  }

  function applyService(template: { name?: string; env: string; containerConcurrency?: number }): KObject {
    const body: KObject = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: NS },
      spec: {
        template: {
          metadata: template.name ? { name: template.name } : {},
          spec: {
            ...(template.containerConcurrency !== undefined ? { containerConcurrency: template.containerConcurrency } : {}),
            containers: [{ image: 'ikubernetes/helloworld-go', ports: [{ containerPort: 8080 }], env: [{ name: 'TARGET', value: template.env }] }],
          },
        },
      },
    };
    const cur = get(GR.services, 'hello');
    if (!cur) return svc.create(GR.services, body);
    return svc.update(GR.services, { ...cur, spec: body.spec });
  }

  async function stop(): Promise<void> {
    await ctrls.stop();
    informers.stop();
    gc.stop();
    await recorder.flush();
  }
  return { clock, svc, client, logger, ctrls, get, until, isTrue, cond, markPaReady, markRouteServing, applyService, stop };
}

describe('Serving revision controllers over the in-process API', () => {
  test('a Service becomes Configuration, Route, Revision, Deployment and PodAutoscaler; readiness flows back up; a new template stamps hello-00002', async () => {
    const w = await world();
    try {
      const service = w.applyService({ env: 'World' });
      await w.until('the children of hello', () => !!w.get(GR.podAutoscalers, 'hello-00001') && !!w.get(GR.routes, 'hello'));

      const config = w.get(GR.configurations, 'hello')!;
      const route = w.get(GR.routes, 'hello')!;
      const rev = w.get(GR.revisions, 'hello-00001')!;
      const dep = w.get(GR.deployments, 'hello-00001-deployment')!;
      const pa = w.get(GR.podAutoscalers, 'hello-00001')!;
      const ownedBy = (o: KObject, owner: KObject) => o.metadata.ownerReferences?.find((r) => r.controller)?.uid === owner.metadata.uid;
      assert.ok(ownedBy(config, service) && ownedBy(route, service) && ownedBy(rev, config) && ownedBy(dep, rev) && ownedBy(pa, rev));
      assert.equal(config.metadata.labels!['serving.knative.dev/service'], 'hello');
      assert.equal(route.metadata.labels!['serving.knative.dev/service'], 'hello');
      assert.deepEqual(route.spec.traffic, [{ configurationName: 'hello', latestRevision: true, percent: 100 }]);
      assert.deepEqual(
        Object.fromEntries(Object.entries(rev.metadata.labels!).filter(([k]) => k.startsWith('serving.knative.dev/'))),
        {
          'serving.knative.dev/configuration': 'hello',
          'serving.knative.dev/configurationGeneration': '1',
          'serving.knative.dev/configurationUID': config.metadata.uid,
          'serving.knative.dev/service': 'hello',
          'serving.knative.dev/serviceUID': service.metadata.uid,
          // The Service's Configuration is routed from birth, so its revisions are too.
          'serving.knative.dev/routingState': 'active',
        },
      );
      assert.equal(dep.spec.selector.matchLabels['serving.knative.dev/revisionUID'], rev.metadata.uid);
      assert.equal(dep.spec.template.metadata.labels['serving.knative.dev/revision'], 'hello-00001');
      assert.equal(dep.spec.template.metadata.annotations['skiff.dev/probe-period-ms'], undefined, 'no permanent fast probing');
      assert.equal(dep.spec.replicas, 1);
      const env = Object.fromEntries(dep.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      assert.deepEqual(env, { TARGET: 'World', PORT: '8080', K_REVISION: 'hello-00001', K_CONFIGURATION: 'hello', K_SERVICE: 'hello' });
      assert.equal(pa.spec.scaleTargetRef.name, 'hello-00001-deployment');
      assert.equal(pa.spec.reachability, 'Reachable');
      assert.equal(pa.metadata.annotations!['autoscaling.knative.dev/class'], 'kpa.autoscaling.knative.dev');
      assert.equal(w.cond(w.get(GR.revisions, 'hello-00001'), 'Ready')?.reason, 'Deploying');

      // The KPA reports the scale target initialised: Revision → Configuration → Service.
      await w.markPaReady('hello-00001');
      await w.until('hello-00001 ready', () => w.isTrue(w.get(GR.revisions, 'hello-00001')));
      await w.until('configuration ready', () => w.get(GR.configurations, 'hello')!.status?.latestReadyRevisionName === 'hello-00001');
      await w.until('service ConfigurationsReady', () => w.isTrue(w.get(GR.services, 'hello'), 'ConfigurationsReady'));
      const revStatus = w.get(GR.revisions, 'hello-00001')!.status;
      assert.equal(revStatus.actualReplicas, 1);
      assert.deepEqual(revStatus.containerStatuses, [{ name: 'user-container', imageDigest: 'ikubernetes/helloworld-go' }]);
      assert.equal(w.get(GR.services, 'hello')!.status.latestCreatedRevisionName, 'hello-00001');
      assert.equal(w.isTrue(w.get(GR.services, 'hello')), false, 'the Route has not reported yet');

      // The Route reconciler reports traffic on hello-00001: the Service is Ready with its URL.
      await w.markRouteServing('hello-00001');
      await w.until('service ready', () => w.isTrue(w.get(GR.services, 'hello')));
      const ready = w.get(GR.services, 'hello')!.status;
      assert.equal(ready.url, 'http://hello.default.example.com');
      assert.equal(ready.address.url, 'http://hello.default.svc.cluster.local');
      assert.deepEqual(ready.traffic, [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }]);
      assert.ok(w.get(GR.routes, 'hello')!.metadata.finalizers?.includes('routes.serving.knative.dev'), 'the labeler finalizes routes');

      // A new template: hello-00002; traffic is not migrated until the Route says so.
      w.applyService({ env: 'World-2' });
      await w.until('hello-00002', () => !!w.get(GR.podAutoscalers, 'hello-00002'));
      const rev2 = w.get(GR.revisions, 'hello-00002')!;
      assert.equal(rev2.metadata.labels!['serving.knative.dev/configurationGeneration'], '2');
      assert.equal(w.get(GR.configurations, 'hello')!.metadata.generation, 2);
      await w.markPaReady('hello-00002');
      await w.until('latest ready hello-00002', () => w.get(GR.services, 'hello')!.status?.latestReadyRevisionName === 'hello-00002');
      await w.until('traffic not migrated', () => w.cond(w.get(GR.services, 'hello'), 'RoutesReady')?.reason === 'TrafficNotMigrated');
      await w.markRouteServing('hello-00002');
      await w.until('service ready on hello-00002', () => w.isTrue(w.get(GR.services, 'hello')));
      // The labeler retires hello-00001 now that the Route no longer serves it; its PA becomes Unreachable.
      await w.until('hello-00001 in reserve', () => w.get(GR.revisions, 'hello-00001')!.metadata.labels!['serving.knative.dev/routingState'] === 'reserve');
      await w.until('hello-00001 unreachable', () => w.get(GR.podAutoscalers, 'hello-00001')!.spec.reachability === 'Unreachable');
      assert.equal(w.get(GR.revisions, 'hello-00001')!.spec.containers[0].env[0].value, 'World', 'revisions are immutable');

      // Deleting the Service takes everything with it (the Route after the labeler let it go).
      await w.client.delete(GR.services, NS, 'hello');
      await w.until('everything deleted', () =>
        [GR.configurations, GR.routes, GR.revisions, GR.deployments, GR.podAutoscalers].every((gr) => w.svc.store.list(gr, NS).items.length === 0),
      );
    } finally {
      await w.stop();
    }
    // Conflicts under contention are logged at debug; anything at error level is a real failure.
    assert.deepEqual(w.logger.entries.filter((e) => e.level === 'error'), []);
    assert.deepEqual(w.ctrls.controllers.map((c) => c.stats.permanentFailures), [0, 0, 0, 0, 0]);
    const reasons = w.svc.store.list(EVENTS_GR, NS).items.map((e) => e.reason);
    assert.ok(reasons.includes('Created') && reasons.includes('RevisionReady') && reasons.includes('LatestReadyUpdate'), reasons.join(','));
  });

  test('the seed\'s BYO revision names: hello-world, then hello-world-002 with containerConcurrency 10', async () => {
    const w = await world();
    try {
      w.applyService({ name: 'hello-world', env: 'World' });
      await w.until('hello-world children', () => !!w.get(GR.podAutoscalers, 'hello-world') && !!w.get(GR.routes, 'hello'));
      assert.ok(w.get(GR.deployments, 'hello-world-deployment'));
      assert.equal(w.get(GR.revisions, 'hello-world')!.metadata.labels!['serving.knative.dev/configurationGeneration'], '1');
      await w.markPaReady('hello-world');
      await w.markRouteServing('hello-world');
      await w.until('service ready', () => w.isTrue(w.get(GR.services, 'hello')));
      assert.equal(w.get(GR.services, 'hello')!.status.latestReadyRevisionName, 'hello-world');

      w.applyService({ name: 'hello-world-002', env: 'World-002', containerConcurrency: 10 });
      await w.until('hello-world-002', () => !!w.get(GR.podAutoscalers, 'hello-world-002'));
      const rev = w.get(GR.revisions, 'hello-world-002')!;
      assert.equal(rev.metadata.labels!['serving.knative.dev/configurationGeneration'], '2');
      assert.equal(rev.spec.containerConcurrency, 10);
      assert.equal(w.get(GR.podAutoscalers, 'hello-world-002')!.spec.containerConcurrency, 10);
      await w.until('latest created', () => w.get(GR.services, 'hello')!.status?.latestCreatedRevisionName === 'hello-world-002');
      assert.equal(w.get(GR.services, 'hello')!.status.latestReadyRevisionName, 'hello-world', 'traffic stays until the new one is ready');
      await w.markPaReady('hello-world-002');
      await w.until('latest ready', () => w.get(GR.services, 'hello')!.status?.latestReadyRevisionName === 'hello-world-002');
    } finally {
      await w.stop();
    }
  });

  test('pod failures, config-deployment edits and config-gc reach the controllers through their watches', async () => {
    const w = await world();
    const editConfigMap = (name: string, data: Record<string, string>) => {
      const cm = w.svc.store.get(GR.configMaps, 'knative-serving', name)!;
      w.svc.update(GR.configMaps, { ...cm, data: { ...cm.data, ...data } });
    };
    try {
      w.applyService({ env: 'World' });
      await w.until('hello-00001 children', () => !!w.get(GR.podAutoscalers, 'hello-00001'));

      // A pod of the revision (as the Deployment's ReplicaSet would make it) crash-loops.
      const dep = w.get(GR.deployments, 'hello-00001-deployment')!;
      w.svc.create(
        GR.pods,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'hello-00001-deployment-7d4f9-abcde', namespace: NS, labels: dep.spec.template.metadata.labels },
          spec: { containers: [{ name: 'user-container', image: 'ikubernetes/helloworld-go' }] },
          status: {
            phase: 'Running',
            containerStatuses: [
              { name: 'user-container', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'boom' } } },
            ],
          },
        },
        { internal: true },
      );
      await w.until('ExitCode1 on the revision', () => w.cond(w.get(GR.revisions, 'hello-00001'), 'ContainerHealthy')?.reason === 'ExitCode1');
      assert.equal(w.cond(w.get(GR.revisions, 'hello-00001'), 'Ready')?.message, 'Container failed with: boom');
      await w.until('RevisionFailed on the service', () => w.cond(w.get(GR.services, 'hello'), 'ConfigurationsReady')?.reason === 'RevisionFailed');
      assert.equal(w.cond(w.get(GR.services, 'hello'), 'Ready')?.message, 'Revision "hello-00001" failed with message: Container failed with: boom.');

      // config-deployment is live: the Deployment takes the new progress deadline.
      editConfigMap('config-deployment', { 'progress-deadline': '120s' });
      await w.until('progress deadline 120', () => w.get(GR.deployments, 'hello-00001-deployment')!.spec.progressDeadlineSeconds === 120);

      // A fixed template; once hello-00001 is retired, an aggressive config-gc collects it.
      w.applyService({ env: 'World-2' });
      await w.until('hello-00002', () => !!w.get(GR.podAutoscalers, 'hello-00002'));
      await w.markPaReady('hello-00002');
      await w.markRouteServing('hello-00002');
      await w.until('service ready', () => w.isTrue(w.get(GR.services, 'hello')));
      await w.until('hello-00001 in reserve', () => w.get(GR.revisions, 'hello-00001')!.metadata.labels!['serving.knative.dev/routingState'] === 'reserve');
      assert.ok(w.get(GR.revisions, 'hello-00001'), 'default config-gc keeps it');
      editConfigMap('config-gc', { 'min-non-active-revisions': '0', 'retain-since-create-time': 'disabled', 'retain-since-last-active-time': '0s' });
      await w.until('hello-00001 collected', () => !w.get(GR.revisions, 'hello-00001') && !w.get(GR.deployments, 'hello-00001-deployment'));
      assert.ok(w.get(GR.revisions, 'hello-00002'), 'the serving revision stays');
    } finally {
      await w.stop();
    }
  });
});
