// Benchmark: 100 Knative Services in one multi-document `kubectl apply -f -`
// → all Ready (Ready=True at the current generation, counted through the API
// every 100 ms). Default autoscaling (min-scale "0", initial-scale 1): every
// service starts one helloworld pod, so this measures admission, the
// reconcilers, pod start-up and readiness probing together. A fresh
// `skiff up` per run.
//   node dist/bench/serving/control-plane-bulk.bench.js [--services=100] [--runs=3]
import { commandLine, fmt, formatTable, intArg, machineLine, median, verdict } from '../foundation/lib.js';
import { childPids, kubectl, loadLine, servicesYaml, waitAllReady, withSkiff } from './control-plane-lib.js';

const TARGET_MS = 10_000;

async function main(): Promise<void> {
  const services = intArg(process.argv, 'services', 100);
  const runs = intArg(process.argv, 'runs', 3);
  console.log(`# Serving control plane: ${services} services applied → all Ready (${machineLine()}, load ${loadLine()})`);
  console.log(`# ${commandLine()}\n`);
  const yaml = servicesYaml('bulk-', services, { 'autoscaling.knative.dev/min-scale': '0' });
  const rows: string[][] = [];
  const totals: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const load = loadLine();
    const r = await withSkiff({}, async (s) => {
      const t0 = performance.now();
      const applied = await kubectl(s, ['apply', '-f', '-'], yaml);
      if (applied.code !== 0) throw new Error(`kubectl apply failed: ${applied.stderr}`);
      const applyMs = performance.now() - t0;
      await waitAllReady(s.api, 'default', 'bulk-', services, 120_000);
      const totalMs = performance.now() - t0;
      return { applyMs, totalMs, pods: childPids(s.pid).length };
    });
    totals.push(r.totalMs);
    rows.push([String(run), fmt(r.applyMs, 0), fmt(r.totalMs, 0), String(r.pods), load]);
  }
  console.log(formatTable(['run', 'kubectl apply ms', 'all Ready ms', 'pods', 'load avg'], rows));
  const m = median(totals);
  console.log(`\nmedian apply → all ${services} Ready: ${fmt(m, 0)} ms; target ≤ ${TARGET_MS} ms: ${verdict(m <= TARGET_MS)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
