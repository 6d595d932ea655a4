// API benchmark (foundation issue, item 1): ConfigMap create and get over one
// HTTP keep-alive connection (undici), one request at a time — p50/p99 of
// create, get and create+get — and create throughput with 16 requests in
// flight over 16 keep-alive connections. Measured against `skiff up` (a real
// process, SQLite store in WAL mode, agent and controllers running), and as
// references against a bare API server process over SQLite and over a memory
// store, to separate store cost from the rest.
//   npm run build && node dist/bench/foundation/api.bench.js [--iterations=2000] [--creates=4000] [--concurrency=16] [--targets=up,sqlite,memory]
// Targets: create+get p50 ≤ 2 ms against skiff up; ≥ 1,000 durable creates/s.
// `SKIFF_FSYNC=full` in the environment is passed on (synchronous=FULL).
import { Pool } from 'undici';
import { commandLine, fmt, formatTable, intArg, machineLine, processCpuMs, selfCpuMs, startBareApiServer, startSkiffUp, summarize, verdict, withTarget, type Summary, type Target } from './lib.js';

const CM_PATH = '/api/v1/namespaces/default/configmaps';
const HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

function configMap(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'api' } }, data: { greeting: 'hello', size: '42', mode: 'bench' } });
}

async function send(pool: Pool, method: 'POST' | 'GET', path: string, body: string | undefined, want: number): Promise<void> {
  const res = await pool.request({ method, path, headers: HEADERS, body });
  const text = await res.body.text();
  if (res.statusCode !== want) throw new Error(`${method} ${path}: HTTP ${res.statusCode} (want ${want}): ${text.slice(0, 300)}`);
}

interface ApiResult {
  target: string;
  create: Summary;
  get: Summary;
  pair: Summary;
  createsPerSec: number;
  concurrent: Summary;
  /** CPU the server / the load generator used per create in the throughput phase (µs). */
  serverCpuUsPerCreate?: number;
  clientCpuUsPerCreate: number;
}

async function measure(t: Target, iterations: number, creates: number, concurrency: number, tag: string): Promise<ApiResult> {
  // Latency: one connection, one request at a time.
  const one = new Pool(t.api, { connections: 1, pipelining: 1, keepAliveTimeout: 60_000 });
  const create: number[] = [];
  const get: number[] = [];
  const pair: number[] = [];
  try {
    const warm = Math.min(300, iterations);
    for (let i = 0; i < warm + iterations; i++) {
      const name = `${tag}-lat-${i}`;
      const t0 = performance.now();
      await send(one, 'POST', CM_PATH, configMap(name), 201);
      const t1 = performance.now();
      await send(one, 'GET', `${CM_PATH}/${name}`, undefined, 200);
      const t2 = performance.now();
      if (i >= warm) {
        create.push(t1 - t0);
        get.push(t2 - t1);
        pair.push(t2 - t0);
      }
    }
  } finally {
    await one.close();
  }

  // Throughput: `concurrency` requests in flight, each on its own keep-alive connection.
  const many = new Pool(t.api, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const lat: number[] = [];
  let wall: number;
  let cpu0: number | undefined, cpu1: number | undefined, self0: number, self1: number;
  try {
    // An unmeasured pass first: opens the connections and warms this code path up in the load generator
    // too (otherwise whichever target is measured first pays for the client's JIT).
    let next = 0;
    const run = (prefix: string, total: number, record: boolean) => async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await send(many, 'POST', CM_PATH, configMap(`${tag}-${prefix}-${i}`), 201);
        if (record) lat.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, run('warm', Math.min(1000, creates), false)));
    next = 0;
    const worker = run('tp', creates, true);
    const start = performance.now();
    cpu0 = processCpuMs(t.pid);
    self0 = selfCpuMs();
    await Promise.all(Array.from({ length: concurrency }, worker));
    wall = performance.now() - start;
    cpu1 = processCpuMs(t.pid);
    self1 = selfCpuMs();
  } finally {
    await many.close();
  }
  return { target: t.label, create: summarize(create), get: summarize(get), pair: summarize(pair), createsPerSec: (creates / wall) * 1000,
    concurrent: summarize(lat),
    serverCpuUsPerCreate: cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1000) / creates : undefined,
    clientCpuUsPerCreate: ((self1 - self0) * 1000) / creates,
  };
}

const argv = process.argv.slice(2);
const iterations = intArg(argv, 'iterations', 2000);
const creates = intArg(argv, 'creates', 4000);
const concurrency = intArg(argv, 'concurrency', 16);
const started = performance.now();
const TARGETS = { up: startSkiffUp, sqlite: () => startBareApiServer('sqlite'), memory: () => startBareApiServer('memory') } as const;
type TargetName = keyof typeof TARGETS;
const tArg = argv.find((a) => a.startsWith('--targets='));
const order = (tArg ? tArg.slice('--targets='.length).split(',') : ['up', 'sqlite', 'memory']) as TargetName[];
for (const n of order) if (!(n in TARGETS)) throw new Error(`--targets: unknown target "${n}" (known: ${Object.keys(TARGETS).join(', ')})`);
const byName = new Map<TargetName, ApiResult>();
for (const [i, n] of order.entries()) byName.set(n, await withTarget(TARGETS[n], (t) => measure(t, iterations, creates, concurrency, `r${i}`)));
const results = order.map((n) => byName.get(n)!);

const up = byName.get('up');
const mem = byName.get('memory');
console.log(`API benchmark — ${machineLine()}${process.env.SKIFF_FSYNC === 'full' ? ', SKIFF_FSYNC=full' : ''}`);
console.log(
  `${iterations} sequential create+get on 1 keep-alive connection (after ${Math.min(300, iterations)} warm-up); ${creates} creates with ${concurrency} in flight (after ${Math.min(1000, creates)} warm-up). ` +
    `CPU columns: µs of CPU per create in the throughput phase, server process and load generator. Times in ms.\n`,
);
console.log(
  formatTable(
    ['target', 'create p50', 'create p99', 'get p50', 'get p99', 'create+get p50', 'create+get p99', `creates/s @${concurrency}`, `create p50 @${concurrency}`, `create p99 @${concurrency}`, 'server CPU µs/create', 'client CPU µs/create'],
    results.map((r) => [
      r.target,
      fmt(r.create.p50, 3),
      fmt(r.create.p99, 3),
      fmt(r.get.p50, 3),
      fmt(r.get.p99, 3),
      fmt(r.pair.p50, 3),
      fmt(r.pair.p99, 3),
      fmt(r.createsPerSec, 0),
      fmt(r.concurrent.p50, 2),
      fmt(r.concurrent.p99, 2),
      fmt(r.serverCpuUsPerCreate, 0),
      fmt(r.clientCpuUsPerCreate, 0),
    ]),
  ),
);
if (up) {
  const vsMem = (a: number, b: number | undefined) => (b === undefined ? '-' : `×${fmt(a / b)}`);
  console.log('');
  console.log(
    formatTable(
      ['check (skiff up)', 'measured', 'target', 'result', 'vs memory store'],
      [
        ['create+get p50', `${fmt(up.pair.p50, 3)} ms`, '≤ 2 ms', verdict(up.pair.p50 <= 2), vsMem(up.pair.p50, mem?.pair.p50)],
        [`durable creates/s @${concurrency}`, fmt(up.createsPerSec, 0), '≥ 1000', verdict(up.createsPerSec >= 1000), vsMem(up.createsPerSec, mem?.createsPerSec)],
      ],
    ),
  );
}
console.log(`\ncommand: ${commandLine()}   (took ${fmt((performance.now() - started) / 1000, 1)} s)`);
