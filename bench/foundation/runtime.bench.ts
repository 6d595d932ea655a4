// Runtime benchmark (foundation issue, item 3): Deployment created through the
// API of a running `skiff up` → its first pod Ready, for a `node -e` HTTP
// server, against the floor measured in the same run: spawning the same
// `node -e` program by hand and polling it until it answers. Floor and Skiff
// cycles alternate, so both see the same machine load.
//
// Each Skiff cycle records, from one HTTP watch on pods (times from the
// Deployment POST): pod created (Deployment → ReplicaSet → Pod controllers),
// pod admitted (host port recorded), container running (status written),
// pod Ready (status written), and — for no-probe (or with --poll-probed),
// polling the pod's host port as the floor does, from the moment the port is
// known — the first HTTP answer. The server answers with its own
// `performance.timeOrigin`, which places "process started" on the same time
// line for both Skiff and the floor. With a readiness probe the bench stays
// off the server until Ready (a second client would delay the probe's answer,
// see skiffCycle) and reads the start time with one GET afterwards.
//
// Variants (--variants=a,b,…):
//   probe-fast     readinessProbe httpGet + annotation skiff.dev/probe-period-ms=25 (the aggressive probing meant for Serving revisions)
//   probe-default  readinessProbe httpGet with Kubernetes' default period (10 s)
//   no-probe       no readiness probe (Ready once the process runs)
//   npm run build && node dist/bench/foundation/runtime.bench.js [--cycles=20] [--variants=probe-default,probe-fast,no-probe] [--poll-probed]
// Target: first pod Ready p50 ≤ 1.3 × the floor's p50 (probe variants, where Ready means "answers").
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { Client, Pool } from 'undici';
import { commandLine, fmt, formatTable, intArg, machineLine, onWatchEvents, processCpuMs, sleepMs, startSkiffUp, summarize, verdict, withTarget } from './lib.js';

const NS = 'default';
// The handler answers with the process's time origin (epoch ms, taken by node at process start), so each
// cycle can be split into "until the process exists" and "process start → answer".
const SERVER_SRC = "require('http').createServer((q,s)=>s.end(String(performance.timeOrigin))).listen(process.env.PORT)";
const PORTS_ANNOTATION = 'skiff.dev/ports';
const PROBE_PERIOD_ANNOTATION = 'skiff.dev/probe-period-ms';

type Variant = 'probe-fast' | 'probe-default' | 'no-probe';
const VARIANTS: Variant[] = ['probe-fast', 'probe-default', 'no-probe'];

// ------------------------------------------------------------------ helpers

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

/** performance.now() reading of this process for a wall-clock epoch ms. */
const perfOf = (epochMs: number) => epochMs - performance.timeOrigin;

/** One GET on a fresh connection; the body (the server's time origin) when it answered 2xx. */
function answers(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve((res.statusCode ?? 0) < 300 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

interface Answer {
  /** performance.now() when the first answer arrived. */
  at: number;
  /** performance.now() (this process's clock) when the server process started. */
  processStart: number;
}

/** Poll every ~1 ms until the port answers (or `deadline`). */
async function pollUntilAnswers(port: number, deadline: number, cancelled: () => boolean = () => false): Promise<Answer | undefined> {
  while (performance.now() < deadline && !cancelled()) {
    const body = await answers(port);
    if (body !== undefined) return { at: performance.now(), processStart: perfOf(Number(body)) };
    await sleepMs(1);
  }
  return undefined;
}

interface FloorSample {
  answered: number;
  processStart: number;
}

/** The floor: spawn the program by hand and poll until it answers. */
async function floorCycle(): Promise<FloorSample> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', SERVER_SRC], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port) }, stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const a = await pollUntilAnswers(port, t0 + 30_000);
    if (a === undefined) throw new Error('floor: the node -e server did not answer within 30 s');
    return { answered: a.at - t0, processStart: a.processStart - t0 };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

// ------------------------------------------------------------------ pod watch

interface PodEvent {
  type: string;
  object: any;
  at: number;
}

/** One HTTP watch on the namespace's pods; listeners get every event with its arrival time. */
async function watchPods(api: string): Promise<{ on(fn: (e: PodEvent) => void): () => void; close(): Promise<void> }> {
  const client = new Client(api, { bodyTimeout: 0 });
  const list = await client.request({ method: 'GET', path: `/api/v1/namespaces/${NS}/pods` });
  const rv = ((await list.body.json()) as any).metadata.resourceVersion;
  const ac = new AbortController();
  const res = await client.request({ method: 'GET', path: `/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${rv}`, signal: ac.signal });
  if (res.statusCode !== 200) throw new Error(`pod watch: HTTP ${res.statusCode}`);
  const listeners = new Set<(e: PodEvent) => void>();
  onWatchEvents(res.body, (ev, at) => {
    for (const l of listeners) l({ type: ev.type, object: ev.object, at });
  });
  res.body.on('error', () => {});
  return {
    on(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      ac.abort();
      await client.destroy().catch(() => {});
    },
  };
}

// ------------------------------------------------------------------ skiff cycle

function deployment(name: string, variant: Variant): object {
  const container: Record<string, unknown> = { name: 'app', image: 'bench/node-server', command: [process.execPath, '-e', SERVER_SRC] };
  if (variant !== 'no-probe') container.readinessProbe = { httpGet: { path: '/', port: 8080 } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(variant === 'probe-fast' ? { annotations: { [PROBE_PERIOD_ANNOTATION]: '25' } } : {}) },
        spec: { terminationGracePeriodSeconds: 5, containers: [container] },
      },
    },
  };
}

interface SkiffSample {
  podCreated: number;
  admitted: number;
  running: number;
  ready: number;
  answered: number;
  processStart: number;
  /** CPU the Skiff process used from the POST until Ready and answering (ms, 10 ms ticks). */
  skiffCpu: number;
}

function isReady(pod: any): boolean {
  return (pod?.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

async function skiffCycle(skiffPid: number, api: Pool, pods: Awaited<ReturnType<typeof watchPods>>, name: string, variant: Variant, pollProbed: boolean): Promise<SkiffSample> {
  // With a readiness probe, Skiff's probe is what polls the server. A second poller (the bench's) would
  // compete with it: the server answers the bench's request first, and its first request is the slow one
  // (~2–3 ms measured), which delays the probe's answer, and so Ready — a handicap the floor, polled by
  // one client, does not have. So by default the bench reads the server's start time with one GET after
  // Ready; --poll-probed polls during the start as for no-probe (and records the first answer).
  const pollDuring = variant === 'no-probe' || pollProbed;
  let portSeen: number | undefined;
  const s: Partial<SkiffSample> = {};
  let podName: string | undefined;
  let polling: Promise<void> | undefined;
  let stopPolling = false;
  let resolveReady!: () => void;
  const readyAndAnswered = new Promise<void>((r) => (resolveReady = r));
  let gone!: () => void;
  const podGone = new Promise<void>((r) => (gone = r));
  let t0 = 0;
  const check = () => {
    if (s.ready !== undefined && s.answered !== undefined) resolveReady();
  };
  const off = pods.on((e) => {
    const pod = e.object;
    if (pod?.metadata?.labels?.app !== name) return;
    podName ??= pod.metadata.name;
    if (pod.metadata.name !== podName) return;
    if (e.type === 'DELETED') return gone();
    s.podCreated ??= e.at - t0;
    const port = (() => {
      try {
        return JSON.parse(pod.metadata.annotations?.[PORTS_ANNOTATION] ?? '[]')[0]?.hostPort as number | undefined;
      } catch {
        return undefined;
      }
    })();
    if (port !== undefined && s.admitted === undefined) {
      s.admitted = e.at - t0;
      portSeen = port;
      if (pollDuring) {
        polling = pollUntilAnswers(port, t0 + 60_000, () => stopPolling).then((a) => {
          if (a !== undefined) {
            s.answered = a.at - t0;
            s.processStart = a.processStart - t0;
          }
          check();
        });
      }
    }
    if (s.running === undefined && pod.status?.containerStatuses?.[0]?.state?.running) s.running = e.at - t0;
    if (s.ready === undefined && isReady(pod)) {
      s.ready = e.at - t0;
      if (!pollDuring && portSeen !== undefined)
        polling = pollUntilAnswers(portSeen, t0 + 60_000, () => stopPolling).then((a) => {
          if (a !== undefined) {
            s.answered = NaN; // not measured: the bench stayed off the server until Ready
            s.processStart = a.processStart - t0;
          }
          check();
        });
      check();
    }
  });
  try {
    const cpu0 = processCpuMs(skiffPid) ?? NaN;
    t0 = performance.now();
    const res = await api.request({ method: 'POST', path: `/apis/apps/v1/namespaces/${NS}/deployments`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment(name, variant)) });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new Error(`create deployment: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([readyAndAnswered, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`${name}: pod not Ready and answering within 60 s: ${JSON.stringify(s)}`)), 60_000)))]).finally(
      () => clearTimeout(timer),
    );
    s.skiffCpu = (processCpuMs(skiffPid) ?? NaN) - cpu0;
    return s as SkiffSample;
  } finally {
    stopPolling = true;
    await polling;
    const del = await api.request({ method: 'DELETE', path: `/apis/apps/v1/namespaces/${NS}/deployments/${name}` });
    await del.body.text();
    // The next cycle starts with no pod of this one left.
    if (podName) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([podGone, new Promise((r) => (timer = setTimeout(r, 30_000)))]).finally(() => clearTimeout(timer));
    }
    off();
  }
}

// ------------------------------------------------------------------ main

const argv = process.argv.slice(2);
const cycles = intArg(argv, 'cycles', 20);
const pollProbed = argv.includes('--poll-probed');
const vArg = argv.find((a) => a.startsWith('--variants='));
const variants = (vArg ? vArg.slice('--variants='.length).split(',') : ['probe-default', 'probe-fast', 'no-probe']) as Variant[];
for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`--variants: unknown variant "${v}" (known: ${VARIANTS.join(', ')})`);
const started = performance.now();

const floor: FloorSample[] = [];
const samples = new Map<Variant, SkiffSample[]>(variants.map((v) => [v, []]));
await withTarget(startSkiffUp, async (t) => {
  const api = new Pool(t.api, { connections: 2, keepAliveTimeout: 60_000 });
  const pods = await watchPods(t.api);
  try {
    // Warm-up (unmeasured): page cache, JIT in Skiff, the first spawn.
    await floorCycle();
    await skiffCycle(t.pid, api, pods, 'rt-warm', variants[0]!, pollProbed);
    for (let i = 0; i < cycles; i++) {
      for (const v of variants) {
        // Alternate which goes first so neither always follows the other's clean-up.
        if (i % 2 === 0) floor.push(await floorCycle());
        samples.get(v)!.push(await skiffCycle(t.pid, api, pods, `rt-${v}-${i}`, v, pollProbed));
        if (i % 2 === 1) floor.push(await floorCycle());
      }
    }
  } finally {
    await pods.close();
    await api.close();
  }
});

const f = summarize(floor.map((x) => x.answered));
const fStart = summarize(floor.map((x) => x.processStart));
console.log(`Runtime benchmark — ${machineLine()}`);
console.log(`Deployment POST → first pod Ready vs. spawn-by-hand-and-poll floor; ${cycles} cycles per variant (+1 warm-up), floor sampled alongside (n=${f.n}). Times in ms.\n`);
const rows: string[][] = [
  ['floor: spawn node -e + poll', 'process started', fmt(fStart.p50, 1), fmt(fStart.p90, 1), fmt(fStart.max, 1), fmt(fStart.p50 / f.p50)],
  ['floor: spawn node -e + poll', 'first HTTP answer', fmt(f.p50, 1), fmt(f.p90, 1), fmt(f.max, 1), '1.00'],
];
{
  const boot = summarize(floor.map((x) => x.answered - x.processStart));
  rows.push(['floor: spawn node -e + poll', '(process start → answer)', fmt(boot.p50, 1), fmt(boot.p90, 1), fmt(boot.max, 1), '']);
}
for (const v of variants) {
  const xs = samples.get(v)!;
  for (const [label, key] of [
    ['pod created', 'podCreated'],
    ['pod admitted (port)', 'admitted'],
    ['process started', 'processStart'],
    ['container running (status)', 'running'],
    ['pod Ready (status)', 'ready'],
    ['first HTTP answer', 'answered'],
    ['(skiff CPU ms, POST → Ready)', 'skiffCpu'],
  ] as const) {
    const sm = summarize(xs.map((x) => x[key]).filter(Number.isFinite));
    // CPU comes in 10 ms ticks: the mean over the cycles says more than the p50.
    rows.push([`skiff ${v}`, key === 'skiffCpu' ? `${label}, mean ${fmt(sm.mean, 1)}` : label, fmt(sm.p50, 1), fmt(sm.p90, 1), fmt(sm.max, 1), key === 'skiffCpu' ? '' : fmt(sm.p50 / f.p50)]);
  }
  // Per-cycle differences: less noisy than differences of medians.
  if (v !== 'no-probe' && pollProbed) {
    const lag = summarize(xs.map((x) => x.ready - x.answered));
    rows.push([`skiff ${v}`, '(Ready − first answer, per cycle)', fmt(lag.p50, 1), fmt(lag.p90, 1), fmt(lag.max, 1), '']);
  }
  const boot = summarize(xs.map((x) => (v === 'no-probe' || pollProbed ? x.answered : x.ready) - x.processStart));
  rows.push([`skiff ${v}`, v === 'no-probe' || pollProbed ? '(process start → answer)' : '(process start → Ready)', fmt(boot.p50, 1), fmt(boot.p90, 1), fmt(boot.max, 1), '']);
}
console.log(formatTable(['system', 'milestone (from POST)', 'p50', 'p90', 'max', 'p50 ÷ floor p50'], rows));
console.log('');
const checks: string[][] = [];
for (const v of variants) {
  const ready = summarize(samples.get(v)!.map((x) => x.ready));
  // Ready only means "answers" when a readiness probe checks it; without one, compare the later of the two.
  const headline = v === 'no-probe' ? summarize(samples.get(v)!.map((x) => Math.max(x.ready, x.answered))) : ready;
  checks.push([`${v}: ${v === 'no-probe' ? 'Ready and answering' : 'Ready'} p50 ÷ floor p50`, `${fmt(headline.p50, 1)} / ${fmt(f.p50, 1)} = ×${fmt(headline.p50 / f.p50)}`, '≤ ×1.3', verdict(headline.p50 / f.p50 <= 1.3)]);
}
console.log(formatTable(['check', 'measured', 'target', 'result'], checks));
console.log(`\ncommand: ${commandLine()}   (took ${fmt((performance.now() - started) / 1000, 1)} s)`);
