// Benchmark: RSS of the Skiff process holding 1,000 Knative Services scaled
// to zero. To get there without starting 1,000 pods, config-autoscaler gets
// `allow-zero-initial-scale: "true"` and every service
// `autoscaling.knative.dev/initial-scale: "0"` — with Knative's semantics
// such a revision is Ready with no pods (it scales from zero on the first
// request). The services go in with one multi-document `kubectl apply`; when
// all are Ready the bench forces a full GC through the inspector, waits a
// moment, and reads VmRSS from /proc/<pid>/status (plus heap figures from
// process.memoryUsage() inside Skiff). A fresh `skiff up` per run.
//   node dist/bench/serving/control-plane-idle-rss.bench.js [--services=1000] [--runs=1]
// (one run by default.) --heap-snapshot=DIR also writes a heap snapshot of
// Skiff's main isolate there after the GC.
import { commandLine, fmt, formatTable, intArg, machineLine, median, verdict } from '../foundation/lib.js';
import { childPids, gcAndMemoryUsage, kubectl, loadLine, servicesYaml, sleep, vmStatus, waitAllReady, withSkiff } from './control-plane-lib.js';

const TARGET_MB = 300;

const AUTOSCALER_CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: knative-serving
data:
  allow-zero-initial-scale: "true"
`;

const mb = (bytes: number) => bytes / (1 << 20);

async function main(): Promise<void> {
  const services = intArg(process.argv, 'services', 1000);
  const runs = intArg(process.argv, 'runs', 1);
  const heapSnapshotDir = process.argv.find((a) => a.startsWith('--heap-snapshot='))?.slice('--heap-snapshot='.length);
  console.log(`# Serving control plane: RSS with ${services} services at zero (${machineLine()}, load ${loadLine()})`);
  console.log(`# ${commandLine()}\n`);
  const yaml = servicesYaml('idle-', services, { 'autoscaling.knative.dev/initial-scale': '0' });
  const rows: string[][] = [];
  const rss: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const load = loadLine();
    const r = await withSkiff({ inspect: true }, async (s) => {
      if (!s.inspector) throw new Error('no inspector URL in skiff output');
      const base = await gcAndMemoryUsage(s.inspector);
      await sleep(300);
      const baseRss = vmStatus(s.pid).rssKb / 1024;
      const cm = await kubectl(s, ['apply', '--server-side', '--force-conflicts', '-f', '-'], AUTOSCALER_CM);
      if (cm.code !== 0) throw new Error(`config-autoscaler apply failed: ${cm.stderr}`);
      const t0 = performance.now();
      const applied = await kubectl(s, ['apply', '-f', '-'], yaml, 900_000);
      if (applied.code !== 0) throw new Error(`kubectl apply failed (${applied.code}) after ${Math.round(applied.ms)} ms: ${applied.stderr.slice(0, 2000)}`);
      const applyMs = performance.now() - t0;
      await waitAllReady(s.api, 'default', 'idle-', services, 300_000, 250);
      const readyMs = performance.now() - t0;
      const pods = childPids(s.pid).length;
      const beforeGc = vmStatus(s.pid);
      await sleep(2000);
      const mem = await gcAndMemoryUsage(s.inspector, heapSnapshotDir ? { heapSnapshotDir } : {});
      if (mem.snapshot) console.log(`# heap snapshot: ${mem.snapshot}`);
      await sleep(1000);
      const after = vmStatus(s.pid);
      return { applyMs, readyMs, pods, baseRss, baseHeap: mb(base.heapUsed), preGcRss: beforeGc.rssKb / 1024, rssMb: after.rssKb / 1024, hwmMb: after.hwmKb / 1024, heapUsed: mb(mem.heapUsed), workerHeap: mem.workerHeapUsed === undefined ? undefined : mb(mem.workerHeapUsed), heapTotal: mb(mem.heapTotal), external: mb(mem.external) };
    });
    rss.push(r.rssMb);
    rows.push([
      String(run),
      fmt(r.applyMs, 0),
      fmt(r.readyMs, 0),
      String(r.pods),
      fmt(r.baseRss, 0),
      fmt(r.preGcRss, 0),
      fmt(r.rssMb, 0),
      fmt(r.hwmMb, 0),
      `${fmt(r.baseHeap, 0)} → ${fmt(r.heapUsed, 0)}`,
      fmt(r.heapTotal, 0),
      r.workerHeap === undefined ? '?' : fmt(r.workerHeap, 0),
      fmt(r.external, 0),
      load,
    ]);
  }
  console.log(
    formatTable(['run', 'apply ms', 'all Ready ms', 'pods', 'RSS idle MB', 'RSS pre-GC MB', 'RSS after GC MB', 'VmHWM MB', 'heapUsed MB', 'heapTotal MB', 'worker heap MB', 'external MB', 'load avg'], rows),
  );
  const m = median(rss);
  console.log(`\nmedian VmRSS with ${services} services at zero (after GC): ${fmt(m, 0)} MB; target ≤ ${TARGET_MB} MB: ${verdict(m <= TARGET_MB)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
