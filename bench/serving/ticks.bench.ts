// Tick-integrity benchmark (issue "Request-driven autoscaling", item 7): how
// late the autoscaler's 2 s decider ticks fire and how regularly the data
// plane's 1 s stats arrive, idle and while `hey -c 100` saturates the data
// plane (built-in hello image, so the gateway — not the app — is the limit).
// Read from `GET /debug/skiff/autoscaler` of a running `skiff up` (DELETE
// resets it between phases). Several revisions tick: one under load, the
// others idle at one pod (min-scale 1), as on a laptop with a few services.
//   npm run build && node dist/bench/serving/ticks.bench.js [--seconds=30] [--revisions=5]
// Target: max tick lateness < 500 ms under saturation.
import { execFile } from 'node:child_process';
import { HEY } from '../dataplane/harness.js';
import { commandLine, fmt, formatTable, intArg, machineLine, verdict } from '../foundation/lib.js';
import { createService, knativeService, NS, serviceReady, sleepMs, withServing, type ServingTarget } from './lib.js';

const IMAGE = 'ikubernetes/helloworld-go';

interface Reading {
  ticks: { deciders: number; ticks: number; skippedTicks: number; maxLatenessMs: number; avgLatenessMs: number; latenessHistogram: number[]; pokes: number };
  stats: { reports: number; windowMs: { min: number; max: number; avg: number }; arrivalGapMs: { min: number; max: number }; deliveryDelayMs: { max: number; avg: number } };
}

async function readAndReset(t: ServingTarget): Promise<Reading> {
  const r = await fetch(`${t.api}/debug/skiff/autoscaler`, { method: 'DELETE' });
  if (r.status !== 200) throw new Error(`/debug/skiff/autoscaler answered ${r.status}`);
  return (await r.json()) as Reading;
}

function hey(t: ServingTarget, host: string, seconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(HEY, ['-z', `${seconds}s`, '-c', '100', '-host', host, `${t.gateway}/`], { maxBuffer: 16 << 20 }, (err, stdout) =>
      err && !stdout ? reject(err) : resolve(String(stdout)),
    );
  });
}

async function main(): Promise<void> {
  const seconds = intArg(process.argv, 'seconds', 30);
  const revisions = intArg(process.argv, 'revisions', 5);
  const rows: string[][] = [];
  let loadedMax = Infinity;
  let load = '';
  await withServing(async (t) => {
    for (let i = 0; i < revisions; i++) await createService(t, knativeService(`svc${i}`, IMAGE, { 'autoscaling.knative.dev/min-scale': '1' }));
    for (let i = 0; i < revisions; i++) await serviceReady(t, `svc${i}`);
    await sleepMs(3000);
    await readAndReset(t);
    await sleepMs(seconds * 1000);
    const idle = await readAndReset(t);
    const out = await hey(t, `svc0.${NS}.example.com`, seconds);
    const loaded = await readAndReset(t);
    load = `${/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? '?'} req/s, status codes: ${(out.split('Status code distribution:')[1] ?? '').split(/\n\s*\n/)[0]!.trim().replace(/\s+/g, ' ')}`;
    loadedMax = loaded.ticks.maxLatenessMs;
    for (const [name, r] of [
      ['idle', idle],
      ['hey -c 100', loaded],
    ] as const) {
      rows.push([
        name,
        String(r.ticks.ticks),
        fmt(r.ticks.avgLatenessMs, 1),
        fmt(r.ticks.maxLatenessMs, 0),
        String(r.ticks.skippedTicks),
        String(r.stats.reports),
        `${fmt(r.stats.windowMs.min, 0)}–${fmt(r.stats.windowMs.max, 0)}`,
        `${fmt(r.stats.arrivalGapMs.min, 0)}–${fmt(r.stats.arrivalGapMs.max, 0)}`,
        fmt(r.stats.deliveryDelayMs.max, 0),
      ]);
    }
  });
  console.log(`\nTick integrity: ${revisions} revisions ticking, ${seconds} s idle then ${seconds} s of hey -c 100 on one (${IMAGE}); ${machineLine()}`);
  console.log(`command: ${commandLine()}`);
  console.log(`load: ${load}\n`);
  console.log(
    formatTable(['phase', 'ticks', 'lateness avg ms', 'max ms', 'skipped', 'stats reports', 'stats window ms', 'arrival gap ms', 'delivery delay max ms'], rows),
  );
  console.log(`\nmax tick lateness under load < 500 ms: ${verdict(loadedMax < 500)}`);
}

await main();
