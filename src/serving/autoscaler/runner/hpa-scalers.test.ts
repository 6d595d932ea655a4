import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { setupRow, settle } from '../../../controller/testing/table.js';
import { resolveScalingSpec } from '../annotations.js';
import { DEFAULT_AUTOSCALER_CONFIG } from '../config.js';
import { makeHpaSpec } from '../hpa.js';
import { deployment, NS, pod, REV } from '../../controllers/podautoscaler/testing.js';
import { HPA_SYNC_PERIOD_ENV, HpaScalers, HpaSyncPeriodError, hpaMetricValue, hpaSyncPeriodFromEnv, parseCpuMillis, podCpuRequestMillis } from './hpa-scalers.js';
import { ensurePodRevisionIndex } from './pods.js';
import type { PodUsage, ProcessMetrics } from './proc-metrics.js';

const KEY = `${NS}/${REV}`;
const HPA = 'hpa.autoscaling.knative.dev';

describe('HPA metric inputs', () => {
  test('sync period test knob: unset/empty → default; whole ms in range; anything else names the variable', () => {
    assert.equal(hpaSyncPeriodFromEnv({}), undefined);
    assert.equal(hpaSyncPeriodFromEnv({ [HPA_SYNC_PERIOD_ENV]: ' ' }), undefined);
    assert.equal(hpaSyncPeriodFromEnv({ [HPA_SYNC_PERIOD_ENV]: '2000' }), 2000);
    for (const bad of ['2s', '1.5', '50', '-1', '3600001'])
      assert.throws(
        () => hpaSyncPeriodFromEnv({ [HPA_SYNC_PERIOD_ENV]: bad }),
        (e: unknown) => e instanceof HpaSyncPeriodError && e.code === 'SKIFF_ERR_HPA_SYNC_PERIOD' && e.message.startsWith(`${HPA_SYNC_PERIOD_ENV}=`),
      );
  });

  test('CPU quantities', () => {
    assert.equal(parseCpuMillis('250m'), 250);
    assert.equal(parseCpuMillis('0.5'), 500);
    assert.equal(parseCpuMillis('2'), 2000);
    assert.equal(parseCpuMillis(1), 1000);
    assert.equal(parseCpuMillis('1Gi'), undefined);
    assert.equal(parseCpuMillis(undefined), undefined);
  });

  test('pod CPU request: sum of containers, one core when none is set', () => {
    const p = (containers: unknown[]): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } });
    assert.equal(podCpuRequestMillis(p([{ resources: { requests: { cpu: '100m' } } }, { resources: { requests: { cpu: '0.4' } } }])), 500);
    assert.equal(podCpuRequestMillis(p([{ name: 'c' }])), 1000);
  });

  test('utilization = Σ usage / Σ requests over pods with metrics; memory = mean bytes', () => {
    const cpu = { metric: 'cpu', type: 'Utilization', averageUtilization: 80 } as const;
    const pods = [
      { cpuRequestMillis: 500, usage: { cpuMillis: 400, memoryBytes: 100 } },
      { cpuRequestMillis: 500, usage: { cpuMillis: 600, memoryBytes: 300 } },
      { cpuRequestMillis: 500, usage: undefined },
    ];
    assert.deepEqual(hpaMetricValue(cpu, pods), { value: 100, podsWithMetrics: 2 });
    assert.deepEqual(hpaMetricValue({ metric: 'memory', type: 'AverageValue', averageValue: 1 }, pods), { value: 200, podsWithMetrics: 2 });
    assert.deepEqual(hpaMetricValue({ metric: 'rps-custom', type: 'AverageValue', averageValue: 1 }, pods), { value: null, podsWithMetrics: 0 });
    assert.deepEqual(hpaMetricValue(cpu, [{ cpuRequestMillis: 500, usage: undefined }]), { value: null, podsWithMetrics: 0 });
  });
});

/** Pods use `cpu` millicores each (one core requested by default ⇒ cpu/10 %). */
function fakeMetrics(cpu: { millis: number }): ProcessMetrics & { prepared: number } {
  const m = {
    prepared: 0,
    podUsage: (): PodUsage => ({ cpuMillis: cpu.millis, memoryBytes: 1 << 20 }),
    prepare: async () => {
      m.prepared++;
    },
  };
  return m;
}

describe('HpaScalers', () => {
  async function world(replicas: number, readyPods: number, cpu: { millis: number }) {
    const objects = [deployment(replicas), ...Array.from({ length: readyPods }, (_, i) => pod(i))];
    const metrics = fakeMetrics(cpu);
    const changed: string[] = [];
    let scalers!: HpaScalers;
    const { ctx } = await setupRow(objects, (c) => {
      const pods = c.informers.informerFor('core/pods');
      ensurePodRevisionIndex(pods);
      scalers = new HpaScalers({
        client: c.client,
        clock: c.clock,
        logger: c.logger,
        targets: c.informers.lister('apps/deployments'),
        pods,
        processMetrics: metrics,
        onChange: (k) => changed.push(k),
      });
      return { reconcile: async () => undefined };
    });
    return { ctx, scalers, metrics, changed };
  }

  const hpaSpec = (annotations: Record<string, string> = {}) =>
    makeHpaSpec(resolveScalingSpec({ 'autoscaling.knative.dev/class': HPA, 'autoscaling.knative.dev/target': '50', ...annotations }, 0, DEFAULT_AUTOSCALER_CONFIG));

  test('CPU over target scales up through the scale subresource and enqueues the PA', async () => {
    const cpu = { millis: 900 }; // 90 % of one core against a 50 % target ⇒ ceil(1.8 × 1) = 2
    const { ctx, scalers, metrics, changed } = await world(1, 1, cpu);
    scalers.ensure(KEY, hpaSpec(), { gr: 'apps/deployments', namespace: NS, name: `${REV}-deployment` });
    ctx.clock.advance(0); // the first sync runs at once
    await settle();
    assert.equal(metrics.prepared, 1);
    assert.deepEqual(
      ctx.client.patches().map((p) => [p.gr, p.name, p.patch, p.subresource]),
      [['apps/deployments', `${REV}-deployment`, { spec: { replicas: 2 } }, 'scale']],
    );
    assert.deepEqual(changed, [KEY]);
    const last = scalers.last(KEY)!;
    assert.deepEqual([last.desiredReplicas, last.currentReplicas, last.currentValue], [2, 1, 90]);
    ctx.informers.stop();
    scalers.stop();
  });

  test('within tolerance: no change; below target: scale-down waits for the 5 min stabilization window', async () => {
    const cpu = { millis: 520 }; // 52 % vs 50 %: within 10 %
    const { ctx, scalers, changed } = await world(4, 4, cpu);
    scalers.ensure(KEY, hpaSpec(), { gr: 'apps/deployments', namespace: NS, name: `${REV}-deployment` });
    ctx.clock.advance(0);
    await settle();
    assert.equal(ctx.client.patches().length, 0);
    assert.equal(scalers.last(KEY)!.desiredReplicas, 4);
    cpu.millis = 100; // 10 % ⇒ recommend ceil(0.2 × 4) = 1
    for (let t = 0; t < 19; t++) {
      ctx.clock.advance(15_000);
      await settle();
    }
    assert.equal(ctx.client.patches().length, 0, 'held by the scale-down stabilization window (< 300 s)');
    ctx.clock.advance(15_000 * 2);
    await settle();
    assert.deepEqual(
      ctx.client.patches().map((p) => p.patch),
      [{ spec: { replicas: 1 } }],
    );
    // First result, then the reason turning ScaleDownStabilized, then the scale-down itself.
    assert.deepEqual(changed, [KEY, KEY, KEY]);
    assert.equal(scalers.last(KEY)!.desiredReplicas, 1);
    ctx.informers.stop();
    scalers.stop();
  });

  test('never below one replica: a target left at 0 is raised to minReplicas', async () => {
    const { ctx, scalers } = await world(0, 0, { millis: 0 });
    scalers.ensure(KEY, hpaSpec(), { gr: 'apps/deployments', namespace: NS, name: `${REV}-deployment` });
    const last = await scalers.syncNow(KEY);
    assert.equal(last!.desiredReplicas, 1);
    assert.deepEqual(ctx.client.patches().map((p) => p.patch), [{ spec: { replicas: 1 } }]);
    ctx.informers.stop();
    scalers.stop();
  });

  test('no metrics source: replicas stay (NoMetrics); delete stops syncing', async () => {
    const { ctx, scalers } = await world(2, 2, { millis: 0 });
    const bare = new HpaScalers({
      client: ctx.client,
      clock: ctx.clock,
      targets: ctx.informers.lister('apps/deployments'),
      pods: ctx.informers.informerFor('core/pods'),
      onChange: () => {},
    });
    bare.ensure(KEY, hpaSpec(), { gr: 'apps/deployments', namespace: NS, name: `${REV}-deployment` });
    const last = await bare.syncNow(KEY);
    assert.deepEqual([last!.desiredReplicas, last!.reason, last!.currentValue], [2, 'NoMetrics', null]);
    assert.equal(bare.delete(KEY), true);
    assert.equal(await bare.syncNow(KEY), undefined);
    bare.stop();
    scalers.stop();
    ctx.informers.stop();
  });
});

describe('initial readiness delay (start-up CPU is not load)', () => {
  test('readySinceMs reads the Ready transition; the env knob is validated', async () => {
    const { readySinceMs, initialReadinessDelayFromEnv } = await import('./hpa-scalers.js');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: {}, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:10Z' }] } };
    assert.equal(readySinceMs(pod), Date.parse('2026-01-01T00:00:10Z'));
    assert.equal(readySinceMs({ ...pod, status: { conditions: [{ type: 'Ready', status: 'False' }] } }), undefined);
    assert.equal(initialReadinessDelayFromEnv({}), undefined);
    assert.equal(initialReadinessDelayFromEnv({ SKIFF_HPA_INITIAL_READINESS_DELAY_MS: '5000' }), 5000);
    assert.throws(() => initialReadinessDelayFromEnv({ SKIFF_HPA_INITIAL_READINESS_DELAY_MS: 'soon' }), /SKIFF_HPA_INITIAL_READINESS_DELAY_MS/);
  });
});
