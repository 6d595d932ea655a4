// Issue "Request-driven autoscaling", acceptance: the seed's 自动扩缩容
// section replayed against `skiff up` with `hey`, as the seed does it
// (autoscale-go `?sleep=100` instead of the seed's helloworld-go, which
// ignores the query):
//   - target 10 × utilization 60 % under `hey -z 30s -c 20` → 4 pods;
//   - max-scale 3 caps the revision at 3 under `-c 50`;
//   - metric rps scales on request rate, not concurrency;
//   - scale-to-zero-pod-retention-period keeps the last pod;
//   - the scale-to-zero grace period holds the last pod once the activator
//     is back in the path;
//   - `kubectl get kpa` / `kubectl get rev` read as in the seed during the
//     load and at zero (DESIREDSCALE/ACTUALSCALE, READY False NoTraffic,
//     ACTUAL/DESIRED REPLICAS).
// To keep the file short every revision uses `autoscaling.knative.dev/window:
// "6s"` (the minimum; the seed's default is 60 s) so decisions and scale-down
// happen within seconds, retention is 15 s instead of the seed's 1m5s, and
// config-autoscaler's scale-to-zero-grace-period is 8 s instead of 30 s — the
// mechanisms are the same, only the constants are smaller.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { getJson, startSkiffProcess, waitFor, type SkiffProcess } from './harness.js';
import {
  apply,
  autoscaleGoService,
  failuresOf,
  hey,
  heyMissing,
  kubectlRow,
  revisionPods,
  ScaleSampler,
  serviceReady,
  setAutoscalerConfig,
  sleep,
  waitForZero,
} from './autoscaling-helpers.js';

const GRACE_S = 8;
const RETENTION_S = 15;

/** When the PA's Active condition last changed (ms), and its status. */
async function activeCondition(s: SkiffProcess, rev: string): Promise<{ status: string; reason?: string; since: number } | undefined> {
  const pa = await getJson(s, `/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/default/podautoscalers/${rev}`);
  const c = pa?.status?.conditions?.find((x: any) => x.type === 'Active');
  return c && { status: c.status, reason: c.reason, since: Date.parse(c.lastTransitionTime) };
}

describe('request-driven autoscaling (seed 自动扩缩容, KPA)', { skip: heyMissing() }, () => {
  let s: SkiffProcess;

  before(async () => {
    s = await startSkiffProcess();
    await setAutoscalerConfig(s, { 'scale-to-zero-grace-period': `${GRACE_S}s` });
  });

  after(async () => {
    await s?.stop();
    if (s) rmSync(s.dataDir, { recursive: true, force: true });
  });

  test('target 10 × utilization 60 %: hey -z 30s -c 20 → 4 pods, all 200; kpa/rev read as in the seed; back to zero', async (t) => {
    await apply(
      s,
      autoscaleGoService('hello', {
        'autoscaling.knative.dev/target-utilization-percentage': '60',
        'autoscaling.knative.dev/target': '10',
        'autoscaling.knative.dev/window': '6s',
      }),
    );
    const rev = await serviceReady(s, 'hello');
    const sampler = new ScaleSampler(s, rev).start();
    const load = hey(s, 'hello.default.example.com', '/?sleep=100', ['-z', '30s', '-c', '20']);
    // While the load runs: 20 concurrent / (10 × 0.6) per pod = 3.3 → 4 pods.
    await waitFor(`4 ready pods (${sampler.timeline()})`, () => sampler.maxReady >= 4, 25_000, 100);
    const reachedAt = sampler.firstReady(4)!;
    await sleep(3000); // settled: the next ticks must not add pods
    const kpa = await kubectlRow(s, 'kpa', rev);
    const revRow = await kubectlRow(s, 'rev', rev);
    const r = await load;
    await sampler.stop();
    t.diagnostic(`4 pods ready ${reachedAt} ms after the load started; ${r.responses} responses, ${r.requestsPerSec.toFixed(0)} req/s; ${sampler.timeline()}`);

    assert.equal(failuresOf(r), '', `every request answered 200 (${JSON.stringify(r.statusCodes)})`);
    assert.ok(r.responses > 1000, `hey got ${r.responses} responses`);
    assert.ok(reachedAt < 15_000, `4 pods ready within 15 s of the load starting (took ${reachedAt} ms): ${sampler.timeline()}`);
    assert.ok(sampler.maxReplicas <= 5, `no more than 5 replicas (saw ${sampler.maxReplicas}): ${sampler.timeline()}`);
    assert.deepEqual([kpa.DESIREDSCALE, kpa.ACTUALSCALE, kpa.READY, kpa.REASON], ['4', '4', 'True', ''], JSON.stringify(kpa));
    assert.deepEqual([revRow.READY, revRow['ACTUAL REPLICAS'], revRow['DESIRED REPLICAS']], ['True', '4', '4'], JSON.stringify(revRow));

    // Load gone: the 6 s window empties, the decider halves per tick, then 1 → 0 (the activator has been
    // in the path all along — TBC 200 > 4 × 10 — so the grace period is already served).
    const loadEnd = Date.now();
    await waitForZero(s, rev, 40_000);
    t.diagnostic(`zero pods ${((Date.now() - loadEnd) / 1000).toFixed(1)} s after the load ended`);
    const kpa0 = await kubectlRow(s, 'kpa', rev);
    assert.deepEqual([kpa0.DESIREDSCALE, kpa0.ACTUALSCALE, kpa0.READY, kpa0.REASON], ['0', '0', 'False', 'NoTraffic'], JSON.stringify(kpa0));
    const rev0 = await kubectlRow(s, 'rev', rev);
    assert.deepEqual([rev0.READY, rev0['ACTUAL REPLICAS'], rev0['DESIRED REPLICAS']], ['True', '0', '0'], JSON.stringify(rev0));
  });

  test('max-scale 3 caps the revision at 3 pods under hey -c 50', async (t) => {
    await apply(
      s,
      autoscaleGoService('bounds', {
        'autoscaling.knative.dev/target-utilization-percentage': '60',
        'autoscaling.knative.dev/target': '10',
        'autoscaling.knative.dev/max-scale': '3',
        'autoscaling.knative.dev/initial-scale': '1',
        'autoscaling.knative.dev/window': '6s',
      }),
    );
    const rev = await serviceReady(s, 'bounds');
    const sampler = new ScaleSampler(s, rev).start();
    const r = await hey(s, 'bounds.default.example.com', '/?sleep=100', ['-z', '15s', '-c', '50']);
    await sampler.stop();
    t.diagnostic(`${r.responses} responses, ${r.requestsPerSec.toFixed(0)} req/s; ${sampler.timeline()}`);
    assert.equal(failuresOf(r), '', `every request answered 200 (${JSON.stringify(r.statusCodes)})`);
    // 50 / 6 would be 9 pods; max-scale says 3.
    assert.equal(sampler.maxReady, 3, `reached 3 ready pods: ${sampler.timeline()}`);
    assert.equal(sampler.maxReplicas, 3, `never more than 3 replicas: ${sampler.timeline()}`);
    assert.ok(sampler.maxDesired <= 3, `PA desiredScale never above 3: ${sampler.timeline()}`);
  });

  test('metric rps: scales on request rate (50 rps / (20 × 60 %) → 5 pods where concurrency would need 1)', async (t) => {
    await apply(
      s,
      autoscaleGoService('rps', {
        'autoscaling.knative.dev/target-utilization-percentage': '60',
        'autoscaling.knative.dev/metric': 'rps',
        'autoscaling.knative.dev/target': '20',
        'autoscaling.knative.dev/max-scale': '10',
        'autoscaling.knative.dev/initial-scale': '1',
        'autoscaling.knative.dev/window': '6s',
      }),
    );
    const rev = await serviceReady(s, 'rps');
    const sampler = new ScaleSampler(s, rev).start();
    // 5 workers × 10 q/s = 50 rps at ~5 concurrent: by concurrency (target 12) one pod would do.
    const r = await hey(s, 'rps.default.example.com', '/?sleep=50', ['-z', '15s', '-c', '5', '-q', '10']);
    await sampler.stop();
    t.diagnostic(`${r.responses} responses, ${r.requestsPerSec.toFixed(0)} req/s; ${sampler.timeline()}`);
    assert.equal(failuresOf(r), '', `every request answered 200 (${JSON.stringify(r.statusCodes)})`);
    assert.ok(sampler.maxReady >= 4, `at least 4 ready pods on ~${r.requestsPerSec.toFixed(0)} rps: ${sampler.timeline()}`);
    assert.ok(sampler.maxReplicas <= 7, `no more than 7 replicas: ${sampler.timeline()}`);
  });

  test(`scale-to-zero-pod-retention-period (${RETENTION_S}s) keeps the last pod after the revision goes inactive`, async (t) => {
    await apply(
      s,
      autoscaleGoService('retain', {
        'autoscaling.knative.dev/scale-to-zero-pod-retention-period': `${RETENTION_S}s`,
        'autoscaling.knative.dev/window': '6s',
      }),
    );
    const rev = await serviceReady(s, 'retain');
    const r = await hey(s, 'retain.default.example.com', '/?sleep=10', ['-n', '20', '-c', '2']);
    assert.equal(failuresOf(r), '');
    // No traffic for a window: the PA goes inactive (NoTraffic) but the pod stays for the retention period.
    const inactive = await waitFor(
      'PA inactive',
      async () => {
        const c = await activeCondition(s, rev);
        return c?.status === 'False' ? c : undefined;
      },
      30_000,
      100,
    );
    const kpa = await kubectlRow(s, 'kpa', rev);
    assert.deepEqual([kpa.DESIREDSCALE, kpa.ACTUALSCALE, kpa.READY, kpa.REASON], ['0', '1', 'False', 'NoTraffic'], JSON.stringify(kpa));
    await waitFor('the last pod to go', async () => (await revisionPods(s, rev)).length === 0, (RETENTION_S + 15) * 1000, 100);
    const kept = (Date.now() - inactive.since) / 1000;
    t.diagnostic(`last pod kept ${kept.toFixed(1)} s after the PA went inactive`);
    // lastTransitionTime has whole seconds: allow one second under.
    assert.ok(kept >= RETENTION_S - 1, `the last pod was kept ${kept.toFixed(1)} s after going inactive (retention ${RETENTION_S} s)`);
    assert.ok(kept <= RETENTION_S + 6, `… and removed soon after the retention period (${kept.toFixed(1)} s)`);
  });

  test(`scale-to-zero-grace-period (${GRACE_S}s): the last pod goes once the activator has been back in the path that long`, async (t) => {
    // target-burst-capacity 0: the activator leaves the path while pods serve, so 1 → 0 has to wait for the
    // grace period after the SKS flips back to Proxy (with the default TBC it never left, and 1 → 0 is immediate).
    await apply(
      s,
      autoscaleGoService('grace', {
        'autoscaling.knative.dev/target-burst-capacity': '0',
        'autoscaling.knative.dev/window': '6s',
      }),
    );
    const rev = await serviceReady(s, 'grace');
    const r = await hey(s, 'grace.default.example.com', '/?sleep=10', ['-n', '20', '-c', '2']);
    assert.equal(failuresOf(r), '');
    const inactive = await waitFor(
      'PA inactive',
      async () => {
        const c = await activeCondition(s, rev);
        return c?.status === 'False' ? c : undefined;
      },
      30_000,
      100,
    );
    await waitFor('the last pod to go', async () => (await revisionPods(s, rev)).length === 0, (GRACE_S + 15) * 1000, 100);
    const kept = (Date.now() - inactive.since) / 1000;
    t.diagnostic(`last pod kept ${kept.toFixed(1)} s after the PA went inactive`);
    assert.ok(kept >= GRACE_S - 1, `the last pod was kept ${kept.toFixed(1)} s after the activator came back in path (grace ${GRACE_S} s)`);
    assert.ok(kept <= GRACE_S + 6, `… and removed soon after the grace period (${kept.toFixed(1)} s)`);
    const kpa0 = await kubectlRow(s, 'kpa', rev);
    assert.deepEqual([kpa0.DESIREDSCALE, kpa0.ACTUALSCALE, kpa0.READY, kpa0.REASON], ['0', '0', 'False', 'NoTraffic'], JSON.stringify(kpa0));
  });
});
