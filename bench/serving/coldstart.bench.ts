// Cold-start benchmark (issue "Request-driven autoscaling"): one request to a
// revision at zero → first byte of its answer, through the gateway of a
// running `skiff up`, for the built-in hello image (ikubernetes/helloworld-go
// → src/images/helloworld) — against the floor measured in the same run:
// spawning the same program by hand (`node dist/src/images/helloworld/main.cjs`
// with PORT set) and polling it (fresh connection every ~1 ms) until it
// answers. Floor and Skiff cycles alternate, so both see the same machine.
//
// Getting back to zero between cycles is the autoscaler's own doing — the
// fastest faithful way: the revision has `autoscaling.knative.dev/window: 6s`
// (the minimum stable window), so 6 s after the request the decider wants 0;
// the activator never left the path (default target-burst-capacity), so the
// KPA scales 1 → 0 at once (Knative's "fast path", no grace wait). Deleting
// the pod would only make the ReplicaSet replace it, and `kubectl scale` is
// undone by the KPA. Each cycle starts once the PA reads 0/0 and no pod of the
// revision is left, plus a short quiet pause.
//
// With --breakdown, an HTTP watch on the revision's pods splits each cycle
// into request → pod created (activator poke, decider, KPA, Deployment,
// ReplicaSet), pod created → pod Ready written (admission, spawn, boot,
// readiness probe), and Ready → first byte (status → informers → data-plane
// snapshot → activator release → proxy; ≤ 0 when the activator released the
// request before the watch delivered the Ready event). The watch itself costs
// Skiff's main thread some work during the cold start, so it is off by default.
//   npm run build && node dist/bench/serving/coldstart.bench.js [--cycles=20] [--breakdown]
// Target: cold-start p50 ≤ 1.3 × the floor's p50.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { builtinImageArgv, resolveBuiltinImage } from '../../src/images/registry.js';
import { commandLine, fmt, formatTable, intArg, machineLine, summarize, verdict } from '../foundation/lib.js';
import { createService, knativeService, NS, patchConfigMap, serviceReady, sleepMs, timedGet, waitForZero, withServing, type ServingTarget } from './lib.js';

const IMAGE = 'ikubernetes/helloworld-go';
const SERVICE = 'hello';
const HOST = `${SERVICE}.${NS}.example.com`;
const QUIET_MS = 500;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Spawn the image's program by hand and poll it until it answers; ms to the first byte of that answer. */
async function floorCycle(): Promise<number> {
  const argv = builtinImageArgv(resolveBuiltinImage(IMAGE)!);
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' });
  let took: number | undefined;
  while (took === undefined) {
    try {
      const r = await timedGet(port, '/');
      if (r.status === 200) took = performance.now() - t0 - (r.totalMs - r.firstByteMs);
    } catch {
      await sleepMs(1);
    }
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return took;
}

/** Times (performance.now()) at which the pod watch saw each milestone of the newest pod. */
interface PodMilestones {
  created?: number;
  ready?: number;
}

/** One streaming watch on the revision's pods for the whole run. */
function watchPods(t: ServingTarget, rev: string): { latest: () => PodMilestones; reset(): void; stop(): void } {
  const ac = new AbortController();
  let m: PodMilestones = {};
  const seen = new Set<string>();
  const url = `${t.api}/api/v1/namespaces/${NS}/pods?watch=1&labelSelector=${encodeURIComponent(`serving.knative.dev/revision=${rev}`)}`;
  void (async () => {
    const res = await fetch(url, { signal: ac.signal });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const now = performance.now();
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line);
        const pod = ev.object;
        const uid = pod?.metadata?.uid;
        if (!uid) continue;
        if (ev.type === 'ADDED' && !seen.has(uid)) {
          seen.add(uid);
          m = { created: now };
        }
        const ready = pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
        if (ready && m.ready === undefined && m.created !== undefined) m.ready = now;
      }
    }
  })().catch(() => {});
  return { latest: () => m, reset: () => (m = {}), stop: () => ac.abort() };
}

interface ColdSample {
  firstByte: number;
  toCreated?: number;
  createdToReady?: number;
  readyToFirstByte?: number;
}

async function main(): Promise<void> {
  const cycles = intArg(process.argv, 'cycles', 20);
  const floor: number[] = [];
  const cold: ColdSample[] = [];
  await withServing(async (t) => {
    await patchConfigMap(t, 'config-autoscaler', { 'scale-to-zero-grace-period': '1s' });
    await createService(t, knativeService(SERVICE, IMAGE, { 'autoscaling.knative.dev/window': '6s' }));
    const rev = await serviceReady(t, SERVICE);
    const breakdown = process.argv.includes('--breakdown');
    const pods = breakdown ? watchPods(t, rev) : { latest: (): PodMilestones => ({}), reset() {}, stop() {} };
    try {
      // One unmeasured cold start warms the code paths (JIT) of both sides.
      await waitForZero(t, rev);
      await floorCycle();
      await timedGet(t.gatewayPort, '/', HOST);
      for (let i = 0; i < cycles; i++) {
        await waitForZero(t, rev);
        await sleepMs(QUIET_MS);
        floor.push(await floorCycle());
        await sleepMs(QUIET_MS);
        pods.reset();
        const t0 = performance.now();
        if (process.env.SKIFF_BENCH_OUT) process.stderr.write(`T0 ${(performance.timeOrigin + t0).toFixed(2)}\n`);
        const r = await timedGet(t.gatewayPort, '/', HOST);
        if (r.status !== 200) throw new Error(`cold request answered ${r.status}: ${r.body}`);
        if (breakdown) await sleepMs(50); // let the watch deliver the Ready event if it raced the answer
        const m = pods.latest();
        cold.push({
          firstByte: r.firstByteMs,
          toCreated: m.created !== undefined ? m.created - t0 : undefined,
          createdToReady: m.created !== undefined && m.ready !== undefined ? m.ready - m.created : undefined,
          readyToFirstByte: m.ready !== undefined ? t0 + r.firstByteMs - m.ready : undefined,
        });
        process.stderr.write(`cycle ${i + 1}/${cycles}: floor ${floor.at(-1)!.toFixed(1)} ms, cold ${r.firstByteMs.toFixed(1)} ms\n`);
      }
    } finally {
      pods.stop();
    }
  });

  const f = summarize(floor);
  const c = summarize(cold.map((x) => x.firstByte));
  const part = (k: keyof ColdSample) => summarize(cold.map((x) => x[k]).filter((v): v is number => v !== undefined));
  console.log(`\nCold start: request to a revision at zero → first byte (${IMAGE}), ${cycles} cycles; ${machineLine()}`);
  console.log(`command: ${commandLine()}\n`);
  const row = (name: string, s: ReturnType<typeof summarize>) => [name, fmt(s.p50, 1), fmt(s.p90, 1), fmt(s.max, 1), String(s.n)];
  const rows = [row('floor: spawn by hand + poll → first byte', f), row('skiff: cold request → first byte', c)];
  if (cold.some((x) => x.toCreated !== undefined))
    rows.push(
      row('  request → pod created (watch)', part('toCreated')),
      row('  pod created → Ready (watch)', part('createdToReady')),
      row('  Ready (watch) → first byte', part('readyToFirstByte')),
    );
  console.log(formatTable(['ms', 'p50', 'p90', 'max', 'n'], rows));
  const ratio = c.p50 / f.p50;
  console.log(`\ncold p50 ÷ floor p50 = ×${ratio.toFixed(2)} (target ≤ ×1.3): ${verdict(ratio <= 1.3)}`);
}

await main();
