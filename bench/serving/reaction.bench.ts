// Reaction benchmark (issue "Request-driven autoscaling"): a load step from
// nothing to `hey -c 50` (autoscale-go `?sleep=100`) on a service with
// `autoscaling.knative.dev/target: "10"` (× the default 70 % utilization = 7
// concurrent per pod → 50 / 7 ⇒ 8 pods), default 60 s stable window (6 s panic
// window) — how long until the revision has the pods the autoscaler settles
// on for that load. Two starting points: the revision at zero (initial-scale
// 0, so the first request is a cold start) and one warm pod (min-scale 1).
// Each repetition uses a fresh Service so no decider carries history.
//
// The revision's Deployment and PodAutoscaler are polled every 50 ms. Two
// marks per step, both as "PA desiredScale reached" and "that many pods Ready":
//   - load covered: ceil(50 / 10) = 5 pods, enough to serve the load at the
//     per-pod target of 10;
//   - steady: the count the autoscaler settles on (PA desiredScale at the end
//     of the load; 8 = ceil(50 / 7), or 7 when the measured concurrency is just
//     under 49).
//   npm run build && node dist/bench/serving/reaction.bench.js [--reps=5] [--seconds=10]
// Target: the desired pods ready ≤ 4 s after the step.
import { execFile } from 'node:child_process';
import { HEY } from '../dataplane/harness.js';
import { commandLine, fmt, formatTable, intArg, machineLine, summarize, verdict } from '../foundation/lib.js';
import {
  createService,
  deleteService,
  deploymentPath,
  getJson,
  knativeService,
  NS,
  paPath,
  patchConfigMap,
  serviceReady,
  sleepMs,
  waitForZero,
  withServing,
  type ServingTarget,
} from './lib.js';

const IMAGE = 'gcr.io/knative-samples/autoscale-go';
const CONCURRENCY = 50;
const TARGET = 10;
/** Pods that serve the load at the per-pod target. */
const COVERED = Math.ceil(CONCURRENCY / TARGET);

type Variant = 'from-zero' | 'from-one';

interface Sample {
  t: number;
  desired: number;
  ready: number;
}

function hey(t: ServingTarget, host: string, seconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(HEY, ['-z', `${seconds}s`, '-c', String(CONCURRENCY), '-host', host, `${t.gateway}/?sleep=100`], { maxBuffer: 16 << 20 }, (err, stdout) =>
      err && !stdout ? reject(err) : resolve(String(stdout)),
    );
  });
}

interface StepResult {
  steady: number;
  coveredDesiredMs?: number;
  coveredReadyMs?: number;
  steadyDesiredMs?: number;
  steadyReadyMs?: number;
  codes: string;
}

async function step(t: ServingTarget, variant: Variant, rep: number, seconds: number): Promise<StepResult> {
  const name = `react-${variant === 'from-zero' ? 'z' : 'o'}${rep}`;
  const ann: Record<string, string> = { 'autoscaling.knative.dev/target': String(TARGET) };
  if (variant === 'from-zero') ann['autoscaling.knative.dev/initial-scale'] = '0';
  else ann['autoscaling.knative.dev/min-scale'] = '1';
  await createService(t, knativeService(name, IMAGE, ann));
  const rev = await serviceReady(t, name);
  if (variant === 'from-zero') await waitForZero(t, rev, 30_000);
  await sleepMs(1000);
  const samples: Sample[] = [];
  let sampling = true;
  const t0 = performance.now();
  const sampler = (async () => {
    while (sampling) {
      const [pa, d] = await Promise.all([getJson(t, paPath(rev)), getJson(t, deploymentPath(rev))]);
      samples.push({ t: performance.now() - t0, desired: pa?.status?.desiredScale ?? 0, ready: d?.status?.readyReplicas ?? 0 });
      await sleepMs(50);
    }
  })();
  const out = await hey(t, `${name}.${NS}.example.com`, seconds);
  sampling = false;
  await sampler;
  await deleteService(t, name);
  const steady = samples.at(-1)!.desired;
  if (process.env.SKIFF_BENCH_TIMELINE) {
    let last = '';
    const tl: string[] = [];
    for (const x of samples) {
      const k = `${x.desired}/${x.ready}`;
      if (k !== last) tl.push(`${(x.t / 1000).toFixed(2)}s ${k}`);
      last = k;
    }
    process.stderr.write(`${name}: ${tl.join(' → ')}\n`);
  }
  const codes = (out.split('Status code distribution:')[1] ?? '').split(/\n\s*\n/)[0]!.trim().replace(/\s+/g, ' ');
  return {
    steady,
    coveredDesiredMs: samples.find((s) => s.desired >= COVERED)?.t,
    coveredReadyMs: samples.find((s) => s.ready >= COVERED)?.t,
    steadyDesiredMs: samples.find((s) => s.desired >= steady)?.t,
    steadyReadyMs: samples.find((s) => s.ready >= steady)?.t,
    codes,
  };
}

async function main(): Promise<void> {
  const reps = intArg(process.argv, 'reps', 5);
  const seconds = intArg(process.argv, 'seconds', 10);
  const results: Record<Variant, StepResult[]> = { 'from-zero': [], 'from-one': [] };
  await withServing(async (t) => {
    await patchConfigMap(t, 'config-autoscaler', { 'allow-zero-initial-scale': 'true' });
    for (let rep = 1; rep <= reps; rep++) {
      for (const v of ['from-zero', 'from-one'] as const) {
        const r = await step(t, v, rep, seconds);
        results[v].push(r);
        process.stderr.write(
          `${v} #${rep}: ${COVERED} pods desired/ready at ${fmt(r.coveredDesiredMs, 0)}/${fmt(r.coveredReadyMs, 0)} ms; steady ${r.steady} pods desired/ready at ${fmt(r.steadyDesiredMs, 0)}/${fmt(r.steadyReadyMs, 0)} ms; ${r.codes}\n`,
        );
      }
    }
  });
  console.log(`\nReaction: load step 0 → hey -c ${CONCURRENCY} (autoscale-go ?sleep=100, target 10), ${reps} repetitions × ${seconds} s; ${machineLine()}`);
  console.log(`command: ${commandLine()}\n`);
  const rows: string[][] = [];
  let worstCovered = 0;
  const p50 = (rs: StepResult[], k: keyof StepResult) => summarize(rs.map((r) => r[k] as number | undefined).filter((x): x is number => x !== undefined)).p50;
  const max = (rs: StepResult[], k: keyof StepResult) => summarize(rs.map((r) => r[k] as number | undefined).filter((x): x is number => x !== undefined)).max;
  for (const v of ['from-zero', 'from-one'] as const) {
    const rs = results[v];
    worstCovered = Math.max(worstCovered, p50(rs, 'coveredReadyMs'));
    rows.push([
      v,
      fmt(p50(rs, 'coveredDesiredMs'), 0),
      fmt(p50(rs, 'coveredReadyMs'), 0),
      fmt(max(rs, 'coveredReadyMs'), 0),
      [...new Set(rs.map((r) => r.steady))].join('/'),
      fmt(p50(rs, 'steadyDesiredMs'), 0),
      fmt(p50(rs, 'steadyReadyMs'), 0),
      fmt(max(rs, 'steadyReadyMs'), 0),
    ]);
  }
  console.log(
    formatTable(
      ['start', `${COVERED} pods: desired p50`, 'ready p50', 'ready max', 'steady pods', 'steady: desired p50', 'ready p50', 'ready max'],
      rows,
    ),
  );
  console.log(`\n(ms after the load step) ${COVERED} pods ready p50 ≤ 4000 ms: ${verdict(worstCovered <= 4000)}`);
}

await main();
