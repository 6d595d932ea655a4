// Issue "Request-driven autoscaling", acceptance under load:
//   - zero failed requests through whole cycles — scale from zero, scale up,
//     scale down while traffic continues, scale to zero — with the activator
//     in the path (default target-burst-capacity) and with pods served
//     directly (TBC 0, SKS Serve: scale-down relies on the drain before
//     SIGTERM). hey's status code distribution must show only 200s.
//   - tick integrity (issue item 7): while `hey -c 100` saturates the data
//     plane, the autoscaler's 2 s decider ticks and the data plane's 1 s stats
//     stay on time, read from GET /debug/skiff/autoscaler.
// Revisions use `autoscaling.knative.dev/window: "6s"` and config-autoscaler's
// scale-to-zero-grace-period is 2 s so cycles take seconds, not minutes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startSkiffProcess, type SkiffProcess } from './harness.js';
import { apply, autoscaleGoService, failuresOf, hey, heyMissing, ScaleSampler, serviceReady, setAutoscalerConfig, waitForZero } from './autoscaling-helpers.js';

describe('request-driven autoscaling under load', { skip: heyMissing() }, () => {
  let s: SkiffProcess;

  before(async () => {
    s = await startSkiffProcess();
    await setAutoscalerConfig(s, { 'scale-to-zero-grace-period': '2s' });
  });

  after(async () => {
    await s?.stop();
    if (s) rmSync(s.dataDir, { recursive: true, force: true });
  });

  /** From zero: 20 concurrent (→ 4 pods), then 3 concurrent (scale down under traffic), then quiet (→ zero). */
  async function cycle(t: { diagnostic(m: string): void }, name: string, rev: string, round: number): Promise<void> {
    const host = `${name}.default.example.com`;
    const sampler = new ScaleSampler(s, rev).start();
    const up = await hey(s, host, '/?sleep=100', ['-z', '8s', '-c', '20']);
    const down = await hey(s, host, '/?sleep=100', ['-z', '10s', '-c', '3']);
    await sampler.stop();
    t.diagnostic(`${name} round ${round}: up ${up.responses} (slowest ${up.slowestSec}s), down ${down.responses}; ${sampler.timeline()}`);
    assert.equal(failuresOf(up), '', `round ${round}, scale from zero and up: only 200s (${JSON.stringify(up.statusCodes)} ${JSON.stringify(up.errors)})`);
    assert.equal(failuresOf(down), '', `round ${round}, scale down under traffic: only 200s (${JSON.stringify(down.statusCodes)} ${JSON.stringify(down.errors)})`);
    assert.ok(sampler.maxReady >= 3, `round ${round} scaled up (${sampler.timeline()})`);
    const last = sampler.samples.at(-1)!;
    assert.ok(last.replicas < sampler.maxReplicas, `round ${round} scaled down while traffic continued (${sampler.timeline()})`);
    await waitForZero(s, rev, 40_000);
  }

  test('activator in path (default TBC): 2 × (from zero → up → down under traffic → zero), only 200s', async (t) => {
    await apply(s, autoscaleGoService('cycles', { 'autoscaling.knative.dev/target': '10', 'autoscaling.knative.dev/target-utilization-percentage': '60', 'autoscaling.knative.dev/window': '6s' }));
    const rev = await serviceReady(s, 'cycles');
    await waitForZero(s, rev, 40_000);
    for (const round of [1, 2]) await cycle(t, 'cycles', rev, round);
  });

  test('pods served directly (TBC 0, SKS Serve): from zero → up → down under traffic → zero, only 200s', async (t) => {
    await apply(
      s,
      autoscaleGoService('direct', {
        'autoscaling.knative.dev/target': '10',
        'autoscaling.knative.dev/target-utilization-percentage': '60',
        'autoscaling.knative.dev/target-burst-capacity': '0',
        'autoscaling.knative.dev/window': '6s',
      }),
    );
    const rev = await serviceReady(s, 'direct');
    await waitForZero(s, rev, 40_000);
    await cycle(t, 'direct', rev, 1);
  });

  test('tick integrity: hey -c 100 saturating the data plane leaves the 2 s ticks and 1 s stats on time', async (t) => {
    await apply(
      s,
      `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    spec:
      containers:
        - image: ikubernetes/helloworld-go
`,
    );
    await serviceReady(s, 'hello');
    await fetch(`${s.api}/debug/skiff/autoscaler`, { method: 'DELETE' });
    const r = await hey(s, 'hello.default.example.com', '/', ['-z', '10s', '-c', '100']);
    const d = await (await fetch(`${s.api}/debug/skiff/autoscaler`)).json();
    t.diagnostic(`${r.responses} responses at ${r.requestsPerSec.toFixed(0)} req/s; ticks ${JSON.stringify(d.ticks)}; stats ${JSON.stringify(d.stats)}`);
    assert.equal(failuresOf(r), '', `only 200s (${JSON.stringify(r.statusCodes)})`);
    // Several deciders tick (every revision of this file), each every 2 s.
    assert.ok(d.ticks.ticks >= 4, `decider ticks ran (${d.ticks.ticks})`);
    assert.equal(d.ticks.skippedTicks, 0, 'no tick slot skipped');
    assert.ok(d.ticks.maxLatenessMs < 500, `max tick lateness ${d.ticks.maxLatenessMs} ms < 500 ms`);
    assert.ok(d.stats.reports >= 8, `stats reports arrived (${d.stats.reports} in ~10 s)`);
    assert.ok(d.stats.windowMs.max < 1500, `stats windows stay near 1 s (max ${d.stats.windowMs.max} ms)`);
    assert.ok(d.stats.deliveryDelayMs.max < 500, `stats reach the main thread promptly (max delay ${d.stats.deliveryDelayMs.max} ms)`);
  });
});
