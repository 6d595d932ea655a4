// Integration: the whole autoscaling subsystem over the real object service
// (MemoryStore + ObjectService with the core and Serving kinds, the
// in-process client, shared informers) on a FakeClock. A fake node agent
// keeps ready pods in line with the Deployment's replicas, and a fake data
// plane reports per-pod stats every second as the worker would.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { registerCoreKinds } from '../../../api/core/kinds.js';
import { ResourceRegistry } from '../../../api/registry.js';
import { ObjectService } from '../../../apiserver/object-service.js';
import { InProcessClient } from '../../../client/in-process-client.js';
import { FakeClock } from '../../../controller/clock.js';
import { FakeEventRecorder } from '../../../controller/events.js';
import { SharedInformerFactory } from '../../../controller/informer.js';
import { MemoryLogger } from '../../../controller/logger.js';
import { settle } from '../../../controller/testing/table.js';
import { MemoryStore } from '../../../store/memory-store.js';
import { registerServing } from '../../register.js';
import { isPodReady } from './pods.js';
import { startAutoscaling, type Autoscaling } from './index.js';

const NS = 'default';
const REV = 'hello-world';
const DEPLOY = `${REV}-deployment`;
const KEY = `${NS}/${REV}`;
const REV_UID = 'rev-uid-1';
const labels = { 'serving.knative.dev/revision': REV, 'serving.knative.dev/revisionUID': REV_UID, app: REV };
const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: REV, uid: REV_UID, controller: true, blockOwnerDeletion: true };

function deployment(replicas: number): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: DEPLOY, namespace: NS, labels, ownerReferences: [owner] },
    spec: {
      replicas,
      selector: { matchLabels: { 'serving.knative.dev/revisionUID': REV_UID } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'user-container', image: 'ikubernetes/helloworld-go' }] } },
    },
  };
}

function podAutoscaler(annotations: Record<string, string>): KObject {
  return {
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: REV, namespace: NS, labels, annotations: { 'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev', ...annotations }, ownerReferences: [owner] },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: DEPLOY }, containerConcurrency: 0, protocolType: 'http1', reachability: 'Reachable' },
  };
}

interface World {
  clock: FakeClock;
  client: InProcessClient;
  informers: SharedInformerFactory;
  as: Autoscaling;
  /** Total in-flight requests the fake data plane reports, spread over the ready pods. */
  load: { concurrency: number };
  replicas(): Promise<number>;
  readyPods(): KObject[];
  pa(): Promise<KObject>;
  /** Advance one second: the data plane reports, timers fire, reconciles run. */
  second(): Promise<void>;
  stop(): Promise<void>;
}

async function world(): Promise<World> {
  const clock = new FakeClock();
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  registerServing(reg);
  const svc = new ObjectService(new MemoryStore(), reg, () => clock.now());
  svc.bootstrap();
  const client = new InProcessClient(svc);
  const informers = new SharedInformerFactory(client, { clock });
  const as = startAutoscaling({ client, informers, recorder: new FakeEventRecorder(), clock, logger: new MemoryLogger() });
  const pods = informers.informerFor('core/pods');

  // Fake node agent: pods appear Ready at once and go when replicas drop.
  let seq = 0;
  let agent = Promise.resolve();
  const syncPods = (d: KObject) => {
    agent = agent.then(async () => {
      const want = d.spec?.replicas ?? 0;
      const have = (await client.list('core/pods', { namespace: NS, labelSelector: `serving.knative.dev/revision=${REV}` })).items;
      for (let i = have.length; i < want; i++) {
        await client.create('core/pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${DEPLOY}-${++seq}`, namespace: NS, labels },
          spec: { containers: [{ name: 'user-container', image: 'ikubernetes/helloworld-go' }] },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
        });
      }
      for (const p of have.slice(want)) await client.delete('core/pods', NS, p.metadata.name!);
    });
  };
  informers.informerFor('apps/deployments').addEventHandler({ onAdd: syncPods, onUpdate: (_o, d) => syncPods(d) });

  informers.start();
  await informers.waitForSync();

  const load = { concurrency: 0 };
  const readyPods = () => pods.list({ namespace: NS }).filter((p) => p.metadata.labels?.['serving.knative.dev/revision'] === REV && isPodReady(p));
  return {
    clock,
    client,
    informers,
    as,
    load,
    readyPods,
    replicas: async () => (await client.get('apps/deployments', NS, DEPLOY))!.spec.replicas,
    pa: async () => (await client.get('autoscaling.internal.knative.dev/podautoscalers', NS, REV))!,
    async second() {
      clock.advance(1_000);
      // Like the worker: a report per revision with endpoints; the load is spread over them.
      const ready = readyPods();
      if (ready.length) {
        const per = load.concurrency / ready.length;
        as.metrics.record(KEY, clock.now(), { pods: ready.map((p) => ({ pod: p.metadata.name!, averageConcurrency: per, requestCount: per, proxiedConcurrency: 0, proxiedRequestCount: 0 })) });
      }
      await settle(10);
    },
    async stop() {
      await as.stop();
      informers.stop();
    },
  };
}

async function until(w: World, cond: () => Promise<boolean> | boolean, maxSeconds: number): Promise<number> {
  for (let s = 0; s <= maxSeconds; s++) {
    if (await cond()) return s;
    await w.second();
  }
  assert.fail(`condition not met within ${maxSeconds} s`);
}

const cond = (o: KObject, type: string) => o.status?.conditions?.find((c: { type: string }) => c.type === type);

describe('autoscaling (integration)', () => {
  test('the seed case: concurrency 20 at target 10 × 60 % ⇒ 4 pods; idle ⇒ scale to zero, PA 0 0 False NoTraffic; a poke wakes it', async () => {
    const w = await world();
    try {
      await w.client.create('apps/deployments', deployment(1));
      await w.client.create(
        'autoscaling.internal.knative.dev/podautoscalers',
        podAutoscaler({ 'autoscaling.knative.dev/target': '10', 'autoscaling.knative.dev/target-utilization-percentage': '60' }),
      );
      // SKS, its two Services, the decider, the pod.
      await until(w, async () => cond(await w.pa(), 'Ready')?.status === 'True', 10);
      const services = (await w.client.list('core/services', { namespace: NS })).items.map((s) => s.metadata.name).sort();
      assert.deepEqual(services, [REV, `${REV}-private`]);
      const sks = (await w.client.get('networking.internal.knative.dev/serverlessservices', NS, REV))!;
      assert.equal(sks.spec.mode, 'Proxy', 'TBC 211 > 1 pod × 10: the activator stays in the path');
      assert.equal((await w.pa()).status.metricsServiceName, `${REV}-private`);

      // Load: 20 concurrent ⇒ ceil(20 / 6) = 4.
      w.load.concurrency = 20;
      const took = await until(w, async () => (await w.replicas()) === 4, 5);
      assert.ok(took <= 3, `scaled up within one or two ticks (took ${took} s)`);
      await until(w, () => w.readyPods().length === 4, 3);
      for (let i = 0; i < 8; i++) await w.second();
      assert.equal(await w.replicas(), 4, 'steady at 4 under constant load');
      const pa = await w.pa();
      assert.deepEqual([pa.status.desiredScale, pa.status.actualScale, cond(pa, 'Ready')?.status], [4, 4, 'True']);

      // Load stops: zeros decay the 60 s stable window; then the scale-to-zero gate.
      w.load.concurrency = 0;
      const toZero = await until(w, async () => (await w.replicas()) === 0, 60 + 30 + 20);
      // The stable window must empty first (60 s); the activator has been in the path all along (Proxy), so no extra grace.
      assert.ok(toZero >= 59 && toZero <= 60 + 30, `scale to zero after the stable window (took ${toZero} s)`);
      await until(w, () => w.readyPods().length === 0, 3);
      await w.second();
      const idle = await w.pa();
      assert.deepEqual(
        [idle.status.desiredScale, idle.status.actualScale, cond(idle, 'Ready')?.status, cond(idle, 'Ready')?.reason],
        [0, 0, 'False', 'NoTraffic'],
        'kubectl get kpa: hello-world   0   0   False   NoTraffic',
      );
      assert.equal((await w.client.get('networking.internal.knative.dev/serverlessservices', NS, REV))!.spec.mode, 'Proxy');

      // Some time later a request arrives at the activator: the poke scales up at once, without waiting for a tick.
      for (let i = 0; i < 30; i++) await w.second();
      const ticksBefore = w.as.tickStats().ticks;
      assert.equal(w.as.metrics.poke(KEY, w.clock.now()), true);
      await settle(10);
      assert.equal(w.as.tickStats().ticks, ticksBefore, 'no tick ran');
      assert.equal(await w.replicas(), 1, 'replicas 0 → 1 on the poke');
      await until(w, async () => cond(await w.pa(), 'Active')?.status === 'True', 3);

      const st = w.as.tickStats();
      assert.ok(st.ticks >= 40, `ticks ${st.ticks}`);
      assert.equal(st.maxLatenessMs, 0, 'fake clock: every tick on its slot');
      assert.equal(st.skippedTicks, 0);
    } finally {
      await w.stop();
    }
  });

  test('deleting the PA stops its decider', async () => {
    const w = await world();
    try {
      await w.client.create('apps/deployments', deployment(1));
      await w.client.create('autoscaling.internal.knative.dev/podautoscalers', podAutoscaler({}));
      await until(w, () => w.as.multiscaler.has(KEY), 10);
      await w.client.delete('autoscaling.internal.knative.dev/podautoscalers', NS, REV);
      await settle(10);
      assert.equal(w.as.multiscaler.has(KEY), false);
      assert.equal(w.as.metrics.record(KEY, w.clock.now(), { pods: [] }), false);
    } finally {
      await w.stop();
    }
  });

  test('config-autoscaler changes reach existing PAs (enable-scale-to-zero=false keeps one pod)', async () => {
    const w = await world();
    try {
      await w.client.create('apps/deployments', deployment(1));
      await w.client.create('autoscaling.internal.knative.dev/podautoscalers', podAutoscaler({ 'autoscaling.knative.dev/window': '6s' }));
      await w.client.create('core/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'config-autoscaler', namespace: 'knative-serving' },
        data: { 'enable-scale-to-zero': 'false' },
      });
      for (let i = 0; i < 60; i++) await w.second();
      assert.equal(await w.replicas(), 1);
      assert.equal(w.as.multiscaler.specOf(KEY)!.enableScaleToZero, false);
      // Allow scale to zero again: the PA goes idle and its pod away.
      await w.client.update('core/configmaps', {
        ...(await w.client.get('core/configmaps', 'knative-serving', 'config-autoscaler'))!,
        data: { 'enable-scale-to-zero': 'true', 'scale-to-zero-grace-period': '5s' },
      });
      await until(w, async () => (await w.replicas()) === 0, 30);
    } finally {
      await w.stop();
    }
  });
});
